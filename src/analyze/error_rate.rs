//! Error-rate alerts (manual 2.3.1, 3.3.1): the monitoring counts the error entries of each
//! service's `common-error.log` over the last 5 minutes, every minute, and alerts above a
//! threshold (100 for apopswareapiserver and apconsole, 10 for the others). Errors are counted
//! per minute while scanning; the windows are evaluated once the whole bundle is read.

use std::collections::BTreeMap;

use crate::classify::{Evidence, Position};
use crate::event::Timestamp;

const MINUTE_MS: i64 = 60_000;

/// The errors of one minute, with the first of them as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinuteCount {
    pub count: u64,
    pub first: Evidence,
}

/// Errors per minute of one log (or of one component on one host, once merged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorMinutes {
    minutes: BTreeMap<i64, MinuteCount>,
}

/// Counts the errors of a log as it is read: the minute being read is counted apart, so that the
/// errors of a log in time order cost an integer comparison each, not a map lookup.
#[derive(Debug, Default)]
pub struct ErrorCounter {
    current: Option<(i64, MinuteCount)>,
    counted: ErrorMinutes,
}

impl ErrorCounter {
    /// Counts one error at `timestamp`; builds its evidence only when it is the first of its
    /// minute so far.
    pub fn add(&mut self, timestamp: Timestamp, evidence: impl FnOnce() -> Evidence) {
        let minute = timestamp.local_millis().div_euclid(MINUTE_MS);
        if let Some((current, bucket)) = &mut self.current {
            if *current == minute {
                bucket.count += 1;
                return;
            }
        }
        if let Some((current, bucket)) = self.current.take() {
            self.counted.add_bucket(current, bucket);
        }
        self.current = Some((minute, MinuteCount { count: 1, first: evidence() }));
    }

    pub fn finish(mut self) -> ErrorMinutes {
        if let Some((current, bucket)) = self.current.take() {
            self.counted.add_bucket(current, bucket);
        }
        self.counted
    }
}

impl ErrorMinutes {
    fn add_bucket(&mut self, minute: i64, bucket: MinuteCount) {
        let mut one = BTreeMap::new();
        one.insert(minute, bucket);
        self.merge(ErrorMinutes { minutes: one });
    }

    /// Counts one error at `timestamp`; builds its evidence only when it is the first of its
    /// minute so far.
    pub fn add(&mut self, timestamp: Timestamp, position: Position, evidence: impl FnOnce() -> Evidence) {
        let minute = timestamp.local_millis().div_euclid(MINUTE_MS);
        match self.minutes.get_mut(&minute) {
            Some(bucket) => {
                bucket.count += 1;
                if (timestamp, position) < (bucket.first.timestamp.unwrap_or(timestamp), bucket.first.position) {
                    bucket.first = evidence();
                }
            }
            None => {
                self.minutes.insert(minute, MinuteCount { count: 1, first: evidence() });
            }
        }
    }

    pub fn merge(&mut self, other: ErrorMinutes) {
        for (minute, bucket) in other.minutes {
            match self.minutes.get_mut(&minute) {
                Some(mine) => {
                    mine.count += bucket.count;
                    if (bucket.first.timestamp, bucket.first.position) < (mine.first.timestamp, mine.first.position) {
                        mine.first = bucket.first;
                    }
                }
                None => {
                    self.minutes.insert(minute, bucket);
                }
            }
        }
    }

    /// Adds `offset` to every line number (chunk-relative to file lines).
    pub fn shift_lines(&mut self, offset: u64) {
        for bucket in self.minutes.values_mut() {
            bucket.first.line += offset;
            bucket.first.position.2 += offset;
        }
    }

    /// Errors counted in all.
    pub fn total(&self) -> u64 {
        self.minutes.values().map(|b| b.count).sum()
    }

    /// The minutes with errors, in time order: each minute's start and its errors.
    pub fn counts(&self) -> impl Iterator<Item = (Timestamp, u64)> + '_ {
        self.minutes.iter().map(|(minute, bucket)| (Timestamp::from_local_millis(minute * MINUTE_MS), bucket.count))
    }
}

/// Consecutive alerting evaluations, merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRun {
    /// Start of the first alerting window.
    pub start: Timestamp,
    /// End of the last alerting window.
    pub end: Timestamp,
    /// The most errors one window of the run held.
    pub peak: u64,
    /// Errors between `start` and `end`.
    pub errors: u64,
    pub threshold: u64,
    /// The first error of the run.
    pub first: Evidence,
}

/// Evaluates a window of `window_minutes` at every minute boundary, as the monitoring does, and
/// merges the evaluations with more than `threshold` errors into runs.
pub fn alert_runs(errors: &ErrorMinutes, window_minutes: u32, threshold: u64) -> Vec<AlertRun> {
    let window = i64::from(window_minutes.max(1));
    let minutes = &errors.minutes;
    let (Some(&first), Some(&last)) = (minutes.keys().next(), minutes.keys().next_back()) else { return Vec::new() };
    let mut runs: Vec<AlertRun> = Vec::new();
    let mut open: Option<(i64, i64, u64)> = None; // (first alerting end, last alerting end, peak)
    let mut end = first + 1;
    while end <= last + window {
        let count: u64 = minutes.range(end - window..end).map(|(_, b)| b.count).sum();
        if count > threshold {
            open = Some(match open {
                Some((from, _, peak)) => (from, end, peak.max(count)),
                None => (end, end, count),
            });
            end += 1;
            continue;
        }
        if let Some((from, to, peak)) = open.take() {
            runs.push(close_run(minutes, from - window, to, peak, threshold));
        }
        // Nothing can alert before the next minute with errors enters the window.
        end = match minutes.range(end..).next() {
            Some((&next, _)) => (end + 1).max(next + 1),
            None => break,
        };
    }
    if let Some((from, to, peak)) = open {
        runs.push(close_run(minutes, from - window, to, peak, threshold));
    }
    runs
}

fn close_run(minutes: &BTreeMap<i64, MinuteCount>, start: i64, end: i64, peak: u64, threshold: u64) -> AlertRun {
    let inside = || minutes.range(start..end).map(|(_, b)| b);
    let first = inside().map(|b| &b.first).min_by_key(|e| (e.timestamp, e.position)).cloned();
    AlertRun {
        start: Timestamp::from_local_millis(start * MINUTE_MS),
        end: Timestamp::from_local_millis(end * MINUTE_MS),
        peak,
        errors: inside().map(|b| b.count).sum(),
        threshold,
        first: first.expect("an alerting window holds errors"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64, second: i64) -> Timestamp {
        Timestamp::from_local_millis(minute * MINUTE_MS + second * 1000)
    }

    fn evidence(ts: Timestamp, line: u64) -> Evidence {
        Evidence {
            position: (0, 0, line),
            path: "p".into(),
            line,
            timestamp: Some(ts),
            text: b"t".to_vec(),
            fields: vec![],
            ..Evidence::empty()
        }
    }

    /// `count` errors spread over `minute`.
    fn burst(errors: &mut ErrorMinutes, minute: i64, count: u64) {
        for i in 0..count {
            let ts = at(minute, (i % 60) as i64);
            let line = (minute * 1000) as u64 + i;
            errors.add(ts, (0, 0, line), || evidence(ts, line));
        }
    }

    #[test]
    fn just_under_the_threshold_does_not_alert() {
        let mut errors = ErrorMinutes::default();
        burst(&mut errors, 100, 5);
        burst(&mut errors, 102, 5);
        assert_eq!(errors.total(), 10);
        assert!(alert_runs(&errors, 5, 10).is_empty());
    }

    #[test]
    fn just_over_the_threshold_alerts_for_as_long_as_the_window_holds_it() {
        let mut errors = ErrorMinutes::default();
        burst(&mut errors, 100, 5);
        burst(&mut errors, 102, 6);
        let runs = alert_runs(&errors, 5, 10);
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        // Windows ending at 103, 104 and 105 hold both minutes; the one ending at 106 no longer
        // holds minute 100.
        assert_eq!((run.start, run.end), (at(98, 0), at(105, 0)));
        assert_eq!((run.peak, run.errors, run.threshold), (11, 11, 10));
        assert_eq!(run.first.line, 100_000);
    }

    #[test]
    fn separate_bursts_make_separate_runs() {
        let mut errors = ErrorMinutes::default();
        burst(&mut errors, 10, 20);
        burst(&mut errors, 500_000, 12);
        let runs = alert_runs(&errors, 5, 10);
        assert_eq!(runs.len(), 2);
        assert_eq!((runs[0].start, runs[0].end), (at(6, 0), at(15, 0)));
        assert_eq!((runs[1].peak, runs[1].start), (12, at(499_996, 0)));
    }

    #[test]
    fn merging_keeps_counts_and_the_earliest_evidence() {
        let (mut a, mut b) = (ErrorMinutes::default(), ErrorMinutes::default());
        burst(&mut a, 7, 3);
        burst(&mut b, 7, 4);
        b.shift_lines(1);
        a.merge(b);
        assert_eq!(a.total(), 7);
        assert_eq!(a.minutes[&7].first.line, 7000);
        burst(&mut a, 9, 2);
        let counts: Vec<(Timestamp, u64)> = a.counts().collect();
        assert_eq!(counts, [(at(7, 0), 7), (at(9, 0), 2)]);
    }
}
