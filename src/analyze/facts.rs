//! The facts a scan gathers for the analyses across events, merged over files and chunks like
//! findings: commands the agents ran (`exeurl`), errors per minute of each `common-error.log`,
//! agents' heartbeats, task lines, configuration files, coverage and release-chain hops.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::chains::{ChainHop, ChainHops};
use super::coverage::LogCoverage;
use super::error_rate::ErrorMinutes;
use super::exeurl::Command;
use super::heartbeat::Segment;
use super::tasks::{TaskBatch, TaskLine};
use crate::classify::Position;
use crate::event::Timestamp;

/// A command an agent ran, where its log says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExeurlFact {
    pub host: Arc<str>,
    pub path: Arc<str>,
    pub archive: Option<Arc<str>>,
    pub position: Position,
    pub line: u64,
    pub timestamp: Option<Timestamp>,
    pub command: Command,
    pub task_id: Option<String>,
}

/// What the configuration checks read of one `application.properties`, problem or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFileFact {
    pub path: Arc<str>,
    pub archive: Option<Arc<str>>,
    pub component: Arc<str>,
    pub host: Arc<str>,
    pub position: Position,
    pub lines: u64,
    pub crlf_lines: u64,
    pub first_crlf_line: Option<u64>,
    pub bom: bool,
    /// Offset of the first byte sequence that is not UTF-8.
    pub not_utf8_at: Option<usize>,
    pub decodes_as_gbk: Option<bool>,
    /// Keys with an empty value, and their lines (manual 2.6.2: no parameter may be empty).
    pub empty_keys: Vec<(String, u64)>,
}

/// (component, host).
pub type SourceKey = (Arc<str>, Arc<str>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The newest exeurls of each host, at most `exeurl_limit` per host.
    pub exeurls: Vec<ExeurlFact>,
    /// Exeurls read in all, kept or not.
    pub exeurls_seen: u64,
    exeurl_limit: Option<usize>,
    /// How many exeurls were kept at the last trim: merges trim again only once that has
    /// doubled, so that merging many small outcomes into one costs no sort each.
    exeurls_at_trim: usize,
    pub error_minutes: BTreeMap<SourceKey, ErrorMinutes>,
    /// Heartbeats of each agent, by (component, host).
    pub heartbeats: BTreeMap<SourceKey, Vec<Segment>>,
    /// Every `application.properties` read.
    pub config_files: Vec<ConfigFileFact>,
    /// The logs read, per (component, host).
    pub coverage: BTreeMap<SourceKey, LogCoverage>,
    /// Lines that start or end a task, in batches (one per chunk read): merging moves batches,
    /// not the many lines inside them. At most [`Facts::TASK_LINES`] are kept, the newest.
    pub tasks: Vec<TaskBatch>,
    /// Task lines dropped to keep memory bounded (the oldest).
    pub task_lines_dropped: u64,
    /// The most task lines kept (`None`: [`Facts::TASK_LINES`]).
    task_line_limit: Option<usize>,
    /// Matched events that name a release order or a task.
    pub chain_hops: ChainHops,
}

impl Facts {
    /// The most task lines kept in memory by default (`--task-lines`): about 125 MB. A bundle
    /// with more keeps the newest; the report says how many were dropped.
    pub const TASK_LINES: usize = 500_000;

    /// Facts that keep at most `exeurl_limit` exeurls per host (the newest).
    pub fn new(exeurl_limit: Option<usize>) -> Facts {
        Facts { exeurl_limit, ..Facts::default() }
    }

    /// Facts that keep at most `limit` task lines (the newest).
    pub fn with_task_line_limit(self, limit: usize) -> Facts {
        Facts { task_line_limit: Some(limit), ..self }
    }

    /// Task lines held now, in every batch.
    pub fn task_lines_held(&self) -> usize {
        self.tasks.iter().map(TaskBatch::len).sum()
    }

    /// The most task lines a scan keeps.
    pub fn task_limit(&self) -> usize {
        self.task_line_limit.unwrap_or(Self::TASK_LINES)
    }

    /// How many exeurls each host keeps (`None`: all).
    pub fn exeurl_limit(&self) -> Option<usize> {
        self.exeurl_limit
    }

    /// The task lines of one chunk.
    pub fn add_tasks(&mut self, batch: TaskBatch) {
        if !batch.is_empty() {
            self.tasks.push(batch);
        }
    }

    /// One matched event that names a release order or a task.
    pub fn add_chain_hop(&mut self, hop: ChainHop) {
        self.chain_hops.push(hop);
    }

    /// Every task line gathered.
    pub fn task_lines(&self) -> impl Iterator<Item = TaskLine<'_>> {
        self.tasks.iter().flat_map(TaskBatch::lines)
    }

    /// Keeps an exeurl if it is among the newest of its host (count it with `exeurls_seen`).
    pub fn add_exeurl(&mut self, exeurl: ExeurlFact) {
        self.exeurls.push(exeurl);
        if self.exeurl_limit.is_some_and(|limit| self.exeurls.len() > limit.saturating_mul(4).max(64)) {
            self.trim_exeurls();
        }
    }

    /// Keeps the newest exeurls of each host: by host, newest first (timestamp, then position).
    /// Which ones are kept does not depend on the order facts were merged in.
    pub fn trim_exeurls(&mut self) {
        self.exeurls.sort_by(|a, b| (&a.host, b.timestamp, b.position).cmp(&(&b.host, a.timestamp, a.position)));
        let Some(limit) = self.exeurl_limit else { return };
        let mut kept = 0;
        let mut host: Option<Arc<str>> = None;
        self.exeurls.retain(|e| {
            if host.as_ref() != Some(&e.host) {
                host = Some(e.host.clone());
                kept = 0;
            }
            kept += 1;
            kept <= limit
        });
        self.exeurls_at_trim = self.exeurls.len();
    }

    pub fn merge(&mut self, other: Facts) {
        self.exeurls_seen += other.exeurls_seen;
        self.exeurls.extend(other.exeurls);
        if let Some(limit) = self.exeurl_limit {
            if self.exeurls.len() > self.exeurls_at_trim.saturating_mul(2).max(limit.saturating_mul(4)).max(64) {
                self.trim_exeurls();
            }
        }
        for (key, minutes) in other.error_minutes {
            self.error_minutes.entry(key).or_default().merge(minutes);
        }
        self.tasks.extend(other.tasks);
        self.task_lines_dropped += other.task_lines_dropped;
        if self.task_lines_held() > self.task_limit() + self.task_limit() / 4 {
            self.trim_tasks();
        }
        self.chain_hops.merge(other.chain_hops);
        self.config_files.extend(other.config_files);
        for (key, coverage) in other.coverage {
            self.coverage.entry(key).or_default().merge(coverage);
        }
        for (key, segments) in other.heartbeats {
            self.heartbeats.entry(key).or_default().extend(segments);
        }
    }

    /// Keeps the newest [`Facts::TASK_LINES`] task lines (by timestamp, then position; lines
    /// without a timestamp count as oldest). Which lines are kept does not depend on the order
    /// facts were merged in: a line dropped here is not among the newest of the whole bundle.
    ///
    /// The batches are trimmed one after the other: facts are merged under locks (the scan's
    /// shared outcome), and a thread waiting for parallel work runs other jobs meanwhile, one of
    /// which may wait for the lock it holds. [`Facts::trim_tasks_in_parallel`] is for callers
    /// that hold no lock.
    pub fn trim_tasks(&mut self) {
        if let Some(cutoff) = self.task_cutoff(|batches| batches.iter().flat_map(TaskBatch::millis).collect()) {
            let dropped: usize = self.tasks.iter_mut().map(|batch| batch.retain_from(cutoff)).sum();
            self.forget_dropped(dropped);
        }
    }

    /// [`Facts::trim_tasks`] with the batches read and trimmed in parallel: never while holding
    /// a lock.
    pub fn trim_tasks_in_parallel(&mut self) {
        let cutoff = self.task_cutoff(|batches| batches.par_iter().flat_map_iter(TaskBatch::millis).collect());
        if let Some(cutoff) = cutoff {
            let dropped: usize = self.tasks.par_iter_mut().map(|batch| batch.retain_from(cutoff)).sum();
            self.forget_dropped(dropped);
        }
    }

    /// The key of the oldest task line to keep, when more are held than are kept. Of the lines'
    /// times (`millis` gathers them, a line without one as `i64::MIN`), the one at the limit
    /// decides; only the lines of that very millisecond are compared by position. Gathering
    /// every line's full key took 17 ms for half a million lines.
    fn task_cutoff(&self, millis: impl FnOnce(&[TaskBatch]) -> Vec<i64>) -> Option<(Option<Timestamp>, Position)> {
        let limit = self.task_limit();
        if self.task_lines_held() <= limit {
            return None;
        }
        let mut millis = millis(&self.tasks);
        let first_kept = millis.len() - limit;
        let (_, at, newer) = millis.select_nth_unstable(first_kept);
        let at = *at;
        // Lines of a later time are kept; of those at the limit's time, the latest positions.
        let kept_at = limit - newer.iter().filter(|m| **m > at).count();
        let timestamp = (at != i64::MIN).then(|| Timestamp::from_local_millis(at));
        let mut tied: Vec<Position> = self
            .tasks
            .iter()
            .flat_map(TaskBatch::keys)
            .filter(|(t, _)| *t == timestamp)
            .map(|(_, position)| position)
            .collect();
        let first_tied_kept = tied.len() - kept_at;
        let (_, position, _) = tied.select_nth_unstable(first_tied_kept);
        Some((timestamp, *position))
    }

    fn forget_dropped(&mut self, dropped: usize) {
        self.task_lines_dropped += dropped as u64;
        self.tasks.retain(|batch| !batch.is_empty());
    }

    /// Drops the task lines older than `cutoff`: lines that cannot be among the newest kept.
    /// One batch after the other, as [`Facts::trim_tasks`]; [`drop_task_lines_before`] drops in
    /// parallel, for callers that hold no lock.
    pub fn drop_tasks_before(&mut self, cutoff: Timestamp) {
        let dropped: usize = self.tasks.iter_mut().map(|batch| batch.drop_before(cutoff)).sum();
        self.forget_dropped(dropped);
    }

    /// Adds `offset` to every line number (chunk-relative to file lines).
    pub fn shift_lines(&mut self, offset: u64) {
        for exeurl in &mut self.exeurls {
            exeurl.line += offset;
            exeurl.position.2 += offset;
        }
        for minutes in self.error_minutes.values_mut() {
            minutes.shift_lines(offset);
        }
        for segment in self.heartbeats.values_mut().flatten() {
            segment.shift_lines(offset);
        }
        self.chain_hops.shift_lines(offset);
        for batch in &mut self.tasks {
            batch.shift_lines(offset);
        }
    }
}

/// Drops the lines older than `cutoff` from `batches`, the batches in parallel, and the batches
/// left empty; returns how many lines were dropped. Never call it while holding a lock (see
/// [`Facts::trim_tasks`]).
pub fn drop_task_lines_before(batches: &mut Vec<TaskBatch>, cutoff: Timestamp) -> u64 {
    let dropped: usize = batches.par_iter_mut().map(|batch| batch.drop_before(cutoff)).sum();
    batches.retain(|batch| !batch.is_empty());
    dropped as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{NewTaskLine, TaskId, TaskSource};
    use crate::rules::Role;

    /// Facts holding task lines given as (unit, millis), a batch per unit.
    fn facts(limit: usize, lines: &[(u32, i64)]) -> Facts {
        let mut batches: BTreeMap<u32, TaskBatch> = BTreeMap::new();
        for (i, (unit, millis)) in lines.iter().enumerate() {
            let header = format!("recv task {}", 10_000 + i);
            let batch =
                batches.entry(*unit).or_insert_with(|| TaskBatch::new(TaskSource::plain("staragent", "h", "p", *unit)));
            batch.push(NewTaskLine {
                task_id: TaskId::parse(format!("{}", 10_000 + i).as_bytes()).unwrap(),
                role: Role::TaskStart,
                outcome: None,
                timestamp: (*millis >= 0).then(|| Timestamp::from_local_millis(*millis)),
                line: i as u64 + 1,
                header: header.as_bytes(),
                max_text: 240,
                fields: Vec::new(),
            });
        }
        let mut facts = Facts::default().with_task_line_limit(limit);
        for batch in batches.into_values() {
            facts.add_tasks(batch);
        }
        facts
    }

    fn kept(facts: &Facts) -> Vec<(Option<Timestamp>, Position, String)> {
        let mut kept: Vec<_> = facts
            .task_lines()
            .map(|l| (l.timestamp(), l.position(), String::from_utf8_lossy(l.text()).into_owned()))
            .collect();
        kept.sort();
        kept
    }

    #[test]
    fn the_newest_task_lines_are_kept_whatever_the_merge_order() {
        let parts = [
            vec![(0, 5), (0, 50), (0, 7), (0, -1)],
            vec![(1, 60), (1, 1), (1, 30)],
            vec![(2, 40), (2, 2), (2, 70), (2, 3), (2, 45)],
        ];
        let merged = |order: &[usize]| {
            let mut all = Facts::default().with_task_line_limit(4);
            for i in order {
                all.merge(facts(4, &parts[*i]));
                all.trim_tasks();
            }
            all
        };
        let (a, b) = (merged(&[0, 1, 2]), merged(&[2, 0, 1]));
        assert_eq!(kept(&a), kept(&b));
        let times: Vec<i64> = kept(&a).iter().map(|k| k.0.unwrap().local_millis()).collect();
        assert_eq!(times, [45, 50, 60, 70]);
        assert_eq!((a.task_lines_dropped, b.task_lines_dropped), (8, 8));
        // Each line kept keeps its own text (the buffer is compacted when lines are dropped).
        assert!(a.task_lines().all(|l| String::from_utf8_lossy(l.text()) == format!("recv task {}", l.task_id())));
    }

    #[test]
    fn lines_of_the_same_millisecond_are_kept_by_position() {
        // Units 0 to 2 each hold lines at 10 ms; one line is newer, one has no time.
        let lines = [(0, 10), (0, 10), (0, -1), (1, 10), (1, 20), (2, 10), (2, 10)];
        let mut parallel = facts(4, &lines);
        parallel.trim_tasks_in_parallel();
        let kept_keys: Vec<_> = kept(&parallel).iter().map(|(t, p, _)| (t.unwrap().local_millis(), p.0, p.2)).collect();
        assert_eq!(kept_keys, [(10, 1, 4), (10, 2, 6), (10, 2, 7), (20, 1, 5)], "the latest positions at 10 ms");
        assert_eq!(parallel.task_lines_dropped, 3);
        let mut sequential = facts(4, &lines);
        sequential.trim_tasks();
        assert_eq!(kept(&sequential), kept(&parallel), "both trims keep the same lines");
        // Fewer lines than the limit: nothing to drop.
        let mut few = facts(10, &lines);
        few.trim_tasks_in_parallel();
        assert_eq!((few.task_lines_held(), few.task_lines_dropped), (7, 0));
    }

    /// Many small outcomes merged one by one into one (as the scan does) keep the same exeurls
    /// as when merged in one go, and the one they join stays bounded on the way.
    #[test]
    fn exeurls_merged_one_by_one_keep_the_newest_of_each_host() {
        let exeurl = |host: usize, millis: i64| ExeurlFact {
            host: format!("h{host}").into(),
            path: "p".into(),
            archive: None,
            position: (millis as u32, 0, 1),
            line: 1,
            timestamp: Some(Timestamp::from_local_millis(millis)),
            command: super::super::exeurl::Command {
                command: format!("/home/admin/bin/x.py {millis}"),
                script: "/home/admin/bin/x.py".into(),
                args: millis.to_string(),
            },
            task_id: None,
        };
        let mut one_by_one = Facts::new(Some(3));
        let mut all = Facts::new(Some(3));
        let mut most_held = 0;
        for millis in 0..2_000i64 {
            let mut part = Facts::new(Some(3));
            part.exeurls_seen = 1;
            part.add_exeurl(exeurl(millis as usize % 10, millis));
            all.exeurls.push(exeurl(millis as usize % 10, millis));
            one_by_one.merge(part);
            most_held = most_held.max(one_by_one.exeurls.len());
        }
        one_by_one.trim_exeurls();
        all.trim_exeurls();
        assert_eq!(one_by_one.exeurls, all.exeurls);
        assert_eq!(one_by_one.exeurls.len(), 30);
        assert!(one_by_one.exeurls.iter().all(|e| e.timestamp.unwrap().local_millis() >= 1_970));
        assert_eq!(one_by_one.exeurls_seen, 2_000);
        assert!(most_held <= 64, "at most {most_held} held between trims");
    }

    #[test]
    fn lines_before_a_cutoff_are_dropped_with_their_text() {
        let mut all = facts(100, &[(0, 5), (0, 50), (0, -1), (0, 30)]);
        all.merge(facts(100, &[(1, 60), (1, 70)]));
        all.drop_tasks_before(Timestamp::from_local_millis(30));
        let times: Vec<i64> = kept(&all).iter().map(|k| k.0.unwrap().local_millis()).collect();
        assert_eq!(times, [30, 50, 60, 70], "older lines and lines without a time are dropped");
        assert_eq!(all.task_lines_dropped, 2);
        assert!(all.task_lines().all(|l| String::from_utf8_lossy(l.text()) == format!("recv task {}", l.task_id())));
        // A batch with nothing older is left as it is; one with nothing left goes.
        all.drop_tasks_before(Timestamp::from_local_millis(30));
        assert_eq!((all.task_lines().count(), all.task_lines_dropped), (4, 2));
        all.drop_tasks_before(Timestamp::from_local_millis(55));
        assert_eq!((all.tasks.len(), all.task_lines_dropped), (1, 4));
    }
}
