//! Tickets: a JSON array with one ticket per finding (a fault on one component and host), ready to
//! post to Jira-, ServiceNow- or GitHub-style issue APIs: a one-line `title`, the finding's
//! markdown section (`markdown.rs`) as `body`, `severity`, `labels` (fault id, component, host),
//! and the `fingerprint` to de-duplicate by, since the same problem gets the same fingerprint in
//! every run. Compared with a baseline, a ticket carries `baseline_state` and a fourth label,
//! `new` or `recurring`, so a hook can open tickets for the new findings only.

use std::io::{self, Write};

use serde::Serialize;

use super::baseline::BaselineState;
use super::build::{Finding, Report};
use super::escape::escape_for_terminal;
use super::markdown::finding_markdown;
use crate::rules::Severity;

/// The longest title (in characters) a ticket gets: Jira's summary field holds 255.
const TITLE_MAX_CHARS: usize = 255;

#[derive(Debug, Serialize)]
pub struct Ticket {
    pub title: String,
    /// Markdown: what, where, evidence in code blocks, the runbook.
    pub body: String,
    pub severity: Severity,
    /// The fault id, the component and the host, whitespace replaced by `_` (labels are words).
    pub labels: Vec<String>,
    pub fingerprint: String,
    pub fault: String,
    pub component: String,
    pub host: String,
    pub count: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The fingerprint of the finding this one probably follows from (its ticket's fingerprint).
    pub caused_by: Option<String>,
    /// With `--baseline`: `new` or `recurring`. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
}

pub fn write_tickets(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let tickets: Vec<Ticket> = report.findings.iter().map(|f| ticket(f, report)).collect();
    serde_json::to_writer_pretty(&mut *out, &tickets)?;
    out.write_all(b"\n")
}

fn ticket(f: &Finding, report: &Report) -> Ticket {
    Ticket {
        title: title(f),
        body: finding_markdown(f, report),
        severity: f.severity,
        labels: [&f.fault, &f.component, &f.host]
            .into_iter()
            .map(|value| label(value))
            .chain(f.baseline_state.map(|s| s.as_str().to_string()))
            .collect(),
        fingerprint: f.fingerprint.clone(),
        fault: f.fault.clone(),
        component: f.component.clone(),
        host: f.host.clone(),
        count: f.count,
        first_seen: f.first_seen.clone(),
        last_seen: f.last_seen.clone(),
        caused_by: f.caused_by.clone(),
        baseline_state: f.baseline_state,
    }
}

/// `[HIGH] title (fault on component, host)`: one line of printable text, at most
/// [`TITLE_MAX_CHARS`].
fn title(f: &Finding) -> String {
    let full = escape_for_terminal(&format!(
        "[{}] {} ({} on {}, host {})",
        f.severity.as_str().to_uppercase(),
        f.title,
        f.fault,
        f.component,
        f.host
    ));
    if full.chars().count() <= TITLE_MAX_CHARS {
        return full;
    }
    let mut cut: String = full.chars().take(TITLE_MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

fn label(value: &str) -> String {
    escape_for_terminal(value).split_whitespace().collect::<Vec<_>>().join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_single_words() {
        assert_eq!(label("dispatch.send-msg-failed"), "dispatch.send-msg-failed");
        assert_eq!(label("app host\t7"), "app_host_7");
        assert_eq!(label("x\x1by"), "x\\x1by");
    }
}
