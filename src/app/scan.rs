//! `cas-triage scan`: discover the bundle, scan it on a thread pool with a progress bar, build
//! the report, write it in the chosen format, and decide the exit status.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use super::{EXIT_FINDINGS, EXIT_PARTIAL};
use crate::config::ScanConfig;
use crate::input::discover;
use crate::progress::Progress;
use crate::report::{
    Format, Report, ReportOptions, TextStyle, write_json, write_jsonl, write_junit, write_markdown, write_sarif,
    write_text, write_tickets, write_timeline,
};
use crate::rules::CompiledRules;
use crate::scan::Scanner;
use crate::stats::{self, Phases, Volume};

pub(super) fn run(config: ScanConfig, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let clock = Instant::now();
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
        Format::Junit => write_junit(&report, config.fail_on, out),
        Format::Sarif => write_sarif(&report, rules.pack(), config.lang, out),
        Format::Tickets => write_tickets(&report, out),
    }
    .context("cannot write the report")?;
    out.flush().context("cannot write the report")?;
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
    // The process ends once the report is written, and the system takes its memory back at
    // once: freeing the scan's and the report's many small allocations one by one took 60 ms on
    // a bundle of 1 GiB and 250 ms on one of 5,000 hosts, on one thread, after the work was done.
    std::mem::forget(outcome);
    std::mem::forget(report);
    Ok(match (partial, failed) {
        (true, _) => ExitCode::from(EXIT_PARTIAL),
        (false, true) => ExitCode::from(EXIT_FINDINGS),
        (false, false) => ExitCode::SUCCESS,
    })
}
