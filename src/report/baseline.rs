//! Comparing a report with a baseline: an earlier JSON report of the same bundle or fleet
//! (`scan --baseline PREVIOUS.json`, `merge --baseline`). Findings are matched by fingerprint
//! (fault, component, host): each finding of the new report is `new` or `recurring`, and the
//! baseline's findings whose fingerprint is gone are listed as resolved in the report's
//! `baseline` section. Every output format reads the result from the [`Report`]; `read.rs` loads
//! the baseline.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::build::{Finding, Report};
use crate::rules::Severity;

/// Where a finding stands against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Its fingerprint is not in the baseline.
    New,
    /// The baseline has a finding of the same fingerprint.
    Recurring,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Recurring => "recurring",
        }
    }
}

/// A baseline, read: what a report needs of it to be compared.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The path of the baseline report, as given.
    pub path: String,
    /// The version of cas-triage that wrote it.
    pub tool_version: Option<String>,
    /// What it scanned (its `input.paths`).
    pub paths: Vec<String>,
    pub findings: Vec<BaselineFinding>,
}

/// A finding of the baseline, as much of it as a resolved finding shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineFinding {
    pub fault: String,
    pub title: String,
    pub severity: Severity,
    pub component: String,
    pub host: String,
    pub fingerprint: String,
    pub count: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// The report's `baseline` section: which baseline, how many findings are new, recurring and
/// resolved, and the resolved findings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineReport {
    pub path: String,
    pub tool_version: Option<String>,
    /// What the baseline scanned (its `input.paths`).
    pub paths: Vec<String>,
    pub counts: BaselineCounts,
    /// The baseline's findings whose fingerprint no finding of this report has, in the
    /// baseline's order (most severe first).
    pub resolved: Vec<BaselineFinding>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineCounts {
    pub new: usize,
    pub recurring: usize,
    pub resolved: usize,
}

/// The exit thresholds: `--fail-on` for any finding, `--fail-on-new` for findings new since the
/// baseline. Either one reached fails the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Thresholds {
    pub fail_on: Option<Severity>,
    pub fail_on_new: Option<Severity>,
}

impl Thresholds {
    /// True when `finding` alone reaches a threshold.
    pub fn is_reached_by(&self, finding: &Finding) -> bool {
        let any = self.fail_on.is_some_and(|t| finding.severity >= t);
        let new = self.fail_on_new.is_some_and(|t| finding.severity >= t && finding.is_new());
        any || new
    }

    /// True when neither threshold is set.
    pub fn is_empty(&self) -> bool {
        self.fail_on.is_none() && self.fail_on_new.is_none()
    }
}

impl Finding {
    /// True when the report was compared with a baseline that lacks this finding.
    pub fn is_new(&self) -> bool {
        self.baseline_state == Some(BaselineState::New)
    }
}

impl Report {
    /// Marks each finding `new` or `recurring` against `baseline` and fills the `baseline`
    /// section with the counts and the resolved findings. Comparing again replaces the marks.
    pub fn compare_with(&mut self, baseline: &Baseline) {
        let before: HashSet<&str> = baseline.findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let now: HashSet<&str> = self.findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let resolved: Vec<BaselineFinding> =
            baseline.findings.iter().filter(|f| !now.contains(f.fingerprint.as_str())).cloned().collect();
        let mut counts = BaselineCounts { new: 0, recurring: 0, resolved: resolved.len() };
        for finding in &mut self.findings {
            let state = if before.contains(finding.fingerprint.as_str()) {
                counts.recurring += 1;
                BaselineState::Recurring
            } else {
                counts.new += 1;
                BaselineState::New
            };
            finding.baseline_state = Some(state);
        }
        self.baseline = Some(BaselineReport {
            path: baseline.path.clone(),
            tool_version: baseline.tool_version.clone(),
            paths: baseline.paths.clone(),
            counts,
            resolved,
        });
    }

    /// True when some finding reaches `thresholds` (see [`Thresholds`]).
    pub fn reaches(&self, thresholds: Thresholds) -> bool {
        self.findings.iter().any(|f| thresholds.is_reached_by(f))
    }

    /// The findings new since the baseline, in report order.
    pub fn new_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_new())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::report::build::tests::finding;

    fn past(fault: &str, host: &str) -> BaselineFinding {
        let f = finding(fault, host, Severity::High, 1, None);
        BaselineFinding {
            fault: f.fault,
            title: f.title,
            severity: f.severity,
            component: f.component,
            host: f.host,
            fingerprint: f.fingerprint,
            count: f.count,
            first_seen: f.first_seen,
            last_seen: f.last_seen,
        }
    }

    fn baseline(findings: Vec<BaselineFinding>) -> Baseline {
        Baseline { path: "prev.json".into(), tool_version: Some("0.1.0".into()), paths: vec!["b".into()], findings }
    }

    #[test]
    fn findings_are_new_recurring_or_resolved_by_fingerprint() {
        let mut report = Report::empty();
        report.findings = vec![
            finding("dispatch.send-msg-failed", "10.0.0.1", Severity::High, 2, None),
            finding("dispatch.send-msg-failed", "10.0.0.2", Severity::High, 1, None),
        ];
        report.compare_with(&baseline(vec![
            past("dispatch.send-msg-failed", "10.0.0.1"),
            past("release.stuck", "10.0.0.1"),
        ]));
        let states: Vec<_> = report.findings.iter().map(|f| f.baseline_state).collect();
        assert_eq!(states, [Some(BaselineState::Recurring), Some(BaselineState::New)]);
        let section = report.baseline.as_ref().unwrap();
        assert_eq!(section.counts, BaselineCounts { new: 1, recurring: 1, resolved: 1 });
        assert_eq!(section.resolved, [past("release.stuck", "10.0.0.1")]);
        assert_eq!(report.new_findings().count(), 1);
    }

    #[test]
    fn thresholds_combine_any_finding_and_new_findings() {
        let mut report = Report::empty();
        report.findings = vec![
            finding("dispatch.send-msg-failed", "10.0.0.1", Severity::High, 1, None),
            finding("release.stuck", "10.0.0.1", Severity::Medium, 1, None),
        ];
        report.compare_with(&baseline(vec![past("dispatch.send-msg-failed", "10.0.0.1")]));
        let with = |fail_on, fail_on_new| Thresholds { fail_on, fail_on_new };
        // The high finding recurs; the medium one is new.
        let cases = [
            (with(None, None), false),
            (with(Some(Severity::High), None), true),
            (with(Some(Severity::Critical), None), false),
            (with(None, Some(Severity::High)), false),
            (with(None, Some(Severity::Medium)), true),
            (with(Some(Severity::Critical), Some(Severity::Medium)), true),
            (with(Some(Severity::Critical), Some(Severity::High)), false),
        ];
        for (thresholds, reached) in cases {
            assert_eq!(report.reaches(thresholds), reached, "{thresholds:?}");
        }
    }
}
