//! JUnit XML, the test report CI servers display (Jenkins, GitLab, GitHub Actions reporters,
//! Azure DevOps): one `<testsuite>` for the scan, one `<testcase>` per finding (a fault on one
//! component and host). A finding at or above `--fail-on` is a failing test case whose
//! `<failure>` holds its evidence and runbook as the text report shows them; without `--fail-on`
//! every finding fails, since the report exists to show what was found. With `--fail-on-new`, a
//! new finding at or above it fails too (either threshold makes a failure, as either makes the
//! exit status 1). Findings that reach no threshold pass, their details in `<system-out>`. Compared
//! with a baseline, a new finding's failure message starts with `NEW`, and the suite's properties
//! hold the baseline and its counts. Skipped inputs are properties and `<system-err>`. The layout
//! follows the Jenkins xUnit plugin's `junit-10.xsd`.
//!
//! Log text reaches XML escaped twice over: control characters become visible escapes first (XML
//! 1.0 forbids most of them even as character references), then `&`, `<`, `>` and quotes become
//! entities.

use std::io::{self, Write};

use super::baseline::Thresholds;
use super::build::{Finding, Report};
use super::escape::{escape_for_terminal, is_xml_char};
use super::text::{counted_noun, finding_plain, plural};

/// Writes the report as JUnit XML; `thresholds` are `--fail-on` and `--fail-on-new` (neither:
/// every finding fails).
pub fn write_junit(report: &Report, thresholds: Thresholds, out: &mut dyn Write) -> io::Result<()> {
    let failures = report.findings.iter().filter(|f| is_failure(f, thresholds)).count();
    let counts = format!(r#"tests="{}" failures="{failures}" errors="0""#, report.findings.len());
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="cas-triage" {counts} time="0">"#)?;
    writeln!(out, r#"  <testsuite name="cas-triage scan" {counts} skipped="0" time="0">"#)?;
    write_properties(report, thresholds, out)?;
    for finding in &report.findings {
        write_testcase(finding, report, is_failure(finding, thresholds), out)?;
    }
    writeln!(out, "    <system-out>{}</system-out>", xml_text(&summary_line(report)))?;
    if !report.input.skipped.is_empty() {
        let lines: Vec<String> =
            report.input.skipped.iter().map(|s| format!("skipped or partly read: {}: {}", s.path, s.reason)).collect();
        writeln!(out, "    <system-err>{}</system-err>", xml_text(&lines.join("\n")))?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// A test case's name: the fault and where, stable across runs so CI servers can follow its
/// history.
fn testcase_name(f: &Finding) -> String {
    format!("{} on {}, host {}", f.fault, f.component, f.host)
}

fn is_failure(f: &Finding, thresholds: Thresholds) -> bool {
    thresholds.is_empty() || thresholds.is_reached_by(f)
}

fn write_properties(report: &Report, thresholds: Thresholds, out: &mut dyn Write) -> io::Result<()> {
    let input = &report.input;
    let mut properties = vec![
        ("cas-triage.version", report.tool.version.to_string()),
        ("paths", input.paths.join(" ")),
        ("fail-on", fail_on_property(thresholds)),
        ("files", input.files.to_string()),
        ("events", input.events.to_string()),
        ("timezone", input.timezone.clone()),
        ("skipped.count", input.skipped.len().to_string()),
    ];
    if let Some(baseline) = &report.baseline {
        properties.push(("fail-on-new", thresholds.fail_on_new.map_or("-".to_string(), |s| s.to_string())));
        properties.push(("baseline", baseline.path.clone()));
        properties.push(("baseline.new", baseline.counts.new.to_string()));
        properties.push(("baseline.recurring", baseline.counts.recurring.to_string()));
        properties.push(("baseline.resolved", baseline.counts.resolved.to_string()));
        properties.push(("baseline.not_covered", baseline.counts.not_covered.to_string()));
        properties.extend(baseline.resolved.iter().map(|f| {
            (
                "baseline.resolved.finding",
                format!("{} on {}, host {} ({})", f.fault, f.component, f.host, f.fingerprint),
            )
        }));
    }
    properties.extend(input.skipped.iter().map(|s| ("skipped", format!("{}: {}", s.path, s.reason))));
    writeln!(out, "    <properties>")?;
    for (name, value) in properties {
        writeln!(out, r#"      <property name="{}" value="{}"/>"#, xml_attr(name), xml_attr(&value))?;
    }
    writeln!(out, "    </properties>")
}

fn write_testcase(f: &Finding, report: &Report, failed: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        r#"    <testcase name="{}" classname="cas-triage.{}" time="0">"#,
        xml_attr(&testcase_name(f)),
        xml_attr(&f.component)
    )?;
    let details = xml_text(&finding_plain(f, report));
    if failed {
        writeln!(
            out,
            r#"      <failure message="{}" type="{}">{details}</failure>"#,
            xml_attr(&failure_message(f)),
            f.severity
        )?;
    } else {
        writeln!(out, "      <system-out>{details}</system-out>")?;
    }
    writeln!(out, "    </testcase>")
}

/// `--fail-on` as a property: the threshold, or what fails without one.
fn fail_on_property(thresholds: Thresholds) -> String {
    match thresholds.fail_on {
        Some(severity) => severity.to_string(),
        None if thresholds.fail_on_new.is_some() => "-".to_string(),
        None => "every finding".to_string(),
    }
}

/// One line: `NEW` for a finding new since the baseline, severity, title, how many and where.
fn failure_message(f: &Finding) -> String {
    format!(
        "{}{}: {}: {} {}{} on {}, host {}",
        if f.is_new() { "NEW " } else { "" },
        f.severity.as_str().to_uppercase(),
        f.title,
        f.count,
        counted_noun(f),
        plural(f.count as usize),
        f.component,
        f.host
    )
}

fn summary_line(report: &Report) -> String {
    let input = &report.input;
    let since = match &report.baseline {
        Some(b) => format!(
            "; since the baseline {}: {} new, {} recurring, {} resolved{}",
            b.path,
            b.counts.new,
            b.counts.recurring,
            b.counts.resolved,
            if b.counts.not_covered > 0 {
                format!(", {} on hosts or components this run did not read", b.counts.not_covered)
            } else {
                String::new()
            }
        ),
        None => String::new(),
    };
    format!(
        "cas-triage {}: {} finding{} in {} file{}, {} events (timestamps read as {}), {} skipped{since}",
        report.tool.version,
        report.findings.len(),
        plural(report.findings.len()),
        input.files,
        plural(input.files as usize),
        input.events,
        input.timezone,
        input.skipped.len()
    )
}

/// Text content: control characters (but line breaks) shown escaped, `&`, `<`, `>` as entities.
pub(super) fn xml_text(text: &str) -> String {
    let lines: Vec<String> = text.split('\n').map(|line| escape_xml(&escape_for_terminal(line), false)).collect();
    lines.join("\n")
}

/// An attribute value: every control character shown escaped (a line break too, which an XML
/// parser would turn into a space), quotes and `&`, `<`, `>` as entities.
pub(super) fn xml_attr(text: &str) -> String {
    escape_xml(&escape_for_terminal(text), true)
}

/// Escapes markup characters; replaces the characters XML 1.0 forbids outright (`escape_for_terminal`
/// has already made C0 controls visible; U+FFFE and U+FFFF remain).
fn escape_xml(text: &str, attribute: bool) -> String {
    let mut xml = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '"' if attribute => xml.push_str("&quot;"),
            '\'' if attribute => xml.push_str("&apos;"),
            '\t' if attribute => xml.push_str("&#9;"),
            c if !is_xml_char(c) => xml.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => xml.push(c),
        }
    }
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_never_holds_markup_or_forbidden_characters() {
        let hostile = "a<b>&\"c'\x00\x01\x08\x0b\x0c\x1b[31m\x7f\u{fffe}\u{ffff}]]>\td";
        assert_eq!(
            xml_text(hostile),
            "a&lt;b&gt;&amp;\"c'\\x00\\x01\\x08\\x0b\\x0c\\x1b[31m\\x7f\\u{fffe}\\u{ffff}]]&gt;\td"
        );
        assert_eq!(
            xml_attr(hostile),
            "a&lt;b&gt;&amp;&quot;c&apos;\\x00\\x01\\x08\\x0b\\x0c\\x1b[31m\\x7f\\u{fffe}\\u{ffff}]]&gt;&#9;d"
        );
        assert_eq!(xml_text("one\ntwo\r"), "one\ntwo\\x0d");
        assert_eq!(xml_attr("one\ntwo"), "one\\x0atwo");
        assert_eq!(xml_text("发布单 \u{10000}"), "发布单 \u{10000}");
    }
}
