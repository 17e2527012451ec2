//! The facts a scan gathers for the analyses across events, merged over files and chunks like
//! findings: commands the agents ran (`exeurl`), errors per minute of each `common-error.log`,
//! and agents' heartbeats.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::error_rate::ErrorMinutes;
use super::exeurl::Command;
use super::heartbeat::Segment;
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

/// (component, host).
pub type SourceKey = (Arc<str>, Arc<str>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub exeurls: Vec<ExeurlFact>,
    pub error_minutes: BTreeMap<SourceKey, ErrorMinutes>,
    /// Heartbeats of each agent, by (component, host).
    pub heartbeats: BTreeMap<SourceKey, Vec<Segment>>,
}

impl Facts {
    pub fn merge(&mut self, other: Facts) {
        self.exeurls.extend(other.exeurls);
        for (key, minutes) in other.error_minutes {
            self.error_minutes.entry(key).or_default().merge(minutes);
        }
        for (key, segments) in other.heartbeats {
            self.heartbeats.entry(key).or_default().extend(segments);
        }
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
    }
}
