//! Comparing a report with a baseline: an earlier JSON report of the same bundle or fleet
//! (`scan --baseline PREVIOUS.json`, `merge --baseline`). Findings are matched by fingerprint
//! (fault, component, host): each finding of the new report is `new` or `recurring`. A finding
//! of the baseline whose fingerprint is gone is resolved only where the new report looked: when
//! it read something of that component on that host. The others (a scan of one host against a
//! fleet's baseline, a merge that lacks a host's report) are listed apart as not covered, neither
//! recurring nor resolved. Every output format reads the result from the [`Report`]; `read.rs`
//! loads the baseline.

use std::collections::{BTreeMap, HashSet};

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

/// The report's `baseline` section: which baseline, how many findings are new, recurring,
/// resolved and not covered, and the resolved and not covered findings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineReport {
    pub path: String,
    pub tool_version: Option<String>,
    /// What the baseline scanned (its `input.paths`).
    pub paths: Vec<String>,
    pub counts: BaselineCounts,
    /// The baseline's findings whose fingerprint no finding of this report has, on a component
    /// and host this report read, in the baseline's order (most severe first).
    pub resolved: Vec<BaselineFinding>,
    /// The baseline's findings whose fingerprint no finding of this report has, on a component
    /// and host this report read nothing of: neither recurring nor resolved. In the baseline's
    /// order. (Absent in reports of versions before it, read as empty.)
    #[serde(default)]
    pub not_covered: Vec<BaselineFinding>,
}

impl BaselineReport {
    /// The findings not covered, by host and component: the faults of each, in the baseline's
    /// order. For the formats that list them briefly.
    pub fn not_covered_by_place(&self) -> BTreeMap<(&str, &str), Vec<&str>> {
        let mut places: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for f in &self.not_covered {
            places.entry((f.host.as_str(), f.component.as_str())).or_default().push(f.fault.as_str());
        }
        places
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineCounts {
    pub new: usize,
    pub recurring: usize,
    pub resolved: usize,
    #[serde(default)]
    pub not_covered: usize,
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
    /// section with the counts, the resolved findings and those not covered. Comparing again
    /// replaces the marks.
    pub fn compare_with(&mut self, baseline: &Baseline) {
        let before: HashSet<&str> = baseline.findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let now: HashSet<&str> = self.findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let read = self.read_sources();
        let (resolved, not_covered): (Vec<BaselineFinding>, Vec<BaselineFinding>) = baseline
            .findings
            .iter()
            .filter(|f| !now.contains(f.fingerprint.as_str()))
            .cloned()
            .partition(|f| read.contains(&(f.component.as_str(), f.host.as_str())));
        let mut counts =
            BaselineCounts { new: 0, recurring: 0, resolved: resolved.len(), not_covered: not_covered.len() };
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
            not_covered,
        });
    }

    /// The components and hosts this report read something of: each log (with events or
    /// without), each `application.properties`, and where each finding was.
    fn read_sources(&self) -> HashSet<(&str, &str)> {
        let logs = self.coverage.logs.iter().map(|l| (l.component.as_str(), l.host.as_str()));
        let config = self.config_files.iter().map(|c| (c.component.as_str(), c.host.as_str()));
        let found = self.findings.iter().map(|f| (f.component.as_str(), f.host.as_str()));
        logs.chain(config).chain(found).collect()
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
        assert_eq!(section.counts, BaselineCounts { new: 1, recurring: 1, resolved: 1, not_covered: 0 });
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

    #[test]
    fn only_what_the_report_read_can_be_resolved() {
        use crate::report::analyses::{ConfigFileReport, LogCoverageReport};
        let log = |component: &str, host: &str, events| LogCoverageReport {
            component: component.into(),
            host: host.into(),
            files: vec![format!("{host}/{component}/common-error.log")],
            first_seen: None,
            last_seen: None,
            events,
        };
        let mut report = Report::empty();
        // The executor of 10.0.0.1 was read (a quiet log: no event), and the properties of h9.
        report.coverage.logs = vec![log("acopswareexecutor", "10.0.0.1", 0)];
        report.config_files = vec![ConfigFileReport {
            path: "h9/application.properties".into(),
            archive: None,
            component: "acopswareexecutor".into(),
            host: "h9".into(),
            lines: 1,
            crlf_lines: 0,
            first_crlf_line: None,
            bom: false,
            not_utf8_at: None,
            decodes_as_gbk: None,
            empty_keys: Vec::new(),
        }];
        report.findings = vec![finding("release.stuck", "10.0.0.3", Severity::High, 1, None)];
        let mut starserver = past("release.stuck", "10.0.0.1");
        starserver.component = "acstarserver2".into();
        report.compare_with(&baseline(vec![
            past("dispatch.send-msg-failed", "10.0.0.1"),
            past("dispatch.send-msg-failed", "10.0.0.2"),
            past("dispatch.send-msg-failed", "10.0.0.3"),
            past("config.properties-crlf", "h9"),
            starserver.clone(),
        ]));
        let section = report.baseline.as_ref().unwrap();
        let hosts =
            |list: &[BaselineFinding]| list.iter().map(|f| (f.component.clone(), f.host.clone())).collect::<Vec<_>>();
        let executor = |host: &str| ("acopswareexecutor".to_string(), host.to_string());
        assert_eq!(hosts(&section.resolved), [executor("10.0.0.1"), executor("10.0.0.3"), executor("h9")]);
        assert_eq!(hosts(&section.not_covered), [executor("10.0.0.2"), ("acstarserver2".into(), "10.0.0.1".into())]);
        assert_eq!(section.counts, BaselineCounts { new: 1, recurring: 0, resolved: 3, not_covered: 2 });
        let places: Vec<_> = section.not_covered_by_place().into_iter().collect();
        assert_eq!(
            places,
            [
                (("10.0.0.1", "acstarserver2"), vec!["release.stuck"]),
                (("10.0.0.2", "acopswareexecutor"), vec!["dispatch.send-msg-failed"])
            ]
        );
        // A report that read nothing resolves nothing.
        let mut empty = Report::empty();
        empty.compare_with(&baseline(vec![past("release.stuck", "10.0.0.1")]));
        let section = empty.baseline.as_ref().unwrap();
        assert_eq!(section.counts, BaselineCounts { new: 0, recurring: 0, resolved: 0, not_covered: 1 });
    }
}
