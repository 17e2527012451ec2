//! The text report for a person at a terminal: a one-line summary, then findings grouped by
//! severity (most severe first) and fault, each with where and when, evidence and what to do,
//! then the skipped files. Compared with a baseline: the counts under the summary, `[new]` on new
//! findings, and the findings new and resolved since the baseline after the findings, then, by
//! host and component, those of the baseline on what the run did not read. Colour only when
//! asked. Every string of the report is escaped ([`escape_for_terminal`]) before it is coloured
//! and written, not only log text: a report `merge` or `--baseline` read back is a file anyone
//! may have edited.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::baseline::BaselineReport;
use super::build::{Evidence, Finding, Report};
use super::escape::escape_for_terminal;
use crate::input::Transcoded;
use crate::rules::Severity;

/// How the text report looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextStyle {
    pub color: bool,
    /// How many unclassified groups to show (most frequent first).
    pub unclassified: usize,
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_string() }
    }

    fn severity(&self, severity: Severity) -> String {
        let color = match severity {
            Severity::Critical => AnsiColor::BrightRed,
            Severity::High => AnsiColor::Red,
            Severity::Medium => AnsiColor::Yellow,
            Severity::Low => AnsiColor::Cyan,
            Severity::Info => AnsiColor::White,
        };
        let label = format!("{:<8}", severity.as_str().to_uppercase());
        self.paint(Style::new().bold().fg_color(Some(color.into())), &label)
    }

    fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }
}

pub fn write_text(report: &Report, style: TextStyle, out: &mut dyn Write) -> io::Result<()> {
    let p = Painter { color: style.color };
    write_summary(report, &p, out)?;
    for finding in &report.findings {
        writeln!(out)?;
        write_finding(finding, report, &p, out)?;
    }
    write_since_baseline(report, &p, out)?;
    write_chains(report, &p, out)?;
    write_unclassified(report, style.unclassified, &p, out)?;
    write_coverage(report, &p, out)?;
    write_transcoded(report, &p, out)?;
    write_skipped(report, &p, out)
}

fn write_summary(report: &Report, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let input = &report.input;
    let counts: Vec<String> =
        report.summary.by_severity.iter().rev().filter(|(_, n)| **n > 0).map(|(sev, n)| format!("{n} {sev}")).collect();
    let verdict = if report.findings.is_empty() {
        "no documented fault found".to_string()
    } else {
        format!("{} finding{} ({})", report.findings.len(), plural(report.findings.len()), counts.join(", "))
    };
    writeln!(
        out,
        "{} {} in {} file{}, {}, {} events (timestamps read as {})",
        p.bold("cas-triage:"),
        verdict,
        input.files,
        plural(input.files as usize),
        human_bytes(input.bytes),
        input.events,
        escape_for_terminal(&input.timezone)
    )?;
    if !input.skipped.is_empty() {
        writeln!(
            out,
            "{}",
            p.paint(
                Style::new().fg_color(Some(AnsiColor::Yellow.into())),
                &format!("warning: {} skipped (listed at the end)", input.skipped.len())
            )
        )?;
    }
    if !input.transcoded.is_empty() {
        let n = input.transcoded.len();
        writeln!(out, "note: {n} log{} read as GBK, evidence shown decoded (listed at the end)", plural(n))?;
    }
    if let Some(baseline) = &report.baseline {
        writeln!(out, "{}", baseline_line(baseline))?;
        if let Some(note) = not_covered_line(baseline) {
            writeln!(out, "note: {note} (listed after the findings)")?;
        }
    }
    if !report.merged_from.is_empty() {
        let n = report.merged_from.len();
        writeln!(out, "merged from {n} report{}", plural(n))?;
    }
    Ok(())
}

/// `since the baseline prev.json (cas-triage 0.1.0): 2 new, 10 recurring, 1 resolved`.
pub(super) fn baseline_line(baseline: &BaselineReport) -> String {
    let version = baseline
        .tool_version
        .as_deref()
        .map(|v| format!(" (cas-triage {})", escape_for_terminal(v)))
        .unwrap_or_default();
    format!(
        "since the baseline {}{version}: {} new, {} recurring, {} resolved",
        escape_for_terminal(&baseline.path),
        baseline.counts.new,
        baseline.counts.recurring,
        baseline.counts.resolved
    )
}

/// `17 findings of the baseline are on hosts or components this run did not read: neither
/// recurring nor resolved`, when there are any.
pub(super) fn not_covered_line(baseline: &BaselineReport) -> Option<String> {
    let n = baseline.counts.not_covered;
    (n > 0).then(|| {
        format!(
            "{n} finding{} of the baseline {} on hosts or components this run did not read: neither recurring nor resolved",
            plural(n),
            if n == 1 { "is" } else { "are" }
        )
    })
}

/// Places of findings not covered shown in the text report; the JSON report lists them all.
const NOT_COVERED_SHOWN: usize = 10;

/// The findings new since the baseline, one a line, then those it had that are gone, then, by
/// host and component, those on what this run did not read.
fn write_since_baseline(report: &Report, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let Some(baseline) = &report.baseline else { return Ok(()) };
    writeln!(out)?;
    writeln!(out, "{}", p.bold(&format!("New since baseline ({}):", baseline.counts.new)))?;
    for f in report.new_findings() {
        writeln!(
            out,
            "  {} {} on {}, host {}: {} {}{}{}",
            p.severity(f.severity),
            escape_for_terminal(&f.fault),
            escape_for_terminal(&f.component),
            escape_for_terminal(&f.host),
            f.count,
            counted_noun(f),
            plural(f.count as usize),
            f.first_seen.as_deref().map(|t| format!(", first {}", escape_for_terminal(t))).unwrap_or_default()
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{}", p.bold(&format!("Resolved since baseline ({}):", baseline.counts.resolved)))?;
    for f in &baseline.resolved {
        writeln!(
            out,
            "  {} {} on {}, host {}: last seen {} ({})",
            p.severity(f.severity),
            escape_for_terminal(&f.fault),
            escape_for_terminal(&f.component),
            escape_for_terminal(&f.host),
            escape_for_terminal(f.last_seen.as_deref().unwrap_or("without a timestamp")),
            p.dim(&format!("fingerprint {}", escape_for_terminal(&f.fingerprint)))
        )?;
    }
    if baseline.not_covered.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let title = format!("Not read in this run ({}), neither recurring nor resolved:", baseline.counts.not_covered);
    writeln!(out, "{}", p.bold(&title))?;
    let places = baseline.not_covered_by_place();
    for ((host, component), faults) in places.iter().take(NOT_COVERED_SHOWN) {
        writeln!(
            out,
            "  host {}, {}: {}",
            escape_for_terminal(host),
            escape_for_terminal(component),
            escape_for_terminal(&faults.join(", "))
        )?;
    }
    if places.len() > NOT_COVERED_SHOWN {
        let more = places.len() - NOT_COVERED_SHOWN;
        writeln!(
            out,
            "  and {more} more host{} or component{} (baseline.not_covered in the JSON report)",
            plural(more),
            plural(more)
        )?;
    }
    Ok(())
}

fn write_finding(f: &Finding, report: &Report, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let new = if f.is_new() {
        p.paint(Style::new().bold().fg_color(Some(AnsiColor::Green.into())), "[new] ")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} {new}{}  {} {}",
        p.severity(f.severity),
        p.bold(&escape_for_terminal(&f.fault)),
        escape_for_terminal(&f.title),
        p.dim(&escape_for_terminal(&format!("(manual §{})", f.section)))
    )?;
    let span = match (&f.first_seen, &f.last_seen) {
        (Some(first), Some(last)) if first == last => format!(", at {}", escape_for_terminal(first)),
        (Some(first), Some(last)) => format!(", {} .. {}", escape_for_terminal(first), escape_for_terminal(last)),
        _ => String::new(),
    };
    let counted = counted_noun(f);
    writeln!(
        out,
        "  {} on host {}: {} {counted}{}{}",
        escape_for_terminal(&f.component),
        escape_for_terminal(&f.host),
        f.count,
        plural(f.count as usize),
        span
    )?;
    writeln!(out, "  {}", p.dim(&format!("fingerprint {}", escape_for_terminal(&f.fingerprint))))?;
    if let Some(root) = f.caused_by.as_deref().and_then(|fp| report.findings.iter().find(|r| r.fingerprint == fp)) {
        writeln!(
            out,
            "  probably follows from {} on {} {} ({}): it failed first in {} (inferred from the order of events)",
            escape_for_terminal(&root.fault),
            escape_for_terminal(&root.component),
            escape_for_terminal(&root.host),
            escape_for_terminal(&root.fingerprint),
            escape_for_terminal(f.caused_by_chain.as_deref().unwrap_or("the same chain")),
        )?;
    }
    for evidence in &f.evidence {
        write_evidence(evidence, &report.input.transcoded, p, out)?;
    }
    if !f.evidence.is_empty() && f.count as usize > f.evidence.len() {
        writeln!(out, "    {}", p.dim(&format!("... and {} more", f.count as usize - f.evidence.len())))?;
    }
    writeln!(out, "  What to do:")?;
    for (i, step) in f.remediation.iter().enumerate() {
        writeln!(out, "    {}. {}", i + 1, escape_for_terminal(step))?;
    }
    Ok(())
}

/// One finding as the text report shows it, without colour: the body of a JUnit failure.
pub(super) fn finding_plain(f: &Finding, report: &Report) -> String {
    let mut out = Vec::new();
    write_finding(f, report, &Painter { color: false }, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the text report is UTF-8")
}

/// What a finding's `count` counts, in the singular: matched events, files, alerting periods...
pub(super) fn counted_noun(f: &Finding) -> &'static str {
    match (&*f.kind, f.fault.as_str()) {
        ("file-check", _) => "file",
        ("analysis", "alert.error-rate") => "alerting period",
        ("analysis", "dispatch.agent-heartbeat-stale") => "heartbeat gap",
        ("analysis", "task.clock-skew-suspected") => "task",
        ("analysis", _) => "occurrence",
        _ => "event",
    }
}

fn write_evidence(e: &Evidence, transcoded: &[Transcoded], p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let file = match &e.archive {
        Some(archive) => format!("{archive}!/{}", e.path),
        None => e.path.clone(),
    };
    let decoded = match transcoded.iter().find(|t| t.path == file) {
        Some(t) => p.dim(&format!(" (read as {}, shown decoded)", escape_for_terminal(&t.encoding))),
        None => String::new(),
    };
    writeln!(
        out,
        "    {}{decoded}",
        p.paint(
            Style::new().fg_color(Some(AnsiColor::Magenta.into())),
            &escape_for_terminal(&format!("{file}:{}", e.line))
        )
    )?;
    let cut = if e.text_truncated { " [...]" } else { "" };
    writeln!(out, "      {}{cut}", escape_for_terminal(&e.text))?;
    if let Some(m) = &e.matched {
        let cut = if m.text_truncated { " [...]" } else { "" };
        writeln!(out, "      {} {}{cut}", p.dim(&format!("line {}:", m.line)), escape_for_terminal(&m.text))?;
    }
    if !e.fields.is_empty() {
        let fields: Vec<String> = e.fields.iter().map(|(k, v)| escape_for_terminal(&format!("{k}={v}"))).collect();
        writeln!(out, "      {}", p.dim(&fields.join(" ")))?;
    }
    Ok(())
}

/// The most chains the text report shows; the JSON has up to 200.
const TEXT_CHAINS: usize = 10;

fn write_chains(report: &Report, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    if report.chains.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let shown = report.chains.len().min(TEXT_CHAINS);
    let more = if report.summary.chains_seen > shown { format!(", {shown} shown") } else { String::new() };
    writeln!(
        out,
        "{}",
        p.bold(&format!("Release and task chains with a failure ({}{more}):", report.summary.chains_seen))
    )?;
    for chain in report.chains.iter().take(shown) {
        writeln!(
            out,
            "  {}: {} events across {}",
            escape_for_terminal(&chain.id),
            chain.hops_total,
            escape_for_terminal(&chain.components.join(" → "))
        )?;
        for (i, hop) in chain.hops.iter().enumerate() {
            let what: Vec<&str> = hop.faults.iter().map(|f| f.fault.as_str()).collect();
            let what = match (what.is_empty(), hop.task.as_deref(), hop.outcome.as_deref()) {
                (false, _, _) => what.join(", "),
                (true, Some(task), Some(outcome)) => format!("task {task}: {outcome}"),
                (true, Some(task), None) => format!("task {task}"),
                (true, None, _) => String::new(),
            };
            let marker = if chain.first_failure == Some(i) { "first failure →" } else { "" };
            writeln!(
                out,
                "    {:>15} {} {} {} {}",
                marker,
                escape_for_terminal(hop.evidence.timestamp.as_deref().unwrap_or("-")),
                escape_for_terminal(&hop.component),
                escape_for_terminal(&hop.host),
                escape_for_terminal(&what)
            )?;
            writeln!(
                out,
                "{:>24}{}",
                "",
                p.dim(&escape_for_terminal(&format!("{}:{}", hop.evidence.path, hop.evidence.line)))
            )?;
        }
        if chain.hops_total > chain.hops.len() {
            writeln!(out, "    {}", p.dim(&format!("... and {} more events", chain.hops_total - chain.hops.len())))?;
        }
    }
    Ok(())
}

fn write_unclassified(report: &Report, limit: usize, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let groups = &report.unclassified;
    if groups.is_empty() || limit == 0 {
        return Ok(());
    }
    writeln!(out)?;
    let shown = groups.len().min(limit);
    let more = if groups.len() > shown {
        format!(", the {shown} most frequent shown; --unclassified N for more")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{}",
        p.bold(&format!(
            "Errors no rule knows ({} events in {} template{}{more}):",
            report.summary.unclassified_events,
            groups.len(),
            plural(groups.len())
        ))
    )?;
    for group in &groups[..shown] {
        writeln!(
            out,
            "  {:>6}x  {} on host {}: {}",
            group.count,
            escape_for_terminal(&group.component),
            escape_for_terminal(&group.host),
            escape_for_terminal(&group.template)
        )?;
        let e = &group.example;
        writeln!(out, "           {}", p.dim(&escape_for_terminal(&format!("e.g. {}:{}", e.path, e.line))))?;
    }
    Ok(())
}

fn write_coverage(report: &Report, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let coverage = &report.coverage;
    if coverage.logs.is_empty() {
        return Ok(());
    }
    let hosts: std::collections::BTreeSet<&str> = coverage.logs.iter().map(|l| l.host.as_str()).collect();
    let first = coverage.logs.iter().filter_map(|l| l.first_seen.as_deref()).min();
    let last = coverage.logs.iter().filter_map(|l| l.last_seen.as_deref()).max();
    writeln!(out)?;
    let span = match (first, last) {
        (Some(first), Some(last)) => {
            format!(", logs from {} to {}", escape_for_terminal(first), escape_for_terminal(last))
        }
        _ => String::new(),
    };
    writeln!(
        out,
        "{}",
        p.bold(&format!("Coverage: {} component logs on {} hosts{span}", coverage.logs.len(), hosts.len()))
    )?;
    for missing in &coverage.missing {
        writeln!(
            out,
            "  missing: {} of {} on {}",
            escape_for_terminal(&missing.expected),
            escape_for_terminal(&missing.component),
            escape_for_terminal(&missing.host)
        )?;
    }
    for log in &coverage.uncovered {
        let span = format!(
            "{} to {}",
            log.first_seen.as_deref().unwrap_or("no timestamp"),
            log.last_seen.as_deref().unwrap_or("no timestamp")
        );
        writeln!(
            out,
            "  {} the window: {} on {} {} ({})",
            if log.overlap == "outside" { "outside" } else { "partly in" },
            escape_for_terminal(&log.component),
            escape_for_terminal(&log.host),
            escape_for_terminal(&log.reason),
            escape_for_terminal(&span)
        )?;
    }
    if report.summary.task_lines_dropped > 0 {
        writeln!(
            out,
            "  tasks: the oldest {} task lines were not kept (--task-lines keeps the newest, 500,000 by default); raise it, or narrow the window with --since/--until, to pair them all",
            report.summary.task_lines_dropped
        )?;
    }
    if report.findings.is_empty() {
        let verdict = if coverage.missing.is_empty() && coverage.uncovered.iter().all(|u| u.overlap != "outside") {
            "no finding, and the bundle holds every log the manual expects"
        } else {
            "no finding in what was read; faults that would show in the missing or outside logs above cannot be ruled out"
        };
        writeln!(out, "  {verdict}")?;
    }
    Ok(())
}

fn write_transcoded(report: &Report, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let transcoded = &report.input.transcoded;
    if transcoded.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", p.bold(&format!("Read as GBK, evidence shown decoded to UTF-8 ({}):", transcoded.len())))?;
    for t in transcoded {
        writeln!(out, "  {}", transcoded_note(t))?;
    }
    Ok(())
}

/// One decoded log, for a person: its path, its encoding, and what could not be decoded.
pub fn transcoded_note(t: &Transcoded) -> String {
    let replaced = match t.replaced {
        0 => String::new(),
        n => format!(" ({n} byte sequence{} not {} shown as U+FFFD)", plural(n as usize), t.encoding),
    };
    escape_for_terminal(&format!("{}: read as {}{replaced}", t.path, t.encoding))
}

fn write_skipped(report: &Report, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let skipped = &report.input.skipped;
    if skipped.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", p.bold(&format!("Skipped or partly read ({}):", skipped.len())))?;
    for s in skipped {
        let from = s.report.as_deref().map(|r| format!(" (in {})", escape_for_terminal(r))).unwrap_or_default();
        writeln!(out, "  {}{from}: {}", escape_for_terminal(&s.path), escape_for_terminal(&s.reason))?;
    }
    Ok(())
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub(super) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
    }
}
