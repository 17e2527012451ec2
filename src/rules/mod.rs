//! The rule stage: the rule-pack format, loading and validation, and compilation into one
//! matcher. Input is TOML (embedded at build time from `rules/`, or a user's directory); output is
//! a [`CompiledRules`] that `scan` asks, event by event, which rules hold ([`RuleMatch`]).

mod digest;
mod embedded;
mod event_hits;
mod examples;
mod format;
mod lint;
mod literals;
mod matcher;
mod pack;

pub use digest::pack_id;
pub use event_hits::EventHits;
pub use examples::{ExampleFailure, test_examples};
pub use lint::{LintLevel, LintProblem, lint_dir, lint_files};
pub use literals::LiteralSearch;
pub use matcher::{CompiledRules, LevelLiterals, LiteralHit, RuleMatch, Scope, Scratch};
pub use pack::{
    Check, ErrorRate, FieldDoc, Heartbeat, PackVersion, ReleaseStep, Remediation, Role, Rule, RuleKind, RulePack,
    Signature, Tasks, Text, fill_placeholders,
};

use std::{fmt, path::PathBuf, str::FromStr};

use serde::{Deserialize, Serialize};

/// Every fault id of the fault catalogue (`fault-catalogue.md`): a contract with reports,
/// tickets and JSON consumers. The default pack has an entry for each.
pub const CATALOGUE: &[&str] = &[
    "dispatch.send-msg-failed",
    "dispatch.agent-heartbeat-stale",
    "task.python-runtimeout",
    "task.clock-skew-suspected",
    "healthcheck.runtimeout",
    "config.properties-crlf",
    "config.properties-encoding",
    "traffic.openapi-failure",
    "traffic.alb-failure",
    "traffic.softload-cut-failure",
    "release.blocked",
    "release.stuck",
    "release.stack-install-failed",
    "release.init-empty-param",
    "release.online-no-version",
    "iaas.resource-op-failure",
    "iaas.endpoint-not-effective",
    "console.rpc-upstream-unavailable",
    "alert.error-rate",
];

/// A fault id from the catalogue, such as `dispatch.send-msg-failed`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct FaultId(String);

impl FaultId {
    /// Accepts lowercase words of `a-z0-9-` joined by dots, at least two of them.
    pub fn parse(id: &str) -> Option<FaultId> {
        let parts: Vec<&str> = id.split('.').collect();
        let well_formed = parts.len() >= 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        well_formed.then(|| FaultId(id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FaultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How urgent a fault is; ordered from `Info` (least) to `Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity {s:?} (expected critical, high, medium, low or info)"))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which language remediation text is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// Why a rule pack could not be loaded. Every variant names the file and, where it applies, the
/// rule and the pattern.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    // The reason is the source, which `{:#}` shows after the message.
    #[error("cannot read rule pack {path}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("rule pack {path} holds no *.toml rule files")]
    Empty { path: PathBuf },
    #[error("{file}: invalid TOML: {message}")]
    Toml { file: String, message: String },
    #[error("{file}: rule {rule}: {message}")]
    Invalid { file: String, rule: String, message: String },
    #[error("{file}: rule {rule}: bad regex {pattern:?}: {message}")]
    Regex { file: String, rule: String, pattern: String, message: String },
    #[error(
        "rule {rule} is defined twice: in {first} and in {second} (to change a default rule, copy the pack and load it with --rules)"
    )]
    Duplicate { rule: String, first: String, second: String },
    #[error("cannot compile the literal signatures of the rule pack: {0}")]
    Automaton(String),
}
