//! What `scan` and `merge` share once they hold a [`Report`]: writing it in the chosen format, and
//! the exit status its findings call for.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use super::EXIT_FINDINGS;
use crate::report::{
    Format, Report, TextStyle, Thresholds, write_json, write_jsonl, write_junit, write_markdown, write_sarif,
    write_text, write_tickets, write_timeline,
};
use crate::rules::{Lang, RulePack};

/// How a report is written.
pub(super) struct Presentation<'a> {
    pub(super) format: Format,
    pub(super) text: TextStyle,
    /// `--fail-on` and `--fail-on-new`: JUnit's failing test cases.
    pub(super) thresholds: Thresholds,
    /// The pack whose rules SARIF describes, in `lang`.
    pub(super) pack: &'a RulePack,
    pub(super) lang: Lang,
}

pub(super) fn write_report(report: &Report, how: &Presentation<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    match how.format {
        Format::Text => write_text(report, how.text, out),
        Format::Json => write_json(report, out),
        Format::Jsonl => write_jsonl(report, out),
        Format::Timeline => write_timeline(report, out),
        Format::Markdown => write_markdown(report, out),
        Format::Junit => write_junit(report, how.thresholds, out),
        Format::Sarif => write_sarif(report, how.pack, how.lang, out),
        Format::Tickets => write_tickets(report, out),
    }
    .context("cannot write the report")?;
    out.flush().context("cannot write the report")
}

/// 1 when a finding reaches `--fail-on`, or a new one `--fail-on-new`; 0 otherwise.
pub(super) fn findings_status(report: &Report, thresholds: Thresholds) -> ExitCode {
    if report.reaches(thresholds) { ExitCode::from(EXIT_FINDINGS) } else { ExitCode::SUCCESS }
}
