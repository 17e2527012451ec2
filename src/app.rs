//! Running a command: `scan` (configure, discover, scan on a thread pool, report, decide the exit
//! status) and `rules list` / `rules test`. Output goes to the writer it is given; errors carry
//! context for `main` to print.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use crate::cli::{Cli, Command, ListFormatArg, PackArgs, RulesCommand};
use crate::config::{ScanConfig, load_pack};
use crate::input::discover;
use crate::progress::Progress;
use crate::report::{Format, Report, ReportOptions, TextStyle, write_json, write_jsonl, write_text};
use crate::rules::{CompiledRules, RuleKind, RulePack, test_examples};
use crate::scan::Scanner;

/// Exit status: some finding reached `--fail-on`, or some rule example failed.
pub const EXIT_FINDINGS: u8 = 1;

/// Runs the parsed command line, writing results to standard output.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Scan(args) => scan(ScanConfig::from_args(args)?, &mut out)?,
        Command::Rules { command: RulesCommand::List { format, pack } } => list_rules(&pack, format, &mut out)?,
        Command::Rules { command: RulesCommand::Test { dir } } => test_rules(dir.as_deref(), &mut out)?,
    };
    out.flush()?;
    Ok(code)
}

fn scan(config: ScanConfig, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let discovery = discover(&config.paths)?;
    let total: u64 = discovery.units.iter().map(|u| u.size).sum();
    let progress = Progress::new(total, config.progress);
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = config.threads {
        pool = pool.num_threads(threads);
    }
    let pool = pool.build().context("cannot start the worker threads")?;
    let scanner = Scanner::new(&config.rules, config.options.clone());
    let outcome = pool.install(|| scanner.scan(discovery, &|bytes| progress.advance(bytes)));
    progress.finish();

    let options = ReportOptions {
        paths: config.paths.iter().map(|p| p.display().to_string()).collect(),
        timezone: config.timezone,
        lang: config.lang,
    };
    let report = Report::build(&outcome, &config.rules, &options);
    match config.format {
        Format::Text => write_text(&report, TextStyle { color: config.color }, out),
        Format::Json => write_json(&report, out),
        Format::Jsonl => write_jsonl(&report, out),
    }
    .context("cannot write the report")?;
    let failed = config.fail_on.is_some_and(|threshold| report.has_severity_at_least(threshold));
    Ok(if failed { ExitCode::from(EXIT_FINDINGS) } else { ExitCode::SUCCESS })
}

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    severity: &'a str,
    section: &'a str,
    title: &'a str,
    kind: &'static str,
    signatures: usize,
    examples: usize,
    origin: &'a str,
}

fn list_rules(pack_args: &PackArgs, format: ListFormatArg, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let pack = load_pack(pack_args)?;
    let rows: Vec<RuleRow> = pack
        .rules()
        .iter()
        .map(|rule| {
            let (kind, signatures) = match &rule.kind {
                RuleKind::Lines(sigs) => ("lines", sigs.len()),
                RuleKind::File(_) => ("file-check", 0),
                RuleKind::Analysis => ("analysis", 0),
            };
            RuleRow {
                id: rule.id.as_str(),
                severity: rule.severity.as_str(),
                section: &rule.section,
                title: &rule.title,
                kind,
                signatures,
                examples: rule.examples_match.len() + rule.examples_no_match.len(),
                origin: &rule.origin,
            }
        })
        .collect();
    match format {
        ListFormatArg::Json => {
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
        ListFormatArg::Text => {
            writeln!(out, "{:<34} {:<9} {:<11} {:>4} {:>4}  TITLE", "ID", "SEVERITY", "SECTION", "SIGS", "EXS")?;
            for r in &rows {
                writeln!(out, "{:<34} {:<9} {:<11} {:>4} {:>4}  {}", r.id, r.severity, r.section, r.signatures, r.examples, r.title)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn test_rules(dir: Option<&std::path::Path>, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let pack = match dir {
        Some(dir) => RulePack::from_dir(dir)?,
        None => RulePack::embedded()?,
    };
    let rules = CompiledRules::compile(pack)?;
    let (failures, run) = test_examples(&rules);
    for failure in &failures {
        writeln!(out, "FAIL {failure}")?;
    }
    writeln!(out, "{} rules, {run} examples, {} failed", rules.pack().rules().len(), failures.len())?;
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_FINDINGS) })
}
