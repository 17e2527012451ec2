//! Running a command line: `scan`, `merge`, `events`, `exeurl`, `explain`, `rules`, and the commands that
//! describe cas-triage itself (`schema`, `completions`, `man`). Each command writes its results to
//! the writer it is given and returns the exit status; errors carry context for `main` to print.

mod events;
mod exeurl;
mod explain;
mod merge;
mod output;
mod print_config;
mod reference;
mod rules;
mod scan;
mod write;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use crate::cli::{Cli, Command, RulesCommand};
use crate::config::{MergeConfig, ScanConfig};
use crate::config_file::{self, ConfigFile};
use output::ReportFile;

/// Exit status: some finding reached `--fail-on` (or a new one `--fail-on-new`), or some rule
/// example failed.
pub const EXIT_FINDINGS: u8 = 1;

/// Exit status: with `--strict`, some file or member was skipped or only partly read.
pub const EXIT_PARTIAL: u8 = 2;

/// Runs the parsed command line, writing results to standard output (or the `--output` file of
/// `scan` and `merge`, and the `scan --html` file besides). Options not given on the command line
/// take their values from the config file (`--config FILE` or `./cas-triage.toml`) when it sets
/// them.
pub fn run(mut cli: Cli) -> anyhow::Result<ExitCode> {
    let file = ConfigFile::for_command(&cli.config, &cli.command)?;
    let sources = config_file::apply(file.as_ref(), &mut cli.command, &cli.given);
    if let Some(file) = &file
        && cli.config.config.is_none()
    {
        let quiet = matches!(&cli.command, Command::Scan(args) if args.quiet);
        note_found_file(file, quiet);
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Scan(args) if args.print_config => print_config::scan(&args, &sources, &cli.config, &mut out)?,
        Command::Scan(args) => {
            let config = ScanConfig::from_args(*args)?;
            // Before the scan: an output that cannot be written fails fast.
            let mut html = config.html.as_deref().map(ReportFile::create).transpose()?;
            let html_out = html.as_mut().map(|file| file as &mut dyn Write);
            let code = match config.output.clone() {
                None => scan::run(config, &mut out, html_out)?,
                Some(path) => {
                    let mut report = ReportFile::create(&path)?;
                    let code = scan::run(config, &mut report, html_out)?;
                    report.commit()?;
                    code
                }
            };
            if let Some(html) = html {
                html.commit()?;
            }
            code
        }
        Command::Merge(args) => {
            let config = MergeConfig::from_args(args)?;
            match config.output.clone() {
                None => merge::run(config, &mut out)?,
                Some(path) => {
                    // Before reading the reports: an output that cannot be written fails fast.
                    let mut report = ReportFile::create(&path)?;
                    let code = merge::run(config, &mut report)?;
                    report.commit()?;
                    code
                }
            }
        }
        Command::Events(args) => events::run(&args, &mut out)?,
        Command::Explain(args) => explain::run(&args, &mut out)?,
        Command::Exeurl(args) => exeurl::run(&args, &mut out)?,
        Command::Rules { command: RulesCommand::List { format, pack } } => rules::list(&pack, format, &mut out)?,
        Command::Rules { command: RulesCommand::Test { dir } } => rules::test(dir.as_deref(), &mut out)?,
        Command::Rules { command: RulesCommand::Lint { dir } } => rules::lint(&dir, &mut out)?,
        Command::Schema => reference::schema(&mut out)?,
        Command::Completions { shell } => reference::completions(shell, &mut out)?,
        Command::Man => reference::man(&mut out)?,
        Command::Rules { command: RulesCommand::Export { format, date, dir, pack } } => {
            rules::export(&pack, format, date.as_deref(), &dir, &mut out)?
        }
    };
    out.flush()?;
    Ok(code)
}

/// Says on standard error that `./cas-triage.toml` is read, which the command line did not ask
/// for: a collected bundle, or a directory someone else wrote it in, can hold one, and it changes
/// the run. Always said when the file sets the rule pack or keeps credentials; otherwise not with
/// `--quiet` (or `quiet = true`).
fn note_found_file(file: &ConfigFile, quiet: bool) {
    let sensitive = file.sensitive_keys();
    if quiet && sensitive.is_empty() {
        return;
    }
    let sets = if sensitive.is_empty() { String::new() } else { format!(", which sets {}", sensitive.join(", ")) };
    eprintln!("cas-triage: using ./{}{sets} (--no-config to ignore it)", config_file::DEFAULT_FILE);
}

/// Now, or the time `SOURCE_DATE_EPOCH` gives when it is set (reproducible outputs: an HTML page,
/// the date of exported rules).
fn now_or_source_date() -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    match std::env::var_os("SOURCE_DATE_EPOCH").filter(|v| !v.is_empty()) {
        Some(epoch) => {
            let text = epoch.to_string_lossy();
            text.trim()
                .parse::<i64>()
                .ok()
                .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
                .ok_or_else(|| anyhow::anyhow!("SOURCE_DATE_EPOCH {text:?}: expected seconds since 1970-01-01"))
        }
        None => Ok(chrono::Utc::now()),
    }
}
