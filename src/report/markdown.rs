//! Markdown: a ticket body or a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`, GitLab, any
//! CommonMark renderer). A summary table of the findings, then each finding with its evidence in
//! fenced code blocks, its runbook, and the finding it probably follows from. Compared with a
//! baseline: the counts in the summary, a `since baseline` column, the new findings listed, each
//! finding's section saying whether it is new, a table of the resolved findings and one of the
//! hosts and components of the baseline this run did not read. Reads the
//! [`Report`]; `tickets.rs` reuses one finding's section as a ticket body.
//!
//! Log text can hold anything, so it never reaches the page as markdown: control characters are
//! shown escaped as in the text report (`\x1b`), evidence sits in a fence longer than any run of
//! backticks in it, and text outside code (table cells, hosts, titles, runbook steps) has every
//! character that could open a construct (`|`, `` ` ``, `*`, `_`, `[`, `<`, `&`, ...) escaped.

use std::io::{self, Write};

use super::baseline::{BaselineReport, BaselineState};
use super::build::{Evidence, Finding, Report};
use super::escape::escape_for_terminal;
use super::text::{counted_noun, human_bytes, plural};

pub fn write_markdown(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_summary(report, out)?;
    if !report.findings.is_empty() {
        writeln!(out)?;
        write_table(report, out)?;
    }
    write_since_baseline(report, out)?;
    for finding in &report.findings {
        writeln!(out)?;
        out.write_all(finding_markdown(finding, report).as_bytes())?;
    }
    write_skipped(report, out)
}

/// One finding's section: heading, what and where, evidence, runbook. A ticket's body.
pub(super) fn finding_markdown(f: &Finding, report: &Report) -> String {
    let mut md = String::new();
    md.push_str(&format!(
        "### {} {} on {}, host {}\n\n",
        f.severity.as_str().to_uppercase(),
        code_span(&f.fault),
        inline(&f.component),
        inline(&f.host)
    ));
    md.push_str(&format!("**{}** (manual §{})\n\n", inline(&f.title), inline(&f.section)));
    md.push_str(&format!("- {} {}{}{}\n", f.count, counted_noun(f), plural(f.count as usize), span(f)));
    md.push_str(&format!("- fingerprint {}\n", code_span(&f.fingerprint)));
    match f.baseline_state {
        Some(BaselineState::New) => md.push_str("- **new** since the baseline\n"),
        Some(BaselineState::Recurring) => md.push_str("- recurring: the baseline has it too\n"),
        None => {}
    }
    if let Some(root) = f.caused_by.as_deref().and_then(|fp| report.findings.iter().find(|r| r.fingerprint == fp)) {
        md.push_str(&format!(
            "- probably follows from {} on {}, host {} ({}): it failed first in {} (inferred from the order of events)\n",
            code_span(&root.fault),
            inline(&root.component),
            inline(&root.host),
            code_span(&root.fingerprint),
            inline(f.caused_by_chain.as_deref().unwrap_or("the same chain")),
        ));
    }
    if !f.evidence.is_empty() {
        md.push_str("\n#### Evidence\n");
        for evidence in &f.evidence {
            md.push('\n');
            md.push_str(&evidence_markdown(evidence, report));
        }
        if f.count as usize > f.evidence.len() {
            md.push_str(&format!("\n… and {} more\n", f.count as usize - f.evidence.len()));
        }
    }
    if !f.remediation.is_empty() {
        md.push_str("\n#### What to do\n\n");
        for (i, step) in f.remediation.iter().enumerate() {
            md.push_str(&format!("{}. {}\n", i + 1, runbook_step(step)));
        }
    }
    md
}

fn write_summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let input = &report.input;
    let verdict = if report.findings.is_empty() {
        "no documented fault found".to_string()
    } else {
        let counts: Vec<String> = report
            .summary
            .by_severity
            .iter()
            .rev()
            .filter(|(_, n)| **n > 0)
            .map(|(sev, n)| format!("{n} {sev}"))
            .collect();
        format!("{} finding{} ({})", report.findings.len(), plural(report.findings.len()), counts.join(", "))
    };
    writeln!(out, "## cas-triage: {verdict}\n")?;
    let paths: Vec<String> = input.paths.iter().map(|p| code_span(p)).collect();
    writeln!(
        out,
        "Scanned {} in {} file{}, {}, {} events; timestamps read as {}.",
        paths.join(", "),
        input.files,
        plural(input.files as usize),
        human_bytes(input.bytes),
        input.events,
        inline(&input.timezone)
    )?;
    if !input.skipped.is_empty() {
        writeln!(out, "\n**Warning:** {} skipped or partly read (listed at the end).", input.skipped.len())?;
    }
    if !input.transcoded.is_empty() {
        let n = input.transcoded.len();
        writeln!(out, "\nNote: {n} log{} read as GBK, evidence shown decoded to UTF-8.", plural(n))?;
    }
    if !report.merged_from.is_empty() {
        let n = report.merged_from.len();
        let names: Vec<String> = report.merged_from.iter().map(|m| code_span(&m.report)).collect();
        writeln!(out, "\nMerged from {n} report{}: {}.", plural(n), names.join(", "))?;
    }
    if let Some(b) = &report.baseline {
        writeln!(
            out,
            "\nSince the baseline {}: **{} new**, {} recurring, {} resolved.",
            code_span(&b.path),
            b.counts.new,
            b.counts.recurring,
            b.counts.resolved
        )?;
        if let Some(note) = super::text::not_covered_line(b) {
            writeln!(out, "{}.", inline(&note))?;
        }
    }
    Ok(())
}

/// The new findings as a list, the resolved ones as a table.
fn write_since_baseline(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(baseline) = &report.baseline else { return Ok(()) };
    writeln!(out, "\n### New since the baseline ({})\n", baseline.counts.new)?;
    for f in report.new_findings() {
        writeln!(
            out,
            "- {} {} on {}, host {}: {} {}{}{}",
            f.severity.as_str().to_uppercase(),
            code_span(&f.fault),
            inline(&f.component),
            inline(&f.host),
            f.count,
            counted_noun(f),
            plural(f.count as usize),
            span(f)
        )?;
    }
    if baseline.counts.new == 0 {
        writeln!(out, "None.")?;
    }
    writeln!(out, "\n### Resolved since the baseline ({})\n", baseline.counts.resolved)?;
    if baseline.resolved.is_empty() {
        writeln!(out, "None.")?;
        return write_not_covered(baseline, out);
    }
    writeln!(out, "| fault | severity | component | host | count | last seen | fingerprint |")?;
    writeln!(out, "|---|---|---|---|--:|---|---|")?;
    for f in &baseline.resolved {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            inline(&f.fault),
            f.severity,
            inline(&f.component),
            inline(&f.host),
            f.count,
            inline(f.last_seen.as_deref().unwrap_or("-")),
            inline(&f.fingerprint),
        )?;
    }
    write_not_covered(baseline, out)
}

/// The findings of the baseline on what this run did not read, one row per host and component.
fn write_not_covered(baseline: &BaselineReport, out: &mut dyn Write) -> io::Result<()> {
    if baseline.not_covered.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n### Not read in this run ({})\n", baseline.counts.not_covered)?;
    writeln!(
        out,
        "Findings of the baseline on hosts or components this run did not read: neither recurring nor resolved.\n"
    )?;
    writeln!(out, "| host | component | findings | faults |")?;
    writeln!(out, "|---|---|--:|---|")?;
    for ((host, component), faults) in baseline.not_covered_by_place() {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            inline(host),
            inline(component),
            faults.len(),
            inline(&faults.join(", "))
        )?;
    }
    Ok(())
}

fn write_table(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let compared = report.baseline.is_some();
    let (column, rule) = if compared { (" since baseline |", "---|") } else { ("", "") };
    writeln!(out, "| fault | severity | component | host | count | first seen | last seen |{column}")?;
    writeln!(out, "|---|---|---|---|--:|---|---|{rule}")?;
    for f in &report.findings {
        let state = f.baseline_state.map(|s| format!(" {} |", s.as_str())).unwrap_or_default();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |{state}",
            inline(&f.fault),
            f.severity,
            inline(&f.component),
            inline(&f.host),
            f.count,
            inline(f.first_seen.as_deref().unwrap_or("-")),
            inline(f.last_seen.as_deref().unwrap_or("-")),
        )?;
    }
    Ok(())
}

fn write_skipped(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.input.skipped.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n### Skipped or partly read\n")?;
    for s in &report.input.skipped {
        let from = s.report.as_deref().map(|r| format!(" (in {})", code_span(r))).unwrap_or_default();
        writeln!(out, "- {}{from}: {}", code_span(&s.path), inline(&s.reason))?;
    }
    Ok(())
}

/// `, 2022-09-29T10:15:32.118+08:00 to ...`, or nothing for a finding without timestamps.
fn span(f: &Finding) -> String {
    match (&f.first_seen, &f.last_seen) {
        (Some(first), Some(last)) if first == last => format!(", at {}", inline(first)),
        (Some(first), Some(last)) => format!(", {} to {}", inline(first), inline(last)),
        _ => String::new(),
    }
}

/// Where the evidence is (file and line, time), its lines in a code block, and its fields.
fn evidence_markdown(e: &Evidence, report: &Report) -> String {
    let file = match &e.archive {
        Some(archive) => format!("{archive}!/{}", e.path),
        None => e.path.clone(),
    };
    let mut md = code_span(&format!("{file}:{}", e.line));
    if let Some(timestamp) = &e.timestamp {
        md.push_str(&format!(" at {}", inline(timestamp)));
    }
    if let Some(t) = report.input.transcoded.iter().find(|t| t.path == file) {
        md.push_str(&format!(" (read as {}, shown decoded)", inline(&t.encoding)));
    }
    md.push_str("\n\n");
    let mut lines = vec![format!("{}{}", e.text, if e.text_truncated { " [...]" } else { "" })];
    if let Some(m) = &e.matched {
        lines.push(format!("line {}: {}{}", m.line, m.text, if m.text_truncated { " [...]" } else { "" }));
    }
    md.push_str(&code_block(&lines));
    if !e.fields.is_empty() {
        let fields: Vec<String> = e.fields.iter().map(|(k, v)| code_span(&format!("{k}={v}"))).collect();
        md.push_str(&format!("\nfields: {}\n", fields.join(" ")));
    }
    md
}

/// A fenced code block holding `lines`, each escaped to one line of printable text. The fence is
/// longer than any run of backticks inside, so no line can close it.
pub(super) fn code_block(lines: &[String]) -> String {
    let escaped: Vec<String> = lines.iter().map(|line| escape_for_terminal(line)).collect();
    let longest = escaped.iter().map(|line| longest_backtick_run(line)).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let mut md = format!("{fence}text\n");
    for line in &escaped {
        md.push_str(line);
        md.push('\n');
    }
    md.push_str(&fence);
    md.push('\n');
    md
}

/// An inline code span showing `text` literally: delimited by more backticks than any run inside,
/// padded with a space when the text starts or ends with a backtick.
pub(super) fn code_span(text: &str) -> String {
    let text = escape_for_terminal(text);
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.trim().is_empty() { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Plain text as inline markdown: control characters shown escaped, and every character that
/// could start emphasis, code, a link, HTML, an entity, a table cell, strikethrough, maths or a
/// closing heading sequence backslash-escaped.
pub(super) fn inline(text: &str) -> String {
    let mut md = String::with_capacity(text.len());
    for c in escape_for_terminal(text).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '$' | '!') {
            md.push('\\');
        }
        md.push(if c == '\t' { ' ' } else { c });
    }
    md
}

/// A runbook step: its `` `commands` `` stay code spans, the rest is plain text.
fn runbook_step(step: &str) -> String {
    let mut md = String::new();
    let mut rest = step;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) if close > 0 => {
                md.push_str(&inline(&rest[..open]));
                md.push_str(&code_span(&after[..close]));
                rest = &after[close + 1..];
            }
            _ => {
                md.push_str(&inline(&rest[..=open]));
                rest = after;
            }
        }
    }
    md.push_str(&inline(rest));
    md
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        input: &'static str,
        want: &'static str,
    }

    macro_rules! case {
        ($input:expr, $want:expr) => {
            Case { input: $input, want: $want }
        };
    }

    const INLINE: &[Case] = &[
        case!("10.12.3.4", "10.12.3.4"),
        case!("a|b", "a\\|b"),
        case!("<script>x</script>", "\\<script\\>x\\</script\\>"),
        case!("*not* _em_ [link](x) ![i](y)", "\\*not\\* \\_em\\_ \\[link\\](x) \\!\\[i\\](y)"),
        case!("host #", "host \\#"),
        case!("a\x1b[31mred", "a\\\\x1b\\[31mred"),
        case!("line\nbreak", "line\\\\x0abreak"),
        case!("&amp; $x$ ~~s~~", "\\&amp; \\$x\\$ \\~\\~s\\~\\~"),
    ];

    const CODE_SPAN: &[Case] = &[
        case!("a.log:3", "`a.log:3`"),
        case!("x`y", "``x`y``"),
        case!("`x``", "``` `x`` ```"),
        case!("esc\x1bx", "`esc\\x1bx`"),
    ];

    const STEPS: &[Case] = &[
        case!("Run `ps -fe | grep agent` on {host}.", "Run `ps -fe | grep agent` on {host}."),
        case!("An odd ` backtick <b>", "An odd \\` backtick \\<b\\>"),
        case!("Empty `` span", "Empty \\`\\` span"),
    ];

    #[test]
    fn inline_text_is_escaped() {
        for case in INLINE {
            assert_eq!(inline(case.input), case.want, "{:?}", case.input);
        }
    }

    #[test]
    fn code_spans_outlast_their_backticks() {
        for case in CODE_SPAN {
            assert_eq!(code_span(case.input), case.want, "{:?}", case.input);
        }
    }

    #[test]
    fn runbook_steps_keep_their_commands() {
        for case in STEPS {
            assert_eq!(runbook_step(case.input), case.want, "{:?}", case.input);
        }
    }

    #[test]
    fn code_blocks_outlast_their_backticks() {
        let block = code_block(&["plain".to_string(), "x ````` y\x1b[0m".to_string()]);
        assert_eq!(block, "``````text\nplain\nx ````` y\\x1b[0m\n``````\n");
        assert_eq!(code_block(&["a".to_string()]), "```text\na\n```\n");
    }
}
