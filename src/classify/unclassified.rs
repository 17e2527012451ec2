//! Unclassified errors: ERROR events that no rule matched, grouped by message template,
//! component and host, with a count, first and last timestamps and the earliest example. They
//! show an operator the failure modes the rule pack does not know yet.
//!
//! Counting is on the scan's hot path (most events of a `common-error.log` are ERROR events), so
//! one chunk of one source counts into a [`SourceUnclassified`]: a map from a cheap hash of the
//! template to its group, with no component or host in the key. The chunk's groups join the
//! bundle's [`UnclassifiedSet`] once, at its end.
//!
//! A set holds at most [`MAX_GROUPS`] groups: those with the smallest keys. Which groups those
//! are does not depend on the order events or partial sets arrive in, so the report is the same
//! whatever the thread count, even past the bound.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::findings::{Evidence, Position, sample_key};
use crate::event::Timestamp;

/// Most template groups one set holds; past it, events are only counted (`overflow`). A safety
/// bound for logs whose messages defeat templating; real bundles stay far below it.
pub const MAX_GROUPS: usize = 50_000;

/// What identifies an unclassified group. The template is keyed by its hash so that looking a
/// group up allocates nothing; the text is kept in the group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnclassifiedKey {
    pub template_hash: u64,
    pub component: Arc<str>,
    pub host: Arc<str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnclassifiedGroup {
    /// The template's bytes (decoded for display only in the report).
    pub template: Vec<u8>,
    pub count: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// The earliest event with this template.
    pub example: Evidence,
}

/// The unclassified groups of one source (or one chunk of it): one component and host.
#[derive(Debug, Default)]
pub struct SourceUnclassified {
    groups: BTreeMap<u64, UnclassifiedGroup>,
    overflow: u64,
}

impl SourceUnclassified {
    /// Counts one event with `template`; builds the example (which allocates) only for a new
    /// group or an earlier event.
    pub fn record(
        &mut self,
        template: &[u8],
        timestamp: Option<Timestamp>,
        position: Position,
        example: impl FnOnce() -> Evidence,
    ) {
        let hash = template_hash(template);
        if let Some(group) = self.groups.get_mut(&hash) {
            if group.template != template {
                // Two templates with one hash: rare enough to count without grouping.
                self.overflow += 1;
                return;
            }
            group.see(timestamp);
            if sample_key(timestamp, position) < group.example.key() {
                group.example = example();
            }
            return;
        }
        if self.groups.len() >= MAX_GROUPS {
            // Keep the smallest keys: a key evicted now stays above the largest kept, so all of
            // its events are counted as overflow, whatever the order they come in.
            match self.groups.last_key_value() {
                Some((&largest, _)) if hash < largest => {
                    if let Some((_, evicted)) = self.groups.pop_last() {
                        self.overflow += evicted.count;
                    }
                }
                _ => {
                    self.overflow += 1;
                    return;
                }
            }
        }
        let group = UnclassifiedGroup {
            template: template.to_vec(),
            count: 1,
            first_seen: timestamp,
            last_seen: timestamp,
            example: example(),
        };
        self.groups.insert(hash, group);
    }
}

/// FxHash over 8-byte words: a fast, stable hash for grouping (exactness is checked on a hit).
fn template_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut hash = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in words.by_ref() {
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word.try_into().unwrap_or_default())).wrapping_mul(K);
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    (hash.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(K)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnclassifiedSet {
    groups: BTreeMap<UnclassifiedKey, UnclassifiedGroup>,
    overflow: u64,
}

impl UnclassifiedSet {
    /// Joins the groups of one source (or chunk) of `component` on `host`.
    pub fn absorb(&mut self, part: SourceUnclassified, component: &Arc<str>, host: &Arc<str>) {
        let mut other = UnclassifiedSet { groups: BTreeMap::new(), overflow: part.overflow };
        for (template_hash, group) in part.groups {
            other
                .groups
                .insert(UnclassifiedKey { template_hash, component: component.clone(), host: host.clone() }, group);
        }
        self.merge(other);
    }

    pub fn merge(&mut self, other: UnclassifiedSet) {
        self.overflow += other.overflow;
        for (key, group) in other.groups {
            if let Some(mine) = self.groups.get_mut(&key) {
                mine.count += group.count;
                mine.first_seen = min_some(mine.first_seen, group.first_seen);
                mine.last_seen = mine.last_seen.max(group.last_seen);
                if group.example.key() < mine.example.key() {
                    mine.example = group.example;
                }
            } else {
                self.groups.insert(key, group);
            }
        }
        while self.groups.len() > MAX_GROUPS {
            if let Some((_, evicted)) = self.groups.pop_last() {
                self.overflow += evicted.count;
            }
        }
    }

    /// Adds `offset` to every line number (chunk-relative to file lines).
    pub fn shift_lines(&mut self, offset: u64) {
        for group in self.groups.values_mut() {
            group.example.line += offset;
            group.example.position.2 += offset;
        }
    }

    pub fn groups(&self) -> impl Iterator<Item = (&UnclassifiedKey, &UnclassifiedGroup)> {
        self.groups.iter()
    }

    /// Events counted but not grouped because the set was full.
    pub fn overflow(&self) -> u64 {
        self.overflow
    }
}

impl UnclassifiedGroup {
    fn see(&mut self, timestamp: Option<Timestamp>) {
        self.count += 1;
        self.first_seen = min_some(self.first_seen, timestamp);
        self.last_seen = self.last_seen.max(timestamp);
    }
}

fn min_some(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(line: u64) -> Evidence {
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

    fn set(entries: &[(&str, u64)]) -> UnclassifiedSet {
        let (c, h): (Arc<str>, Arc<str>) = ("c".into(), "h".into());
        let mut part = SourceUnclassified::default();
        for (template, line) in entries {
            let ts = Some(Timestamp::from_local_millis(*line as i64));
            part.record(template.as_bytes(), ts, (0, 0, *line), || example(*line));
        }
        let mut set = UnclassifiedSet::default();
        set.absorb(part, &c, &h);
        set
    }

    #[test]
    fn hash_is_stable_and_spreads() {
        assert_eq!(template_hash(b"abc"), template_hash(b"abc"));
        assert_ne!(template_hash(b"abc"), template_hash(b"abd"));
        assert_ne!(template_hash(b""), template_hash(b"\0"));
        assert_ne!(template_hash(b"12345678a"), template_hash(b"12345678b"));
    }

    #[test]
    fn groups_by_template_and_keeps_the_earliest_example() {
        let s = set(&[("a <N>", 9), ("b", 2), ("a <N>", 4)]);
        let groups: Vec<_> =
            s.groups().map(|(_, g)| (std::str::from_utf8(&g.template).unwrap(), g.count, g.example.line)).collect();
        assert_eq!(groups.len(), 2);
        assert!(groups.contains(&("a <N>", 2, 4)) && groups.contains(&("b", 1, 2)));
    }

    #[test]
    fn merge_is_order_independent() {
        let (a, b) = (set(&[("x", 5), ("y", 1)]), set(&[("x", 2), ("z", 3)]));
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab, ba);
        assert_eq!(ab, set(&[("x", 5), ("y", 1), ("x", 2), ("z", 3)]));
    }

    #[test]
    fn past_the_bound_the_smallest_keys_stay_whatever_the_order() {
        let (c, h): (Arc<str>, Arc<str>) = ("c".into(), "h".into());
        let templates: Vec<String> = (0..MAX_GROUPS + 300).map(|i| format!("template {i}")).collect();
        let build = |order: &mut dyn Iterator<Item = &String>| {
            let mut part = SourceUnclassified::default();
            for (line, t) in order.enumerate() {
                part.record(t.as_bytes(), None, (0, 0, line as u64), || example(line as u64));
            }
            let mut set = UnclassifiedSet::default();
            set.absorb(part, &c, &h);
            set
        };
        let forward = build(&mut templates.iter());
        let backward = build(&mut templates.iter().rev());
        let keys =
            |s: &UnclassifiedSet| s.groups().map(|(k, g)| (k.template_hash, g.template.clone())).collect::<Vec<_>>();
        assert_eq!(keys(&forward), keys(&backward));
        assert_eq!((forward.groups().count(), forward.overflow()), (MAX_GROUPS, 300));
        // Split in two halves merged either way round: the same result again.
        let (a, b) = templates.split_at(templates.len() / 2);
        let (mut ab, ba_first) = (build(&mut a.iter()), build(&mut b.iter()));
        let mut ba = ba_first.clone();
        ab.merge(ba_first);
        ba.merge(build(&mut a.iter()));
        assert_eq!(keys(&ab), keys(&forward));
        assert_eq!(keys(&ba), keys(&forward));
        assert_eq!(ab.overflow(), 300);
    }
}
