//! `cas-triage scan`: discover the bundle, scan it on a thread pool with a progress bar, build
//! the report, write it in the chosen format (and as HTML with `--html`), and decide the exit
//! status.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use super::{EXIT_FINDINGS, EXIT_PARTIAL};
use crate::config::ScanConfig;
use crate::input::discover;
use crate::progress::Progress;
use crate::report::{
    Format, HtmlOptions, Report, ReportOptions, TextStyle, write_html, write_json, write_jsonl, write_junit,
    write_markdown, write_sarif, write_text, write_tickets, write_timeline,
};
use crate::rules::CompiledRules;
use crate::scan::Scanner;
use crate::stats::{self, Phases, Volume};

/// Scans, writes the report to `out` in the configured format and, when `html` is given, the
/// HTML report to it as well.
pub(super) fn run(config: ScanConfig, out: &mut dyn Write, html: Option<&mut dyn Write>) -> anyhow::Result<ExitCode> {
    let clock = Instant::now();
    // Only a scan that writes HTML shows (and so reads) its time.
    let html_options = if config.format == Format::Html || html.is_some() {
        Some(HtmlOptions { scanned_at: scan_time(config.timezone)?, redacted: config.redact })
    } else {
        None
    };
    let discovery = discover(&config.paths)?;
    let total: u64 = discovery.units.iter().map(|u| u.size).sum();
    let rules = CompiledRules::compile(config.pack)?;
    let progress = Progress::new(total, config.progress);
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = config.threads {
        pool = pool.num_threads(threads);
    }
    let pool = pool.build().context("cannot start the worker threads")?;
    let mut phases = Phases { prepare: clock.elapsed(), ..Phases::default() };
    let scanner = Scanner::new(&rules, config.options.clone());
    let outcome = pool.install(|| scanner.scan(discovery, &|bytes| progress.advance(bytes)));
    progress.finish();
    phases.scan = clock.elapsed() - phases.prepare;

    let options = ReportOptions {
        paths: config.paths.iter().map(|p| p.display().to_string()).collect(),
        timezone: config.timezone,
        lang: config.lang,
        samples: config.options.samples,
        since: config.options.since,
        until: config.options.until,
        redact: config.redact,
    };
    let report = pool.install(|| Report::build(&outcome, &rules, &options));
    phases.report = clock.elapsed() - phases.prepare - phases.scan;
    match config.format {
        Format::Text => write_text(&report, TextStyle { color: config.color, unclassified: config.unclassified }, out),
        Format::Json => write_json(&report, out),
        Format::Jsonl => write_jsonl(&report, out),
        Format::Timeline => write_timeline(&report, out),
        Format::Markdown => write_markdown(&report, out),
        Format::Html => write_html(&report, html_options.as_ref().expect("made for HTML"), out),
        Format::Junit => write_junit(&report, config.fail_on, out),
        Format::Sarif => write_sarif(&report, rules.pack(), config.lang, out),
        Format::Tickets => write_tickets(&report, out),
    }
    .context("cannot write the report")?;
    out.flush().context("cannot write the report")?;
    if let (Some(html), Some(options)) = (html, &html_options) {
        write_html(&report, options, html).context("cannot write the HTML report")?;
        html.flush().context("cannot write the HTML report")?;
    }
    phases.write = clock.elapsed() - phases.prepare - phases.scan - phases.report;
    if config.stats {
        let volume = Volume {
            files: outcome.files,
            bytes: outcome.bytes,
            events: outcome.events,
            lines: outcome.lines,
            skipped: report.input.skipped.len(),
        };
        eprint!("{}", stats::render(volume, phases, pool.current_num_threads(), stats::peak_memory()));
    }
    let failed = config.fail_on.is_some_and(|threshold| report.has_severity_at_least(threshold));
    let partial = config.strict && !report.input.skipped.is_empty();
    if partial {
        eprintln!(
            "cas-triage: --strict: {} file(s) or member(s) skipped or partly read (see input.skipped)",
            report.input.skipped.len()
        );
    }
    Ok(match (partial, failed) {
        (true, _) => ExitCode::from(EXIT_PARTIAL),
        (false, true) => ExitCode::from(EXIT_FINDINGS),
        (false, false) => ExitCode::SUCCESS,
    })
}

/// When the scan ran, in the logs' zone: now, or `SOURCE_DATE_EPOCH` when it is set, so that a
/// report written twice from the same bundle can be the same file.
fn scan_time(zone: chrono::FixedOffset) -> anyhow::Result<chrono::DateTime<chrono::FixedOffset>> {
    let now = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.is_empty() => text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
            .ok_or_else(|| anyhow::anyhow!("SOURCE_DATE_EPOCH {text:?}: expected seconds since 1970-01-01"))?,
        _ => chrono::Utc::now(),
    };
    Ok(now.with_timezone(&zone))
}
