//! Merging reports (`cas-triage merge`): the JSON reports of scans made on many hosts become one
//! [`Report`], so every output format writes it. Findings of the same fingerprint (fault,
//! component, host) become one: counts summed, first and last seen widened, the earliest evidence
//! kept, the runbook of the earliest. Unclassified groups merge by template, component and host.
//! What is per host (exeurls, tasks, clock offsets, configuration files, chains, coverage) is
//! concatenated, under the caps a scan keeps (exeurls under `--exeurls` per host again: two
//! reports may hold one host). Totals are summed and the summary is counted again. Inputs of which
//! two hold the same report are refused (`provenance.rs`).
//!
//! Timestamps are compared as instants, not as text: reports of hosts in other zones carry other
//! offsets. The library has no UI: what a person should know (other versions, other rule packs,
//! other zones, the same events in two reports, findings of several reports on host `unknown`)
//! comes back as warnings for the caller to print.

use std::collections::{BTreeMap, BTreeSet};

use chrono::DateTime;

use super::analyses::{ErrorRate, ErrorSeries, Exeurl, MAX_TASKS};
use super::build::{
    Evidence, Finding, InputSummary, Report, RulePackVersion, SCHEMA_VERSION, Summary, Tool, Unclassified,
};
use super::chains::MAX_CHAINS;
use super::provenance::{MergeError, check_distinct, merged_from};
use crate::classify::MAX_GROUPS;
use crate::input::UNKNOWN;
use crate::rules::Severity;

/// A report to merge and the name it goes by in the merged report (its path).
#[derive(Debug, Clone)]
pub struct NamedReport {
    pub name: String,
    pub report: Report,
}

/// What a merge keeps: evidence per finding and exeurls per host, as `scan` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeLimits {
    /// Evidence items per merged finding, the earliest (`--samples`).
    pub samples: usize,
    /// Exeurls per host, the newest (`--exeurls`).
    pub exeurls_per_host: usize,
}

/// Reports named in one warning; the rest are counted (a fleet has thousands).
const NAMED_IN_WARNING: usize = 5;

/// The merged report, and what the caller should tell a person about it.
#[derive(Debug)]
pub struct Merged {
    pub report: Report,
    pub warnings: Vec<String>,
}

impl Report {
    /// Merges `reports` into one, under `limits`. Any comparison with a baseline the reports
    /// carried is dropped: compare the merged report. Fails when two of the reports hold the same
    /// report (see [`MergeError`]).
    pub fn merge(reports: Vec<NamedReport>, limits: MergeLimits) -> Result<Merged, MergeError> {
        check_distinct(&reports)?;
        let mut warnings: Vec<String> = version_warnings(&reports).into_iter().collect();
        warnings.extend(zone_warning(&reports));
        warnings.extend(pack_warning(&reports));
        warnings.extend(unknown_host_warning(&reports));
        // Reports of versions before the pack was recorded name none: the first that does.
        let rule_pack = reports.iter().find_map(|r| r.report.tool.rule_pack.clone());
        let tool = Tool { rule_pack, ..Tool::this() };
        let merged_from = merged_from(&reports);
        let input = merge_inputs(&reports);
        let mut summary = sum_summaries(reports.iter().map(|r| &r.report.summary));
        let mut findings = Vec::new();
        let mut unclassified = Vec::new();
        let mut exeurls = Vec::new();
        let mut tasks = Vec::new();
        let mut clock_offsets = Vec::new();
        let mut config_files = Vec::new();
        let mut chains = Vec::new();
        let mut coverage = super::Coverage { logs: Vec::new(), missing: Vec::new(), uncovered: Vec::new() };
        let mut error_rate = ErrorRate::default();
        for NamedReport { name, report } in reports {
            findings.extend(report.findings.into_iter().map(|f| (name.clone(), f)));
            unclassified.extend(report.unclassified);
            exeurls.extend(report.exeurls);
            tasks.extend(report.tasks);
            clock_offsets.extend(report.clock_offsets);
            config_files.extend(report.config_files);
            chains.extend(report.chains);
            coverage.logs.extend(report.coverage.logs);
            coverage.missing.extend(report.coverage.missing);
            coverage.uncovered.extend(report.coverage.uncovered);
            error_rate.window_minutes = error_rate.window_minutes.or(report.error_rate.window_minutes);
            error_rate.series.extend(report.error_rate.series);
        }
        error_rate.series = merge_error_series(error_rate.series);
        let (findings, finding_warnings) = merge_findings(findings, limits.samples);
        warnings.extend(finding_warnings);
        let (unclassified, dropped) = merge_unclassified(unclassified);
        summary.unclassified_overflow = summary.unclassified_overflow.saturating_add(dropped);
        let exeurls = newest_exeurls(exeurls, limits.exeurls_per_host);
        // The newest tasks, oldest first.
        tasks.sort_by_key(|t| time(t.end.as_deref().or(t.start.as_deref())));
        tasks.drain(..tasks.len().saturating_sub(MAX_TASKS));
        // The first chains by time of their first failure.
        chains.sort_by_key(|c| {
            time(c.first_failure.and_then(|i| c.hops.get(i)).and_then(|h| h.evidence.timestamp.as_deref()))
        });
        chains.truncate(MAX_CHAINS);
        coverage.logs.sort_by(|a, b| (&a.component, &a.host).cmp(&(&b.component, &b.host)));
        coverage.uncovered.sort_by_key(|u| u.overlap != "outside");
        summary.findings = findings.len();
        summary.matches = findings.iter().fold(0, |sum, f| sum.saturating_add(f.count));
        summary.highest_severity = findings.iter().map(|f| f.severity).max();
        summary.by_severity = Severity::ALL.iter().map(|s| (*s, 0)).collect();
        for finding in &findings {
            *summary.by_severity.entry(finding.severity).or_default() += 1;
        }
        let report = Report {
            schema_version: SCHEMA_VERSION,
            tool,
            input,
            summary,
            findings,
            unclassified,
            exeurls,
            tasks,
            clock_offsets,
            config_files,
            chains,
            coverage,
            error_rate,
            baseline: None,
            merged_from,
        };
        Ok(Merged { report, warnings })
    }
}

/// Per host, newest first, as a scan lists them, at most `per_host` of each: each report kept its
/// hosts' newest, but two reports may hold one host.
fn newest_exeurls(mut exeurls: Vec<Exeurl>, per_host: usize) -> Vec<Exeurl> {
    exeurls.sort_by(|a, b| {
        a.host.cmp(&b.host).then_with(|| time(b.timestamp.as_deref()).cmp(&time(a.timestamp.as_deref())))
    });
    let mut kept: Vec<Exeurl> = Vec::with_capacity(exeurls.len());
    let mut of_host = 0;
    for exeurl in exeurls {
        of_host = if kept.last().is_some_and(|last| last.host == exeurl.host) { of_host + 1 } else { 0 };
        if of_host < per_host {
            kept.push(exeurl);
        }
    }
    kept
}

/// One series per component and host, by component then host: the series of one host in several
/// reports (a report merged with another of the same host) add up minute by minute, and their
/// alerting periods are listed as each report found them, in time order.
fn merge_error_series(series: Vec<ErrorSeries>) -> Vec<ErrorSeries> {
    let mut by_host: BTreeMap<(String, String), ErrorSeries> = BTreeMap::new();
    for one in series {
        match by_host.entry((one.component.clone(), one.host.clone())) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(one);
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                let merged = slot.get_mut();
                merged.errors = merged.errors.saturating_add(one.errors);
                merged.threshold = merged.threshold.or(one.threshold);
                merged.minutes.extend(one.minutes);
                merged.alerts.extend(one.alerts);
            }
        }
    }
    by_host
        .into_values()
        .map(|mut one| {
            one.minutes.sort_by_key(|m| time(Some(&m.start)));
            one.minutes.dedup_by(|later, earlier| {
                let same = time(Some(&later.start)) == time(Some(&earlier.start));
                if same {
                    earlier.count = earlier.count.saturating_add(later.count);
                }
                same
            });
            one.alerts.sort_by_key(|a| time(Some(&a.start)));
            one
        })
        .collect()
}

/// Orders RFC 3339 timestamps by the instant they name, whatever their offsets; a missing or
/// unreadable one sorts first.
fn time(timestamp: Option<&str>) -> Option<i64> {
    timestamp.and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.timestamp_millis())
}

/// The earlier of two times (a missing one never wins).
fn earliest(a: Option<String>, b: Option<String>) -> Option<String> {
    match (time(a.as_deref()), time(b.as_deref())) {
        (_, None) => a.or(b),
        (None, Some(_)) => b,
        (Some(x), Some(y)) => {
            if y < x {
                b
            } else {
                a
            }
        }
    }
}

/// The later of two times (a missing one never wins).
fn latest(a: Option<String>, b: Option<String>) -> Option<String> {
    match (time(a.as_deref()), time(b.as_deref())) {
        (_, None) => a.or(b),
        (None, Some(_)) => b,
        (Some(x), Some(y)) => {
            if y > x {
                b
            } else {
                a
            }
        }
    }
}

/// Sorts by time with the undated last (`time` puts them first).
fn dated_first(timestamp: Option<&str>) -> (bool, Option<i64>) {
    let at = time(timestamp);
    (at.is_none(), at)
}

/// Findings of one fingerprint become one; the order is a scan's (most severe first, then
/// fault, component, host). Also returns a warning for each fault the reports describe
/// differently, which means different rule packs, and one when the same events appear in two
/// reports, whose counts were then summed twice.
fn merge_findings(findings: Vec<(String, Finding)>, samples: usize) -> (Vec<Finding>, Vec<String>) {
    let mut groups: BTreeMap<String, Vec<(String, Finding)>> = BTreeMap::new();
    for (name, finding) in findings {
        groups.entry(finding.fingerprint.clone()).or_default().push((name, finding));
    }
    let mut warned: BTreeSet<String> = BTreeSet::new();
    let mut warnings = Vec::new();
    // Pairs of reports that hold the same event.
    let mut sharing: BTreeSet<(String, String)> = BTreeSet::new();
    let mut merged = Vec::with_capacity(groups.len());
    for (_, mut group) in groups {
        // The earliest first: its runbook was filled from the earliest event.
        group.sort_by_key(|(_, f)| dated_first(f.first_seen.as_deref()));
        let mut others = group.into_iter();
        let (first_name, mut into) = others.next().expect("a group has a finding");
        into.baseline_state = None;
        let mut evidence: Vec<(String, Evidence)> =
            std::mem::take(&mut into.evidence).into_iter().map(|e| (first_name.clone(), e)).collect();
        for (name, other) in others {
            let differs = |what: &str, a: &str, b: &str| {
                (a != b).then(|| format!("{what} {a:?} in {first_name}, {b:?} in {name}"))
            };
            let difference = differs("title", &into.title, &other.title)
                .or_else(|| differs("severity", into.severity.as_str(), other.severity.as_str()))
                .or_else(|| differs("section", &into.section, &other.section))
                .or_else(|| differs("kind", &into.kind, &other.kind));
            if let Some(difference) = difference.filter(|_| warned.insert(into.fault.clone())) {
                warnings.push(format!(
                    "fault {} is described differently ({difference}): the reports were made with different rule packs; the merged finding keeps {first_name}'s",
                    into.fault
                ));
            }
            into.count = into.count.saturating_add(other.count);
            into.first_seen = earliest(into.first_seen.take(), other.first_seen);
            into.last_seen = latest(into.last_seen.take(), other.last_seen);
            if into.caused_by.is_none() {
                into.caused_by = other.caused_by;
                into.caused_by_chain = other.caused_by_chain;
            }
            evidence.extend(other.evidence.into_iter().map(|e| (name.clone(), e)));
        }
        evidence.sort_by_key(|(_, e)| dated_first(e.timestamp.as_deref()));
        // The same event in two reports (a bundle collected twice) is shown once, and said.
        let mut seen: BTreeMap<(Option<String>, String, u64, String), String> = BTreeMap::new();
        for (name, e) in evidence {
            match seen.entry((e.archive.clone(), e.path.clone(), e.line, e.text.clone())) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(name);
                    into.evidence.push(e);
                }
                std::collections::btree_map::Entry::Occupied(slot) if *slot.get() != name => {
                    sharing.insert((slot.get().clone(), name));
                }
                std::collections::btree_map::Entry::Occupied(_) => {}
            }
        }
        into.evidence.truncate(samples);
        merged.push(into);
    }
    merged.sort_by(|a, b| {
        (b.severity, &a.fault, &a.component, &a.host).cmp(&(a.severity, &b.fault, &b.component, &b.host))
    });
    if !sharing.is_empty() {
        let pairs = sharing.into_iter().map(|(a, b)| format!("{a} and {b}")).collect();
        warnings.push(format!(
            "the same events appear in reports {}: their counts were summed twice (the same logs scanned twice, or one report copied?)",
            listed(pairs)
        ));
    }
    (merged, warnings)
}

/// The first few of `names`, then how many more.
fn listed(names: Vec<String>) -> String {
    let more = names.len().saturating_sub(NAMED_IN_WARNING);
    let shown = names.into_iter().take(NAMED_IN_WARNING).collect::<Vec<_>>().join(", ");
    if more > 0 { format!("{shown} and {more} more") } else { shown }
}

/// Groups of one template, component and host become one, most frequent first; past the
/// [`MAX_GROUPS`] a scan keeps, the least frequent are only counted (returned, for the overflow).
fn merge_unclassified(groups: Vec<Unclassified>) -> (Vec<Unclassified>, u64) {
    let mut by_key: BTreeMap<(String, String, String), Unclassified> = BTreeMap::new();
    for group in groups {
        let key = (group.template.clone(), group.component.clone(), group.host.clone());
        match by_key.entry(key) {
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(group);
            }
            std::collections::btree_map::Entry::Occupied(mut entry) => {
                let into = entry.get_mut();
                if dated_first(group.first_seen.as_deref()) < dated_first(into.first_seen.as_deref()) {
                    into.example = group.example;
                }
                into.count = into.count.saturating_add(group.count);
                into.first_seen = earliest(into.first_seen.take(), group.first_seen);
                into.last_seen = latest(into.last_seen.take(), group.last_seen);
            }
        }
    }
    let mut merged: Vec<Unclassified> = by_key.into_values().collect();
    merged.sort_by(|a, b| {
        (b.count, &a.template, &a.component, &a.host).cmp(&(a.count, &b.template, &b.component, &b.host))
    });
    let dropped = merged.iter().skip(MAX_GROUPS).fold(0u64, |sum, u| sum.saturating_add(u.count));
    merged.truncate(MAX_GROUPS);
    (merged, dropped)
}

/// The inputs summed: paths (each once), counts, skipped and decoded files named with their
/// report; the window widened to cover every report's.
fn merge_inputs(reports: &[NamedReport]) -> InputSummary {
    let mut paths: Vec<String> = Vec::new();
    for path in reports.iter().flat_map(|r| &r.report.input.paths) {
        if !paths.contains(path) {
            paths.push(path.clone());
        }
    }
    let inputs = || reports.iter().map(|r| &r.report.input);
    let named = |name: &str, report: &Option<String>| Some(report.clone().unwrap_or_else(|| name.to_string()));
    let windows: Vec<(Option<String>, Option<String>)> = inputs().map(|i| (i.since.clone(), i.until.clone())).collect();
    // An unbounded side in any report leaves the merged window unbounded on that side.
    let since =
        windows.iter().map(|w| w.0.clone()).reduce(|a, b| a.zip(b).and_then(|(a, b)| earliest(Some(a), Some(b))));
    let until = windows.iter().map(|w| w.1.clone()).reduce(|a, b| a.zip(b).and_then(|(a, b)| latest(Some(a), Some(b))));
    InputSummary {
        paths,
        files: inputs().fold(0, |sum, i| sum.saturating_add(i.files)),
        bytes: inputs().fold(0, |sum, i| sum.saturating_add(i.bytes)),
        events: inputs().fold(0, |sum, i| sum.saturating_add(i.events)),
        lines: inputs().fold(0, |sum, i| sum.saturating_add(i.lines)),
        ignored: inputs().fold(0, |sum, i| sum.saturating_add(i.ignored)),
        timezone: inputs().next().map_or_else(|| "+00:00".to_string(), |i| i.timezone.clone()),
        since: since.flatten(),
        until: until.flatten(),
        skipped: reports
            .iter()
            .flat_map(|r| {
                r.report.input.skipped.iter().map(|s| {
                    let mut s = s.clone();
                    s.report = named(&r.name, &s.report);
                    s
                })
            })
            .collect(),
        transcoded: reports
            .iter()
            .flat_map(|r| {
                r.report.input.transcoded.iter().map(|t| {
                    let mut t = t.clone();
                    t.report = named(&r.name, &t.report);
                    t
                })
            })
            .collect(),
    }
}

/// The totals of the summaries; what depends on the merged findings is counted again later.
/// Sums saturate, here and in every merge: a report read back may hold any number.
fn sum_summaries<'a>(summaries: impl Iterator<Item = &'a Summary>) -> Summary {
    let mut total = Summary::default();
    for s in summaries {
        total.unclassified_events = total.unclassified_events.saturating_add(s.unclassified_events);
        total.unclassified_overflow = total.unclassified_overflow.saturating_add(s.unclassified_overflow);
        total.exeurls_seen = total.exeurls_seen.saturating_add(s.exeurls_seen);
        total.tasks_seen = total.tasks_seen.saturating_add(s.tasks_seen);
        total.task_lines_dropped = total.task_lines_dropped.saturating_add(s.task_lines_dropped);
        total.chains_seen = total.chains_seen.saturating_add(s.chains_seen);
        total.chain_events_dropped = total.chain_events_dropped.saturating_add(s.chain_events_dropped);
    }
    total
}

/// A warning when the reports come from other versions of cas-triage than this one.
fn version_warnings(reports: &[NamedReport]) -> Option<String> {
    let this = Tool::this();
    let others: Vec<String> = reports
        .iter()
        .filter(|r| r.report.tool.version != this.version)
        .map(|r| format!("{} by {}", r.name, r.report.tool.version))
        .collect();
    (!others.is_empty()).then(|| {
        format!(
            "merging reports of other cas-triage versions than this one ({}): {}; merged all the same",
            this.version,
            listed(others)
        )
    })
}

/// A pack by its ids: the base pack's, then each added pack's (`901cca6f0325d8f0 + 5e1f...`).
/// Where a pack was read from (`source`) is not part of it: the same files under another path,
/// or the built-in pack copied to a directory, are the same pack.
fn pack_ids(pack: &RulePackVersion) -> String {
    std::iter::once(pack.base.id.as_str())
        .chain(pack.added.iter().map(|p| p.id.as_str()))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A warning when the reports name different rule packs, by their ids (reports that name none
/// are not compared): the merged report names the first pack named.
fn pack_warning(reports: &[NamedReport]) -> Option<String> {
    let first = pack_ids(reports.iter().find_map(|r| r.report.tool.rule_pack.as_ref())?);
    let others: Vec<String> = reports
        .iter()
        .filter_map(|r| r.report.tool.rule_pack.as_ref().map(|pack| (r, pack_ids(pack))))
        .filter(|(_, pack)| *pack != first)
        .map(|(r, pack)| format!("{} by pack {pack}", r.name))
        .collect();
    (!others.is_empty()).then(|| {
        format!(
            "merging reports of different rule packs: {}; the merged report names the first, {first}",
            listed(others)
        )
    })
}

/// A warning when several reports have findings on host `unknown` (scans of paths that name no
/// host, without `--host`): one fingerprint holds them all, as if they were one host's.
fn unknown_host_warning(reports: &[NamedReport]) -> Option<String> {
    let unnamed: Vec<String> = reports
        .iter()
        .filter(|r| r.report.findings.iter().any(|f| f.host == UNKNOWN))
        .map(|r| r.name.clone())
        .collect();
    (unnamed.len() > 1).then(|| {
        format!(
            "{} reports have findings on host {UNKNOWN} ({}): their findings are merged as one host's; scan each host with --host \"$(hostname)\"",
            unnamed.len(),
            listed(unnamed)
        )
    })
}

/// A warning when the reports read timestamps in different zones.
fn zone_warning(reports: &[NamedReport]) -> Option<String> {
    let zones: BTreeSet<&str> = reports.iter().map(|r| r.report.input.timezone.as_str()).collect();
    (zones.len() > 1).then(|| {
        let first = reports.first().map_or("", |r| r.report.input.timezone.as_str());
        format!(
            "the reports read timestamps in different zones ({}): each timestamp keeps its own offset, input.timezone says {first}",
            zones.into_iter().collect::<Vec<_>>().join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::build::tests::{evidence, finding};

    const AT_10: &str = "2022-09-29T10:00:00.000+08:00";
    /// 11:00 in +08:00, written in UTC: later than `AT_10` though it sorts first as text.
    const AT_11_UTC: &str = "2022-09-29T03:00:00.000+00:00";
    const AT_12: &str = "2022-09-29T12:00:00.000+08:00";

    /// Merges with `samples` evidence items and the exeurls a scan keeps.
    fn merge(reports: Vec<NamedReport>, samples: usize) -> Merged {
        Report::merge(reports, MergeLimits { samples, exeurls_per_host: 100 }).unwrap()
    }

    fn named(name: &str, findings: Vec<Finding>) -> NamedReport {
        let mut report = Report::empty();
        report.input.paths = vec!["/home/admin/logs".into()];
        report.input.files = 2;
        report.findings = findings;
        NamedReport { name: name.into(), report }
    }

    #[test]
    fn findings_of_one_fingerprint_become_one() {
        let mut late = finding("dispatch.send-msg-failed", "10.0.0.1", Severity::High, 3, Some(AT_12));
        late.evidence.push(evidence("later.log", AT_12));
        late.remediation = vec!["late runbook".into()];
        let mut early = finding("dispatch.send-msg-failed", "10.0.0.1", Severity::High, 2, Some(AT_10));
        early.last_seen = Some(AT_11_UTC.into());
        early.evidence.push(evidence("b.log", AT_11_UTC));
        let other = finding("release.stuck", "10.0.0.2", Severity::Critical, 1, None);
        let merged = merge(vec![named("a.json", vec![late]), named("b.json", vec![early, other])], 2);
        assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
        let report = merged.report;
        assert_eq!(report.findings.len(), 2);
        assert_eq!(report.findings[0].fault, "release.stuck", "most severe first");
        let f = &report.findings[1];
        assert_eq!(f.count, 5);
        assert_eq!((f.first_seen.as_deref(), f.last_seen.as_deref()), (Some(AT_10), Some(AT_12)));
        let times: Vec<_> = f.evidence.iter().map(|e| e.timestamp.as_deref().unwrap()).collect();
        assert_eq!(times, [AT_10, AT_11_UTC], "the earliest, compared as instants, at most --samples");
        assert_eq!(f.remediation, ["fix 10.0.0.1"], "the runbook of the earliest");
        assert_eq!(report.summary.findings, 2);
        assert_eq!(report.summary.matches, 6);
        assert_eq!(report.summary.highest_severity, Some(Severity::Critical));
        assert_eq!(report.summary.by_severity[&Severity::High], 1);
        assert_eq!(report.input.files, 4);
        assert_eq!(report.input.paths, ["/home/admin/logs"], "each path once");
        let names: Vec<_> = report.merged_from.iter().map(|m| m.report.as_str()).collect();
        assert_eq!(names, ["a.json", "b.json"]);
    }

    #[test]
    fn the_same_events_in_two_reports_are_shown_once_and_said() {
        let f = finding("dispatch.send-msg-failed", "10.0.0.1", Severity::High, 2, Some(AT_10));
        let merged = merge(vec![named("a.json", vec![f.clone()]), named("copy.json", vec![f])], 3);
        assert_eq!(merged.report.findings[0].count, 4);
        assert_eq!(merged.report.findings[0].evidence.len(), 1);
        assert_eq!(
            merged.warnings,
            [
                "the same events appear in reports a.json and copy.json: their counts were summed twice (the same logs scanned twice, or one report copied?)"
            ]
        );
        // Other events of one fingerprint in two reports are not the same events.
        let (mut one, mut two) = (
            finding("dispatch.send-msg-failed", "10.0.0.1", Severity::High, 1, Some(AT_10)),
            finding("dispatch.send-msg-failed", "10.0.0.1", Severity::High, 1, Some(AT_12)),
        );
        one.evidence[0].line = 7;
        two.evidence[0].path = one.evidence[0].path.clone();
        let merged = merge(vec![named("a.json", vec![one]), named("b.json", vec![two])], 3);
        assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
        assert_eq!(merged.report.findings[0].evidence.len(), 2);
    }

    #[test]
    fn unclassified_groups_merge_by_template_component_and_host() {
        let group = |host: &str, count, first: &str| Unclassified {
            template: "connection reset by <IP>".into(),
            count,
            component: "acopswareexecutor".into(),
            host: host.into(),
            first_seen: Some(first.into()),
            last_seen: Some(first.into()),
            example: evidence(&format!("{host}-{first}.log"), first),
        };
        let mut a = named("a.json", Vec::new());
        a.report.unclassified = vec![group("h1", 2, AT_12), group("h2", 1, AT_10)];
        a.report.summary.unclassified_events = 3;
        let mut b = named("b.json", Vec::new());
        b.report.unclassified = vec![group("h1", 5, AT_10)];
        b.report.summary.unclassified_events = 5;
        let report = merge(vec![a, b], 3).report;
        let groups: Vec<_> = report.unclassified.iter().map(|u| (u.host.as_str(), u.count)).collect();
        assert_eq!(groups, [("h1", 7), ("h2", 1)]);
        assert_eq!(report.unclassified[0].example.path, format!("h1-{AT_10}.log"));
        assert_eq!(report.unclassified[0].last_seen.as_deref(), Some(AT_12));
        assert_eq!(report.summary.unclassified_events, 8);
    }

    #[test]
    fn skipped_files_name_their_report_and_differences_are_warned() {
        let mut a = named("a.json", vec![finding("release.stuck", "h", Severity::High, 1, None)]);
        a.report.input.skipped.push(crate::input::Skipped { path: "x.gz".into(), reason: "cut".into(), report: None });
        let mut changed = finding("release.stuck", "h", Severity::Medium, 1, None);
        changed.title = "another title".into();
        let mut b = named("b.json", vec![changed]);
        b.report.tool.version = "0.0.9".into();
        b.report.input.timezone = "+00:00".into();
        let merged = merge(vec![a, b], 3);
        assert_eq!(merged.report.input.skipped[0].report.as_deref(), Some("a.json"));
        let warnings = merged.warnings.join("\n");
        assert!(warnings.contains("b.json by 0.0.9"), "{warnings}");
        assert!(warnings.contains("different zones (+00:00, +08:00)"), "{warnings}");
        assert!(warnings.contains("fault release.stuck is described differently"), "{warnings}");
        assert!(warnings.contains("different rule packs"), "{warnings}");
    }

    #[test]
    fn windows_widen_and_stay_open_when_one_is() {
        let window = |since: Option<&str>| {
            let mut r = named(&format!("{since:?}.json"), Vec::new());
            r.report.input.since = since.map(str::to_string);
            r
        };
        let merged = merge(vec![window(Some(AT_12)), window(Some(AT_10))], 3).report;
        assert_eq!(merged.input.since.as_deref(), Some(AT_10));
        let merged = merge(vec![window(Some(AT_12)), window(None)], 3).report;
        assert_eq!(merged.input.since, None);
    }

    #[test]
    fn the_merged_report_names_the_first_pack_named() {
        let mut old = named("old.json", Vec::new());
        old.report.tool.rule_pack = None;
        let mut new = named("new.json", Vec::new());
        let version = crate::rules::PackVersion { id: "901cca6f0325d8f0".into(), files: 10, source: "embedded".into() };
        let pack = Some(RulePackVersion { base: version, added: Vec::new() });
        new.report.tool.rule_pack = pack.clone();
        let merged = merge(vec![old, new], 3);
        assert_eq!(merged.report.tool.rule_pack, pack);
        assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
    }

    #[test]
    fn packs_differ_by_their_ids_not_by_where_they_were_read() {
        let with_pack = |name: &str, base: &str, source: &str, added: &[(&str, &str)]| {
            let mut r = named(name, Vec::new());
            let version =
                |id: &str, source: &str| crate::rules::PackVersion { id: id.into(), files: 1, source: source.into() };
            r.report.tool.rule_pack = Some(RulePackVersion {
                base: version(base, source),
                added: added.iter().map(|(id, source)| version(id, source)).collect(),
            });
            r
        };
        let same = [
            with_pack("a.json", "aaaa", "embedded", &[("5151", "conf/site-rules")]),
            with_pack("b.json", "aaaa", "/opt/copy-of-builtin", &[("5151", "./conf/site-rules")]),
        ];
        assert!(merge(same.to_vec(), 3).warnings.is_empty());
        let other = [
            with_pack("a.json", "aaaa", "embedded", &[("5151", "conf/site-rules")]),
            with_pack("b.json", "aaaa", "embedded", &[("5152", "conf/site-rules")]),
            with_pack("c.json", "bbbb", "embedded", &[]),
        ];
        assert_eq!(
            merge(other.to_vec(), 3).warnings,
            [
                "merging reports of different rule packs: b.json by pack aaaa + 5152, c.json by pack bbbb; the merged report names the first, aaaa + 5151"
            ]
        );
    }

    #[test]
    fn warnings_name_a_few_reports_and_count_the_rest() {
        let reports: Vec<NamedReport> = (0..8)
            .map(|i| {
                let mut r =
                    named(&format!("h{i}.json"), vec![finding("release.stuck", UNKNOWN, Severity::High, 1, None)]);
                r.report.tool.version = "0.0.9".into();
                r
            })
            .collect();
        let warnings = merge(reports, 3).warnings;
        assert_eq!(
            warnings[0],
            format!(
                "merging reports of other cas-triage versions than this one ({}): h0.json by 0.0.9, h1.json by 0.0.9, h2.json by 0.0.9, h3.json by 0.0.9, h4.json by 0.0.9 and 3 more; merged all the same",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert_eq!(
            warnings[1],
            "8 reports have findings on host unknown (h0.json, h1.json, h2.json, h3.json, h4.json and 3 more): their findings are merged as one host's; scan each host with --host \"$(hostname)\""
        );
        // One report on host unknown is one host: nothing to say.
        let one = vec![
            named("a.json", vec![finding("release.stuck", UNKNOWN, Severity::High, 1, None)]),
            named("b.json", Vec::new()),
        ];
        assert!(merge(one, 3).warnings.is_empty());
    }

    #[test]
    fn exeurls_are_capped_per_host_again_keeping_the_newest() {
        let exeurl = |host: &str, at: &str| Exeurl {
            host: host.into(),
            path: "staragent_core.log".into(),
            archive: None,
            line: 1,
            timestamp: Some(at.into()),
            command: "x".into(),
            script: "x".into(),
            args: String::new(),
            step: "unknown step".into(),
            step_id: None,
            task_id: None,
        };
        let mut a = named("a.json", Vec::new());
        a.report.exeurls = vec![exeurl("h1", AT_10), exeurl("h2", AT_10)];
        let mut b = named("b.json", Vec::new());
        b.report.exeurls = vec![exeurl("h1", AT_12), exeurl("h1", AT_11_UTC)];
        let merged = Report::merge(vec![a, b], MergeLimits { samples: 3, exeurls_per_host: 2 }).unwrap().report;
        let kept: Vec<_> = merged.exeurls.iter().map(|e| (e.host.as_str(), e.timestamp.as_deref().unwrap())).collect();
        assert_eq!(kept, [("h1", AT_12), ("h1", AT_11_UTC), ("h2", AT_10)]);
    }
}
