//! Task timing (manual 2.5): each task's start and end, paired by task id across files and hosts
//! (sent by the executor, received and ended by the agent). "When the task took clearly less than
//! 90 s" yet reports a timeout, the clocks of the executor and the database, or of acstarserver2
//! and the host, are suspect. Where one task is logged on two hosts, the difference of their
//! timestamps estimates how far one host's clock is off the other's.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{Arc, LazyLock};

use aho_corasick::packed;
use memchr::memmem::Finder;
use rayon::prelude::*;

use super::huge_pages;
use crate::classify::{Evidence, Position, cut_point};
use crate::event::Timestamp;
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

/// The outcome words, searched in lowercased text by a SIMD packed searcher (several times
/// faster than an automaton on lines this short).
static OUTCOME_SEARCH: LazyLock<packed::Searcher> = LazyLock::new(|| {
    let mut builder = packed::Config::new().match_kind(packed::MatchKind::LeftmostFirst).builder();
    builder.extend(OUTCOME_WORDS.iter().map(|(word, _)| word));
    builder.build().expect("the outcome words build a packed searcher")
});

thread_local! {
    /// The lowercased text of the end line being read.
    static LOWERCASED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl Outcome {
    const ALL: [Outcome; 4] = [Outcome::Timeout, Outcome::Failed, Outcome::Success, Outcome::Unknown];

    /// Reads the outcome from an end event's text: a timeout word wins over a failure word,
    /// which wins over a success word.
    pub fn of(text: &[u8]) -> Outcome {
        // Words that overlap (`runtimeout`, `timeout `; `success`, `succeed`) give the same
        // outcome, so matches need not overlap; a timeout word ends the search.
        LOWERCASED.with_borrow_mut(|lower| {
            lower.clear();
            lower.extend(text.iter().map(u8::to_ascii_lowercase));
            let mut outcome = Outcome::Unknown;
            for found in OUTCOME_SEARCH.find_iter(lower) {
                outcome = outcome.min(OUTCOME_WORDS[found.pattern().as_usize()].1);
                if outcome == Outcome::Timeout {
                    break;
                }
            }
            outcome
        })
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

/// A task id: the digits a line gives, as a number, with how many digits there were (so
/// `0012345678` and `12345678` stay apart). Ids compare as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId {
    value: u64,
    digits: u8,
}

impl TaskId {
    /// The id of 5 to 19 ASCII digits; anything else is not a task id.
    pub fn parse(digits: &[u8]) -> Option<TaskId> {
        if !(5..=19).contains(&digits.len()) {
            return None;
        }
        // Each byte is read once (a mapped file can change underneath): checked as it is added.
        let value = digits.iter().try_fold(0u64, |value, d| {
            let d = d.wrapping_sub(b'0');
            (d < 10).then(|| value * 10 + u64::from(d))
        })?;
        Some(TaskId { value, digits: digits.len() as u8 })
    }
}

impl std::fmt::Display for TaskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:0width$}", self.value, width = usize::from(self.digits))
    }
}

/// The task id a line names: the digits (5 or more) after `task`, `job`, `taskId`, `jobId`,
/// `"taskId":"` and the like, read without regexes: task lines are many.
pub fn header_task_id(header: &[u8]) -> Option<TaskId> {
    let mut i = 0;
    while i < header.len() {
        // A keyword is found by its last letter: one comparison per byte of the line.
        let start = match header[i] | 0x20 {
            b'k' if i >= 3 && header[i - 3..=i].eq_ignore_ascii_case(b"task") => i - 3,
            b'b' if i >= 2 && header[i - 2..=i].eq_ignore_ascii_case(b"job") => i - 2,
            _ => {
                i += 1;
                continue;
            }
        };
        i += 1;
        if start > 0 && header[start - 1].is_ascii_alphabetic() {
            continue;
        }
        let mut at = i;
        let separated = usize::from(header.get(at) == Some(&b'_'));
        if header.get(at + separated..at + separated + 2).is_some_and(|id| id.eq_ignore_ascii_case(b"id")) {
            at += separated + 2;
        }
        at += header[at..].iter().take_while(|b| matches!(b, b' ' | b'=' | b':' | b'#' | b'"' | b'_')).count();
        let digits = header[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits >= 5 {
            return TaskId::parse(&header[at..at + digits]);
        }
    }
    None
}

/// Where the script (`/home/admin/bin/x.py`) is in a task line, and the cost it logs
/// (`cost=11551ms`), read without regexes: task lines are many.
pub fn task_details(text: &[u8]) -> (Option<Range<usize>>, Option<i64>) {
    static SCRIPT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"/home/admin/bin/"));
    static COST: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"cost="));
    let script = SCRIPT.find(text).map(|at| {
        let len = text[at..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b',' | b';' | b'\''))
            .unwrap_or(text.len() - at);
        at..at + len
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

/// A line that starts or ends a task, as a batch stores it: 56 bytes and no allocation of its
/// own (a scan holds up to half a million, and writes a million per GiB of executor logs). Which
/// file the line is in, its component and host are the batch's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TaskEvent {
    /// The task id's value; its digits are in `digits`.
    id: u64,
    /// The timestamp in milliseconds, or [`NO_MILLIS`].
    millis: i64,
    line: u64,
    /// The duration the line logs (`cost=...ms`), or [`NO_COST`].
    cost_ms: i64,
    /// Where the header line (capped) starts in the batch's text, and how long it is.
    text_start: usize,
    text_len: u16,
    /// Where the script the line names is, from `text_start`, and how long it is (0: none).
    script_offset: u32,
    script_len: u32,
    /// The fields the rule captured, for the few lines that have them (timeouts): an index
    /// into the batch's fields, or [`NO_FIELDS`].
    fields: u32,
    digits: u8,
    /// Role, outcome and whether the text was cut: see [`TaskEvent::flags`].
    flags: u8,
}

const NO_MILLIS: i64 = i64::MIN;
const NO_COST: i64 = i64::MIN;
const NO_FIELDS: u32 = u32::MAX;

const END: u8 = 1;
const TRUNCATED: u8 = 2;
/// The outcome sits in bits 2 to 4: 0 for none, else 1 + its place in [`Outcome::ALL`].
const OUTCOME_SHIFT: u32 = 2;

impl TaskEvent {
    fn flags(role: Role, outcome: Option<Outcome>, truncated: bool) -> u8 {
        let outcome = outcome.map_or(0, |o| 1 + Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0) as u8);
        let role = if role == Role::TaskEnd { END } else { 0 };
        let truncated = if truncated { TRUNCATED } else { 0 };
        role | truncated | (outcome << OUTCOME_SHIFT)
    }

    fn task_id(&self) -> TaskId {
        TaskId { value: self.id, digits: self.digits }
    }

    fn role(&self) -> Role {
        if self.flags & END != 0 { Role::TaskEnd } else { Role::TaskStart }
    }

    fn outcome(&self) -> Option<Outcome> {
        match self.flags >> OUTCOME_SHIFT {
            0 => None,
            n => Outcome::ALL.get(usize::from(n - 1)).copied(),
        }
    }

    fn timestamp(&self) -> Option<Timestamp> {
        (self.millis != NO_MILLIS).then(|| Timestamp::from_local_millis(self.millis))
    }

    fn text(&self) -> Range<usize> {
        self.text_start..self.text_start + usize::from(self.text_len)
    }

    fn script(&self) -> Option<Range<usize>> {
        let start = self.text_start + self.script_offset as usize;
        (self.script_len > 0).then(|| start..start + self.script_len as usize)
    }
}

/// What a scan read of one task line.
#[derive(Debug, Clone)]
pub struct NewTaskLine<'a> {
    pub task_id: TaskId,
    pub role: Role,
    pub outcome: Option<Outcome>,
    pub timestamp: Option<Timestamp>,
    pub line: u64,
    /// The header line, capped to `max_text` bytes when stored.
    pub header: &'a [u8],
    /// At most 65,535 (a larger value counts as that).
    pub max_text: usize,
    pub fields: Vec<(String, String)>,
}

/// The task lines of one stretch of one file: where they are is stored once, their texts in one
/// buffer. A scan keeps one million task lines per GiB of such logs; a line costs no allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskBatch {
    pub component: Arc<str>,
    pub host: Arc<str>,
    pub path: Arc<str>,
    pub archive: Option<Arc<str>>,
    /// The unit and archive member the lines are in: the first two parts of their positions.
    unit: u32,
    member: u32,
    events: Vec<TaskEvent>,
    text: Vec<u8>,
    fields: Vec<Vec<(String, String)>>,
    /// The timestamp of the oldest line (`None` before the first line): whether a cutoff drops
    /// anything is known without reading the lines.
    oldest: Option<Option<Timestamp>>,
}

/// The file a batch's lines are in.
#[derive(Debug, Clone)]
pub struct TaskSource {
    pub component: Arc<str>,
    pub host: Arc<str>,
    pub path: Arc<str>,
    pub archive: Option<Arc<str>>,
    pub unit: u32,
    pub member: u32,
}

#[cfg(test)]
impl TaskSource {
    /// The first member of `unit`, a plain file at `path`.
    pub(crate) fn plain(component: &str, host: &str, path: &str, unit: u32) -> TaskSource {
        TaskSource { component: component.into(), host: host.into(), path: path.into(), archive: None, unit, member: 0 }
    }
}

impl TaskBatch {
    pub fn new(source: TaskSource) -> TaskBatch {
        let TaskSource { component, host, path, archive, unit, member } = source;
        TaskBatch {
            component,
            host,
            path,
            archive,
            unit,
            member,
            events: Vec::new(),
            text: Vec::new(),
            fields: Vec::new(),
            oldest: None,
        }
    }

    pub fn push(&mut self, line: NewTaskLine<'_>) {
        let (script, cost_ms) = task_details(line.header);
        let cut = cut_point(line.header, line.max_text.min(usize::from(u16::MAX)));
        let text_start = self.text.len();
        self.text.extend_from_slice(&line.header[..cut]);
        // A script's length fits 32 bits in any line a scan reads (events are capped far below).
        let script = script.filter(|range| u32::try_from(range.len()).is_ok());
        let (script_offset, script_len) = match script {
            Some(range) if range.end <= cut => (range.start, range.len()),
            Some(range) => {
                self.text.extend_from_slice(&line.header[range.clone()]);
                (cut, range.len())
            }
            None => (0, 0),
        };
        let fields = if line.fields.is_empty() || self.fields.len() >= NO_FIELDS as usize {
            NO_FIELDS
        } else {
            self.fields.push(line.fields);
            (self.fields.len() - 1) as u32
        };
        self.oldest = Some(self.oldest.map_or(line.timestamp, |oldest| oldest.min(line.timestamp)));
        self.events.push(TaskEvent {
            id: line.task_id.value,
            millis: line.timestamp.map_or(NO_MILLIS, Timestamp::local_millis),
            line: line.line,
            cost_ms: cost_ms.unwrap_or(NO_COST),
            text_start,
            text_len: cut as u16,
            // The offset is at most the cut, a u16; the length was checked above.
            script_offset: script_offset as u32,
            script_len: script_len as u32,
            fields,
            digits: line.task_id.digits,
            flags: TaskEvent::flags(line.role, line.outcome, cut < line.header.len()),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Puts the lines in the order pairing needs (task id, time, position): done in the scan's
    /// threads, chunk by chunk, it leaves the report only sorted runs to merge.
    pub fn sort(&mut self) {
        self.events.sort_unstable_by_key(|e| (e.task_id(), e.millis, e.line));
    }

    /// Makes room for the task lines of `bytes` of log at once: growing a batch line by line
    /// copied it into new memory again and again (a tenth of a scan's time went to copies and
    /// page faults). Room never written costs no memory, and [`TaskBatch::shrink`] gives back
    /// what was not used.
    pub fn reserve_for(&mut self, bytes: usize) {
        self.events.reserve(bytes / 400);
        self.text.reserve(bytes / 4);
    }

    /// Gives back the room the buffers grew into but do not use: batches are kept until the
    /// report, and half a million lines make the slack count.
    pub fn shrink(&mut self) {
        self.events.shrink_to_fit();
        self.text.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn lines(&self) -> impl Iterator<Item = TaskLine<'_>> {
        self.events.iter().map(move |event| TaskLine { batch: self, event })
    }

    /// Adds `offset` to every line number (chunk-relative to file lines).
    pub fn shift_lines(&mut self, offset: u64) {
        for event in &mut self.events {
            event.line += offset;
        }
    }

    fn position(&self, event: &TaskEvent) -> Position {
        (self.unit, self.member, event.line)
    }

    /// When each line is, in milliseconds (`i64::MIN`: no timestamp, which orders first as
    /// `None` does): in the order of [`TaskBatch::keys`], cheaper to gather.
    pub fn millis(&self) -> impl Iterator<Item = i64> + '_ {
        const { assert!(NO_MILLIS == i64::MIN) };
        self.events.iter().map(|e| e.millis)
    }

    /// Where and when each line is: what the newest lines are chosen by.
    pub fn keys(&self) -> impl Iterator<Item = (Option<Timestamp>, Position)> + '_ {
        self.events.iter().map(|e| (e.timestamp(), self.position(e)))
    }

    /// Keeps the lines whose key is at least `cutoff`, and only their text; returns how many
    /// were dropped.
    pub fn retain_from(&mut self, cutoff: (Option<Timestamp>, Position)) -> usize {
        // Lines of a later time than the cutoff's are all kept, whatever their position.
        if self.oldest.is_some_and(|oldest| oldest > cutoff.0) {
            return 0;
        }
        let before = self.events.len();
        let keeps = self.keys().filter(|key| *key >= cutoff).count();
        if keeps == before {
            return 0;
        }
        let (old_text, old_fields) = (std::mem::take(&mut self.text), std::mem::take(&mut self.fields));
        let mut old_fields: Vec<Option<Vec<(String, String)>>> = old_fields.into_iter().map(Some).collect();
        // Sized for what is kept: a trimmed batch gives its room back.
        let mut kept = Vec::with_capacity(keeps);
        self.text.reserve_exact(old_text.len() / before.max(1) * keeps);
        for mut event in std::mem::take(&mut self.events) {
            if (event.timestamp(), self.position(&event)) < cutoff {
                continue;
            }
            // The text and the script appended after it are one stretch.
            let stored = event.text().start..event.script().map_or(event.text().end, |s| s.end.max(event.text().end));
            event.text_start = self.text.len();
            self.text.extend_from_slice(&old_text[stored]);
            if event.fields != NO_FIELDS {
                event.fields = match old_fields[event.fields as usize].take() {
                    Some(fields) => {
                        self.fields.push(fields);
                        (self.fields.len() - 1) as u32
                    }
                    None => NO_FIELDS,
                };
            }
            kept.push(event);
        }
        self.events = kept;
        self.text.shrink_to_fit();
        self.oldest = self.events.iter().map(TaskEvent::timestamp).min();
        before - self.events.len()
    }

    /// Drops the lines older than `cutoff` (and those without a timestamp); returns how many.
    pub fn drop_before(&mut self, cutoff: Timestamp) -> usize {
        match self.oldest {
            Some(Some(oldest)) if oldest >= cutoff => 0,
            None => 0,
            _ => self.retain_from((Some(cutoff), (0, 0, 0))),
        }
    }
}

/// One task line and the batch it is in.
#[derive(Debug, Clone, Copy)]
pub struct TaskLine<'a> {
    batch: &'a TaskBatch,
    event: &'a TaskEvent,
}

impl PartialEq for TaskLine<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.event, other.event)
    }
}

impl<'a> TaskLine<'a> {
    pub fn task_id(&self) -> TaskId {
        self.event.task_id()
    }

    pub fn role(&self) -> Role {
        self.event.role()
    }

    /// For an end: how the task ended.
    pub fn outcome(&self) -> Option<Outcome> {
        self.event.outcome()
    }

    pub fn timestamp(&self) -> Option<Timestamp> {
        self.event.timestamp()
    }

    fn millis(&self) -> Option<i64> {
        (self.event.millis != NO_MILLIS).then_some(self.event.millis)
    }

    pub fn position(&self) -> Position {
        self.batch.position(self.event)
    }

    pub fn component(&self) -> &'a Arc<str> {
        &self.batch.component
    }

    pub fn host(&self) -> &'a Arc<str> {
        &self.batch.host
    }

    /// The duration the line logs (`cost=...ms`), if any.
    pub fn cost_ms(&self) -> Option<i64> {
        (self.event.cost_ms != NO_COST).then_some(self.event.cost_ms)
    }

    /// The script the line names, if any.
    pub fn script(&self) -> Option<&'a str> {
        std::str::from_utf8(&self.batch.text[self.event.script()?]).ok()
    }

    /// The header line (capped).
    pub fn text(&self) -> &'a [u8] {
        &self.batch.text[self.event.text()]
    }

    /// The line as evidence: where it is, when, its text and the fields the rule captured.
    pub fn evidence(&self) -> Evidence {
        let fields = self.batch.fields.get(self.event.fields as usize);
        Evidence {
            position: self.position(),
            path: self.batch.path.clone(),
            archive: self.batch.archive.clone(),
            line: self.event.line,
            timestamp: self.timestamp(),
            text: self.text().to_vec(),
            text_truncated: self.event.flags & TRUNCATED != 0,
            matched: None,
            fields: fields.cloned().unwrap_or_default(),
        }
    }

    fn is_agent(&self) -> bool {
        &*self.batch.component == "staragent"
    }

    fn same_host(&self, other: &TaskLine<'_>) -> bool {
        Arc::ptr_eq(&self.batch.host, &other.batch.host) || self.batch.host == other.batch.host
    }
}

/// The task lines of a bundle grouped by task: by task id, then split where one id was used by
/// unrelated tasks (see `split_duplicates`). Each group is in time order.
#[derive(Debug, Clone, Default)]
pub struct TaskGroups<'a> {
    lines: Vec<TaskLine<'a>>,
    groups: Vec<Range<usize>>,
}

impl<'a> TaskGroups<'a> {
    pub fn new(batches: &'a [TaskBatch]) -> TaskGroups<'a> {
        TaskGroups::in_parts(batches, rayon::current_num_threads() * 4)
    }

    /// [`TaskGroups::new`], grouping about `parts` parts of the sorted lines in parallel.
    fn in_parts(batches: &'a [TaskBatch], parts: usize) -> TaskGroups<'a> {
        // The keys sit beside the lines: sorting does not follow a pointer per comparison. Each
        // line is found by its index (its batch by the batches' first indexes), so the threads
        // write the vector in place: collecting the batches' lines as they come made vectors
        // per thread that were then copied into one.
        let firsts: Vec<usize> = batches
            .iter()
            .scan(0, |next, batch| {
                let first = *next;
                *next += batch.len();
                Some(first)
            })
            .collect();
        let total = batches.iter().map(TaskBatch::len).sum::<usize>();
        let mut keyed = huge_pages::with_capacity(total);
        (0..total)
            .into_par_iter()
            .map(|i| {
                let b = firsts.partition_point(|first| *first <= i) - 1;
                let event = &batches[b].events[i - firsts[b]];
                let line = TaskLine { batch: &batches[b], event };
                ((event.task_id(), event.millis, line.position()), line)
            })
            .collect_into_vec(&mut keyed);
        // Keys are distinct (a line is one task event: a rule matches an event once), so an
        // unstable sort gives the one order; it took 15 ms where the merge sort that followed the
        // batches' sorted runs took 24 (1 thread, 500,000 lines).
        keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut lines = huge_pages::with_capacity(total);
        keyed.into_par_iter().map(|(_, line)| line).collect_into_vec(&mut lines);
        // Each line is read through a pointer to its batch: grouping in one pass took 6 ms of
        // 500,000 lines on any number of threads. Parts that end where an id ends are grouped
        // in parallel, each in place.
        let groups = id_parts(&mut lines, parts)
            .into_par_iter()
            .map(|(base, part)| group_part(part, base))
            .collect::<Vec<_>>()
            .concat();
        TaskGroups { lines, groups }
    }

    pub fn iter(&self) -> impl Iterator<Item = &[TaskLine<'a>]> {
        self.groups.iter().map(|range| &self.lines[range.clone()])
    }

    /// The groups, for a rayon parallel iteration.
    pub fn par_iter(&self) -> impl IndexedParallelIterator<Item = &[TaskLine<'a>]> {
        self.groups.par_iter().map(|range| &self.lines[range.clone()])
    }
}

/// `lines`, sorted by task id, cut into about `parts` parts of consecutive lines, each ending
/// where an id ends; each part with the index of its first line.
fn id_parts<'l, 'a>(mut lines: &'l mut [TaskLine<'a>], parts: usize) -> Vec<(usize, &'l mut [TaskLine<'a>])> {
    let size = lines.len().div_ceil(parts.max(1)).max(1);
    let mut cut = Vec::with_capacity(parts.clamp(1, lines.len().max(1)));
    let mut base = 0;
    while !lines.is_empty() {
        let mut end = size.min(lines.len());
        while end < lines.len() && lines[end].task_id() == lines[end - 1].task_id() {
            end += 1;
        }
        let (part, rest) = std::mem::take(&mut lines).split_at_mut(end);
        cut.push((base, part));
        base += end;
        lines = rest;
    }
    cut
}

/// The tasks of `lines` (sorted by task id, the first at index `base` of all lines): the lines
/// of one id, or, where one id was logged on several hosts, those `split_duplicates` finds.
fn group_part(lines: &mut [TaskLine<'_>], base: usize) -> Vec<Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        let id = lines[start].task_id();
        let len = lines[start..].iter().take_while(|l| l.task_id() == id).count();
        let range = start..start + len;
        if lines[range.clone()].iter().all(|l| l.same_host(&lines[start])) {
            groups.push(base + start..base + start + len);
        } else {
            split_duplicates(&mut lines[range], base + start, &mut groups);
        }
        start += len;
    }
    groups
}

/// The lines of one task id logged on several hosts, split into tasks. One task is logged on at
/// most one host per component (the executor sending it, acstarserver2 passing it on, the agent
/// running it): when no component logs the id on two hosts, all lines are one task. Otherwise
/// the id was reused (two environments in one bundle, an id counter reset): the hosts of the
/// component with the most hosts each start a task, and every other host joins the task whose
/// first line is nearest in time to its own and that has no host of its component yet (closest
/// pairs first); a host left over is a task of its own. `lines` is reordered task by task; the
/// tasks' ranges (offset by `base`) go to `groups`.
fn split_duplicates(lines: &mut [TaskLine<'_>], base: usize, groups: &mut Vec<Range<usize>>) {
    // Hosts in order of first line: (component, host, first millis).
    let mut hosts: Vec<(&str, &str, Option<i64>)> = Vec::new();
    let mut host_of: Vec<usize> = Vec::with_capacity(lines.len());
    for line in lines.iter() {
        let key = (&**line.component(), &**line.host());
        let index = match hosts.iter().position(|(component, host, _)| (*component, *host) == key) {
            Some(index) => index,
            None => {
                hosts.push((key.0, key.1, None));
                hosts.len() - 1
            }
        };
        if hosts[index].2.is_none() {
            hosts[index].2 = line.millis();
        }
        host_of.push(index);
    }
    let hosts_of = |component: &str| hosts.iter().filter(|h| h.0 == component).count();
    // The component with the most hosts (the first in name order among equals) seeds the tasks.
    let seed = hosts.iter().map(|h| h.0).max_by_key(|c| (hosts_of(c), std::cmp::Reverse(*c))).unwrap_or("");
    let mut task_of: Vec<Option<usize>> = vec![None; hosts.len()];
    if hosts_of(seed) <= 1 {
        task_of.iter_mut().for_each(|t| *t = Some(0));
    } else {
        let seeds: Vec<usize> = (0..hosts.len()).filter(|h| hosts[*h].0 == seed).collect();
        let mut members: Vec<Vec<&str>> = seeds.iter().map(|s| vec![hosts[*s].0]).collect();
        for (task, s) in seeds.iter().enumerate() {
            task_of[*s] = Some(task);
        }
        let mut candidates: Vec<(i64, usize, usize)> = Vec::new();
        for h in (0..hosts.len()).filter(|h| task_of[*h].is_none()) {
            for (task, s) in seeds.iter().enumerate() {
                if let (Some(x), Some(y)) = (hosts[h].2, hosts[*s].2) {
                    candidates.push(((x - y).abs(), h, task));
                }
            }
        }
        candidates.sort_unstable();
        for (_, h, task) in candidates {
            if task_of[h].is_none() && !members[task].contains(&hosts[h].0) {
                task_of[h] = Some(task);
                members[task].push(hosts[h].0);
            }
        }
        for (next, task) in (seeds.len()..).zip(task_of.iter_mut().filter(|t| t.is_none())) {
            *task = Some(next);
        }
    }
    let task_of: Vec<usize> = task_of.into_iter().map(|t| t.unwrap_or(0)).collect();
    let mut keyed: Vec<(usize, TaskLine<'_>)> =
        lines.iter().zip(&host_of).map(|(line, host)| (task_of[*host], *line)).collect();
    keyed.sort_by_key(|(task, line)| (*task, line.event.millis, line.position()));
    for (slot, (_, line)) in lines.iter_mut().zip(&keyed) {
        *slot = *line;
    }
    let mut start = 0;
    while start < keyed.len() {
        let len = keyed[start..].iter().take_while(|(task, _)| *task == keyed[start].0).count();
        groups.push(base + start..base + start + len);
        start += len;
    }
}

/// One task, its start and end paired: 48 bytes (a bundle pairs hundreds of thousands, and the
/// pairing sorts them).
#[derive(Debug, Clone, PartialEq)]
pub struct Task<'a> {
    pub start: Option<TaskLine<'a>>,
    pub end: Option<TaskLine<'a>>,
    /// See [`Task::elapsed`].
    elapsed_ms: i64,
    elapsed_source: Option<ElapsedSource>,
    /// How it ended; `None`: no end (unfinished).
    ended: Option<Outcome>,
    pub clock_skew_suspected: bool,
}

/// Where a task's elapsed time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ElapsedSource {
    /// The end's timestamp minus the start's.
    Timestamps,
    /// The `cost=...ms` of the end line, when a timestamp is missing.
    LoggedCost,
}

impl ElapsedSource {
    fn as_str(self) -> &'static str {
        match self {
            ElapsedSource::Timestamps => "timestamps",
            ElapsedSource::LoggedCost => "logged cost",
        }
    }
}

impl<'a> Task<'a> {
    /// The line the task is known by: its start, or its end when it has no start.
    fn first_line(&self) -> TaskLine<'a> {
        self.start.or(self.end).expect("a task has a start or an end")
    }

    pub fn task_id(&self) -> TaskId {
        self.first_line().task_id()
    }

    /// Elapsed milliseconds, and where they come from: `timestamps` (end minus start) or
    /// `logged cost` (a `cost=...ms` of the end line, when a timestamp is missing).
    pub fn elapsed(&self) -> Option<(i64, &'static str)> {
        self.elapsed_source.map(|source| (self.elapsed_ms, source.as_str()))
    }

    /// The duration the end line logs, when it logs one.
    pub fn logged_cost_ms(&self) -> Option<i64> {
        self.end.and_then(|e| e.cost_ms())
    }

    /// `timeout`, `failed`, `success`, `unknown`, or `unfinished` (no end).
    pub fn outcome(&self) -> &'static str {
        self.ended.map_or("unfinished", Outcome::as_str)
    }

    /// The script the task ran, as its start or end line names it.
    pub fn script(&self) -> Option<&'a str> {
        [self.start, self.end].into_iter().flatten().find_map(|l| l.script())
    }
}

/// Pairs the start and end of each task (see [`TaskGroups`]): the earliest start with the last
/// end. Tasks in order of their start (tasks without a start last), then of their first line.
pub fn pair_tasks<'a>(groups: &TaskGroups<'a>, settings: &Tasks) -> Vec<Task<'a>> {
    // Each task is sorted with a key of plain numbers (40 bytes): with options and tuples of
    // its lines it was 80, and the task 120; moving those was most of the pairing's time. The
    // order is total (two tasks of one id on other hosts keep the order of their lines), so an
    // unstable parallel sort gives one result.
    let mut keyed = huge_pages::with_capacity(groups.groups.len());
    groups
        .par_iter()
        .map(|list| {
            let start = list.iter().copied().find(|l| l.role() == Role::TaskStart);
            let end = list.iter().copied().rev().find(|l| l.role() == Role::TaskEnd);
            let task = pair(start, end, settings);
            let first = task.first_line();
            let (id, (unit, member, line)) = (first.task_id(), first.position());
            let start_millis = start.map_or(NO_MILLIS, |l| l.event.millis);
            let key = ((start.is_none(), start_millis, id.value, id.digits), (first.event.millis, unit, member, line));
            (key, task)
        })
        .collect_into_vec(&mut keyed);
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, task)| task).collect()
}

fn pair<'a>(start: Option<TaskLine<'a>>, end: Option<TaskLine<'a>>, settings: &Tasks) -> Task<'a> {
    let by_timestamps = match (start.and_then(|l| l.millis()), end.and_then(|l| l.millis())) {
        (Some(s), Some(e)) => Some((e - s, ElapsedSource::Timestamps)),
        _ => None,
    };
    let logged_cost = end.and_then(|e| e.cost_ms()).map(|c| (c, ElapsedSource::LoggedCost));
    let elapsed = by_timestamps.or(logged_cost);
    let ended = end.map(|end| end.outcome().unwrap_or(Outcome::Unknown));
    let limit_ms = f64::from(settings.timeout_seconds) * 1000.0 * settings.skew_ratio;
    let clock_skew_suspected = ended == Some(Outcome::Timeout) && elapsed.is_some_and(|(ms, _)| (ms as f64) < limit_ms);
    Task {
        start,
        end,
        elapsed_ms: elapsed.map_or(0, |(ms, _)| ms),
        elapsed_source: elapsed.map(|(_, source)| source),
        ended,
        clock_skew_suspected,
    }
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
pub fn clock_offsets(groups: &TaskGroups<'_>, settings: &Tasks) -> Vec<ClockOffset> {
    let mut differences: BTreeMap<(Arc<str>, Arc<str>), Vec<i64>> = BTreeMap::new();
    for list in groups.iter() {
        let starts = || list.iter().filter(|l| l.role() == Role::TaskStart && l.timestamp().is_some());
        let Some(sender) = starts().find(|l| !l.is_agent()) else { continue };
        for receiver in starts().filter(|l| l.is_agent() && !l.same_host(sender)) {
            if let (Some(r), Some(s)) = (receiver.millis(), sender.millis()) {
                differences.entry((receiver.host().clone(), sender.host().clone())).or_default().push(r - s);
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

    const SETTINGS: Tasks = Tasks { timeout_seconds: 90, skew_ratio: 0.5, max_offset_seconds: 5 };

    /// One task line: (id, role, host, component, millis, text).
    type Spec<'a> = (&'a str, Role, &'a str, &'a str, i64, &'a str);

    /// A batch per line, as lines from different files would be.
    fn batches(specs: &[Spec<'_>]) -> Vec<TaskBatch> {
        specs
            .iter()
            .enumerate()
            .map(|(i, (id, role, host, component, ms, text))| {
                let mut batch = TaskBatch::new(TaskSource::plain(component, host, "p", i as u32));
                batch.push(NewTaskLine {
                    task_id: TaskId::parse(id.as_bytes()).unwrap(),
                    role: *role,
                    outcome: (*role == Role::TaskEnd).then(|| Outcome::of(text.as_bytes())),
                    timestamp: Some(Timestamp::from_local_millis(*ms)),
                    line: 1,
                    header: text.as_bytes(),
                    max_text: 240,
                    fields: Vec::new(),
                });
                batch
            })
            .collect()
    }

    #[test]
    fn task_ids() {
        let id = |text: &[u8]| header_task_id(text).map(|id| id.to_string());
        assert_eq!(id(b"recv task jobId=10390847 exeurl=cmd://x").as_deref(), Some("10390847"));
        assert_eq!(id(br#"job 10390847 {"exeurl":"cmd://x"}"#).as_deref(), Some("10390847"));
        assert_eq!(id(br#"{"taskId":"10390850"}"#).as_deref(), Some("10390850"));
        assert_eq!(id(b"task_id=10390851 end").as_deref(), Some("10390851"));
        assert_eq!(id(b"task 0000012345 end").as_deref(), Some("0000012345"), "leading zeros kept");
        assert_eq!(id(b"subtask 12345 of 3"), None);
        assert_eq!(id(b"task 1 of 3"), None);
        assert_eq!(id(b"task 123456789012345678901 end"), None, "too long for an id");
        assert_eq!(id(b"no id here"), None);
        assert_eq!(id(b"[task-runner-3] - TASK 10390847 end").as_deref(), Some("10390847"), "the first with digits");
        assert_eq!(id(b"JobID: 10390852").as_deref(), Some("10390852"));
        assert_eq!(id("任务task 10390853".as_bytes()).as_deref(), Some("10390853"));
        assert_eq!(id(b"ta"), None);
        assert!(TaskId::parse(b"99999") < TaskId::parse(b"100000"), "ids compare as numbers");
        assert_ne!(TaskId::parse(b"0012345"), TaskId::parse(b"12345"));
    }

    #[test]
    fn outcomes() {
        assert_eq!(Outcome::of(b"status=FAILED reason=python runtimeout"), Outcome::Timeout);
        assert_eq!(Outcome::of(b"status=FAILED exit 1"), Outcome::Failed);
        assert_eq!(Outcome::of(b"status=SUCCESS"), Outcome::Success);
        assert_eq!(Outcome::of(b"end"), Outcome::Unknown);
        assert_eq!(Outcome::of(b"Result: SUCCESS, then Timed Out"), Outcome::Timeout, "a timeout wins wherever it is");
        assert_eq!(Outcome::of("执行失败".as_bytes()), Outcome::Failed);
    }

    #[test]
    fn a_batch_keeps_text_script_and_cost_without_a_line_of_its_own() {
        let mut batch = TaskBatch::new(TaskSource::plain("e", "h", "b/e.log", 0));
        let long = format!("task 12345 end {} cmd=/home/admin/bin/deploy_v2.py cost=20ms", "x".repeat(300));
        for (header, position) in [("task 12345 start cmd=/home/admin/bin/a.py", 3), (long.as_str(), 9)] {
            batch.push(NewTaskLine {
                task_id: TaskId::parse(b"12345").unwrap(),
                role: Role::TaskStart,
                outcome: None,
                timestamp: None,
                line: position,
                header: header.as_bytes(),
                max_text: 40,
                fields: Vec::new(),
            });
        }
        batch.shift_lines(100);
        let lines: Vec<_> = batch.lines().collect();
        assert_eq!((lines[0].script(), lines[0].cost_ms()), (Some("/home/admin/bin/a.py"), None));
        // The script lies past the cut: it is kept all the same.
        assert_eq!((lines[1].script(), lines[1].cost_ms()), (Some("/home/admin/bin/deploy_v2.py"), Some(20)));
        let evidence = lines[1].evidence();
        assert_eq!((evidence.line, evidence.text.len(), evidence.text_truncated), (109, 40, true));
        assert_eq!(&*evidence.path, "b/e.log");
    }

    #[test]
    fn a_stored_line_gives_back_what_was_pushed_and_keeps_it_through_a_trim() {
        assert!(std::mem::size_of::<TaskEvent>() <= 56, "a task line is held compact");
        let mut batch = TaskBatch::new(TaskSource::plain("e", "h", "b/e.log", 7));
        let long_script = format!("/home/admin/bin/{}.py", "s".repeat(5000));
        let headers = [
            "task 0012345 start cmd=/home/admin/bin/a.py".to_string(),
            format!("task 12346 end {} cmd=/home/admin/bin/b.py cost=0ms", "x".repeat(60)),
            format!("task 12347 end {long_script}"),
        ];
        let outcomes = [None, Some(Outcome::Timeout), Some(Outcome::Unknown)];
        for (i, header) in headers.iter().enumerate() {
            let id = header.split(' ').nth(1).unwrap();
            batch.push(NewTaskLine {
                task_id: TaskId::parse(id.as_bytes()).unwrap(),
                role: if i == 0 { Role::TaskStart } else { Role::TaskEnd },
                outcome: outcomes[i],
                timestamp: (i > 0).then(|| Timestamp::from_local_millis(i as i64 * 1000)),
                line: 10 + i as u64,
                header: header.as_bytes(),
                max_text: 40,
                fields: if i == 1 { vec![("task_id".into(), "12346".into())] } else { Vec::new() },
            });
        }
        let shape = |batch: &TaskBatch| -> Vec<_> {
            batch
                .lines()
                .map(|l| {
                    let e = l.evidence();
                    (
                        (l.task_id().to_string(), l.role(), l.outcome(), l.timestamp(), l.position(), l.cost_ms()),
                        (l.script().map(str::to_string), e.text_truncated, e.fields),
                    )
                })
                .collect()
        };
        let before = shape(&batch);
        let ms = |n| Some(Timestamp::from_local_millis(n));
        assert_eq!(
            before,
            [
                (
                    ("0012345".to_string(), Role::TaskStart, None, None, (7, 0, 10), None),
                    (Some("/home/admin/bin/a.py".to_string()), true, vec![])
                ),
                (
                    ("12346".to_string(), Role::TaskEnd, Some(Outcome::Timeout), ms(1000), (7, 0, 11), Some(0)),
                    (
                        Some("/home/admin/bin/b.py".to_string()),
                        true,
                        vec![("task_id".to_string(), "12346".to_string())]
                    )
                ),
                (
                    ("12347".to_string(), Role::TaskEnd, Some(Outcome::Unknown), ms(2000), (7, 0, 12), None),
                    (Some(long_script.clone()), true, vec![]),
                ),
            ],
            "a script past the cut is kept whole, however long"
        );
        // Dropping the line without a timestamp moves the others' text, scripts and fields.
        assert_eq!(batch.retain_from((ms(0), (0, 0, 0))), 1);
        assert_eq!(shape(&batch), before[1..]);
    }

    #[test]
    fn a_quick_timeout_is_suspect_a_slow_one_is_not() {
        let e = "acopswareexecutor";
        let batches = batches(&[
            ("10001", Role::TaskStart, "exec", e, 0, "task 10001 start"),
            ("10001", Role::TaskEnd, "exec", e, 11_551, "task 10001 end cost=11551ms reason=python runtimeout"),
            ("10002", Role::TaskStart, "exec", e, 1_000, "task 10002 start"),
            ("10002", Role::TaskEnd, "exec", e, 91_000, "task 10002 end python runtimeout"),
            ("10003", Role::TaskStart, "exec", e, 2_000, "task 10003 start"),
            ("10000", Role::TaskEnd, "exec", e, 500, "task 10000 end status=SUCCESS"),
        ]);
        assert!(std::mem::size_of::<Task>() <= 48, "a task is paired compact");
        let groups = TaskGroups::new(&batches);
        let tasks = pair_tasks(&groups, &SETTINGS);
        let shape: Vec<_> =
            tasks.iter().map(|t| (t.task_id().to_string(), t.outcome(), t.elapsed(), t.clock_skew_suspected)).collect();
        assert_eq!(
            shape,
            [
                ("10001".to_string(), "timeout", Some((11_551, "timestamps")), true),
                ("10002".to_string(), "timeout", Some((90_000, "timestamps")), false),
                ("10003".to_string(), "unfinished", None, false),
                ("10000".to_string(), "success", None, false),
            ],
            "in order of their start, tasks without a start last"
        );
        assert_eq!(tasks[0].logged_cost_ms(), Some(11_551));
    }

    #[test]
    fn one_id_reused_on_other_hosts_is_another_task() {
        let hour = 3_600_000;
        let (e, a) = ("acopswareexecutor", "staragent");
        let specs = [
            ("10007", Role::TaskStart, "exec-a", e, 0, "task 10007 start"),
            ("10007", Role::TaskStart, "app-7", a, 100, "recv task 10007"),
            ("10007", Role::TaskEnd, "app-7", a, 10_000, "task 10007 result: success"),
            ("10007", Role::TaskStart, "exec-b", e, hour, "task 10007 start"),
            ("10007", Role::TaskStart, "app-8", a, hour + 50, "recv task 10007"),
            ("10007", Role::TaskEnd, "app-8", a, hour + 100_000, "task 10007 result: runtimeout"),
        ];
        let all = batches(&specs);
        let tasks = pair_tasks(&TaskGroups::new(&all), &SETTINGS);
        let shape: Vec<_> = tasks
            .iter()
            .map(|t| (&**t.start.unwrap().host(), &**t.end.unwrap().host(), t.elapsed().unwrap().0, t.outcome()))
            .collect();
        assert_eq!(shape, [("exec-a", "app-7", 10_000, "success"), ("exec-b", "app-8", 100_000, "timeout")]);
        // A sender and a receiver alone are one task, however far apart their clocks are.
        let pair_only = batches(&[specs[0], specs[5]]);
        assert_eq!(pair_tasks(&TaskGroups::new(&pair_only), &SETTINGS).len(), 1);
        // The executor, acstarserver2 passing the task on and the agent: one host per
        // component, one task.
        let gateway = ("10007", Role::TaskStart, "gw-a", "acstarserver2", 50, "receive task 10007");
        let one = batches(&[specs[0], gateway, specs[1], specs[2]]);
        let tasks = pair_tasks(&TaskGroups::new(&one), &SETTINGS);
        assert_eq!((tasks.len(), &**tasks[0].end.unwrap().host()), (1, "app-7"));
        // With a gateway in each environment, still two tasks, each with its own hosts.
        let gateway_b = ("10007", Role::TaskStart, "gw-b", "acstarserver2", hour + 20, "receive task 10007");
        let mut both = specs.to_vec();
        both.extend([gateway, gateway_b]);
        let both = batches(&both);
        let split = TaskGroups::new(&both);
        let hosts: Vec<Vec<&str>> = split.iter().map(|g| g.iter().map(|l| &**l.host()).collect()).collect();
        assert_eq!(hosts, [vec!["exec-a", "gw-a", "app-7", "app-7"], vec!["exec-b", "gw-b", "app-8", "app-8"]]);
        // Each agent pairs with the executor nearest in time: no offset is estimated across them.
        assert!(clock_offsets(&TaskGroups::new(&all), &SETTINGS).is_empty());
    }

    #[test]
    fn grouping_in_parts_gives_the_groups_of_one_pass() {
        let (e, a) = ("acopswareexecutor", "staragent");
        let mut specs = Vec::new();
        let ids: Vec<String> = (0..12).map(|i| format!("{}", 20_000 + i % 5)).collect();
        for (i, id) in ids.iter().enumerate() {
            let ms = i as i64 * 1_000;
            // Id 20002 is reused by a second executor and agent: its lines split into two tasks.
            let (exec, agent) = if i >= 5 && id == "20002" { ("exec-b", "app-b") } else { ("exec-a", "app-a") };
            specs.push((id.as_str(), Role::TaskStart, exec, e, ms, "task start"));
            specs.push((id.as_str(), Role::TaskEnd, agent, a, ms + 500, "task result: success"));
        }
        let all = batches(&specs);
        let shape = |groups: &TaskGroups<'_>| -> Vec<Vec<(String, String, Role)>> {
            groups
                .iter()
                .map(|g| g.iter().map(|l| (l.task_id().to_string(), l.host().to_string(), l.role())).collect())
                .collect()
        };
        let whole = shape(&TaskGroups::in_parts(&all, 1));
        assert_eq!(whole.len(), 6, "five ids, one of them two tasks: {whole:?}");
        for parts in 2..=30 {
            assert_eq!(shape(&TaskGroups::in_parts(&all, parts)), whole, "{parts} parts");
        }
    }

    #[test]
    fn parts_end_where_an_id_ends_and_cover_every_line() {
        let specs: Vec<Spec<'_>> = ["30001", "30001", "30001", "30002", "30003", "30003", "30003", "30003", "30004"]
            .into_iter()
            .map(|id| (id, Role::TaskStart, "h", "staragent", 0, "recv task"))
            .collect();
        let all = batches(&specs);
        let mut lines: Vec<TaskLine<'_>> = all.iter().flat_map(|b| b.lines()).collect();
        for parts in (0..=12).chain([usize::MAX]) {
            let cut: Vec<(usize, Vec<String>)> = id_parts(&mut lines, parts)
                .into_iter()
                .map(|(base, part)| (base, part.iter().map(|l| l.task_id().to_string()).collect()))
                .collect();
            let mut next = 0;
            for (base, ids) in &cut {
                assert_eq!(*base, next, "{parts} parts: {cut:?}");
                assert!(!ids.is_empty());
                next += ids.len();
            }
            assert_eq!(next, 9);
            for pair in cut.windows(2) {
                assert_ne!(pair[0].1.last(), pair[1].1.first(), "{parts} parts cut an id: {cut:?}");
            }
        }
    }

    #[test]
    fn logged_cost_stands_in_for_a_missing_start() {
        let end =
            [("10009", Role::TaskEnd, "exec", "acopswareexecutor", 5_000, "task 10009 end runtimeout cost=30000ms")];
        let batches = batches(&end);
        let tasks = pair_tasks(&TaskGroups::new(&batches), &SETTINGS);
        assert_eq!((tasks[0].elapsed(), tasks[0].clock_skew_suspected), (Some((30_000, "logged cost")), true));
    }

    #[test]
    fn a_receipt_before_its_send_shows_a_clock_off() {
        let ids = ["10000", "10001", "10002"];
        let mut specs = Vec::new();
        for (i, skew) in [-20_000, -21_000, -19_500].into_iter().enumerate() {
            let sent = i as i64 * 60_000;
            specs.push((ids[i], Role::TaskStart, "10.0.0.1", "acopswareexecutor", sent, "dispatch"));
            specs.push((ids[i], Role::TaskStart, "app-7", "staragent", sent + skew, "recv"));
        }
        let all = batches(&specs);
        let offsets = clock_offsets(&TaskGroups::new(&all), &SETTINGS);
        assert_eq!(offsets.len(), 1);
        assert_eq!(
            (&*offsets[0].host, &*offsets[0].reference_host, offsets[0].offset_ms, offsets[0].pairs),
            ("app-7", "10.0.0.1", -20_000, 3)
        );
        let on_time: Vec<Spec> = specs.iter().copied().filter(|s| s.2 == "10.0.0.1").collect();
        let on_time = batches(&on_time);
        assert!(clock_offsets(&TaskGroups::new(&on_time), &SETTINGS).is_empty());
    }
}
