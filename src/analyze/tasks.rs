//! Task timing (manual 2.5): each task's start and end, paired by task id across files and hosts
//! (sent by the executor, received and ended by the agent). "When the task took clearly less than
//! 90 s" yet reports a timeout, the clocks of the executor and the database, or of acstarserver2
//! and the host, are suspect. Where one task is logged on two hosts, the difference of their
//! timestamps estimates how far one host's clock is off the other's.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use aho_corasick::AhoCorasick;
use memchr::memmem::Finder;

use crate::classify::Evidence;
use crate::rules::{Role, Tasks};

/// How a task ended, as its end line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Timeout,
    Failed,
    Success,
    Unknown,
}

/// The words that tell an outcome, each with the outcome it tells; searched in one pass.
const OUTCOME_WORDS: &[(&str, Outcome)] = &[
    ("runtimeout", Outcome::Timeout),
    ("run time out", Outcome::Timeout),
    ("timed out", Outcome::Timeout),
    ("timeout ", Outcome::Timeout),
    ("超时", Outcome::Timeout),
    ("fail", Outcome::Failed),
    ("error", Outcome::Failed),
    ("失败", Outcome::Failed),
    ("success", Outcome::Success),
    ("succeed", Outcome::Success),
    ("status=ok", Outcome::Success),
    ("done", Outcome::Success),
    ("成功", Outcome::Success),
];

static OUTCOME_SEARCH: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(OUTCOME_WORDS.iter().map(|(word, _)| word))
        .expect("the outcome words build an automaton")
});

impl Outcome {
    /// Reads the outcome from an end event's text: a timeout word wins over a failure word,
    /// which wins over a success word.
    pub fn of(text: &[u8]) -> Outcome {
        OUTCOME_SEARCH
            .find_overlapping_iter(text)
            .map(|m| OUTCOME_WORDS[m.pattern().as_usize()].1)
            .min()
            .unwrap_or(Outcome::Unknown)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Timeout => "timeout",
            Outcome::Failed => "failed",
            Outcome::Success => "success",
            Outcome::Unknown => "unknown",
        }
    }
}

/// A line that starts or ends a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskEvent {
    pub task_id: String,
    pub role: Role,
    pub component: Arc<str>,
    pub host: Arc<str>,
    /// The header line, with the fields the rule captured (`task_id`, `script`, `cost_ms`, ...).
    pub evidence: Evidence,
    /// For an end: how the task ended.
    pub outcome: Option<Outcome>,
    /// The script the line names, if any.
    pub script: Option<Box<str>>,
    /// The duration the line logs (`cost=...ms`), if any.
    pub cost_ms: Option<i64>,
}

impl TaskEvent {
    fn millis(&self) -> Option<i64> {
        self.evidence.timestamp.map(|t| t.local_millis())
    }
}

/// The task id a line names: the digits (5 or more) after `task`, `job`, `taskId`, `jobId`,
/// `"taskId":"` and the like, read without regexes: task lines are many.
pub fn header_task_id(header: &[u8]) -> Option<String> {
    static KEYS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["task", "job"])
            .expect("two words build an automaton")
    });
    for found in KEYS.find_iter(header) {
        if found.start() > 0 && header[found.start() - 1].is_ascii_alphabetic() {
            continue;
        }
        let mut at = found.end();
        let separated = usize::from(header.get(at) == Some(&b'_'));
        if header.get(at + separated..at + separated + 2).is_some_and(|id| id.eq_ignore_ascii_case(b"id")) {
            at += separated + 2;
        }
        at += header[at..].iter().take_while(|b| matches!(b, b' ' | b'=' | b':' | b'#' | b'"' | b'_')).count();
        let digits = header[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits >= 5 {
            return Some(String::from_utf8_lossy(&header[at..at + digits]).into_owned());
        }
    }
    None
}

/// The script (`/home/admin/bin/x.py`) and logged cost (`cost=11551ms`) of a task line, read
/// without regexes: task lines are many.
pub fn task_details(text: &[u8]) -> (Option<Box<str>>, Option<i64>) {
    static SCRIPT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"/home/admin/bin/"));
    static COST: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"cost="));
    let script = SCRIPT.find(text).map(|at| {
        let len = text[at..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b',' | b';' | b'\''))
            .unwrap_or(text.len() - at);
        String::from_utf8_lossy(&text[at..at + len]).into()
    });
    let cost = COST.find(text).and_then(|at| {
        let digits = &text[at + 5..];
        let digits = &digits[digits.iter().take_while(|b| **b == b' ').count()..];
        let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
        (n > 0 && digits[n..].starts_with(b"ms"))
            .then(|| std::str::from_utf8(&digits[..n]).ok()?.parse().ok())
            .flatten()
    });
    (script, cost)
}

/// A task id's value, for sorting (ids that are not numbers sort last, by their text after).
fn id_value(task_id: &str) -> (u64, &str) {
    (task_id.parse().unwrap_or(u64::MAX), task_id)
}

/// One task, its start and end paired.
#[derive(Debug, Clone, PartialEq)]
pub struct Task<'a> {
    pub task_id: &'a str,
    pub start: Option<&'a TaskEvent>,
    pub end: Option<&'a TaskEvent>,
    /// Elapsed milliseconds, and where they come from: `timestamps` (end minus start) or
    /// `logged cost` (a `cost=...ms` of the end line, when a timestamp is missing).
    pub elapsed: Option<(i64, &'static str)>,
    /// The duration the end line logs, when it logs one.
    pub logged_cost_ms: Option<i64>,
    /// `timeout`, `failed`, `success`, `unknown`, or `unfinished` (no end).
    pub outcome: &'static str,
    pub clock_skew_suspected: bool,
    pub script: Option<&'a str>,
}

/// The task lines of the bundle grouped by task: by task id, then split where one id was used by
/// unrelated tasks (see `split_duplicates`). Each group is in time order.
pub fn task_groups<'a>(events: impl IntoIterator<Item = &'a TaskEvent>) -> Vec<Vec<&'a TaskEvent>> {
    let mut sorted: Vec<&TaskEvent> = events.into_iter().collect();
    // Task ids are digits: sorting by their value compares integers, not strings.
    sorted.sort_by_cached_key(|e| (id_value(&e.task_id), e.evidence.timestamp, e.evidence.position));
    let mut groups = Vec::new();
    for list in sorted.chunk_by(|a, b| a.task_id == b.task_id) {
        if list.iter().all(|e| e.host == list[0].host) {
            groups.push(list.to_vec());
        } else {
            groups.extend(split_duplicates(list));
        }
    }
    groups
}

/// Whether a line was logged by the agent that runs tasks (the receiving side).
fn is_agent(event: &TaskEvent) -> bool {
    &*event.component == "staragent"
}

/// The lines of one task id logged on several hosts, split into tasks. One task is logged by at
/// most one sender (executor, orchestration, acstarserver2) and one agent: with at most one host
/// of each kind, all lines are one task. With more, the id was reused (two environments in one
/// bundle, an id counter reset): each host's lines are a task of their own, and each sender host
/// is joined to the agent host whose first line is nearest in time to its own.
fn split_duplicates<'a>(list: &[&'a TaskEvent]) -> Vec<Vec<&'a TaskEvent>> {
    let mut by_host: BTreeMap<(bool, &str), Vec<&'a TaskEvent>> = BTreeMap::new();
    for event in list {
        by_host.entry((is_agent(event), &event.host)).or_default().push(event);
    }
    let senders = by_host.keys().filter(|(agent, _)| !agent).count();
    if senders <= 1 && by_host.len() - senders <= 1 {
        return vec![list.to_vec()];
    }
    let first_millis = |lines: &[&TaskEvent]| lines.iter().find_map(|e| e.millis());
    let mut agents: Vec<Option<Vec<&'a TaskEvent>>> = Vec::new();
    let mut sending: Vec<Vec<&'a TaskEvent>> = Vec::new();
    for ((agent, _), lines) in by_host {
        if agent { agents.push(Some(lines)) } else { sending.push(lines) }
    }
    // Closest pairs first, so that one far-off host does not take another's partner.
    let mut candidates: Vec<(i64, usize, usize)> = Vec::new();
    for (s, sender) in sending.iter().enumerate() {
        for (a, agent) in agents.iter().enumerate() {
            if let (Some(x), Some(y)) = (first_millis(sender), agent.as_deref().and_then(first_millis)) {
                candidates.push(((x - y).abs(), s, a));
            }
        }
    }
    candidates.sort_unstable();
    let mut partner: Vec<Option<usize>> = vec![None; sending.len()];
    for (_, s, a) in candidates {
        if partner[s].is_none() && agents[a].is_some() && !partner.contains(&Some(a)) {
            partner[s] = Some(a);
        }
    }
    let mut groups: Vec<Vec<&'a TaskEvent>> = Vec::new();
    for (mut lines, partner) in sending.into_iter().zip(&partner) {
        if let Some(a) = partner {
            lines.extend(agents[*a].take().unwrap_or_default());
        }
        groups.push(lines);
    }
    groups.extend(agents.into_iter().flatten());
    for group in &mut groups {
        group.sort_by_key(|e| (e.evidence.timestamp, e.evidence.position));
    }
    groups
}

/// Pairs starts and ends of each task (see [`task_groups`]): the earliest start with the last
/// end. Tasks in order of their start (tasks without a start last).
pub fn pair_tasks<'a>(events: impl IntoIterator<Item = &'a TaskEvent>, settings: &Tasks) -> Vec<Task<'a>> {
    let mut tasks: Vec<Task> = task_groups(events)
        .iter()
        .map(|list| {
            let start = list.iter().copied().find(|e| e.role == Role::TaskStart);
            let end = list.iter().copied().rev().find(|e| e.role == Role::TaskEnd);
            pair(&list[0].task_id, start, end, settings)
        })
        .collect();
    tasks.sort_by_key(|t| (t.start.is_none(), t.start.and_then(TaskEvent::millis), t.task_id));
    tasks
}

fn pair<'a>(task_id: &'a str, start: Option<&'a TaskEvent>, end: Option<&'a TaskEvent>, settings: &Tasks) -> Task<'a> {
    let logged_cost_ms = end.and_then(|e| e.cost_ms);
    let by_timestamps = match (start.and_then(TaskEvent::millis), end.and_then(TaskEvent::millis)) {
        (Some(s), Some(e)) => Some((e - s, "timestamps")),
        _ => None,
    };
    let elapsed = by_timestamps.or(logged_cost_ms.map(|c| (c, "logged cost")));
    let outcome = match end {
        None => "unfinished",
        Some(end) => end.outcome.unwrap_or(Outcome::Unknown).as_str(),
    };
    let limit_ms = f64::from(settings.timeout_seconds) * 1000.0 * settings.skew_ratio;
    let clock_skew_suspected = outcome == "timeout" && elapsed.is_some_and(|(ms, _)| (ms as f64) < limit_ms);
    let script = [start, end].into_iter().flatten().find_map(|e| e.script.as_deref());
    Task { task_id, start, end, elapsed, logged_cost_ms, outcome, clock_skew_suspected, script }
}

/// How far one host's clock is estimated to be off another's.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockOffset {
    pub host: Arc<str>,
    /// The host it is compared with (the one that sent the tasks).
    pub reference_host: Arc<str>,
    /// Median of (this host's timestamp - the reference host's) over the tasks both logged.
    pub offset_ms: i64,
    pub pairs: usize,
}

/// For every pair of hosts that logged the start of the same tasks (an executor sending, an
/// agent receiving), the median difference of their timestamps; only offsets beyond the
/// pack's `max_offset_seconds` are returned. A receipt logged before its send is impossible
/// without a clock off.
pub fn clock_offsets<'a>(events: impl IntoIterator<Item = &'a TaskEvent>, settings: &Tasks) -> Vec<ClockOffset> {
    let starts = events.into_iter().filter(|e| e.role == Role::TaskStart && e.evidence.timestamp.is_some());
    let mut differences: BTreeMap<(Arc<str>, Arc<str>), Vec<i64>> = BTreeMap::new();
    for list in task_groups(starts) {
        let Some(sender) = list.iter().find(|e| !is_agent(e)) else { continue };
        for receiver in list.iter().filter(|e| is_agent(e) && e.host != sender.host) {
            if let (Some(r), Some(s)) = (receiver.millis(), sender.millis()) {
                differences.entry((receiver.host.clone(), sender.host.clone())).or_default().push(r - s);
            }
        }
    }
    let limit_ms = i64::from(settings.max_offset_seconds) * 1000;
    differences
        .into_iter()
        .filter_map(|((host, reference_host), mut diffs)| {
            diffs.sort_unstable();
            let offset_ms = diffs[diffs.len() / 2];
            (offset_ms.abs() > limit_ms).then_some(ClockOffset { host, reference_host, offset_ms, pairs: diffs.len() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Timestamp;

    const SETTINGS: Tasks = Tasks { timeout_seconds: 90, skew_ratio: 0.5, max_offset_seconds: 5 };

    fn event(
        task: &str,
        role: Role,
        host: &str,
        component: &str,
        ms: i64,
        text: &str,
        cost: Option<&str>,
    ) -> TaskEvent {
        let mut fields = vec![("task_id".to_string(), task.to_string())];
        if let Some(cost) = cost {
            fields.push(("cost_ms".to_string(), cost.to_string()));
        }
        TaskEvent {
            task_id: task.into(),
            role,
            component: component.into(),
            host: host.into(),
            evidence: Evidence {
                position: (0, 0, ms as u64),
                path: "p".into(),
                line: 1,
                timestamp: Some(Timestamp::from_local_millis(ms)),
                text: text.as_bytes().to_vec(),
                fields,
                ..Evidence::empty()
            },
            outcome: (role == Role::TaskEnd).then(|| Outcome::of(text.as_bytes())),
            script: None,
            cost_ms: cost.map(|c| c.parse().unwrap()),
        }
    }

    #[test]
    fn task_ids() {
        assert_eq!(header_task_id(b"recv task jobId=10390847 exeurl=cmd://x").as_deref(), Some("10390847"));
        assert_eq!(header_task_id(br#"job 10390847 {"exeurl":"cmd://x"}"#).as_deref(), Some("10390847"));
        assert_eq!(header_task_id(br#"{"taskId":"10390850"}"#).as_deref(), Some("10390850"));
        assert_eq!(header_task_id(b"task_id=10390851 end").as_deref(), Some("10390851"));
        assert_eq!(header_task_id(b"subtask 12345 of 3").as_deref(), None);
        assert_eq!(header_task_id(b"task 1 of 3").as_deref(), None);
        assert_eq!(header_task_id(b"no id here").as_deref(), None);
    }

    #[test]
    fn outcomes() {
        assert_eq!(Outcome::of(b"status=FAILED reason=python runtimeout"), Outcome::Timeout);
        assert_eq!(Outcome::of(b"status=FAILED exit 1"), Outcome::Failed);
        assert_eq!(Outcome::of(b"status=SUCCESS"), Outcome::Success);
        assert_eq!(Outcome::of(b"end"), Outcome::Unknown);
    }

    #[test]
    fn a_quick_timeout_is_suspect_a_slow_one_is_not() {
        let events = [
            event("1", Role::TaskStart, "exec", "acopswareexecutor", 0, "task 1 start", None),
            event(
                "1",
                Role::TaskEnd,
                "exec",
                "acopswareexecutor",
                11_551,
                "task 1 end reason=python runtimeout",
                Some("11551"),
            ),
            event("2", Role::TaskStart, "exec", "acopswareexecutor", 1_000, "task 2 start", None),
            event("2", Role::TaskEnd, "exec", "acopswareexecutor", 91_000, "task 2 end python runtimeout", None),
            event("3", Role::TaskStart, "exec", "acopswareexecutor", 2_000, "task 3 start", None),
        ];
        let tasks = pair_tasks(&events, &SETTINGS);
        let shape: Vec<_> = tasks.iter().map(|t| (t.task_id, t.outcome, t.elapsed, t.clock_skew_suspected)).collect();
        assert_eq!(
            shape,
            [
                ("1", "timeout", Some((11_551, "timestamps")), true),
                ("2", "timeout", Some((90_000, "timestamps")), false),
                ("3", "unfinished", None, false),
            ]
        );
        assert_eq!(tasks[0].logged_cost_ms, Some(11_551));
    }

    #[test]
    fn one_id_reused_on_other_hosts_is_another_task() {
        let hour = 3_600_000;
        let events = [
            event("7", Role::TaskStart, "exec-a", "acopswareexecutor", 0, "task 7 start", None),
            event("7", Role::TaskStart, "app-7", "staragent", 100, "recv task 7", None),
            event("7", Role::TaskEnd, "app-7", "staragent", 10_000, "task 7 result: success", None),
            event("7", Role::TaskStart, "exec-b", "acopswareexecutor", hour, "task 7 start", None),
            event("7", Role::TaskStart, "app-8", "staragent", hour + 50, "recv task 7", None),
            event("7", Role::TaskEnd, "app-8", "staragent", hour + 100_000, "task 7 result: runtimeout", None),
        ];
        let tasks = pair_tasks(&events, &SETTINGS);
        let shape: Vec<_> = tasks
            .iter()
            .map(|t| (&*t.start.unwrap().host, &*t.end.unwrap().host, t.elapsed.unwrap().0, t.outcome))
            .collect();
        assert_eq!(shape, [("exec-a", "app-7", 10_000, "success"), ("exec-b", "app-8", 100_000, "timeout")]);
        // A sender and a receiver alone are one task, however far apart their clocks are.
        let pair_only = [events[0].clone(), events[2].clone()];
        assert_eq!(pair_tasks(&pair_only, &SETTINGS).len(), 1);
        // Each agent pairs with the executor nearest in time: no offset is estimated across them.
        assert!(clock_offsets(&events, &SETTINGS).is_empty());
    }

    #[test]
    fn logged_cost_stands_in_for_a_missing_start() {
        let events =
            [event("9", Role::TaskEnd, "exec", "acopswareexecutor", 5_000, "task 9 end runtimeout", Some("30000"))];
        let tasks = pair_tasks(&events, &SETTINGS);
        assert_eq!((tasks[0].elapsed, tasks[0].clock_skew_suspected), (Some((30_000, "logged cost")), true));
    }

    #[test]
    fn a_receipt_before_its_send_shows_a_clock_off() {
        let mut events = Vec::new();
        for (i, skew) in [-20_000, -21_000, -19_500].iter().enumerate() {
            let sent = i as i64 * 60_000;
            events.push(event(
                &i.to_string(),
                Role::TaskStart,
                "10.0.0.1",
                "acopswareexecutor",
                sent,
                "dispatch",
                None,
            ));
            events.push(event(&i.to_string(), Role::TaskStart, "app-7", "staragent", sent + skew, "recv", None));
        }
        let offsets = clock_offsets(&events, &SETTINGS);
        assert_eq!(offsets.len(), 1);
        assert_eq!(
            (&*offsets[0].host, &*offsets[0].reference_host, offsets[0].offset_ms, offsets[0].pairs),
            ("app-7", "10.0.0.1", -20_000, 3)
        );
        let on_time: Vec<TaskEvent> = events.iter().filter(|e| &*e.host == "10.0.0.1").cloned().collect();
        assert!(clock_offsets(&on_time, &SETTINGS).is_empty());
    }
}
