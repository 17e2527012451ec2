//! `cas-triage rules list`, `rules test` and `rules lint`: what a pack holds, whether every rule's
//! examples behave as the rule says, and every problem of a user's pack.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::EXIT_FINDINGS;
use crate::cli::{ListFormatArg, PackArgs};
use crate::config::load_pack;
use crate::rules::{CompiledRules, LintLevel, RuleKind, RulePack, lint_dir, test_examples};

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

pub(super) fn list(pack_args: &PackArgs, format: ListFormatArg, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let pack = load_pack(pack_args)?;
    let rows: Vec<RuleRow> = pack
        .rules()
        .iter()
        .map(|rule| {
            let (kind, signatures) = match &rule.kind {
                RuleKind::Lines(sigs) => ("lines", sigs.len()),
                RuleKind::File(_) => ("file-check", 0),
                RuleKind::Analysis(sigs) => ("analysis", sigs.len()),
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
                writeln!(
                    out,
                    "{:<34} {:<9} {:<11} {:>4} {:>4}  {}",
                    r.id, r.severity, r.section, r.signatures, r.examples, r.title
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn test(dir: Option<&std::path::Path>, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
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

pub(super) fn lint(dir: &std::path::Path, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let problems = lint_dir(dir);
    for problem in &problems {
        writeln!(out, "{problem}")?;
    }
    let errors = problems.iter().filter(|p| p.level == LintLevel::Error).count();
    writeln!(out, "{}: {errors} error(s), {} warning(s)", dir.display(), problems.len() - errors)?;
    Ok(if errors == 0 { ExitCode::SUCCESS } else { ExitCode::from(EXIT_FINDINGS) })
}
