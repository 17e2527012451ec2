//! Analyses beyond single events: the checks on whole `application.properties` files (CRLF line
//! endings, encoding), the commands agents ran (`exeurl`), error-rate alerts, agent heartbeat
//! gaps, task timing and clock offsets, release chains, and the bundle's coverage. Input is a
//! file's bytes or the events of `scan`; output is typed facts, merged over the bundle, that the
//! report turns into findings and lists.

mod chains;
mod coverage;
mod error_rate;
mod exeurl;
mod facts;
mod heartbeat;
mod huge_pages;
mod properties;
mod tasks;

pub use chains::{ChainHop, ChainHops, ChainKey, ChainKeys, link, order_id};
pub use coverage::{AGENT_LOG, LogCoverage, expected_error_log, window_gap};
pub use error_rate::{AlertRun, ErrorCounter, ErrorMinutes, MinuteCount, alert_runs};
pub use exeurl::{Command, is_command, parse_exeurl};
pub use facts::{ConfigFileFact, ExeurlFact, Facts, SourceKey, drop_task_lines_before};
pub use heartbeat::{Gap, Segment, Tracker, gaps};
pub use properties::{CrlfFacts, EncodingFacts, GbkReading, crlf_facts, empty_keys, encoding_facts};
pub use tasks::{
    ClockOffset, NewTaskLine, Outcome, Task, TaskBatch, TaskGroups, TaskId, TaskLine, TaskSource, clock_offsets,
    header_task_id, pair_tasks, task_details,
};
