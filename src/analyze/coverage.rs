//! Coverage: what the bundle holds, so that a scan that finds nothing can say whether it had the
//! evidence to find something. Per component and host: the log files read, their first and last
//! timestamps and events counted; and the logs the manual says every app writes that are
//! missing.

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
