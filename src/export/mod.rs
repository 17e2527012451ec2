//! The rule pack written in other rule languages, so that its knowledge runs where a fleet's
//! logs already are (a log platform) and not only on collected bundles. [`Export::build`] takes
//! a loaded [`RulePack`](crate::rules::RulePack) and returns the files to write and what could
//! not be expressed, with the reason; `cas-triage rules export` writes them. One format so far:
//! Sigma ([`ExportFormat::Sigma`], in `sigma/`).

mod files;
mod sigma;

pub use files::{Export, ExportError, ExportFile, ExportFormat, ExportOptions, Omission};
