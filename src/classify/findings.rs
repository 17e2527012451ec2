//! Findings: every rule match becomes a count in the group of its (fault, component, host), with
//! first and last timestamps and up to N evidence samples (the earliest by timestamp, then by
//! position in the bundle; events without a timestamp last).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::event::Timestamp;

/// Evidence text longer than this is cut (the report says so).
pub const MAX_EVIDENCE_TEXT: usize = 4096;

/// Where evidence sits in the bundle: unit, member of the unit, line. Orders samples.
pub type Position = (u32, u32, u64);

/// One event that shows a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub position: Position,
    pub path: Arc<str>,
    pub archive: Option<Arc<str>>,
    /// 1-based line of the event's header.
    pub line: u64,
    pub timestamp: Option<Timestamp>,
    /// The header line (at most [`MAX_EVIDENCE_TEXT`] bytes).
    pub text: Vec<u8>,
    pub text_truncated: bool,
    /// The line that matched, when it is not the header: its number and text.
    /// Its number, its text (capped) and whether the text was cut.
    pub matched: Option<(u64, Vec<u8>, bool)>,
    pub fields: Vec<(String, String)>,
}

/// Where text is cut to at most `max` bytes: at `max`, moved back to the start of a UTF-8
/// sequence when it would fall inside one, so valid text stays valid.
pub(crate) fn cut_point(text: &[u8], max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    let mut cut = max;
    while cut > max.saturating_sub(4) && cut > 0 && (text[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    cut
}

/// How samples are ordered: by timestamp (none last), then by position.
pub(crate) type SampleKey = (i64, Position);

pub(crate) fn sample_key(timestamp: Option<Timestamp>, position: Position) -> SampleKey {
    (timestamp.map_or(i64::MAX, Timestamp::local_millis), position)
}

impl Evidence {
    /// Evidence with nothing in it yet, to be filled in place.
    pub fn empty() -> Evidence {
        Evidence {
            position: (0, 0, 0),
            path: Arc::from(""),
            archive: None,
            line: 0,
            timestamp: None,
            text: Vec::new(),
            text_truncated: false,
            matched: None,
            fields: Vec::new(),
        }
    }

    /// Fills this evidence with an event's header, reusing its text buffer.
    pub fn fill(
        &mut self,
        position: Position,
        path: &Arc<str>,
        archive: &Option<Arc<str>>,
        timestamp: Option<Timestamp>,
        header: &[u8],
    ) {
        self.position = position;
        self.line = position.2;
        if !Arc::ptr_eq(&self.path, path) {
            self.path = path.clone();
        }
        if self.archive.as_ref().map(Arc::as_ptr) != archive.as_ref().map(Arc::as_ptr) {
            self.archive = archive.clone();
        }
        self.timestamp = timestamp;
        let cut = cut_point(header, MAX_EVIDENCE_TEXT);
        self.text.clear();
        self.text.extend_from_slice(&header[..cut]);
        self.text_truncated = cut < header.len();
        self.matched = None;
        self.fields.clear();
    }

    pub(crate) fn key(&self) -> SampleKey {
        sample_key(self.timestamp, self.position)
    }

    /// Caps `text` at [`MAX_EVIDENCE_TEXT`] bytes; returns the kept bytes and whether any were cut.
    /// A cut never falls inside a UTF-8 sequence, so valid text stays valid.
    pub fn cap(text: &[u8]) -> (Vec<u8>, bool) {
        Evidence::cap_to(text, MAX_EVIDENCE_TEXT)
    }

    /// Caps `text` at `max` bytes, between characters; returns the kept bytes and whether any
    /// were cut.
    pub fn cap_to(text: &[u8], max: usize) -> (Vec<u8>, bool) {
        let cut = cut_point(text, max);
        (text[..cut].to_vec(), cut < text.len())
    }
}

/// What identifies a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    /// Index of the rule in the compiled pack.
    pub rule: usize,
    pub component: Arc<str>,
    pub host: Arc<str>,
}

/// All matches of one (fault, component, host).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    pub count: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Earliest first; at most the set's sample cap.
    pub samples: Vec<Evidence>,
}

impl Group {
    fn see(&mut self, timestamp: Option<Timestamp>) {
        self.count += 1;
        if let Some(ts) = timestamp {
            self.first_seen = Some(self.first_seen.map_or(ts, |f| f.min(ts)));
            self.last_seen = Some(self.last_seen.map_or(ts, |l| l.max(ts)));
        }
    }

    fn wants(&self, key: SampleKey, cap: usize) -> bool {
        self.samples.len() < cap || self.samples.last().is_some_and(|last| key < last.key())
    }

    fn keep(&mut self, evidence: Evidence, cap: usize) {
        let key = evidence.key();
        let at = self.samples.partition_point(|e| e.key() < key);
        self.samples.insert(at, evidence);
        self.samples.truncate(cap);
    }

    fn merge(&mut self, other: Group, cap: usize) {
        self.count += other.count;
        self.first_seen = min_opt(self.first_seen, other.first_seen);
        self.last_seen = max_opt(self.last_seen, other.last_seen);
        for evidence in other.samples {
            if self.wants(evidence.key(), cap) {
                self.keep(evidence, cap);
            }
        }
    }
}

fn min_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Findings under construction, keyed by group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingSet {
    cap: usize,
    groups: BTreeMap<GroupKey, Group>,
}

impl FindingSet {
    /// A set that keeps at most `samples` evidence items per group, and always the earliest: its
    /// fields fill the runbook even when no evidence is shown.
    pub fn new(samples: usize) -> Self {
        FindingSet { cap: samples.max(1), groups: BTreeMap::new() }
    }

    /// Counts one match; builds its evidence (which allocates) only when it would be kept.
    pub fn record(
        &mut self,
        key: GroupKey,
        timestamp: Option<Timestamp>,
        position: Position,
        evidence: impl FnOnce() -> Evidence,
    ) {
        let cap = self.cap;
        let group = self.groups.entry(key).or_default();
        group.see(timestamp);
        if group.wants(sample_key(timestamp, position), cap) {
            group.keep(evidence(), cap);
        }
    }

    /// Adds `offset` to every line number: turns chunk-relative lines into file lines.
    pub fn shift_lines(&mut self, offset: u64) {
        if offset == 0 {
            return;
        }
        for group in self.groups.values_mut() {
            for evidence in &mut group.samples {
                evidence.line += offset;
                evidence.position.2 += offset;
                if let Some((line, _, _)) = &mut evidence.matched {
                    *line += offset;
                }
            }
        }
    }

    pub fn merge(&mut self, other: FindingSet) {
        for (key, group) in other.groups {
            match self.groups.get_mut(&key) {
                Some(mine) => mine.merge(group, self.cap),
                None => {
                    self.groups.insert(key, group);
                }
            }
        }
    }

    pub fn groups(&self) -> impl Iterator<Item = (&GroupKey, &Group)> {
        self.groups.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(rule: usize) -> GroupKey {
        GroupKey { rule, component: "c".into(), host: "h".into() }
    }

    fn evidence(line: u64) -> Evidence {
        Evidence {
            position: (0, 0, line),
            path: "p".into(),
            line,
            timestamp: Some(Timestamp::from_local_millis(line as i64)),
            text: b"t".to_vec(),
            fields: vec![],
            ..Evidence::empty()
        }
    }

    fn set_of(lines: &[u64]) -> FindingSet {
        let mut set = FindingSet::new(2);
        for &line in lines {
            set.record(key(0), Some(Timestamp::from_local_millis(line as i64)), (0, 0, line), || evidence(line));
        }
        set
    }

    #[test]
    fn keeps_the_earliest_samples_and_counts_all() {
        let set = set_of(&[5, 3, 9, 1]);
        let (_, group) = set.groups().next().unwrap();
        assert_eq!(group.count, 4);
        assert_eq!(group.samples.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(
            (group.first_seen, group.last_seen),
            (Some(Timestamp::from_local_millis(1)), Some(Timestamp::from_local_millis(9)))
        );
    }

    #[test]
    fn earlier_timestamps_win_over_earlier_positions() {
        let mut set = FindingSet::new(1);
        let late = Some(Timestamp::from_local_millis(50));
        let early = Some(Timestamp::from_local_millis(10));
        set.record(key(0), late, (0, 0, 1), || Evidence { timestamp: late, ..evidence(1) });
        set.record(key(0), early, (1, 0, 7), || Evidence { timestamp: early, position: (1, 0, 7), ..evidence(7) });
        set.record(key(0), None, (0, 0, 0), || Evidence { timestamp: None, position: (0, 0, 0), ..evidence(0) });
        let (_, group) = set.groups().next().unwrap();
        assert_eq!(group.samples.iter().map(|e| e.line).collect::<Vec<_>>(), [7]);
    }

    #[test]
    fn merge_is_order_independent() {
        let (a, b) = (set_of(&[4, 8]), set_of(&[2, 6, 7]));
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab, ba);
        assert_eq!(ab, set_of(&[4, 8, 2, 6, 7]));
    }

    #[test]
    fn shift_moves_lines_and_positions() {
        let mut set = set_of(&[1]);
        set.shift_lines(100);
        let (_, group) = set.groups().next().unwrap();
        assert_eq!((group.samples[0].line, group.samples[0].position.2), (101, 101));
    }
}
