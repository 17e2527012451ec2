//! The `cas-triage` binary: parses the command line, runs it, and maps the result to an exit
//! status (0 scanned, 1 findings at or above --fail-on or new ones at or above --fail-on-new, 2
//! usage error or bad config file, unusable input or report, an --output file that cannot be
//! written, or with --strict a file skipped or partly read).
//! A closed standard output (`| head`) ends the program quietly.

use std::process::ExitCode;

use cas_triage::{app, cli::Cli};

const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse_args() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(EXIT_USAGE) } else { ExitCode::SUCCESS };
        }
    };
    match app::run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cas-triage: {err:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
