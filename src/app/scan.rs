//! `cas-triage scan`: discover the bundle, scan it on a thread pool with a progress bar, build
//! the report, write it in the chosen format, and decide the exit status.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use super::EXIT_FINDINGS;
use crate::config::ScanConfig;
use crate::input::discover;
use crate::progress::Progress;
use crate::report::{Format, Report, ReportOptions, TextStyle, write_json, write_jsonl, write_text, write_timeline};
use crate::rules::CompiledRules;
use crate::scan::Scanner;

pub(super) fn run(config: ScanConfig, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let discovery = discover(&config.paths)?;
    let total: u64 = discovery.units.iter().map(|u| u.size).sum();
    let rules = CompiledRules::compile(config.pack)?;
    let progress = Progress::new(total, config.progress);
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = config.threads {
        pool = pool.num_threads(threads);
    }
    let pool = pool.build().context("cannot start the worker threads")?;
    let scanner = Scanner::new(&rules, config.options.clone());
    let outcome = pool.install(|| scanner.scan(discovery, &|bytes| progress.advance(bytes)));
    progress.finish();

    let options = ReportOptions {
        paths: config.paths.iter().map(|p| p.display().to_string()).collect(),
        timezone: config.timezone,
        lang: config.lang,
        samples: config.options.samples,
        since: config.options.since,
        until: config.options.until,
    };
    let report = Report::build(&outcome, &rules, &options);
    match config.format {
        Format::Text => write_text(&report, TextStyle { color: config.color, unclassified: config.unclassified }, out),
        Format::Json => write_json(&report, out),
        Format::Jsonl => write_jsonl(&report, out),
        Format::Timeline => write_timeline(&report, out),
    }
    .context("cannot write the report")?;
    let failed = config.fail_on.is_some_and(|threshold| report.has_severity_at_least(threshold));
    Ok(if failed { ExitCode::from(EXIT_FINDINGS) } else { ExitCode::SUCCESS })
}
