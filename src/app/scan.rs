//! `cas-triage scan`: discover the bundle, scan it on a thread pool with a progress bar, build
//! the report, compare it with the baseline, write it in the chosen format (and as HTML with
//! `--html`), and decide the exit
//! status.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use super::EXIT_PARTIAL;
use super::write::{Presentation, compare, findings_status, html_options, write_report};
use crate::config::ScanConfig;
use crate::input::discover;
use crate::progress::Progress;
use crate::report::{Format, Report, ReportOptions, TextStyle};
use crate::rules::CompiledRules;
use crate::scan::Scanner;
use crate::stats::{self, Phases, Volume};

/// Scans, writes the report to `out` in the configured format and, when `html` is given, the
/// HTML report to it as well.
pub(super) fn run(config: ScanConfig, out: &mut dyn Write, html: Option<&mut dyn Write>) -> anyhow::Result<ExitCode> {
    let clock = Instant::now();
    // Only a scan that writes HTML shows (and so reads) its time.
    let html_options = if config.format == Format::Html || html.is_some() {
        Some(html_options(config.timezone, Some(config.redact), Some(config.lang))?)
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
    let mut report = pool.install(|| Report::build(&outcome, &rules, &options));
    if let Some(baseline) = &config.baseline {
        compare(&mut report, baseline);
    }
    phases.report = clock.elapsed() - phases.prepare - phases.scan;
    let presentation = Presentation {
        format: config.format,
        text: TextStyle { color: config.color, unclassified: config.unclassified },
        thresholds: config.thresholds,
        pack: rules.pack(),
        lang: config.lang,
        html: html_options,
    };
    write_report(&report, &presentation, out)?;
    if let Some(html) = html {
        let page = Presentation { format: Format::Html, ..presentation };
        write_report(&report, &page, html).context("cannot write the HTML report")?;
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
    let partial = config.strict && !report.input.skipped.is_empty();
    if partial {
        eprintln!(
            "cas-triage: --strict: {} file(s) or member(s) skipped or partly read (see input.skipped)",
            report.input.skipped.len()
        );
    }
    let code = if partial { ExitCode::from(EXIT_PARTIAL) } else { findings_status(&report, config.thresholds) };
    // The process ends once the report is written, and the system takes its memory back at
    // once: freeing the scan's and the report's many small allocations one by one took 60 ms on
    // a bundle of 1 GiB and 250 ms on one of 5,000 hosts, on one thread, after the work was done.
    std::mem::forget(outcome);
    std::mem::forget(report);
    Ok(code)
}
