//! The report's view of the analyses across events: error-rate alert runs become
//! `alert.error-rate` findings, and the commands agents ran become the `exeurls` list.

use serde::Serialize;

use super::build::{ReportOptions, rfc3339};
use crate::analyze::{AlertRun, Gap, alert_runs, gaps};
use crate::classify::{Evidence as RawEvidence, Group, GroupKey};
use crate::rules::{CompiledRules, Lang};
use crate::scan::ScanOutcome;

/// A command an agent ran (manual 2.6.5): the `exeurl` field without `cmd://`.
#[derive(Debug, Clone, Serialize)]
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
