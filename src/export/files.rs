//! What an export is: the files to write into the output directory, and the rules (or
//! signatures of rules) left out, each with the reason. A format's module builds it from a
//! [`RulePack`]; `app::rules` writes it.

use chrono::NaiveDate;

use crate::rules::{FaultId, RulePack};

/// A rule language the pack can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Sigma rules (sigmahq.io): one YAML file per line rule, or per rule and component.
    Sigma,
}

impl ExportFormat {
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Sigma => "Sigma",
        }
    }

    /// Whether `contents`, found in an output directory, was written by an export in this
    /// format: such a file may be replaced, or removed when its rule is gone; others are left
    /// alone.
    pub fn is_generated(self, contents: &[u8]) -> bool {
        match self {
            ExportFormat::Sigma => super::sigma::is_generated(contents),
        }
    }
}

/// Settings of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// The date the exported rules carry (Sigma's `date`).
    pub date: NaiveDate,
}

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// The file name inside the output directory.
    pub name: String,
    pub contents: String,
    /// The fault the file expresses; `None` for the list of what was left out.
    pub fault: Option<FaultId>,
}

/// A rule, or one signature of a rule, that the export leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omission {
    pub fault: FaultId,
    /// The signature left out (1-based), or `None` when the whole rule is.
    pub signature: Option<usize>,
    pub reason: String,
}

/// The files of an export and what it leaves out. Deterministic: the same pack and options give
/// the same bytes.
#[derive(Debug, Clone)]
pub struct Export {
    pub format: ExportFormat,
    /// In name order.
    pub files: Vec<ExportFile>,
    /// By fault, then signature.
    pub omitted: Vec<Omission>,
}

impl Export {
    /// Writes the rules of `pack` in `format`.
    pub fn build(pack: &RulePack, format: ExportFormat, options: &ExportOptions) -> Result<Export, ExportError> {
        match format {
            ExportFormat::Sigma => super::sigma::export(pack, options),
        }
    }

    /// The files that express a rule (not the list of what was left out).
    pub fn rule_files(&self) -> impl Iterator<Item = &ExportFile> {
        self.files.iter().filter(|file| file.fault.is_some())
    }

    /// How many faults have at least one file.
    pub fn faults_exported(&self) -> usize {
        let faults: std::collections::BTreeSet<&FaultId> = self.rule_files().filter_map(|f| f.fault.as_ref()).collect();
        faults.len()
    }
}

/// Why an export could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("rules {first} and {second} would both be written to {name}: rename one of them or its component")]
    NameClash { name: String, first: String, second: String },
    #[error("rule {rule}: cannot write YAML: {message}")]
    Yaml { rule: String, message: String },
}
