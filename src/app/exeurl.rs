//! `cas-triage exeurl`: the commands agents ran, read from every `exeurl` field of the bundle's
//! agent logs, newest first per host, so the operator can rerun a failed release step by hand
//! (manual 2.6.5).

use std::io::Write;
use std::process::ExitCode;

use anyhow::anyhow;

use crate::cli::{ExeurlArgs, LangArg, ListFormatArg};
use crate::config::parse_timezone;
use crate::input::discover;
use crate::report::{Exeurl, Report, ReportOptions, escape_for_terminal};
use crate::rules::{CompiledRules, Lang, RulePack};
use crate::scan::{ScanOptions, Scanner};

pub(super) fn run(args: &ExeurlArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let timezone =
        parse_timezone(&args.tz).ok_or_else(|| anyhow!("--tz {:?}: expected an offset like +08:00 or UTC", args.tz))?;
    let lang = match args.lang {
        LangArg::En => Lang::En,
        LangArg::Zh => Lang::Zh,
    };
    let rules = CompiledRules::compile(RulePack::embedded()?)?;
    let discovery = discover(&args.paths)?;
    let options = ScanOptions { exeurls_per_host: args.last, ..ScanOptions::default() };
    let outcome = Scanner::new(&rules, options).scan(discovery, &|_| {});
    for skipped in &outcome.skipped {
        eprintln!("cas-triage: skipped {}: {}", escape_for_terminal(&skipped.path), skipped.reason);
    }
    let options = ReportOptions {
        paths: Vec::new(),
        timezone,
        lang,
        samples: 0,
        since: None,
        until: None,
        redact: !args.no_redact,
    };
    let report = Report::build(&outcome, &rules, &options);
    let chosen = select(&report.exeurls, args.host.as_deref(), args.last);
    match args.format {
        ListFormatArg::Json => {
            serde_json::to_writer_pretty(&mut *out, &chosen)?;
            writeln!(out)?;
        }
        ListFormatArg::Text => write_text(&chosen, out)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The commands of `host` (or of every host), at most `last` per host, newest first.
fn select<'a>(all: &'a [Exeurl], host: Option<&str>, last: Option<usize>) -> Vec<&'a Exeurl> {
    let mut chosen = Vec::new();
    let mut current: Option<&str> = None;
    let mut taken = 0;
    for exeurl in all.iter().filter(|e| host.is_none_or(|h| e.host == h)) {
        if current != Some(exeurl.host.as_str()) {
            current = Some(&exeurl.host);
            taken = 0;
        }
        if last.is_none_or(|n| taken < n) {
            chosen.push(exeurl);
            taken += 1;
        }
    }
    chosen
}

fn write_text(chosen: &[&Exeurl], out: &mut dyn Write) -> std::io::Result<()> {
    let mut host: Option<&str> = None;
    for e in chosen {
        if host != Some(e.host.as_str()) {
            writeln!(out, "{}{}:", if host.is_some() { "\n" } else { "" }, escape_for_terminal(&e.host))?;
            host = Some(&e.host);
        }
        let task = e.task_id.as_deref().map(|t| format!(" task {t}")).unwrap_or_default();
        writeln!(out, "  {} [{}]{task}", e.timestamp.as_deref().unwrap_or("-"), e.step)?;
        writeln!(out, "    {}", escape_for_terminal(&e.command))?;
        writeln!(out, "    {}", escape_for_terminal(&format!("{}:{}", e.path, e.line)))?;
    }
    if chosen.is_empty() {
        writeln!(out, "no exeurl found")?;
    }
    Ok(())
}
