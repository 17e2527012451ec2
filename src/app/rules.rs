//! `cas-triage rules list`, `rules test`, `rules lint` and `rules export`: what a pack holds,
//! whether every rule's examples behave as the rule says, every problem of a user's pack, and
//! the pack written in another rule language into a directory.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;
use serde::Serialize;

use super::EXIT_FINDINGS;
use crate::cli::{ExportFormatArg, ListFormatArg, PackArgs};
use crate::config::load_pack;
use crate::export::{Export, ExportFormat, ExportOptions};
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

pub(super) fn export(
    pack_args: &PackArgs,
    format: ExportFormatArg,
    date: Option<&str>,
    dir: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let format = match format {
        ExportFormatArg::Sigma => ExportFormat::Sigma,
    };
    let options = ExportOptions { date: export_date(date)? };
    let pack = load_pack(pack_args)?;
    let export = Export::build(&pack, format, &options)?;
    let removed = write_export(&export, dir)?;
    writeln!(
        out,
        "Wrote {} {} rules for {} faults to {} (one per component a rule is limited to).",
        export.rule_files().count(),
        format.name(),
        export.faults_exported(),
        dir.display()
    )?;
    if removed > 0 {
        writeln!(out, "Removed the files of an earlier export whose rules are gone: {removed}.")?;
    }
    if !export.omitted.is_empty() {
        let list = export.files.iter().find(|file| file.fault.is_none()).map(|file| file.name.as_str());
        writeln!(out, "Not exported (listed in {}):", dir.join(list.unwrap_or_default()).display())?;
        for omission in &export.omitted {
            match omission.signature {
                None => writeln!(out, "  {}: {}", omission.fault, omission.reason)?,
                Some(n) => writeln!(out, "  {}, signature {n}: {}", omission.fault, omission.reason)?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--date`, else the day of `SOURCE_DATE_EPOCH` (for reproducible builds), else today in UTC.
fn export_date(date: Option<&str>) -> anyhow::Result<NaiveDate> {
    if let Some(text) = date {
        return NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| anyhow!("--date {text:?}: expected a date like 2025-06-30"));
    }
    Ok(super::now_or_source_date()?.date_naive())
}

/// Writes the files of `export` into `dir` and removes the files an earlier export in the same
/// format wrote for rules that are gone; returns how many it removed. A file of the same name
/// that no export wrote is not replaced: nothing is written then.
fn write_export(export: &Export, dir: &Path) -> anyhow::Result<usize> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for file in &export.files {
        let path = dir.join(&file.name);
        if fs::read(&path).is_ok_and(|existing| !export.format.is_generated(&existing)) {
            bail!("{} exists and was not written by cas-triage rules export: not replaced", path.display());
        }
    }
    let names: HashSet<&str> = export.files.iter().map(|file| file.name.as_str()).collect();
    let mut removed = 0;
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry.with_context(|| format!("cannot read {}", dir.display()))?.path();
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else { continue };
        let ours = (name.ends_with(".yml") || name.ends_with(".md"))
            && !names.contains(name)
            && path.is_file()
            && fs::read(&path).is_ok_and(|contents| export.format.is_generated(&contents));
        if ours {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            removed += 1;
        }
    }
    for file in &export.files {
        let path = dir.join(&file.name);
        fs::write(&path, &file.contents).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(removed)
}
