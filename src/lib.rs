//! cas-triage finds the documented faults of the SOFAStack CAS platform in collected log
//! bundles and reports them with evidence and the runbook's next steps.
//!
//! The pipeline, one module per stage, each feeding the next:
//!
//! - [`input`]: bundle discovery, archives, decompression, memory maps → [`input::Source`]
//! - [`event`]: multi-line events, timestamps, levels → [`event::Record`]
//! - [`rules`]: the rule pack, loaded and compiled → [`rules::RuleMatch`]
//! - [`analyze`]: analyses across events and files: exeurls, task pairing and clock skew, error
//!   rates, heartbeats, release chains, coverage, application.properties checks
//! - [`classify`]: matches grouped into findings → [`classify::FindingSet`]
//! - [`report`]: one [`report::Report`], written as text, JSON, JSON Lines, a timeline, markdown,
//!   an HTML page, JUnit XML, SARIF or tickets
//!
//! Beside the pipeline, [`export`] writes the rule pack in other rule languages (Sigma), for the
//! log platforms where a fleet's logs already are.
//!
//! [`scan`] is the glue that runs the stages in parallel; [`app`] runs a command line, whose
//! options [`config_file`] fills from `cas-triage.toml` and [`config`] validates.

pub mod analyze;
pub mod app;
pub mod classify;
pub mod cli;
pub mod config;
pub mod config_file;
pub mod event;
pub mod export;
pub mod input;
mod progress;
pub mod report;
pub mod rules;
pub mod scan;
pub mod stats;
