//! `cas-triage merge`: read the JSON reports of many hosts' scans, merge them into one report,
//! compare it with the baseline, write it in the chosen format, and decide the exit status.
//! Warnings (other versions, rule packs or zones) go to standard error.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use super::write::{Presentation, findings_status, html_options, write_report};
use crate::config::MergeConfig;
use crate::report::{Format, NamedReport, Report, TextStyle, escape_for_terminal};

pub(super) fn run(config: MergeConfig, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut reports = Vec::with_capacity(config.reports.len());
    for path in &config.reports {
        let report = Report::read(path).context("cannot merge")?;
        reports.push(NamedReport { name: path.display().to_string(), report });
    }
    let merged = Report::merge(reports, config.samples);
    for warning in &merged.warnings {
        // Warnings quote the reports (their versions, packs, zones): escaped for the terminal.
        eprintln!("cas-triage: warning: {}", escape_for_terminal(warning));
    }
    let mut report = merged.report;
    if let Some(baseline) = &config.baseline {
        report.compare_with(baseline);
    }
    // Each scan masked credentials or not (--no-redact): a merged page cannot say which.
    let html = match config.format {
        Format::Html => Some(html_options(merged_zone(&report), None)?),
        _ => None,
    };
    let presentation = Presentation {
        format: config.format,
        text: TextStyle { color: config.color, unclassified: config.unclassified },
        thresholds: config.thresholds,
        pack: &config.pack,
        lang: config.lang,
        html,
    };
    write_report(&report, &presentation, out)?;
    Ok(findings_status(&report, config.thresholds))
}

/// The zone the merged report's times are read in (its `input.timezone`), UTC when unreadable.
fn merged_zone(report: &Report) -> chrono::FixedOffset {
    crate::config::parse_timezone(&report.input.timezone)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC"))
}
