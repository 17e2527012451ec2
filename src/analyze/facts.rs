//! The facts a scan gathers for the analyses across events, merged over files and chunks like
//! findings: commands the agents ran (`exeurl`), errors per minute of each `common-error.log`,
//! agents' heartbeats, task lines, configuration files, coverage and release-chain hops.

use std::collections::BTreeMap;
use std::sync::Arc;

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
    pub error_minutes: BTreeMap<SourceKey, ErrorMinutes>,
    /// Heartbeats of each agent, by (component, host).
    pub heartbeats: BTreeMap<SourceKey, Vec<Segment>>,
    /// Every `application.properties` read.
    pub config_files: Vec<ConfigFileFact>,
    /// The logs read, per (component, host).
    pub coverage: BTreeMap<SourceKey, LogCoverage>,
    /// Lines that start or end a task, in batches (one per chunk read): merging moves batches,
    /// not the many lines inside them.
    pub tasks: Vec<TaskBatch>,
    /// Matched events that name a release order or a task.
    pub chain_hops: ChainHops,
}

impl Facts {
    /// Facts that keep at most `exeurl_limit` exeurls per host (the newest).
    pub fn new(exeurl_limit: Option<usize>) -> Facts {
        Facts { exeurl_limit, ..Facts::default() }
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
    }

    pub fn merge(&mut self, other: Facts) {
        self.exeurls_seen += other.exeurls_seen;
        self.exeurls.extend(other.exeurls);
        if self.exeurl_limit.is_some() {
            self.trim_exeurls();
        }
        for (key, minutes) in other.error_minutes {
            self.error_minutes.entry(key).or_default().merge(minutes);
        }
        self.tasks.extend(other.tasks);
        self.chain_hops.merge(other.chain_hops);
        self.config_files.extend(other.config_files);
        for (key, coverage) in other.coverage {
            self.coverage.entry(key).or_default().merge(coverage);
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
        self.chain_hops.shift_lines(offset);
        for batch in &mut self.tasks {
            batch.shift_lines(offset);
        }
    }
}
