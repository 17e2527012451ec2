//! Agent heartbeats (manual 2.7.1): "the heartbeat time is under 1 minute in almost every case;
//! over 1 minute means a network or agent problem". The heartbeat lines of each agent log are
//! followed in order; only the first and last heartbeat of each stretch of log and the gaps
//! longer than the limit are kept, so memory does not grow with the log.

use crate::classify::Evidence;
use crate::event::Timestamp;

/// Two consecutive heartbeats too far apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub before: Evidence,
    pub after: Evidence,
}

impl Gap {
    pub fn start(&self) -> Timestamp {
        self.before.timestamp.expect("heartbeats have timestamps")
    }

    pub fn end(&self) -> Timestamp {
        self.after.timestamp.expect("heartbeats have timestamps")
    }

    pub fn seconds(&self) -> f64 {
        (self.end().local_millis() - self.start().local_millis()) as f64 / 1000.0
    }
}

/// The heartbeats of one stretch of log (a chunk of a file): its first and last heartbeat and
/// the gaps inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub first: Evidence,
    pub last: Evidence,
    pub gaps: Vec<Gap>,
}

impl Segment {
    pub fn shift_lines(&mut self, offset: u64) {
        let all = [&mut self.first, &mut self.last]
            .into_iter()
            .chain(self.gaps.iter_mut().flat_map(|g| [&mut g.before, &mut g.after]));
        for evidence in all {
            evidence.line += offset;
            evidence.position.2 += offset;
        }
    }
}

/// Follows the heartbeats of one stretch of log, in log order. The last heartbeat is kept in a
/// reused buffer, so following a log allocates only for its first heartbeat and its gaps.
#[derive(Debug)]
pub struct Tracker {
    max_gap_ms: i64,
    first: Option<Evidence>,
    /// The last heartbeat so far: its evidence, whose text buffer is reused.
    last: Option<Evidence>,
    gaps: Vec<Gap>,
}

impl Tracker {
    pub fn new(max_gap_seconds: u32) -> Tracker {
        Tracker { max_gap_ms: i64::from(max_gap_seconds) * 1000, first: None, last: None, gaps: Vec::new() }
    }

    /// One heartbeat at `timestamp`: `fill` writes its evidence into the one it is given.
    pub fn beat(&mut self, timestamp: Timestamp, fill: impl FnOnce(&mut Evidence)) {
        let Some(last) = &mut self.last else {
            let mut beat = Evidence::empty();
            fill(&mut beat);
            self.first = Some(beat.clone());
            self.last = Some(beat);
            return;
        };
        let gap = last
            .timestamp
            .is_some_and(|before| (timestamp.local_millis() - before.local_millis()) / 1000 * 1000 > self.max_gap_ms);
        let before = gap.then(|| last.clone());
        fill(last);
        if let Some(before) = before {
            self.gaps.push(Gap { before, after: last.clone() });
        }
    }

    pub fn finish(self) -> Option<Segment> {
        Some(Segment { first: self.first?, last: self.last?, gaps: self.gaps })
    }
}

/// More than the limit in whole seconds: 60.4 s is not over 60 s (log timestamps jitter by
/// milliseconds around a one-minute period), 61 s is.
fn is_gap(before: &Evidence, after: &Evidence, max_gap_ms: i64) -> bool {
    match (before.timestamp, after.timestamp) {
        (Some(b), Some(a)) => (a.local_millis() - b.local_millis()) / 1000 * 1000 > max_gap_ms,
        _ => false,
    }
}

/// Every gap of one agent over all its segments: the gaps inside segments, and between one
/// segment's last heartbeat and the next segment's first (segments in time order).
pub fn gaps(segments: &[Segment], max_gap_seconds: u32) -> Vec<Gap> {
    let max_gap_ms = i64::from(max_gap_seconds) * 1000;
    let mut ordered: Vec<&Segment> = segments.iter().collect();
    ordered.sort_by_key(|s| (s.first.timestamp, s.first.position));
    let mut gaps: Vec<Gap> = Vec::new();
    let mut previous: Option<&Segment> = None;
    for segment in ordered {
        if let Some(previous) = previous {
            if is_gap(&previous.last, &segment.first, max_gap_ms) {
                gaps.push(Gap { before: previous.last.clone(), after: segment.first.clone() });
            }
        }
        gaps.extend(segment.gaps.iter().cloned());
        previous = Some(match previous {
            Some(p) if p.last.timestamp > segment.last.timestamp => p,
            _ => segment,
        });
    }
    gaps.sort_by_key(|g| (g.before.timestamp, g.before.position));
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(second: i64, line: u64) -> Evidence {
        Evidence {
            position: (0, 0, line),
            path: "agent.log".into(),
            line,
            timestamp: Some(Timestamp::from_local_millis(second * 1000)),
            text: b"heartbeat".to_vec(),
            fields: vec![],
            ..Evidence::empty()
        }
    }

    fn track(tracker: &mut Tracker, evidence: Evidence) {
        tracker.beat(evidence.timestamp.unwrap(), |slot| *slot = evidence);
    }

    fn segment(seconds: &[i64]) -> Segment {
        let mut tracker = Tracker::new(60);
        for (i, s) in seconds.iter().enumerate() {
            track(&mut tracker, beat(*s, *s as u64 + i as u64));
        }
        tracker.finish().unwrap()
    }

    #[test]
    fn sixty_seconds_is_fine_sixty_one_is_a_gap() {
        let mut jitter = Tracker::new(60);
        track(&mut jitter, beat(0, 1));
        let mut late = beat(60, 2);
        late.timestamp = Some(Timestamp::from_local_millis(60_999));
        track(&mut jitter, late);
        assert!(jitter.finish().unwrap().gaps.is_empty(), "60.999 s is not over a minute");
        let seg = segment(&[0, 30, 90, 151, 160]);
        assert_eq!(seg.gaps.len(), 1);
        assert_eq!((seg.gaps[0].start().local_millis(), seg.gaps[0].seconds()), (90_000, 61.0));
        assert_eq!(seg.first.line, 0);
    }

    #[test]
    fn gaps_between_segments_count_too() {
        let segments = [segment(&[200, 210]), segment(&[0, 10, 20]), segment(&[100, 110])];
        let found = gaps(&segments, 60);
        let spans: Vec<(i64, i64)> =
            found.iter().map(|g| (g.start().local_millis() / 1000, g.end().local_millis() / 1000)).collect();
        assert_eq!(spans, [(20, 100), (110, 200)]);
    }

    #[test]
    fn overlapping_segments_do_not_invent_gaps() {
        let segments = [segment(&[0, 50, 100, 150, 200]), segment(&[30, 60])];
        assert!(gaps(&segments, 60).is_empty());
    }
}
