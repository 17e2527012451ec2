//! The timeline: one chronological list, across hosts and components, of the evidence of every
//! finding (faults, alerts, heartbeat gaps, clock skew) and of the tasks that did not succeed,
//! for reading what happened in order during a postmortem. A finding new since the baseline is
//! marked `(new)`. Every field is escaped for the terminal: the report may have been read back
//! from a file.

use std::io::{self, Write};

use super::build::Report;
use super::escape::escape_for_terminal;

struct Entry<'a> {
    /// RFC 3339 in one zone: sorts as text.
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
    // Entries without a time go last; ties keep the report's order (severity, fault).
    entries.sort_by(|a, b| (a.timestamp.is_none(), a.timestamp).cmp(&(b.timestamp.is_none(), b.timestamp)));
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
