//! Building the [`Report`]: the one document every output format writes. Its serde shape is the
//! JSON format (`schema/report.schema.json`), so field order and names are a contract.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::analyses::{
    ClockOffsetReport, ConfigFileReport, Coverage, ErrorRate, Exeurl, TaskReport, alert_groups, clock_skew_groups,
    config_files, coverage, error_rate, exeurls, heartbeat_groups, paired_tasks, tasks,
};
use super::baseline::{BaselineReport, BaselineState};
use super::chains::{ChainReport, chains};
use super::escape::DecodedText;
use super::provenance::MergedReport;
use crate::classify::{Evidence as RawEvidence, Group, GroupKey, UnclassifiedGroup, UnclassifiedKey};
use crate::event::Timestamp;
use crate::input::{Skipped, Transcoded};
use crate::rules::{CompiledRules, Lang, PackVersion, Rule, RuleKind, RulePack, Severity, fill_placeholders, pack_id};
use crate::scan::ScanOutcome;

/// Version of the JSON layout; raised when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// What a report needs besides the scan outcome.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The command-line paths, as given.
    pub paths: Vec<String>,
    /// The zone the logs' timestamps are in.
    pub timezone: FixedOffset,
    pub lang: Lang,
    /// Evidence items per finding built at report time (alert runs).
    pub samples: usize,
    /// The `--since`/`--until` window the scan kept events of.
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Mask credentials in every text from logs (`--no-redact` turns it off).
    pub redact: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub input: InputSummary,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// ERROR events no rule matched, grouped by message template; most frequent first.
    pub unclassified: Vec<Unclassified>,
    /// The commands agents ran (`exeurl`), by host, newest first.
    pub exeurls: Vec<Exeurl>,
    /// Tasks that did not succeed, their start and end paired (at most 1,000, the newest).
    pub tasks: Vec<TaskReport>,
    /// Hosts whose clocks look off another's, from the tasks both logged.
    pub clock_offsets: Vec<ClockOffsetReport>,
    /// Every `application.properties` of the bundle, as the configuration checks read it.
    pub config_files: Vec<ConfigFileReport>,
    /// Release orders and tasks followed across services, with their first failure.
    pub chains: Vec<ChainReport>,
    /// The logs the bundle holds per component and host, and the expected ones it lacks.
    pub coverage: Coverage,
    /// With `--baseline`: the baseline, the counts of new, recurring and resolved findings, and
    /// the resolved ones. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineReport>,
    /// In a report written by `merge`: the reports it merged. Absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<MergedReport>,
    /// Errors per minute of each service's error log, with the alerts' window and thresholds
    /// (empty when read from a report of a version before it was recorded).
    #[serde(default)]
    pub error_rate: ErrorRate,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: Cow<'static, str>,
    pub version: Cow<'static, str>,
    /// The rule pack the scan ran with (absent in reports of versions before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_pack: Option<RulePackVersion>,
}

/// The rule pack of a scan: the base pack (built in, or `--rules DIR`) and the packs
/// `--rules-add` added to it, each named by a digest of its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePackVersion {
    #[serde(flatten)]
    pub base: PackVersion,
    /// The packs added with `--rules-add`, in order.
    pub added: Vec<PackVersion>,
}

impl RulePackVersion {
    fn of(pack: &RulePack) -> RulePackVersion {
        match pack.versions() {
            [base, added @ ..] => RulePackVersion { base: base.clone(), added: added.to_vec() },
            [] => {
                let base = PackVersion { id: pack_id([]), files: 0, source: "memory".to_string() };
                RulePackVersion { base, added: Vec::new() }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputSummary {
    pub paths: Vec<String>,
    /// Sources scanned: files, archive members, standard input.
    pub files: u64,
    pub bytes: u64,
    pub events: u64,
    pub lines: u64,
    /// Files in directories that are not logs, properties or archives.
    pub ignored: u64,
    /// The zone timestamps were read in, e.g. `+08:00`.
    pub timezone: String,
    /// The window of `--since` and `--until`: only events inside it were analysed.
    pub since: Option<String>,
    pub until: Option<String>,
    pub skipped: Vec<Skipped>,
    /// Logs that were not UTF-8 and were decoded (from GBK) before they were scanned: their
    /// evidence is the decoded text.
    pub transcoded: Vec<Transcoded>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub findings: usize,
    /// Matched events over all findings.
    pub matches: u64,
    pub highest_severity: Option<Severity>,
    /// Findings per severity, every severity present.
    pub by_severity: BTreeMap<Severity, usize>,
    /// ERROR events that no rule matched.
    pub unclassified_events: u64,
    /// Of those, events not grouped because there were too many distinct templates.
    pub unclassified_overflow: u64,
    /// Exeurls read in all; `exeurls` holds the newest of each host.
    pub exeurls_seen: u64,
    /// Tasks seen in all (paired by task id); `tasks` lists those that did not succeed.
    pub tasks_seen: usize,
    /// Task lines not kept, the oldest, past the `--task-lines` a scan keeps in memory (500,000 by default): when not 0,
    /// tasks, their timings and clock offsets come from the newest lines only.
    pub task_lines_dropped: u64,
    /// Release and task chains with a failure; `chains` lists the first 200.
    pub chains_seen: usize,
    /// Matched events naming a release order or task beyond the 20,000 kept for chains (the
    /// earliest are kept): when not 0, later events are missing from chains and chains_seen.
    pub chain_events_dropped: u64,
}

/// ERROR events of one message template on one component and host that no rule matched.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unclassified {
    /// The message with numbers, hex ids, IPs, UUIDs, paths and quoted values masked.
    pub template: String,
    pub count: u64,
    pub component: String,
    pub host: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub example: Evidence,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub fault: String,
    /// How the fault was found, and so what `count` counts: `lines` (matched events),
    /// `file-check` (files), `analysis` (occurrences, e.g. alerting periods).
    pub kind: Cow<'static, str>,
    pub title: String,
    pub severity: Severity,
    pub section: String,
    pub component: String,
    pub host: String,
    pub count: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub fingerprint: String,
    /// With `--baseline`: `new` when the baseline has no finding of this fingerprint, else
    /// `recurring`. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    /// The fingerprint of the finding this one probably follows from: the first failure of a
    /// release or task chain this finding appears later in (an inference from the order of
    /// events, not a proven cause); the root of the chain of causes, never an echo.
    pub caused_by: Option<String>,
    /// The release order (or `task <id>`) of the chain whose first failure is `caused_by`: where
    /// the root was seen failing first (the finding itself may be linked to it through others).
    pub caused_by_chain: Option<String>,
    pub remediation: Vec<String>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evidence {
    pub path: String,
    pub archive: Option<String>,
    pub line: u64,
    pub timestamp: Option<String>,
    pub text: String,
    pub text_truncated: bool,
    pub text_lossy: bool,
    pub text_base64: Option<String>,
    #[serde(rename = "match")]
    pub matched: Option<MatchedLine>,
    pub fields: BTreeMap<String, String>,
}

/// The line inside the event that matched, when it is not the header.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatchedLine {
    pub line: u64,
    pub text: String,
    /// The line was longer than 4096 bytes and was cut.
    pub text_truncated: bool,
    pub text_lossy: bool,
}

impl Tool {
    /// This program: the tool a report it writes names.
    pub fn this() -> Tool {
        Tool { name: env!("CARGO_PKG_NAME").into(), version: env!("CARGO_PKG_VERSION").into(), rule_pack: None }
    }

    /// This program, with the rule pack it scanned with.
    pub fn of(pack: &RulePack) -> Tool {
        Tool { rule_pack: Some(RulePackVersion::of(pack)), ..Tool::this() }
    }
}

impl Report {
    pub fn build(outcome: &ScanOutcome, rules: &CompiledRules, options: &ReportOptions) -> Report {
        let context = FindingContext {
            pack: rules.pack(),
            options,
            exeurl_by_task: outcome
                .facts
                .exeurls
                .iter()
                .filter_map(|e| e.task_id.as_deref().map(|task| (task, e.command.command.as_str())))
                .collect(),
        };
        // Pairing tasks and building the findings of the matches do not depend on each other.
        let ((paired, offsets), (mut findings, mut unclassified)) = rayon::join(
            || paired_tasks(outcome, rules),
            || {
                let findings: Vec<Finding> = outcome
                    .findings
                    .groups()
                    .map(|(key, group)| build_finding(&context, rules.rule(key.rule), key, group))
                    .collect();
                let unclassified: Vec<Unclassified> = outcome
                    .unclassified
                    .groups()
                    .map(|(key, group)| build_unclassified(key, group, options.timezone))
                    .collect();
                (findings, unclassified)
            },
        );
        let (task_list, tasks_seen, clock_offsets) = tasks(rules, options, &paired, &offsets);
        let analysis_groups = alert_groups(outcome, rules, options)
            .into_iter()
            .chain(heartbeat_groups(outcome, rules, options))
            .chain(clock_skew_groups(rules, options, &paired));
        for (key, group) in analysis_groups {
            findings.push(build_finding(&context, rules.rule(key.rule), &key, &group));
        }
        findings.sort_by(|a, b| {
            (b.severity, &a.fault, &a.component, &a.host).cmp(&(a.severity, &b.fault, &b.component, &b.host))
        });
        point_health_checks_to_config(&mut findings, outcome, rules, options.lang);
        let (chain_list, chains_seen) = chains(outcome, rules, options, &paired, &mut findings);
        unclassified.sort_by(|a, b| {
            (b.count, &a.template, &a.component, &a.host).cmp(&(a.count, &b.template, &b.component, &b.host))
        });
        let mut by_severity: BTreeMap<Severity, usize> = Severity::ALL.iter().map(|s| (*s, 0)).collect();
        for finding in &findings {
            *by_severity.entry(finding.severity).or_default() += 1;
        }
        let mut report = Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::of(rules.pack()),
            input: InputSummary {
                paths: options.paths.clone(),
                files: outcome.files,
                bytes: outcome.bytes,
                events: outcome.events,
                lines: outcome.lines,
                ignored: outcome.ignored,
                timezone: options.timezone.to_string(),
                since: options.since.map(|t| rfc3339(t, options.timezone)),
                until: options.until.map(|t| rfc3339(t, options.timezone)),
                skipped: outcome.skipped.clone(),
                transcoded: outcome.transcoded.clone(),
            },
            summary: Summary {
                findings: findings.len(),
                matches: findings.iter().map(|f| f.count).sum(),
                highest_severity: findings.iter().map(|f| f.severity).max(),
                by_severity,
                unclassified_events: unclassified.iter().map(|u| u.count).sum::<u64>()
                    + outcome.unclassified.overflow(),
                unclassified_overflow: outcome.unclassified.overflow(),
                exeurls_seen: outcome.facts.exeurls_seen,
                tasks_seen,
                task_lines_dropped: outcome.facts.task_lines_dropped,
                chains_seen,
                chain_events_dropped: outcome.facts.chain_hops.dropped(),
            },
            findings,
            unclassified,
            exeurls: exeurls(outcome, rules, options),
            tasks: task_list,
            clock_offsets,
            config_files: config_files(outcome),
            chains: chain_list,
            coverage: coverage(outcome, options),
            baseline: None,
            merged_from: Vec::new(),
            error_rate: error_rate(outcome, rules, options),
        };
        if options.redact {
            super::redact::redact_report(&mut report);
        }
        report
    }
}

/// A health check that timed out on a host whose `application.properties` has CRLF line
/// endings or is not UTF-8 (manual 2.6.3): its runbook names those files and their findings.
/// Read from the groups, so it does not depend on how much evidence is shown.
fn point_health_checks_to_config(findings: &mut [Finding], outcome: &ScanOutcome, rules: &CompiledRules, lang: Lang) {
    let first_field = |group: &Group, name: &str| {
        group.samples.first().and_then(|e| e.fields.iter().find(|(n, _)| n == name)).map(|(_, v)| v.clone())
    };
    let mut config = Vec::new();
    let mut targets: BTreeMap<(String, String), String> = BTreeMap::new();
    for (key, group) in outcome.findings.groups() {
        let rule = rules.rule(key.rule);
        if matches!(rule.kind, RuleKind::File(_)) {
            let fingerprint = fingerprint(rule.id.as_str(), &key.component, &key.host);
            config.push((
                key.host.to_string(),
                rule.id.to_string(),
                fingerprint,
                first_field(group, "path").unwrap_or_default(),
            ));
        } else if rule.id.as_str() == "healthcheck.runtimeout" {
            if let Some(target) = first_field(group, "target_ip") {
                targets.insert((key.component.to_string(), key.host.to_string()), target);
            }
        }
    }
    for finding in findings.iter_mut().filter(|f| f.fault == "healthcheck.runtimeout") {
        let target = targets.get(&(finding.component.clone(), finding.host.clone()));
        for (host, fault, fingerprint, path) in &config {
            if *host != finding.host && Some(host) != target {
                continue;
            }
            finding.remediation.push(match lang {
                Lang::En => format!("This host's {path} is the likely cause: see finding {fault} ({fingerprint})."),
                Lang::Zh => format!("该机器的 {path} 很可能是原因：见 {fault}（{fingerprint}）。"),
            });
        }
    }
}

/// What building a finding needs besides its group.
struct FindingContext<'a> {
    pack: &'a RulePack,
    options: &'a ReportOptions,
    /// The command an agent ran for each task id (the first found): links a failed step to the
    /// exact command to rerun.
    exeurl_by_task: std::collections::HashMap<&'a str, &'a str>,
}

fn build_finding(context: &FindingContext<'_>, rule: &Rule, key: &GroupKey, group: &Group) -> Finding {
    let (pack, options) = (context.pack, context.options);
    let mut evidence: Vec<Evidence> =
        group.samples.iter().take(options.samples).map(|e| build_evidence(e, options.timezone)).collect();
    for item in &mut evidence {
        let command = item.fields.get("task_id").and_then(|task| context.exeurl_by_task.get(task.as_str()));
        if let Some(command) = command {
            item.fields.entry("exeurl".to_string()).or_insert_with(|| command.to_string());
        }
    }
    // Values come from the earliest event only: mixing events could pair one event's host with
    // another's release order.
    let mut values: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in group.samples.iter().take(1).flat_map(|sample| &sample.fields) {
        values.entry(name.as_str()).or_insert(value.as_str());
    }
    if let Some(command) = values.get("task_id").and_then(|task| context.exeurl_by_task.get(task)) {
        values.entry("exeurl").or_insert(command);
    }
    values.insert("component", &key.component);
    values.insert("host", &key.host);
    // The agent runs on the business host: in its own log, the task's target is the log's host.
    if &*key.component == "staragent" && &*key.host != crate::input::UNKNOWN {
        values.entry("target_ip").or_insert(&key.host);
    }
    let resolve = |name: &str| placeholder_value(pack, &values, name, options.lang);
    let remediation =
        rule.remediation.steps(options.lang).iter().map(|step| fill_placeholders(step, &resolve)).collect();
    Finding {
        fault: rule.id.to_string(),
        kind: match rule.kind {
            RuleKind::Lines(_) => "lines",
            RuleKind::File(_) => "file-check",
            RuleKind::Analysis(_) => "analysis",
        }
        .into(),
        title: rule.title.clone(),
        severity: rule.severity,
        section: rule.section.clone(),
        component: key.component.to_string(),
        host: key.host.to_string(),
        count: group.count,
        first_seen: group.first_seen.map(|t| rfc3339(t, options.timezone)),
        last_seen: group.last_seen.map(|t| rfc3339(t, options.timezone)),
        fingerprint: fingerprint(rule.id.as_str(), &key.component, &key.host),
        baseline_state: None,
        caused_by: None,
        caused_by_chain: None,
        remediation,
        evidence,
    }
}

fn build_unclassified(key: &UnclassifiedKey, group: &UnclassifiedGroup, zone: FixedOffset) -> Unclassified {
    Unclassified {
        template: String::from_utf8_lossy(&group.template).into_owned(),
        count: group.count,
        component: key.component.to_string(),
        host: key.host.to_string(),
        first_seen: group.first_seen.map(|t| rfc3339(t, zone)),
        last_seen: group.last_seen.map(|t| rfc3339(t, zone)),
        example: build_evidence(&group.example, zone),
    }
}

pub(super) fn build_evidence(raw: &RawEvidence, zone: FixedOffset) -> Evidence {
    let text = DecodedText::decode(&raw.text);
    Evidence {
        path: raw.path.to_string(),
        archive: raw.archive.as_deref().map(str::to_string),
        line: raw.line,
        timestamp: raw.timestamp.map(|t| rfc3339(t, zone)),
        text: text.text,
        text_truncated: raw.text_truncated,
        text_lossy: text.lossy,
        text_base64: text.base64,
        matched: raw.matched.as_ref().map(|(line, bytes, truncated)| {
            let decoded = DecodedText::decode(bytes);
            MatchedLine { line: *line, text: decoded.text, text_truncated: *truncated, text_lossy: decoded.lossy }
        }),
        fields: raw.fields.iter().cloned().collect(),
    }
}

/// A log's zone-less time, read in `zone`, as RFC 3339 with milliseconds.
pub(crate) fn rfc3339(ts: Timestamp, zone: FixedOffset) -> String {
    let utc_millis = ts.local_millis() - i64::from(zone.local_minus_utc()) * 1000;
    match DateTime::from_timestamp_millis(utc_millis) {
        Some(utc) => utc.with_timezone(&zone).to_rfc3339_opts(SecondsFormat::Millis, false),
        None => ts.to_string(),
    }
}

/// A stable id for a (fault, component, host) group: the same inputs give the same fingerprint
/// in every run and version, so ticketing systems can de-duplicate.
pub fn fingerprint(fault: &str, component: &str, host: &str) -> String {
    let mut hasher = Sha256::new();
    for part in ["cas-triage/v1", fault, component, host] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// What `{name}` becomes in a runbook: the value from the evidence (a step id becomes the step's
/// name, `step_advice` the step's advice); without a value, `<name: where to look it up>` when the
/// pack describes the field; otherwise `None`, and the placeholder stays as it is.
fn placeholder_value(pack: &RulePack, values: &BTreeMap<&str, &str>, name: &str, lang: Lang) -> Option<String> {
    let step = values.get("step").and_then(|id| pack.step(id));
    match (name, step) {
        ("step", Some(step)) => return Some(step.name.get(lang).to_string()),
        ("step_advice", Some(step)) => return Some(step.advice.get(lang).to_string()),
        // Without a known step, the pack's general advice stands in, as plain text.
        ("step_advice", None) => return pack.field_doc(name).map(|doc| doc.text.get(lang).to_string()),
        _ => {}
    }
    if let Some(value) = values.get(name) {
        return Some(value.to_string());
    }
    pack.field_doc(name).map(|doc| format!("<{name}: {}>", doc.text.get(lang)))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    impl Report {
        /// A report of nothing, to fill in.
        pub(crate) fn empty() -> Report {
            Report {
                schema_version: SCHEMA_VERSION,
                tool: Tool::this(),
                input: InputSummary {
                    paths: Vec::new(),
                    files: 0,
                    bytes: 0,
                    events: 0,
                    lines: 0,
                    ignored: 0,
                    timezone: "+08:00".into(),
                    since: None,
                    until: None,
                    skipped: Vec::new(),
                    transcoded: Vec::new(),
                },
                summary: Summary { by_severity: Severity::ALL.iter().map(|s| (*s, 0)).collect(), ..Summary::default() },
                findings: Vec::new(),
                unclassified: Vec::new(),
                exeurls: Vec::new(),
                tasks: Vec::new(),
                clock_offsets: Vec::new(),
                config_files: Vec::new(),
                chains: Vec::new(),
                coverage: Coverage { logs: Vec::new(), missing: Vec::new(), uncovered: Vec::new() },
                error_rate: ErrorRate::default(),
                baseline: None,
                merged_from: Vec::new(),
            }
        }
    }

    /// A finding of `fault` on the executor of `host`, seen `count` times from `first` (RFC 3339)
    /// on, with one evidence item per time.
    pub(crate) fn finding(fault: &str, host: &str, severity: Severity, count: u64, first: Option<&str>) -> Finding {
        Finding {
            fault: fault.into(),
            kind: "lines".into(),
            title: format!("title of {fault}"),
            severity,
            section: "2.5".into(),
            component: "acopswareexecutor".into(),
            host: host.into(),
            count,
            first_seen: first.map(str::to_string),
            last_seen: first.map(str::to_string),
            fingerprint: fingerprint(fault, "acopswareexecutor", host),
            baseline_state: None,
            caused_by: None,
            caused_by_chain: None,
            remediation: vec![format!("fix {host}")],
            evidence: first.map(|t| evidence(&format!("{host}.log"), t)).into_iter().collect(),
        }
    }

    /// An evidence item of `path` at `timestamp`.
    pub(crate) fn evidence(path: &str, timestamp: &str) -> Evidence {
        Evidence {
            path: path.into(),
            archive: None,
            line: 1,
            timestamp: Some(timestamp.into()),
            text: format!("{timestamp} ERROR x"),
            text_truncated: false,
            text_lossy: false,
            text_base64: None,
            matched: None,
            fields: BTreeMap::new(),
        }
    }

    #[test]
    fn placeholders_fill_known_values_only() {
        let values: BTreeMap<&str, &str> = [("task_id", "10390847"), ("host", "10.1.2.3")].into_iter().collect();
        let resolve = |name: &str| values.get(name).map(|v| v.to_string());
        assert_eq!(fill_placeholders("task {task_id} on {host}", &resolve), "task 10390847 on 10.1.2.3");
        assert_eq!(fill_placeholders("order {release_order} {} {x y}", &resolve), "order {release_order} {} {x y}");
        assert_eq!(fill_placeholders("sed 's/\\r$//' {", &resolve), "sed 's/\\r$//' {");
        let json = r#"--data '{"executionId":"{task_id}","condition":0}'"#;
        assert_eq!(fill_placeholders(json, &resolve), r#"--data '{"executionId":"10390847","condition":0}'"#);
    }

    #[test]
    fn steps_and_missing_values_render_from_the_pack() {
        let pack = RulePack::embedded().unwrap();
        let values: BTreeMap<&str, &str> = [("step", "download")].into_iter().collect();
        let resolve = |name: &str| placeholder_value(&pack, &values, name, Lang::En);
        assert_eq!(resolve("step").as_deref(), Some("download application package"));
        assert!(resolve("step_advice").unwrap().contains("OSS/AFS"));
        assert!(resolve("time_series_id").unwrap().starts_with("<time_series_id: the release order number"));
        assert_eq!(resolve("no_such_field"), None);
        let zh = placeholder_value(&pack, &values, "step", Lang::Zh);
        assert_eq!(zh.as_deref(), Some("下载应用包"));
    }

    #[test]
    fn rfc3339_applies_the_zone() {
        let ts = Timestamp::from_parts(2022, 9, 29, 10, 15, 32, 118).unwrap();
        let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(rfc3339(ts, east8), "2022-09-29T10:15:32.118+08:00");
        assert_eq!(rfc3339(ts, FixedOffset::east_opt(0).unwrap()), "2022-09-29T10:15:32.118+00:00");
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = fingerprint("dispatch.send-msg-failed", "acopswareexecutor", "10.1.2.3");
        assert_eq!(a, fingerprint("dispatch.send-msg-failed", "acopswareexecutor", "10.1.2.3"));
        assert_ne!(a, fingerprint("dispatch.send-msg-failed", "acopswareexecutor", "10.1.2.4"));
        // Separators keep ("ab", "c") and ("a", "bc") apart.
        assert_ne!(fingerprint("x.y", "ab", "c"), fingerprint("x.y", "a", "bc"));
        assert_eq!(a.len(), 32);
    }
}
