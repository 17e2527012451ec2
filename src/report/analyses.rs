//! The report's view of the analyses across events: error-rate alert runs, heartbeat gaps and
//! quick timeouts become findings; the errors per minute, the commands agents ran, the tasks, the
//! configuration files and the bundle's coverage become the report's lists.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::build::{ReportOptions, rfc3339};
use crate::analyze::{
    AGENT_LOG, AlertRun, ClockOffset, Gap, Task, TaskGroups, alert_runs, clock_offsets, expected_error_log, gaps,
    pair_tasks, window_gap,
};
use crate::classify::{Evidence as RawEvidence, Group, GroupKey};
use crate::input::UNKNOWN;
use crate::rules::{CompiledRules, Lang};
use crate::scan::ScanOutcome;

/// A command an agent ran (manual 2.6.5): the `exeurl` field without `cmd://`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exeurl {
    pub host: String,
    pub path: String,
    pub archive: Option<String>,
    pub line: u64,
    pub timestamp: Option<String>,
    pub command: String,
    pub script: String,
    pub args: String,
    /// The release step the script belongs to, or `unknown step`.
    pub step: String,
    /// The step's id in the rule pack (`download`, `deploy`, ...), when it is known.
    pub step_id: Option<String>,
    pub task_id: Option<String>,
}

/// Every exeurl of the bundle: by host, newest first.
pub(super) fn exeurls(outcome: &ScanOutcome, rules: &CompiledRules, options: &ReportOptions) -> Vec<Exeurl> {
    let mut facts: Vec<_> = outcome.facts.exeurls.iter().collect();
    facts.sort_by(|a, b| (&a.host, b.timestamp, b.position).cmp(&(&b.host, a.timestamp, a.position)));
    facts
        .into_iter()
        .map(|fact| {
            let step = rules.pack().step_for_script(&fact.command.script);
            let unknown = match options.lang {
                Lang::En => "unknown step",
                Lang::Zh => "未知步骤",
            };
            Exeurl {
                host: fact.host.to_string(),
                path: fact.path.to_string(),
                archive: fact.archive.as_deref().map(str::to_string),
                line: fact.line,
                timestamp: fact.timestamp.map(|t| rfc3339(t, options.timezone)),
                command: fact.command.command.clone(),
                script: fact.command.script.clone(),
                args: fact.command.args.clone(),
                step: step.map_or(unknown, |s| s.name.get(options.lang)).to_string(),
                step_id: step.map(|s| s.id.clone()),
                task_id: fact.task_id.clone(),
            }
        })
        .collect()
}

/// The groups of `alert.error-rate`: per component and host, the alerting runs (count), from the
/// start of the first to the end of the last, the first `samples` runs as evidence.
pub(super) fn alert_groups(
    outcome: &ScanOutcome,
    rules: &CompiledRules,
    options: &ReportOptions,
) -> Vec<(GroupKey, Group)> {
    let Some((index, rate)) =
        rules.pack().rules().iter().enumerate().find_map(|(i, rule)| rule.error_rate.as_ref().map(|rate| (i, rate)))
    else {
        return Vec::new();
    };
    let mut groups = Vec::new();
    for ((component, host), minutes) in &outcome.facts.error_minutes {
        let runs = alert_runs(minutes, rate.window_minutes, rate.threshold(component));
        let (Some(first), Some(last)) = (runs.first(), runs.last()) else { continue };
        let group = Group {
            count: runs.len() as u64,
            first_seen: Some(first.start),
            last_seen: Some(last.end),
            samples: runs
                .iter()
                .take(options.samples.max(1))
                .map(|run| run_evidence(run, rate.window_minutes, options))
                .collect(),
        };
        groups.push((GroupKey { rule: index, component: component.clone(), host: host.clone() }, group));
    }
    groups
}

/// Errors per minute of each service's `common-error.log`, as the error-rate alerts count them,
/// with the rule's window and thresholds: what a chart of the errors over time draws.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ErrorRate {
    /// The alerts' window in minutes, from the rule pack; `None` when it has no error-rate rule.
    pub window_minutes: Option<u32>,
    /// One series per component and host whose error log has errors, by component, then host.
    pub series: Vec<ErrorSeries>,
}

/// The errors of one component's `common-error.log` on one host.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorSeries {
    pub component: String,
    pub host: String,
    /// More errors than this in one window alert; `None` without an error-rate rule.
    pub threshold: Option<u64>,
    /// Errors counted in all.
    pub errors: u64,
    /// The minutes with errors, in time order; minutes without are left out.
    pub minutes: Vec<MinuteErrors>,
    /// The alerting periods the `alert.error-rate` finding counts.
    pub alerts: Vec<AlertPeriod>,
}

/// The errors of one minute.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MinuteErrors {
    /// The minute's start.
    pub start: String,
    pub count: u64,
}

/// Consecutive alerting windows: from the start of the first to the end of the last.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlertPeriod {
    pub start: String,
    pub end: String,
    /// The most errors one window held.
    pub peak: u64,
    /// Errors between `start` and `end`.
    pub errors: u64,
}

/// The errors per minute of every error log, and their alerting periods.
pub(super) fn error_rate(outcome: &ScanOutcome, rules: &CompiledRules, options: &ReportOptions) -> ErrorRate {
    let rate = rules.pack().rules().iter().find_map(|rule| rule.error_rate.as_ref());
    let stamp = |t| rfc3339(t, options.timezone);
    let series = outcome
        .facts
        .error_minutes
        .iter()
        .map(|((component, host), minutes)| {
            let threshold = rate.map(|rate| rate.threshold(component));
            let runs = match (rate, threshold) {
                (Some(rate), Some(threshold)) => alert_runs(minutes, rate.window_minutes, threshold),
                _ => Vec::new(),
            };
            ErrorSeries {
                component: component.to_string(),
                host: host.to_string(),
                threshold,
                errors: minutes.total(),
                minutes: minutes.counts().map(|(start, count)| MinuteErrors { start: stamp(start), count }).collect(),
                alerts: runs
                    .iter()
                    .map(|run| AlertPeriod {
                        start: stamp(run.start),
                        end: stamp(run.end),
                        peak: run.peak,
                        errors: run.errors,
                    })
                    .collect(),
            }
        })
        .collect();
    ErrorRate { window_minutes: rate.map(|rate| rate.window_minutes), series }
}

/// The first error of a run, with the run's window, peak and threshold as fields.
fn run_evidence(run: &AlertRun, window_minutes: u32, options: &ReportOptions) -> RawEvidence {
    let mut evidence = run.first.clone();
    evidence.fields = vec![
        ("window_start".into(), rfc3339(run.start, options.timezone)),
        ("window_end".into(), rfc3339(run.end, options.timezone)),
        ("window_minutes".into(), window_minutes.to_string()),
        ("peak_errors".into(), run.peak.to_string()),
        ("errors".into(), run.errors.to_string()),
        ("threshold".into(), run.threshold.to_string()),
    ];
    evidence
}

/// The groups of `dispatch.agent-heartbeat-stale`: per agent, the gaps between heartbeats longer
/// than the pack's limit, the first `samples` as evidence (the heartbeat after the gap, with the
/// gap's start, end and length).
pub(super) fn heartbeat_groups(
    outcome: &ScanOutcome,
    rules: &CompiledRules,
    options: &ReportOptions,
) -> Vec<(GroupKey, Group)> {
    let Some((index, limit)) =
        rules.pack().rules().iter().enumerate().find_map(|(i, rule)| rule.heartbeat.map(|h| (i, h.max_gap_seconds)))
    else {
        return Vec::new();
    };
    let mut groups = Vec::new();
    for ((component, host), segments) in &outcome.facts.heartbeats {
        let found = gaps(segments, limit);
        let (Some(first), Some(last)) = (found.first(), found.last()) else { continue };
        let group = Group {
            count: found.len() as u64,
            first_seen: Some(first.start()),
            last_seen: Some(last.end()),
            samples: found.iter().take(options.samples.max(1)).map(|gap| gap_evidence(gap, limit, options)).collect(),
        };
        groups.push((GroupKey { rule: index, component: component.clone(), host: host.clone() }, group));
    }
    groups
}

fn gap_evidence(gap: &Gap, limit: u32, options: &ReportOptions) -> RawEvidence {
    let mut evidence = gap.after.clone();
    evidence.matched = None;
    evidence.fields = vec![
        ("gap_start".into(), rfc3339(gap.start(), options.timezone)),
        ("gap_end".into(), rfc3339(gap.end(), options.timezone)),
        ("gap_seconds".into(), format!("{:.1}", gap.seconds())),
        ("max_gap_seconds".into(), limit.to_string()),
        ("previous_heartbeat".into(), format!("{}:{}", gap.before.path, gap.before.line)),
    ];
    evidence
}

/// A task, its start and end paired by task id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskReport {
    pub task_id: String,
    /// The host of its end (or of its start, when it has no end).
    pub host: String,
    pub component: String,
    pub script: Option<String>,
    pub step: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub elapsed_s: Option<f64>,
    /// `timestamps` (end minus start) or `logged cost` (the end line's `cost=...ms`).
    pub elapsed_source: Option<Cow<'static, str>>,
    pub logged_cost_s: Option<f64>,
    /// `timeout`, `failed`, `success`, `unknown`, or `unfinished`.
    pub outcome: Cow<'static, str>,
    pub clock_skew_suspected: bool,
    /// The start line, then the end line.
    pub evidence: Vec<super::build::Evidence>,
}

/// How far a host's clock is estimated to be off another's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClockOffsetReport {
    pub host: String,
    pub reference_host: String,
    /// Median of (host's timestamp - reference host's) over the tasks both logged.
    pub offset_s: f64,
    pub pairs: usize,
}

/// The most tasks a report lists (those that did not succeed; the newest first).
pub(super) const MAX_TASKS: usize = 1000;

/// The tasks that did not succeed (newest first, at most [`MAX_TASKS`]), every task pairing
/// counted, and the hosts whose clocks look off.
pub(super) fn tasks(
    rules: &CompiledRules,
    options: &ReportOptions,
    paired: &[Task<'_>],
    offsets: &[ClockOffset],
) -> (Vec<TaskReport>, usize, Vec<ClockOffsetReport>) {
    let total = paired.len();
    let mut listed: Vec<TaskReport> = paired
        .iter()
        .rev()
        .filter(|t| t.outcome() != "success")
        .take(MAX_TASKS)
        .map(|task| {
            let main = task.end.or(task.start).expect("a task has a start or an end");
            let script = task.script();
            let step = script.and_then(|s| rules.pack().step_for_script(s));
            TaskReport {
                task_id: task.task_id().to_string(),
                host: main.host().to_string(),
                component: main.component().to_string(),
                script: script.map(str::to_string),
                step: step.map(|s| s.name.get(options.lang).to_string()),
                start: task.start.and_then(|e| e.timestamp()).map(|t| rfc3339(t, options.timezone)),
                end: task.end.and_then(|e| e.timestamp()).map(|t| rfc3339(t, options.timezone)),
                elapsed_s: task.elapsed().map(|(ms, _)| ms as f64 / 1000.0),
                elapsed_source: task.elapsed().map(|(_, source)| source.into()),
                logged_cost_s: task.logged_cost_ms().map(|ms| ms as f64 / 1000.0),
                outcome: task.outcome().into(),
                clock_skew_suspected: task.clock_skew_suspected,
                evidence: [task.start, task.end]
                    .into_iter()
                    .flatten()
                    .map(|e| super::build::build_evidence(&e.evidence(), options.timezone))
                    .collect(),
            }
        })
        .collect();
    listed.reverse();
    let offsets = offsets
        .iter()
        .map(|o| ClockOffsetReport {
            host: o.host.to_string(),
            reference_host: o.reference_host.to_string(),
            offset_s: o.offset_ms as f64 / 1000.0,
            pairs: o.pairs,
        })
        .collect();
    (listed, total, offsets)
}

/// The groups of `task.clock-skew-suspected`: per host of the end line, the tasks that timed
/// out well under the timeout, with both lines and the elapsed time as evidence.
pub(super) fn clock_skew_groups(
    rules: &CompiledRules,
    options: &ReportOptions,
    paired: &[Task<'_>],
) -> Vec<(GroupKey, Group)> {
    let Some((index, settings)) = rules.pack().rules().iter().enumerate().find_map(|(i, r)| r.tasks.map(|t| (i, t)))
    else {
        return Vec::new();
    };
    let mut groups: std::collections::BTreeMap<(std::sync::Arc<str>, std::sync::Arc<str>), Group> = Default::default();
    for task in paired.iter().filter(|t| t.clock_skew_suspected) {
        let end = task.end.expect("a timed-out task has an end");
        let group = groups.entry((end.component().clone(), end.host().clone())).or_default();
        group.count += 1;
        group.first_seen = group.first_seen.min(end.timestamp()).or(end.timestamp());
        group.last_seen = group.last_seen.max(end.timestamp());
        if group.samples.len() < options.samples.max(1) {
            let mut evidence = end.evidence();
            let (elapsed_ms, source) = task.elapsed().expect("a suspect task has an elapsed time");
            evidence.fields.push(("elapsed_s".into(), format!("{:.3}", elapsed_ms as f64 / 1000.0)));
            evidence.fields.push(("elapsed_source".into(), source.into()));
            evidence.fields.push(("timeout_s".into(), settings.timeout_seconds.to_string()));
            if let Some(start) = task.start {
                let when = start.timestamp().map(|t| rfc3339(t, options.timezone)).unwrap_or_default();
                let start_evidence = start.evidence();
                evidence.fields.push(("start".into(), when));
                evidence.fields.push(("start_line".into(), format!("{}:{}", start_evidence.path, start_evidence.line)));
                evidence.fields.push(("start_text".into(), String::from_utf8_lossy(&start_evidence.text).into_owned()));
                evidence.fields.push(("start_host".into(), start.host().to_string()));
            }
            group.samples.push(evidence);
        }
    }
    groups.into_iter().map(|((component, host), group)| (GroupKey { rule: index, component, host }, group)).collect()
}

/// Every task of the bundle, paired, and the hosts whose clocks look off, when the pack has the
/// task analysis.
pub(super) fn paired_tasks<'a>(outcome: &'a ScanOutcome, rules: &CompiledRules) -> (Vec<Task<'a>>, Vec<ClockOffset>) {
    let Some(settings) = rules.pack().rules().iter().find_map(|r| r.tasks) else { return Default::default() };
    let groups = TaskGroups::new(&outcome.facts.tasks);
    rayon::join(|| pair_tasks(&groups, &settings), || clock_offsets(&groups, &settings))
}

/// One `application.properties` of the bundle, as the configuration checks read it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigFileReport {
    pub path: String,
    pub archive: Option<String>,
    /// The component the file's path names, as for a log (absent in reports of versions before
    /// it, read as `unknown`).
    #[serde(default = "unknown")]
    pub component: String,
    pub host: String,
    pub lines: u64,
    pub crlf_lines: u64,
    pub first_crlf_line: Option<u64>,
    pub bom: bool,
    pub not_utf8_at: Option<usize>,
    pub decodes_as_gbk: Option<bool>,
    pub empty_keys: Vec<EmptyKey>,
}

fn unknown() -> String {
    crate::input::UNKNOWN.to_string()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmptyKey {
    pub key: String,
    pub line: u64,
}

/// Every `application.properties` read, in bundle order.
pub(super) fn config_files(outcome: &ScanOutcome) -> Vec<ConfigFileReport> {
    let mut facts: Vec<_> = outcome.facts.config_files.iter().collect();
    facts.sort_by_key(|f| f.position);
    facts
        .into_iter()
        .map(|f| ConfigFileReport {
            path: f.path.to_string(),
            archive: f.archive.as_deref().map(str::to_string),
            component: f.component.to_string(),
            host: f.host.to_string(),
            lines: f.lines,
            crlf_lines: f.crlf_lines,
            first_crlf_line: f.first_crlf_line,
            bom: f.bom,
            not_utf8_at: f.not_utf8_at,
            decodes_as_gbk: f.decodes_as_gbk,
            empty_keys: f.empty_keys.iter().map(|(key, line)| EmptyKey { key: key.clone(), line: *line }).collect(),
        })
        .collect()
}

/// What the bundle holds, and what the manual says it should hold but does not.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Coverage {
    pub logs: Vec<LogCoverageReport>,
    pub missing: Vec<MissingLog>,
    /// With `--since`/`--until`: the logs whose span does not cover the window.
    pub uncovered: Vec<UncoveredLog>,
}

/// A log whose timestamps do not span the `--since`/`--until` window: events of the window may
/// be missing from the bundle, not absent from the host.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UncoveredLog {
    pub component: String,
    pub host: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// `outside`: no event of the log is in the window; `partial`: the log begins or ends inside
    /// it (an error log may simply have been quiet).
    pub overlap: Cow<'static, str>,
    pub reason: Cow<'static, str>,
}

/// The logs of one component on one host.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogCoverageReport {
    pub component: String,
    pub host: String,
    pub files: Vec<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub events: u64,
}

/// A log the manual says should be there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MissingLog {
    pub component: String,
    pub host: String,
    pub expected: String,
}

/// The logs read per component and host; missing: the `common-error.log` of every app that has
/// other logs on a host, and the agent log of every business host (a host with an app's
/// `application.properties`), or of any host when the bundle has no agent log and no business
/// host; uncovered: the logs that do not span the window.
pub(super) fn coverage(outcome: &ScanOutcome, options: &ReportOptions) -> Coverage {
    let stamp = |t: Option<crate::event::Timestamp>| t.map(|t| rfc3339(t, options.timezone));
    let logs = outcome
        .facts
        .coverage
        .iter()
        .map(|((component, host), cov)| LogCoverageReport {
            component: component.to_string(),
            host: host.to_string(),
            files: cov.files.iter().map(|f| f.to_string()).collect(),
            first_seen: stamp(cov.first),
            last_seen: stamp(cov.last),
            events: cov.events,
        })
        .collect();
    let mut missing: Vec<MissingLog> = outcome
        .facts
        .coverage
        .iter()
        .filter(|((component, _), cov)| !matches!(&**component, "unknown" | "staragent") && !cov.has_common_error)
        .map(|((component, host), _)| MissingLog {
            component: component.to_string(),
            host: host.to_string(),
            expected: expected_error_log(component),
        })
        .collect();
    let agent_hosts: BTreeSet<&str> =
        outcome.facts.coverage.keys().filter(|(component, _)| &**component == "staragent").map(|(_, h)| &**h).collect();
    let business_hosts: BTreeSet<&str> =
        outcome.facts.config_files.iter().map(|f| &*f.host).filter(|host| *host != UNKNOWN).collect();
    for host in business_hosts.iter().filter(|host| !agent_hosts.contains(*host)) {
        missing.push(MissingLog { component: "staragent".into(), host: host.to_string(), expected: AGENT_LOG.into() });
    }
    let read_something = !outcome.facts.coverage.is_empty() || !outcome.facts.config_files.is_empty();
    if agent_hosts.is_empty() && business_hosts.is_empty() && read_something {
        missing.push(MissingLog {
            component: "staragent".into(),
            host: "any business host".into(),
            expected: AGENT_LOG.into(),
        });
    }
    let mut uncovered = outcome
        .facts
        .coverage
        .iter()
        .filter_map(|((component, host), cov)| {
            let gap = window_gap(cov.first, cov.last, options.since, options.until)?;
            Some(UncoveredLog {
                component: component.to_string(),
                host: host.to_string(),
                first_seen: stamp(cov.first),
                last_seen: stamp(cov.last),
                overlap: if gap.outside { "outside" } else { "partial" }.into(),
                reason: gap.reason.into(),
            })
        })
        .collect::<Vec<_>>();
    // Logs outside the window first: they are the ones that cannot tell anything about it.
    uncovered.sort_by_key(|u| u.overlap != "outside");
    Coverage { logs, missing, uncovered }
}
