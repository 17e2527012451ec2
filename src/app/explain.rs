//! `cas-triage explain FAULT_ID`: a fault's title, severity, manual section, what it means, how
//! the pack recognises it, and the runbook, for an operator reading a ticket.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;

use crate::cli::{ExplainArgs, LangArg};
use crate::config::load_pack;
use crate::rules::{Check, Lang, Rule, RuleKind};

pub(super) fn run(args: &ExplainArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let pack = load_pack(&args.pack)?;
    let Some(rule) = pack.rule(&args.fault) else {
        let near: Vec<&str> = pack
            .rules()
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| id.contains(&args.fault) || args.fault.contains(id.split('.').next().unwrap_or("")))
            .collect();
        let hint = if near.is_empty() { String::new() } else { format!(" (did you mean {}?)", near.join(", ")) };
        bail!("unknown fault id {:?}{hint}; `cas-triage rules list` shows every id", args.fault);
    };
    let lang = match args.lang {
        LangArg::En => Lang::En,
        LangArg::Zh => Lang::Zh,
    };
    write_rule(rule, lang, out)?;
    Ok(ExitCode::SUCCESS)
}

fn write_rule(rule: &Rule, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}: {}", rule.id, rule.title)?;
    writeln!(out, "severity {}, operations manual §{}", rule.severity, rule.section)?;
    let description = rule.description.get(lang);
    if !description.is_empty() {
        writeln!(out, "\n{description}")?;
    }
    writeln!(out, "\nHow it is recognised:")?;
    if !rule.components.is_empty() {
        writeln!(out, "  in the logs of {} (and of files whose component is unknown)", rule.components.join(", "))?;
    }
    if !rule.levels.is_empty() {
        let levels: Vec<&str> = rule.levels.iter().map(|l| l.as_str()).collect();
        writeln!(out, "  in events of level {} (or without a level)", levels.join(", "))?;
    }
    match &rule.kind {
        RuleKind::Lines(signatures) | RuleKind::Analysis(signatures) if !signatures.is_empty() => {
            if matches!(rule.kind, RuleKind::Analysis(_)) {
                writeln!(out, "  by an analysis across events, which reads the events matching:")?;
            }
            for (i, sig) in signatures.iter().enumerate() {
                let mut parts = Vec::new();
                if !sig.literals.is_empty() {
                    let quoted: Vec<String> = sig.literals.iter().map(|l| format!("{l:?}")).collect();
                    parts.push(format!("any of {}", quoted.join(", ")));
                }
                if let Some(regex) = &sig.regex {
                    parts.push(format!("matching /{}/", regex.as_str()));
                }
                parts.extend(sig.all.iter().map(|r| format!("with /{}/", r.as_str())));
                parts.extend(sig.none.iter().map(|r| format!("without /{}/", r.as_str())));
                writeln!(out, "  {}. {}", i + 1, parts.join("; "))?;
            }
        }
        RuleKind::File(Check::PropertiesCrlf) => {
            writeln!(out, "  a built-in check: an application.properties with a CRLF line ending")?
        }
        RuleKind::File(Check::PropertiesEncoding) => {
            writeln!(out, "  a built-in check: an application.properties with a BOM or bytes that are not UTF-8")?
        }
        RuleKind::Lines(_) | RuleKind::Analysis(_) => {
            writeln!(out, "  by an analysis across events, not by a single line")?
        }
    }
    if let Some(example) = rule.examples_match.first() {
        writeln!(out, "  for example: {}", example.lines().next().unwrap_or(""))?;
    }
    writeln!(out, "\nWhat to do ({{name}} is filled from the evidence in a scan report):")?;
    for (i, step) in rule.remediation.steps(lang).iter().enumerate() {
        writeln!(out, "  {}. {step}", i + 1)?;
    }
    Ok(())
}
