//! The rule-pack file format: what a `rules/*.toml` file may contain, as serde types. Loading
//! (`pack.rs`) validates these and turns them into [`super::Rule`]s; nothing else reads them.
//!
//! Unknown keys are errors, so a typo in a user's pack never silently disables a condition.

use serde::Deserialize;

/// One `rules/*.toml` file: any number of `[[rule]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
    /// The release steps and the script each runs (manual 2.6.5).
    #[serde(default)]
    pub step: Vec<StepSpec>,
    /// What a finding field means and where to find it when the evidence lacks it.
    #[serde(default)]
    pub field: Vec<FieldSpec>,
}

/// A release step: `[[step]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepSpec {
    pub id: String,
    pub script: String,
    pub name: TextSpec,
    #[serde(default)]
    pub advice: TextSpec,
}

/// A field description: `[[field]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldSpec {
    pub name: String,
    pub en: String,
    pub zh: String,
}

/// `[rule.error_rate]`: alert when a window of `window_minutes` holds more than `threshold`
/// errors; `components` sets other thresholds per component.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErrorRateSpec {
    pub window_minutes: u32,
    pub threshold: u64,
    #[serde(default)]
    pub components: std::collections::BTreeMap<String, u64>,
}

/// `[rule.heartbeat]`: a gap longer than `max_gap_seconds` between two heartbeats of one agent
/// is a fault.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HeartbeatSpec {
    pub max_gap_seconds: u32,
}

/// `[rule.tasks]`: a task that timed out but took less than `skew_ratio` of `timeout_seconds`
/// suggests clocks that disagree; hosts whose clocks are off by more than
/// `max_offset_seconds` are reported.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TasksSpec {
    pub timeout_seconds: u32,
    pub skew_ratio: f64,
    pub max_offset_seconds: u32,
}

/// A text in both languages.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextSpec {
    #[serde(default)]
    pub en: String,
    #[serde(default)]
    pub zh: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleSpec {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub section: String,
    /// What the fault is, in the manual's terms.
    #[serde(default)]
    pub description: TextSpec,
    /// Components the rule applies to; empty means every component.
    #[serde(default)]
    pub components: Vec<String>,
    /// Header levels the rule applies to; empty means every level.
    #[serde(default)]
    pub levels: Vec<String>,
    /// A built-in check on whole files instead of line signatures (e.g. `properties-crlf`).
    #[serde(default)]
    pub check: Option<String>,
    /// Analyses across events (built elsewhere) have an entry without signatures or check.
    #[serde(default)]
    pub analysis: bool,
    /// The thresholds of the error-rate analysis (`alert.error-rate`).
    #[serde(default)]
    pub error_rate: Option<ErrorRateSpec>,
    /// The heartbeat analysis (`dispatch.agent-heartbeat-stale`).
    #[serde(default)]
    pub heartbeat: Option<HeartbeatSpec>,
    /// The task timing analysis (`task.clock-skew-suspected`).
    #[serde(default)]
    pub tasks: Option<TasksSpec>,
    #[serde(default)]
    pub signature: Vec<SignatureSpec>,
    /// Regexes with named groups run on a matched event; each group becomes a finding field.
    #[serde(default)]
    pub extract: Vec<String>,
    #[serde(default)]
    pub remediation: RemediationSpec,
    #[serde(default)]
    pub examples: ExamplesSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignatureSpec {
    /// Any one of these (ASCII case-insensitive) makes an event a candidate.
    #[serde(default)]
    pub literals: Vec<String>,
    /// Must match the event; its named groups become finding fields.
    #[serde(default)]
    pub regex: Option<String>,
    /// Regexes that must all match somewhere in the same event.
    #[serde(default)]
    pub all: Vec<String>,
    /// Regexes none of which may match anywhere in the same event.
    #[serde(default)]
    pub none: Vec<String>,
    /// For an analysis: what a matching event is to it (`task-start`, `task-end`).
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemediationSpec {
    #[serde(default)]
    pub en: Vec<String>,
    #[serde(default)]
    pub zh: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExamplesSpec {
    #[serde(default, rename = "match")]
    pub matching: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
}
