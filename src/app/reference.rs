//! The commands that describe cas-triage itself rather than scan anything: `schema` (the JSON
//! Schema of the report), `completions SHELL` (a completion script, from clap_complete) and `man`
//! (one roff manual page with every command and option, from clap_mangen).

use std::io::{self, Write};
use std::process::ExitCode;

use clap::CommandFactory;
use clap_mangen::Man;

use crate::cli::{Cli, ShellArg};
use crate::report::REPORT_SCHEMA;

/// The binary's name, as completions and the manual call it.
const BIN: &str = "cas-triage";

pub(super) fn schema(out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    out.write_all(REPORT_SCHEMA.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn completions(shell: ShellArg, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let shell = match shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), BIN, out);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn man(out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    write_man(out)?;
    Ok(ExitCode::SUCCESS)
}

/// The manual page: the program's name, synopsis, description and options as clap_mangen renders
/// them, then a COMMANDS section with a subsection per command (its synopsis, description and
/// options), then the exit status. One page, so `man -l` shows every option.
fn write_man(out: &mut dyn Write) -> io::Result<()> {
    let mut cli = Cli::command().bin_name(BIN);
    cli.build();
    let page = Man::new(cli.clone());
    page.render_title(out)?;
    page.render_name_section(out)?;
    page.render_synopsis_section(out)?;
    page.render_description_section(out)?;
    page.render_options_section(out)?;
    writeln!(out, ".SH COMMANDS")?;
    for command in commands(&cli) {
        write_command(command, out)?;
    }
    write_exit_status(out)?;
    page.render_version_section(out)
}

/// Every command and nested command, depth first, in definition order (`help` left out).
fn commands(cli: &clap::Command) -> Vec<&clap::Command> {
    let mut all = Vec::new();
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        all.push(sub);
        all.extend(commands(sub));
    }
    all
}

/// One command's subsection: its full name as the heading, then its synopsis, description and
/// options, each rendered by clap_mangen without the section heading it would start a page with.
fn write_command(command: &clap::Command, out: &mut dyn Write) -> io::Result<()> {
    let name = command.get_bin_name().unwrap_or_else(|| command.get_name());
    writeln!(out, ".SS \"{}\"", roff_escape(name))?;
    let page = Man::new(command.clone());
    for render in [Man::render_synopsis_section, Man::render_description_section, Man::render_options_section] {
        let mut section = Vec::new();
        render(&page, &mut section)?;
        out.write_all(without_headings(&section).as_bytes())?;
        // The synopsis, the description and the options are paragraphs of their own.
        writeln!(out, ".PP")?;
    }
    // The examples after the options, line by line as `--help` shows them (roff would fill them).
    if let Some(after) = command.get_after_help() {
        for line in after.to_string().lines() {
            writeln!(out, "\\&{}\n.br", line.replace('\\', "\\e").replace('-', "\\-"))?;
        }
        writeln!(out, ".PP")?;
    }
    Ok(())
}

/// Drops the `.SH` lines of a rendered section, so it can sit inside a subsection.
fn without_headings(roff: &[u8]) -> String {
    String::from_utf8_lossy(roff)
        .lines()
        .filter(|line| !line.starts_with(".SH"))
        .map(|line| format!("{line}\n"))
        .collect()
}

fn write_exit_status(out: &mut dyn Write) -> io::Result<()> {
    let statuses = [
        ("0", "The command ran (a scan with findings too, unless \\-\\-fail\\-on applies)."),
        (
            "1",
            "A finding at or above \\-\\-fail\\-on, or a new one at or above \\-\\-fail\\-on\\-new; for rules test, an example failed.",
        ),
        (
            "2",
            "A usage error, a config file that is missing or wrong, a path that does not exist, a rule pack that does not load, a \\-\\-baseline or merged report that cannot be read, an \\-\\-output file that cannot be written; with \\-\\-strict, a file skipped or only partly read.",
        ),
    ];
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for (status, meaning) in statuses {
        writeln!(out, ".TP\n{status}\n{meaning}")?;
    }
    Ok(())
}

/// Text for a roff argument: backslashes and hyphens escaped, quotes doubled.
fn roff_escape(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-").replace('"', "\"\"")
}
