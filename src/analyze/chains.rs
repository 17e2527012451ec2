//! Release chains: the events of one release order (`time_series_id`, like
//! `r1_201905060583197`) or task, followed across apopswareapiserver → acopswareorchestration →
//! acopswareexecutor → staragent → aciaasconnectore. A matched event that names an order or a
//! task is a hop; an event that names both (the executor dispatching a task of an order) joins
//! the order's chain and the task's. The chain in time order shows where a release first failed,
//! and which later findings are its echoes.

use std::collections::HashMap;
use std::sync::Arc;

use super::tasks::TaskId;
use crate::classify::Evidence;

/// The release order number an event names: a word of a letter and up to 7 letters or digits,
/// `_`, then 12 digits or more (`r1_201905060583197`, `CNHZ_58201812212200583197`). The first
/// one only: "r1_…197 blocked by r1_…100" is about the first order.
pub fn order_id(text: &[u8]) -> Option<&[u8]> {
    for underscore in memchr::memchr_iter(b'_', text) {
        let prefix = text[..underscore].iter().rev().take_while(|b| b.is_ascii_alphanumeric()).count();
        let start = underscore - prefix;
        let digits = text[underscore + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        let end = underscore + 1 + digits;
        let bounded_before = start == 0 || !matches!(text[start - 1], b'_' | b'-' | b'.' | b'/');
        let bounded_after = text.get(end).is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_');
        if (1..=8).contains(&prefix)
            && text[start].is_ascii_alphabetic()
            && digits >= 12
            && bounded_before
            && bounded_after
        {
            return Some(&text[start..end]);
        }
    }
    None
}

/// A matched event that names a release order or a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHop {
    pub order_id: Option<Box<str>>,
    pub task_id: Option<TaskId>,
    /// The rule that matched the event.
    pub rule: usize,
    pub component: Arc<str>,
    pub host: Arc<str>,
    /// The header line, where it is and when.
    pub evidence: Evidence,
}

impl ChainHop {
    fn order_key(&self) -> (Option<crate::event::Timestamp>, crate::classify::Position, usize) {
        (self.evidence.timestamp, self.evidence.position, self.rule)
    }
}

/// The hops a scan keeps: the earliest [`ChainHops::LIMIT`] by time, then position, so the set
/// kept does not depend on the order files were scanned or merged in. Trimmed when twice the
/// limit is reached, and by [`ChainHops::finish`] when the scan is done.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainHops {
    hops: Vec<ChainHop>,
    /// Hops seen beyond the limit and dropped.
    dropped: u64,
}

impl ChainHops {
    pub const LIMIT: usize = 20_000;

    pub fn push(&mut self, hop: ChainHop) {
        self.hops.push(hop);
        if self.hops.len() >= 2 * Self::LIMIT {
            self.trim();
        }
    }

    pub fn merge(&mut self, other: ChainHops) {
        self.dropped += other.dropped;
        self.hops.extend(other.hops);
        if self.hops.len() >= 2 * Self::LIMIT {
            self.trim();
        }
    }

    /// Sorts the hops by time and keeps the earliest [`ChainHops::LIMIT`].
    pub fn finish(&mut self) {
        self.trim();
    }

    fn trim(&mut self) {
        self.hops.sort_by_key(ChainHop::order_key);
        let excess = self.hops.len().saturating_sub(Self::LIMIT);
        self.hops.truncate(Self::LIMIT);
        self.dropped += excess as u64;
    }

    pub fn hops(&self) -> &[ChainHop] {
        &self.hops
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn shift_lines(&mut self, offset: u64) {
        for hop in &mut self.hops {
            hop.evidence.line += offset;
            hop.evidence.position.2 += offset;
        }
    }
}

/// What ties an event to others: the order it names, the task it names, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChainKey<'a> {
    Order(&'a str),
    /// A task: its id, and which task of that id (one id can be several tasks on other hosts).
    Task(TaskId, usize),
}

/// What ties one event to others: the release order it names, and the task it names (its id and
/// which task of that id).
pub type ChainKeys<'a> = (Option<&'a str>, Option<(TaskId, usize)>);

/// Links items that share a key, directly or through others (an order's dispatch line names a
/// task; the task's lines on the agent name only the task). Returns, for each item, the number
/// of its chain (items without a key get none); chains are numbered in order of first item.
pub fn link<'a>(items: &[ChainKeys<'a>]) -> Vec<Option<usize>> {
    let mut node_of: HashMap<ChainKey<'a>, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn root(parent: &mut [usize], mut node: usize) -> usize {
        while parent[node] != node {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        node
    }
    let mut node = |key: ChainKey<'a>, parent: &mut Vec<usize>| {
        *node_of.entry(key).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    let nodes: Vec<Option<usize>> = items
        .iter()
        .map(|(order, task)| {
            let order = order.map(|o| node(ChainKey::Order(o), &mut parent));
            let task = task.map(|(id, which)| node(ChainKey::Task(id, which), &mut parent));
            if let (Some(a), Some(b)) = (order, task) {
                let (a, b) = (root(&mut parent, a), root(&mut parent, b));
                parent[a.max(b)] = a.min(b);
            }
            order.or(task)
        })
        .collect();
    let mut numbers: HashMap<usize, usize> = HashMap::new();
    nodes
        .into_iter()
        .map(|node| {
            let top = root(&mut parent, node?);
            let next = numbers.len();
            Some(*numbers.entry(top).or_insert(next))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids() {
        let id = |text: &str| order_id(text.as_bytes()).map(|id| String::from_utf8_lossy(id).into_owned());
        assert_eq!(id("[r1_201905060583197] dispatch task 1").as_deref(), Some("r1_201905060583197"));
        assert_eq!(id("order CNHZ_58201812212200583197 failed").as_deref(), Some("CNHZ_58201812212200583197"));
        assert_eq!(id("r1_201905060583197 blocked by r1_201905060583100").as_deref(), Some("r1_201905060583197"));
        assert_eq!(id("time_series_id=r2_201905060583198,").as_deref(), Some("r2_201905060583198"));
        assert_eq!(id("thread pool_2 size 12"), None);
        assert_eq!(id("r1_2019050605"), None, "too few digits");
        assert_eq!(id("r1_201905060583197x"), None, "not a whole word");
        assert_eq!(id("1r_201905060583197"), None, "starts with a digit");
        assert_eq!(id("/data/r1_201905060583197"), None, "part of a path");
        assert_eq!(id("namespace_0038548210123"), None, "prefix longer than 8");
    }

    #[test]
    fn items_sharing_keys_directly_or_through_others_are_one_chain() {
        let task = |id: &str| TaskId::parse(id.as_bytes()).map(|id| (id, 0));
        let items = [
            (Some("r1"), None),          // 0: the order
            (None, task("10000")),       // 1: the agent receives task 10000
            (Some("r1"), task("10000")), // 2: the executor dispatches task 10000 of r1
            (Some("r2"), None),          // 3: another order
            (None, task("20000")),       // 4: a task of no known order
            (None, None),                // 5: nothing to link
        ];
        assert_eq!(link(&items), [Some(0), Some(0), Some(0), Some(1), Some(2), None]);
    }

    #[test]
    fn the_hops_kept_are_the_earliest_whatever_the_merge_order() {
        let hop = |line: u64| ChainHop {
            order_id: Some("r1_201905060583197".into()),
            task_id: None,
            rule: 0,
            component: "c".into(),
            host: "h".into(),
            evidence: Evidence { position: (0, 0, line), line, ..Evidence::empty() },
        };
        let total = ChainHops::LIMIT as u64 + 10;
        let (mut forward, mut backward) = (ChainHops::default(), ChainHops::default());
        for line in 0..total {
            forward.push(hop(line));
        }
        let mut parts: Vec<ChainHops> = (0..total)
            .rev()
            .map(|line| {
                let mut part = ChainHops::default();
                part.push(hop(line));
                part
            })
            .collect();
        for part in parts.drain(..) {
            backward.merge(part);
        }
        forward.finish();
        backward.finish();
        assert_eq!(forward, backward);
        assert_eq!((forward.hops().len(), forward.dropped()), (ChainHops::LIMIT, 10));
        assert_eq!(forward.hops().last().unwrap().evidence.line, ChainHops::LIMIT as u64 - 1);
    }
}
