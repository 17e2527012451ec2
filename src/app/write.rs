//! What `scan` and `merge` share once they hold a [`Report`]: comparing it with the baseline,
//! writing it in the chosen format, and the exit status its findings call for.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use super::EXIT_FINDINGS;
use crate::report::{
    Baseline, Format, HtmlOptions, Report, TextStyle, Thresholds, write_html, write_json, write_jsonl, write_junit,
    write_markdown, write_sarif, write_text, write_tickets, write_timeline,
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
    /// What the HTML page shows besides the report (when it was made); `None` unless HTML is
    /// written.
    pub(super) html: Option<HtmlOptions>,
}

pub(super) fn write_report(report: &Report, how: &Presentation<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    match how.format {
        Format::Text => write_text(report, how.text, out),
        Format::Json => write_json(report, out),
        Format::Jsonl => write_jsonl(report, out),
        Format::Timeline => write_timeline(report, out),
        Format::Markdown => write_markdown(report, out),
        Format::Html => match &how.html {
            Some(options) => write_html(report, options, out),
            None => Err(std::io::Error::other("the HTML page was asked for without its options")),
        },
        Format::Junit => write_junit(report, how.thresholds, out),
        Format::Sarif => write_sarif(report, how.pack, how.lang, out),
        Format::Tickets => write_tickets(report, out),
    }
    .context("cannot write the report")?;
    out.flush().context("cannot write the report")
}

/// Compares `report` with `baseline`. A run that read no file can resolve nothing: every finding
/// of the baseline is then not covered, which standard error says, lest an empty run look clean.
pub(super) fn compare(report: &mut Report, baseline: &Baseline) {
    report.compare_with(baseline);
    if report.input.files == 0 && !baseline.findings.is_empty() {
        eprintln!(
            "cas-triage: warning: this run read no file: the {} finding(s) of the baseline {} are neither recurring nor resolved (baseline.not_covered)",
            baseline.findings.len(),
            baseline.path
        );
    }
}

/// 1 when a finding reaches `--fail-on`, or a new one `--fail-on-new`; 0 otherwise.
pub(super) fn findings_status(report: &Report, thresholds: Thresholds) -> ExitCode {
    if report.reaches(thresholds) { ExitCode::from(EXIT_FINDINGS) } else { ExitCode::SUCCESS }
}

/// What an HTML page shows besides its report: when it was made, in `zone` (now, or
/// `SOURCE_DATE_EPOCH` when set, so that a page written twice from the same input can be the same
/// file), whether credentials were masked and the runbooks' language (`None`: not known, as for
/// merged reports).
pub(super) fn html_options(
    zone: chrono::FixedOffset,
    redacted: Option<bool>,
    runbooks: Option<Lang>,
) -> anyhow::Result<HtmlOptions> {
    let now = super::now_or_source_date()?;
    Ok(HtmlOptions { scanned_at: now.with_timezone(&zone), redacted, runbooks })
}
