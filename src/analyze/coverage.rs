//! Coverage: what the bundle holds, so that a scan that finds nothing can say whether it had the
//! evidence to find something. Per component and host: the log files read, their first and last
//! timestamps and events counted; the logs the manual says should be there that are missing;
//! and, with `--since`/`--until`, the logs whose span does not cover the window.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::event::Timestamp;

/// The logs of one component on one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogCoverage {
    pub files: BTreeSet<Arc<str>>,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub events: u64,
    /// A `common-error.log` (or a rotation of it) is among the files.
    pub has_common_error: bool,
}

impl LogCoverage {
    /// One stretch of one file: its path, timestamp span and events.
    pub fn of(path: &Arc<str>, first: Option<Timestamp>, last: Option<Timestamp>, events: u64) -> LogCoverage {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        LogCoverage {
            files: BTreeSet::from([path.clone()]),
            first,
            last,
            events,
            has_common_error: name.contains("common-error.log"),
        }
    }

    pub fn merge(&mut self, other: LogCoverage) {
        self.files.extend(other.files);
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = self.last.max(other.last);
        self.events += other.events;
        self.has_common_error |= other.has_common_error;
    }
}

/// How a log's span falls short of the `--since`/`--until` window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowGap {
    /// The log has no event in the window at all (or no timestamps).
    pub outside: bool,
    pub reason: &'static str,
}

/// Why a log's span does not cover the `--since`/`--until` window, or `None` when it does.
/// Only the bounds given are checked: with `--since` alone, a log must begin by then (it need
/// not reach any end). A log that covers the window partly may simply have been quiet (an error
/// log is, when nothing fails); one outside the window cannot tell anything about it.
pub fn window_gap(
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
) -> Option<WindowGap> {
    let outside = |reason| Some(WindowGap { outside: true, reason });
    let partly = |reason| Some(WindowGap { outside: false, reason });
    if since.is_none() && until.is_none() {
        return None;
    }
    let (Some(first), Some(last)) = (first, last) else {
        return outside("no timestamps: cannot be placed in the window");
    };
    if since.is_some_and(|since| last < since) {
        return outside("ends before the window begins");
    }
    if until.is_some_and(|until| first > until) {
        return outside("begins after the window ends");
    }
    let starts_late = since.is_some_and(|since| first > since);
    let ends_early = until.is_some_and(|until| last < until);
    match (starts_late, ends_early) {
        (true, true) => partly("begins after the window begins and ends before it ends"),
        (true, false) => partly("begins after the window begins"),
        (false, true) => partly("ends before the window ends"),
        (false, false) => None,
    }
}

/// Where the manual says an app's error log is.
pub fn expected_error_log(component: &str) -> String {
    format!("/home/admin/logs/{component}/common-error.log")
}

/// Where the manual says the agent's log is.
pub const AGENT_LOG: &str = "/home/staragent/log/staragent_core.log";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_gaps() {
        let t = |ms| Some(Timestamp::from_local_millis(ms));
        let gap = |first, last, since, until| window_gap(first, last, since, until).map(|g| (g.outside, g.reason));
        assert_eq!(gap(t(10), t(20), None, None), None);
        assert_eq!(gap(t(10), t(20), t(12), t(18)), None);
        assert_eq!(gap(t(10), t(20), t(15), None), None);
        assert_eq!(gap(t(10), t(20), t(21), None), Some((true, "ends before the window begins")));
        assert_eq!(gap(t(10), t(20), None, t(9)), Some((true, "begins after the window ends")));
        assert_eq!(gap(t(10), t(20), t(5), None), Some((false, "begins after the window begins")));
        assert_eq!(
            gap(t(10), t(20), t(0), t(30)),
            Some((false, "begins after the window begins and ends before it ends"))
        );
        assert_eq!(gap(t(10), t(20), t(10), t(30)), Some((false, "ends before the window ends")));
        assert_eq!(gap(None, None, t(10), None).map(|g| g.0), Some(true));
    }

    #[test]
    fn merging_widens_the_span_and_joins_the_files() {
        let (a, b): (Arc<str>, Arc<str>) = ("x/common-error.log".into(), "x/x-default.log".into());
        let t = |ms| Some(Timestamp::from_local_millis(ms));
        let mut cov = LogCoverage::of(&b, t(50), t(90), 3);
        assert!(!cov.has_common_error);
        cov.merge(LogCoverage::of(&a, t(10), t(60), 2));
        cov.merge(LogCoverage::of(&a, None, None, 1));
        assert_eq!(
            (cov.first, cov.last, cov.events, cov.files.len(), cov.has_common_error),
            (t(10), t(90), 6, 2, true)
        );
    }
}
