//! The timeline: one chronological list, across hosts and components, of the evidence of every
//! finding (faults, alerts, heartbeat gaps, clock skew) and of the tasks that did not succeed,
//! for reading what happened in order during a postmortem. A finding new since the baseline is
//! marked `(new)`. Entries are ordered by the instant of their timestamps, not by their text: a
//! merged report holds the offsets of every report's zone. Every field is escaped for the
//! terminal: the report may have been read back from a file.

use std::io::{self, Write};

use chrono::DateTime;

use super::build::Report;
use super::escape::escape_for_terminal;

struct Entry<'a> {
    /// RFC 3339, shown as the report has it.
    timestamp: Option<&'a str>,
    host: &'a str,
    component: &'a str,
    what: String,
    text: &'a str,
}

pub fn write_timeline(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut entries: Vec<Entry> = Vec::new();
    for finding in &report.findings {
        for evidence in &finding.evidence {
            entries.push(Entry {
                timestamp: evidence.timestamp.as_deref(),
                host: &finding.host,
                component: &finding.component,
                what: format!(
                    "{} {}{}",
                    finding.severity.as_str().to_uppercase(),
                    finding.fault,
                    if finding.is_new() { " (new)" } else { "" }
                ),
                text: &evidence.text,
            });
        }
    }
    for task in &report.tasks {
        let elapsed = task.elapsed_s.map(|s| format!(" after {s:.1} s")).unwrap_or_default();
        let text = task.evidence.last().map_or("", |e| e.text.as_str());
        entries.push(Entry {
            timestamp: task.end.as_deref().or(task.start.as_deref()),
            host: &task.host,
            component: &task.component,
            what: format!("TASK {} {}{elapsed}", task.task_id, task.outcome),
            text,
        });
    }
    // Entries without a time go last (a time that does not read as RFC 3339 just before them, by
    // its text); ties keep the report's order (severity, fault).
    entries.sort_by_cached_key(|e| {
        let instant = e.timestamp.and_then(|t| DateTime::parse_from_rfc3339(t).ok());
        (e.timestamp.is_none(), instant.is_none(), instant, e.timestamp)
    });
    for e in &entries {
        writeln!(
            out,
            "{}  {}  {}  {}  {}",
            escape_for_terminal(e.timestamp.unwrap_or("-")),
            escape_for_terminal(e.host),
            escape_for_terminal(e.component),
            escape_for_terminal(&e.what),
            escape_for_terminal(e.text)
        )?;
    }
    if entries.is_empty() {
        writeln!(out, "nothing to show: no finding and no failed task")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::build::tests::{evidence, finding};
    use crate::rules::Severity;

    #[test]
    fn entries_follow_the_instants_whatever_the_offsets() {
        let mut report = Report::empty();
        let mut f = finding("dispatch.send-msg-failed", "10.0.0.1", Severity::High, 4, None);
        // 10:00, 11:00 (in UTC: 03:00, first as text) and 12:00 at +08:00, and one without a time.
        let mut undated = evidence("undated.log", "x");
        undated.timestamp = None;
        f.evidence = vec![
            undated,
            evidence("noon.log", "2022-09-29T12:00:00.000+08:00"),
            evidence("eleven.log", "2022-09-29T03:00:00.000+00:00"),
            evidence("ten.log", "2022-09-29T10:00:00.000+08:00"),
        ];
        report.findings = vec![f];
        let mut out = Vec::new();
        write_timeline(&report, &mut out).unwrap();
        let times: Vec<String> =
            String::from_utf8(out).unwrap().lines().map(|l| l.split("  ").next().unwrap().to_string()).collect();
        assert_eq!(
            times,
            ["2022-09-29T10:00:00.000+08:00", "2022-09-29T03:00:00.000+00:00", "2022-09-29T12:00:00.000+08:00", "-"]
        );
    }
}
