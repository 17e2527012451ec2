//! The report's release chains: the matched events and task lines of one release order or task,
//! in time order, with the first failing hop; and, on the findings, `caused_by`: the finding of
//! the first failing hop of a chain that a later finding belongs to, so a ticket names the root
//! and not its echoes.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::build::{Evidence, Finding, ReportOptions, build_evidence, fingerprint};
use crate::analyze::{ChainHop, ChainKeys, Outcome, Task, TaskId, TaskLine, link};
use crate::classify::{Evidence as RawEvidence, Position};
use crate::event::Timestamp;
use crate::rules::{CompiledRules, Role};
use crate::scan::ScanOutcome;

/// The most chains a report lists (by time of their first failure).
pub(super) const MAX_CHAINS: usize = 200;
/// The most hops listed per chain (the earliest, and the first failing one).
const MAX_HOPS: usize = 50;

/// The events of one release order or task, across services.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChainReport {
    /// The release order number, or `task <id>` for a task of no known order.
    pub id: String,
    pub order_ids: Vec<String>,
    pub task_ids: Vec<String>,
    /// The components the chain passes through, in order of their first hop.
    pub components: Vec<String>,
    /// Index in `hops` of the first failing hop.
    pub first_failure: Option<usize>,
    /// The fingerprint of the finding at the first failing hop.
    pub root: Option<String>,
    pub hops_total: usize,
    pub hops: Vec<HopReport>,
}

/// One event of a chain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HopReport {
    pub component: String,
    pub host: String,
    pub order_id: Option<String>,
    pub task_id: Option<String>,
    /// The findings this event is evidence of.
    pub faults: Vec<HopFault>,
    /// `start` or `end` when the event starts or ends a task.
    pub task: Option<Cow<'static, str>>,
    /// How the task ended, for an end.
    pub outcome: Option<Cow<'static, str>>,
    /// A finding, or a task that ended in failure or timeout.
    pub failing: bool,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HopFault {
    pub fault: String,
    pub fingerprint: String,
}

/// One event, merged from the finding hops and task lines at its position.
struct Hop<'a> {
    timestamp: Timestamp,
    component: &'a str,
    host: &'a str,
    order_id: Option<&'a str>,
    task_id: Option<TaskId>,
    /// Which task of that id: its index among the paired tasks (one id can be several tasks on
    /// other hosts), or `usize::MAX` when no start or end of it was read.
    task_index: usize,
    /// (severity rank, fault, fingerprint), most severe first.
    faults: Vec<(std::cmp::Reverse<crate::rules::Severity>, String, String)>,
    task: Option<(Role, Option<Outcome>)>,
    evidence: Cow<'a, RawEvidence>,
}

impl Hop<'_> {
    fn failing(&self) -> bool {
        !self.faults.is_empty() || matches!(self.task, Some((Role::TaskEnd, Some(Outcome::Timeout | Outcome::Failed))))
    }
}

/// The chains of the bundle (those of two hops or more with a failing hop, at most
/// [`MAX_CHAINS`]), every such chain counted; and sets `caused_by` on the findings that follow
/// from an earlier one.
pub(super) fn chains(
    outcome: &ScanOutcome,
    rules: &CompiledRules,
    options: &ReportOptions,
    paired: &[Task<'_>],
    findings: &mut [Finding],
) -> (Vec<ChainReport>, usize) {
    let hops = merged_hops(outcome, rules, paired);
    let keys: Vec<ChainKeys> = hops.iter().map(|h| (h.order_id, h.task_id.map(|id| (id, h.task_index)))).collect();
    let mut by_chain: BTreeMap<usize, Vec<&Hop>> = BTreeMap::new();
    for (hop, chain) in hops.iter().zip(link(&keys)) {
        if let Some(chain) = chain {
            by_chain.entry(chain).or_default().push(hop);
        }
    }
    let mut chains: Vec<Vec<&Hop>> =
        by_chain.into_values().filter(|hops| hops.len() >= 2 && hops.iter().any(|h| h.failing())).collect();
    for chain in &mut chains {
        chain.sort_by_key(|h| (h.timestamp, h.evidence.position));
    }
    let first_failure = |chain: &[&Hop]| chain.iter().position(|h| h.failing()).expect("a listed chain fails");
    chains.sort_by_key(|chain| {
        let hop = chain[first_failure(chain)];
        (hop.timestamp, hop.evidence.position)
    });
    mark_consequences(&chains, findings);
    let total = chains.len();
    let listed =
        chains.iter().take(MAX_CHAINS).map(|chain| chain_report(chain, first_failure(chain), options)).collect();
    (listed, total)
}

/// The finding hops of the scan and the start and end lines of the tasks they name, merged by
/// position (a task's end line can be a finding too); only events with a timestamp can be
/// ordered. A finding names a task id; where the id is several tasks (on other hosts), it belongs
/// to the one with a line on its host, else to the one nearest in time.
fn merged_hops<'a>(outcome: &'a ScanOutcome, rules: &CompiledRules, paired: &[Task<'a>]) -> Vec<Hop<'a>> {
    let finding_hops = outcome.facts.chain_hops.hops();
    let tasks_of = tasks_named(finding_hops, paired);
    let task_of = |id: TaskId, host: &str, millis: i64| -> usize {
        let Some(candidates) = tasks_of.get(&id) else { return usize::MAX };
        let lines = |t: &Task<'a>| [t.start, t.end].into_iter().flatten().collect::<Vec<TaskLine<'a>>>();
        let distance = |t: &Task<'a>| {
            lines(t).iter().filter_map(|l| l.timestamp()).map(|ts| (ts.local_millis() - millis).abs()).min()
        };
        *candidates
            .iter()
            .min_by_key(|i| {
                let task = &paired[**i];
                (!lines(task).iter().any(|l| &**l.host() == host), distance(task).unwrap_or(i64::MAX), **i)
            })
            .expect("an id with tasks has one")
    };
    let skewed: HashSet<Position> =
        paired.iter().filter(|t| t.clock_skew_suspected).filter_map(|t| t.end.map(|e| e.position())).collect();
    let skew_rule = rules.pack().rules().iter().find(|r| r.tasks.is_some());
    let mut merged: HashMap<Position, Hop<'a>> = HashMap::new();
    let new_hop = |timestamp, component, host, evidence| Hop {
        timestamp,
        component,
        host,
        order_id: None,
        task_id: None,
        task_index: usize::MAX,
        faults: Vec::new(),
        task: None,
        evidence,
    };
    for hop in finding_hops {
        let Some(timestamp) = hop.evidence.timestamp else { continue };
        let entry = merged
            .entry(hop.evidence.position)
            .or_insert_with(|| new_hop(timestamp, &*hop.component, &*hop.host, Cow::Borrowed(&hop.evidence)));
        entry.order_id = entry.order_id.or(hop.order_id.as_deref());
        if let (None, Some(id)) = (entry.task_id, hop.task_id) {
            entry.task_id = Some(id);
            entry.task_index = task_of(id, &hop.host, timestamp.local_millis());
        }
        entry.faults.push(fault_of(rules, hop));
    }
    let named: std::collections::BTreeSet<usize> =
        merged.values().map(|h| h.task_index).filter(|i| *i != usize::MAX).collect();
    for index in named {
        let task = &paired[index];
        for line in [task.start, task.end].into_iter().flatten() {
            let Some(timestamp) = line.timestamp() else { continue };
            let entry = merged.entry(line.position()).or_insert_with(|| {
                new_hop(timestamp, &**line.component(), &**line.host(), Cow::Owned(line.evidence()))
            });
            entry.task_id = Some(line.task_id());
            entry.task_index = index;
            entry.task = Some((line.role(), line.outcome()));
            if let Some(rule) = skew_rule.filter(|_| skewed.contains(&line.position())) {
                add_skew_fault(entry, rule, &line);
            }
        }
    }
    let mut hops: Vec<Hop<'a>> = merged.into_values().collect();
    for hop in &mut hops {
        hop.faults.sort();
        hop.faults.dedup();
    }
    // Linking numbers chains by first hop: sort first, so numbers do not depend on hashing.
    hops.sort_by_key(|h| (h.timestamp, h.evidence.position));
    hops
}

/// The indexes in `paired` of the tasks of each id the finding hops name. Hundreds of thousands
/// of tasks are looked up in the few ids findings name: a SipHash look-up each, in one loop,
/// took 11 ms of 343,052 tasks; a foldhash one in parallel takes 3 ms of 393,711 on 2 threads,
/// 5 on 1.
fn tasks_named(finding_hops: &[ChainHop], paired: &[Task<'_>]) -> foldhash::HashMap<TaskId, Vec<usize>> {
    let wanted: foldhash::HashSet<TaskId> = finding_hops.iter().filter_map(|h| h.task_id).collect();
    let named: Vec<usize> = if wanted.is_empty() {
        Vec::new()
    } else {
        paired.par_iter().enumerate().filter(|(_, t)| wanted.contains(&t.task_id())).map(|(i, _)| i).collect()
    };
    let mut tasks_of = foldhash::HashMap::<TaskId, Vec<usize>>::default();
    for index in named {
        tasks_of.entry(paired[index].task_id()).or_default().push(index);
    }
    tasks_of
}

fn fault_of(rules: &CompiledRules, hop: &ChainHop) -> (std::cmp::Reverse<crate::rules::Severity>, String, String) {
    let rule = rules.rule(hop.rule);
    (std::cmp::Reverse(rule.severity), rule.id.to_string(), fingerprint(rule.id.as_str(), &hop.component, &hop.host))
}

fn add_skew_fault(hop: &mut Hop<'_>, rule: &crate::rules::Rule, end: &TaskLine<'_>) {
    hop.faults.push((
        std::cmp::Reverse(rule.severity),
        rule.id.to_string(),
        fingerprint(rule.id.as_str(), end.component(), end.host()),
    ));
}

/// For each finding seen at a later hop of a chain whose first failing hop is another finding
/// (the root), a vote that it follows from the root; each finding takes the root with the most
/// votes (then the earliest) and then that root's own root, so a ticket names the first cause.
/// A root must have been seen before its consequence (first seen, then fingerprint), which also
/// rules out cycles; analysis findings are never consequences. This is an inference from the order of events,
/// and the report says so.
fn mark_consequences(chains: &[Vec<&Hop>], findings: &mut [Finding]) {
    let first_seen: HashMap<&str, (Option<&str>, &str)> =
        findings.iter().map(|f| (f.fingerprint.as_str(), (f.first_seen.as_deref(), f.fingerprint.as_str()))).collect();
    // An analysis (a quick timeout that suggests skewed clocks) judges how events relate; it
    // explains a failure rather than echoing it, so it is never marked as a consequence.
    let judgements: HashSet<&str> =
        findings.iter().filter(|f| f.kind == "analysis").map(|f| f.fingerprint.as_str()).collect();
    // (consequence, root) -> (votes, first chain id)
    let mut votes: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    for chain in chains {
        let first = chain.iter().position(|h| h.failing()).expect("a listed chain fails");
        let Some((_, _, root)) = chain[first].faults.first() else { continue };
        let at_root: HashSet<&str> = chain[first].faults.iter().map(|(_, _, fp)| fp.as_str()).collect();
        let mut counted: HashSet<&str> = HashSet::new();
        for hop in &chain[first + 1..] {
            for (_, _, fp) in &hop.faults {
                if at_root.contains(fp.as_str()) || judgements.contains(fp.as_str()) || !counted.insert(fp) {
                    continue;
                }
                let entry = votes.entry((fp.clone(), root.clone())).or_insert((0, chain_id(chain)));
                entry.0 += 1;
            }
        }
    }
    // consequence -> (votes, the root's (first seen, fingerprint), root, chain)
    type Choice<'f> = (usize, (Option<&'f str>, &'f str), String, String);
    let mut cause: HashMap<String, Choice> = HashMap::new();
    for ((consequence, root), (count, chain)) in votes {
        let (Some(&c), Some(&r)) = (first_seen.get(consequence.as_str()), first_seen.get(root.as_str())) else {
            continue;
        };
        // A root seen after its consequence cannot be its cause; this also rules out cycles.
        if r.0.is_none() || c.0.is_none() || r >= c {
            continue;
        }
        let better =
            cause.get(&consequence).is_none_or(|(votes, key, _, _)| count > *votes || (count == *votes && r < *key));
        if better {
            cause.insert(consequence, (count, r, root, chain));
        }
    }
    let cause: HashMap<String, (String, String)> =
        cause.into_iter().map(|(consequence, (_, _, root, chain))| (consequence, (root, chain))).collect();
    for finding in findings.iter_mut() {
        let mut current = finding.fingerprint.clone();
        // The chain of the last link: the one whose first failure is the root.
        let mut root_chain = None;
        for _ in 0..16 {
            let Some((root, chain)) = cause.get(&current) else { break };
            root_chain = Some(chain.clone());
            current = root.clone();
        }
        if current != finding.fingerprint {
            finding.caused_by = Some(current);
            finding.caused_by_chain = root_chain;
        }
    }
}

/// The name of a chain: its first release order number, else its first task.
fn chain_id(chain: &[&Hop]) -> String {
    chain
        .iter()
        .find_map(|h| h.order_id)
        .map(str::to_string)
        .or_else(|| chain.iter().find_map(|h| h.task_id).map(|t| format!("task {t}")))
        .unwrap_or_default()
}

fn chain_report(chain: &[&Hop], first_failure: usize, options: &ReportOptions) -> ChainReport {
    let mut order_ids: Vec<String> = Vec::new();
    let mut task_ids: Vec<String> = Vec::new();
    let mut components: Vec<String> = Vec::new();
    for hop in chain {
        let task = hop.task_id.map(|id| id.to_string());
        for (list, value) in
            [(&mut order_ids, hop.order_id), (&mut task_ids, task.as_deref()), (&mut components, Some(hop.component))]
        {
            if let Some(value) = value.filter(|v| !list.iter().any(|x| x == v)) {
                list.push(value.to_string());
            }
        }
    }
    let mut shown: Vec<usize> = (0..chain.len().min(MAX_HOPS)).collect();
    if first_failure >= MAX_HOPS {
        shown.push(first_failure);
    }
    ChainReport {
        id: chain_id(chain),
        order_ids,
        task_ids,
        components,
        first_failure: shown.iter().position(|i| *i == first_failure),
        root: chain[first_failure].faults.first().map(|(_, _, fp)| fp.clone()),
        hops_total: chain.len(),
        hops: shown.into_iter().map(|i| hop_report(chain[i], options)).collect(),
    }
}

fn hop_report(hop: &Hop, options: &ReportOptions) -> HopReport {
    HopReport {
        component: hop.component.to_string(),
        host: hop.host.to_string(),
        order_id: hop.order_id.map(str::to_string),
        task_id: hop.task_id.map(|id| id.to_string()),
        faults: hop
            .faults
            .iter()
            .map(|(_, fault, fp)| HopFault { fault: fault.clone(), fingerprint: fp.clone() })
            .collect(),
        task: hop.task.map(|(role, _)| if role == Role::TaskStart { "start" } else { "end" }.into()),
        outcome: hop.task.and_then(|(_, outcome)| outcome).map(|o| o.as_str().into()),
        failing: hop.failing(),
        evidence: build_evidence(&hop.evidence, options.timezone),
    }
}
