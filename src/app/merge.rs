//! `cas-triage merge`: read the JSON reports of many hosts' scans, merge them into one report,
//! compare it with the baseline, write it in the chosen format, and decide the exit status.
//! Warnings (other versions, rule packs or zones, events in two reports, hosts unknown) go to
//! standard error. A report named twice, under any path, is refused before anything is read.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::write::{Presentation, compare, findings_status, html_options, write_report};
use crate::config::MergeConfig;
use crate::report::{Format, MergeError, MergeLimits, NamedReport, Report, TextStyle, escape_for_terminal};

pub(super) fn run(config: MergeConfig, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    distinct_files(&config.reports).context("cannot merge")?;
    let mut reports = Vec::with_capacity(config.reports.len());
    for path in &config.reports {
        let report = Report::read(path).context("cannot merge")?;
        reports.push(NamedReport { name: path.display().to_string(), report });
    }
    let limits = MergeLimits { samples: config.samples, exeurls_per_host: config.exeurls_per_host };
    let merged = Report::merge(reports, limits).context("cannot merge")?;
    for warning in &merged.warnings {
        // Warnings quote the reports (their versions, packs, zones): escaped for the terminal.
        eprintln!("cas-triage: warning: {}", escape_for_terminal(warning));
    }
    let mut report = merged.report;
    if let Some(baseline) = &config.baseline {
        compare(&mut report, baseline);
    }
    // Each scan masked credentials or not (--no-redact), in its own language: a merged page
    // cannot say which.
    let html = match config.format {
        Format::Html => Some(html_options(merged_zone(&report), None, None)?),
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

/// Refuses a file named twice (`a.json ./a.json`, a link and its target): its findings would
/// count twice. A path that cannot be resolved is left to the reading, which names the reason.
fn distinct_files(paths: &[PathBuf]) -> Result<(), MergeError> {
    let mut seen: HashMap<PathBuf, &Path> = HashMap::new();
    for path in paths {
        let Ok(file) = std::fs::canonicalize(path) else { continue };
        if let Some(first) = seen.insert(file, path) {
            let name = if first.as_os_str() == path.as_os_str() {
                path.display().to_string()
            } else {
                format!("{} (the file {} names too)", path.display(), first.display())
            };
            return Err(MergeError::SameReport { name });
        }
    }
    Ok(())
}

/// The zone the merged report's times are read in (its `input.timezone`), UTC when unreadable.
fn merged_zone(report: &Report) -> chrono::FixedOffset {
    crate::config::parse_timezone(&report.input.timezone)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC"))
}
