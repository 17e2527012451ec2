//! Reading JSON reports back: the reports `merge` combines and the baseline `--baseline` compares
//! with. A file is checked in steps, so that the error says what is wrong with it: readable, JSON,
//! one document (not JSON Lines), a cas-triage report (`tool.name`), of this schema version, and
//! of this layout, with well-formed fault ids and fingerprints. Every error names the file. The
//! file must be a regular file of at most [`REPORT_SIZE_LIMIT`] bytes: a FIFO or `/dev/zero` named
//! by mistake is refused at once, not waited on or read for ever.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::baseline::{Baseline, BaselineFinding};
use super::build::{Report, SCHEMA_VERSION};
use super::escape::escape_for_terminal;
use crate::input::{WholeFileError, read_whole_file};
use crate::rules::FaultId;

/// The largest report read: far above what a scan writes (its evidence is sampled), far below
/// what would exhaust memory.
pub const REPORT_SIZE_LIMIT: u64 = 1 << 30;

/// Why a file is not a report this version can use.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: cannot read it: {reason}")]
    Io { path: PathBuf, reason: WholeFileError },
    #[error("{path}: not JSON: {reason}")]
    NotJson { path: PathBuf, reason: serde_json::Error },
    #[error("{path}: JSON Lines (`--format jsonl`), not a JSON report: use the report `scan --format json` writes")]
    JsonLines { path: PathBuf },
    #[error("{path}: not a cas-triage report: {reason}")]
    NotReport { path: PathBuf, reason: String },
    #[error("{path}: a report of schema_version {found}; this cas-triage reads schema_version {SCHEMA_VERSION}")]
    SchemaVersion { path: PathBuf, found: serde_json::Value },
    // The reason may quote a value of the file (an unknown variant): shown escaped.
    #[error("{path}: not a cas-triage report as this version writes it: {}", escape_for_terminal(&reason.to_string()))]
    Layout { path: PathBuf, reason: serde_json::Error },
}

/// What every report has, whatever its version: enough to tell whose it is.
#[derive(Deserialize)]
struct Probe {
    schema_version: Option<serde_json::Value>,
    tool: Option<ProbeTool>,
}

#[derive(Deserialize)]
struct ProbeTool {
    name: Option<serde_json::Value>,
}

/// What a baseline needs of a report.
#[derive(Deserialize)]
struct BaselineDocument {
    schema_version: u32,
    tool: ToolVersion,
    #[serde(default)]
    input: Option<InputPaths>,
    findings: Vec<BaselineFinding>,
}

#[derive(Deserialize)]
struct ToolVersion {
    name: String,
    version: Option<String>,
}

#[derive(Deserialize)]
struct InputPaths {
    #[serde(default)]
    paths: Vec<String>,
}

impl Report {
    /// Reads a JSON report that `scan --format json` or `merge` wrote.
    pub fn read(path: &Path) -> Result<Report, ReadError> {
        Report::parse(path, &read_bytes(path)?)
    }

    /// A report from the bytes of the file at `path` (which names it in errors), checked as
    /// [`Report::read`] checks it.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Report, ReadError> {
        // One parse of the whole report; what a document that is not one is, is found out after.
        let report = match serde_json::from_slice::<Report>(bytes) {
            Ok(report) if is_ours(&report.tool.name, report.schema_version) => report,
            parsed => return Err(not_ours(path, bytes, parsed.err())),
        };
        for (i, finding) in report.findings.iter().enumerate() {
            check_ids(path, i, &finding.fault, &finding.fingerprint)?;
            if let Some(cause) = &finding.caused_by {
                check_fingerprint(path, i, "caused_by", cause)?;
            }
        }
        Ok(report)
    }
}

impl Baseline {
    /// Reads the findings of a JSON report to compare a new report with.
    pub fn read(path: &Path) -> Result<Baseline, ReadError> {
        Baseline::parse(path, &read_bytes(path)?)
    }

    /// A baseline from the bytes of the file at `path` (which names it in errors), checked as
    /// [`Baseline::read`] checks it.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Baseline, ReadError> {
        let document = match serde_json::from_slice::<BaselineDocument>(bytes) {
            Ok(document) if is_ours(&document.tool.name, document.schema_version) => document,
            parsed => return Err(not_ours(path, bytes, parsed.err())),
        };
        for (i, finding) in document.findings.iter().enumerate() {
            check_ids(path, i, &finding.fault, &finding.fingerprint)?;
        }
        Ok(Baseline {
            path: path.display().to_string(),
            tool_version: document.tool.version,
            paths: document.input.map(|i| i.paths).unwrap_or_default(),
            findings: document.findings,
        })
    }
}

/// The bytes of `path`, once they are known to be one JSON document of a cas-triage report of
/// this schema version.
fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_whole_file(path, REPORT_SIZE_LIMIT).map_err(|reason| ReadError::Io { path: path.to_path_buf(), reason })
}

/// Whether a document that parsed as a report is one this version writes.
fn is_ours(tool_name: &str, schema_version: u32) -> bool {
    tool_name == env!("CARGO_PKG_NAME") && schema_version == SCHEMA_VERSION
}

/// Why the document at `path` did not read as a report of this version: not JSON, JSON Lines,
/// another tool's, another schema version, or, when it is none of these, the layout error of the
/// parse (`layout`).
fn not_ours(path: &Path, bytes: &[u8], layout: Option<serde_json::Error>) -> ReadError {
    match (identify(path, bytes), layout) {
        (Err(why), _) => why,
        (Ok(()), Some(reason)) => ReadError::Layout { path: path.to_path_buf(), reason },
        // Parsed, and the probe finds it ours: the two disagree, which a valid document cannot do.
        (Ok(()), None) => ReadError::NotReport {
            path: path.to_path_buf(),
            reason: "its tool or schema_version is not this version's".into(),
        },
    }
}

/// Finds out what a document that is not a report of this version is.
fn identify(path: &Path, bytes: &[u8]) -> Result<(), ReadError> {
    let probe: Probe = match serde_json::from_slice(bytes) {
        Ok(probe) => probe,
        Err(reason) if reason.is_data() => {
            let reason = "it is JSON but not an object with a tool".to_string();
            return Err(ReadError::NotReport { path: path.to_path_buf(), reason });
        }
        Err(_) if is_json_lines(bytes) => return Err(ReadError::JsonLines { path: path.to_path_buf() }),
        Err(reason) => return Err(ReadError::NotJson { path: path.to_path_buf(), reason }),
    };
    let name = probe.tool.and_then(|tool| tool.name);
    match name.as_ref().and_then(|name| name.as_str()) {
        Some(env!("CARGO_PKG_NAME")) => {}
        Some(other) => {
            let reason = format!("its tool.name is {other:?}");
            return Err(ReadError::NotReport { path: path.to_path_buf(), reason });
        }
        None => {
            let reason = "it has no tool.name".to_string();
            return Err(ReadError::NotReport { path: path.to_path_buf(), reason });
        }
    }
    match probe.schema_version {
        Some(version) if version.as_u64() == Some(u64::from(SCHEMA_VERSION)) => Ok(()),
        Some(found) => Err(ReadError::SchemaVersion { path: path.to_path_buf(), found }),
        None => Err(ReadError::NotReport { path: path.to_path_buf(), reason: "it has no schema_version".into() }),
    }
}

/// Checks the fault id and fingerprint of the finding at `index` of the report at `path`: they are
/// identifiers (matched, shown unquoted), and a report is a file anyone may have edited.
fn check_ids(path: &Path, index: usize, fault: &str, fingerprint: &str) -> Result<(), ReadError> {
    if FaultId::parse(fault).is_none() {
        let reason = format!(
            "finding {} has fault id `{}`: a fault id is lowercase words of a-z, 0-9 and - joined by dots",
            index + 1,
            escape_for_terminal(fault)
        );
        return Err(ReadError::NotReport { path: path.to_path_buf(), reason });
    }
    check_fingerprint(path, index, "fingerprint", fingerprint)
}

/// Checks that `value`, the `field` of the finding at `index`, is a fingerprint as a scan writes
/// it: 32 lowercase hex digits.
fn check_fingerprint(path: &Path, index: usize, field: &str, value: &str) -> Result<(), ReadError> {
    let well_formed = value.len() == 32 && value.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if well_formed {
        return Ok(());
    }
    let reason = format!(
        "finding {} has {field} `{}`: a fingerprint is 32 lowercase hex digits",
        index + 1,
        escape_for_terminal(value)
    );
    Err(ReadError::NotReport { path: path.to_path_buf(), reason })
}

/// Several JSON values, one a line: what `--format jsonl` writes.
fn is_json_lines(bytes: &[u8]) -> bool {
    let mut lines = bytes.split(|b| *b == b'\n').filter(|line| !line.iter().all(u8::is_ascii_whitespace));
    let two = lines.next().zip(lines.next());
    two.is_some_and(|(a, b)| {
        serde_json::from_slice::<IgnoredAny>(a).is_ok() && serde_json::from_slice::<IgnoredAny>(b).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        content: &'static str,
        /// What the message says after the path.
        want: &'static str,
    }

    const CASES: &[Case] = &[
        Case { content: "", want: ": not JSON: EOF while parsing a value at line 1 column 0" },
        Case { content: "<html>", want: ": not JSON: expected value at line 1 column 1" },
        Case { content: "[1, 2]", want: ": not a cas-triage report: it is JSON but not an object with a tool" },
        Case { content: r#"{"version": "2.1.0", "runs": []}"#, want: ": not a cas-triage report: it has no tool.name" },
        Case {
            content: r#"{"tool": {"name": "hayabusa"}}"#,
            want: r#": not a cas-triage report: its tool.name is "hayabusa""#,
        },
        Case {
            content: r#"{"tool": {"name": "cas-triage"}}"#,
            want: ": not a cas-triage report: it has no schema_version",
        },
        Case {
            content: r#"{"schema_version": 2, "tool": {"name": "cas-triage"}}"#,
            want: ": a report of schema_version 2; this cas-triage reads schema_version 1",
        },
        Case {
            content: "{\"type\":\"finding\"}\n{\"type\":\"summary\"}\n",
            want: ": JSON Lines (`--format jsonl`), not a JSON report: use the report `scan --format json` writes",
        },
        Case {
            content: r#"{"schema_version": 1, "tool": {"name": "cas-triage", "version": "0.1.0"}}"#,
            want: ": not a cas-triage report as this version writes it: missing field `findings` at line 1 column 73",
        },
    ];

    #[test]
    fn every_unusable_file_is_named_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        for case in CASES {
            let path = dir.path().join("report.json");
            std::fs::write(&path, case.content).unwrap();
            let message = Baseline::read(&path).unwrap_err().to_string();
            assert_eq!(message, format!("{}{}", path.display(), case.want), "{:?}", case.content);
            assert!(Report::read(&path).unwrap_err().to_string().starts_with(&path.display().to_string()));
        }
        let missing = dir.path().join("missing.json");
        let message = Report::read(&missing).unwrap_err().to_string();
        assert!(message.starts_with(&format!("{}: cannot read it: ", missing.display())), "{message}");
    }

    #[test]
    fn ids_that_a_scan_would_not_write_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        let cases: &[(&str, &str, &str)] = &[
            (
                "fault",
                "evil\u{1b}]0;x\u{7}",
                "finding 2 has fault id `evil\\x1b]0;x\\x07`: a fault id is lowercase words of a-z, 0-9 and - joined by dots",
            ),
            ("fault", "Dispatch.send", "finding 2 has fault id `Dispatch.send`: a fault id is lowercase"),
            ("fault", "dispatch", "finding 2 has fault id `dispatch`: a fault id is lowercase"),
            ("fingerprint", "8E4CEE67866B4E0BE26E98FD993D44BF", "finding 2 has fingerprint `8E4CEE67"),
            (
                "fingerprint",
                "8e4cee67",
                "finding 2 has fingerprint `8e4cee67`: a fingerprint is 32 lowercase hex digits",
            ),
            ("caused_by", "\u{1b}[2J", "finding 2 has caused_by `\\x1b[2J`: a fingerprint is 32 lowercase hex digits"),
        ];
        for (field, value, want) in cases {
            let mut report = Report::empty();
            for host in ["10.0.0.1", "10.0.0.2"] {
                report.findings.push(crate::report::build::tests::finding(
                    "dispatch.send-msg-failed",
                    host,
                    crate::rules::Severity::High,
                    1,
                    None,
                ));
            }
            let mut json = serde_json::to_value(&report).unwrap();
            json["findings"][1][*field] = serde_json::Value::from(*value);
            std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
            let prefix = format!("{}: not a cas-triage report: {want}", path.display());
            let message = Report::read(&path).unwrap_err().to_string();
            assert!(message.starts_with(&prefix), "{message}\nwanted {prefix}");
            assert!(!message.contains('\x1b'), "{message}");
            if *field != "caused_by" {
                let message = Baseline::read(&path).unwrap_err().to_string();
                assert!(message.starts_with(&prefix), "{message}\nwanted {prefix}");
            }
        }
    }

    #[test]
    fn a_file_that_is_not_regular_or_too_large_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let message = Baseline::read(dir.path()).unwrap_err().to_string();
        assert_eq!(message, format!("{}: cannot read it: not a regular file (a directory)", dir.path().display()));
        let huge = dir.path().join("huge.json");
        std::fs::File::create(&huge).unwrap().set_len(REPORT_SIZE_LIMIT + 1).unwrap();
        let message = Report::read(&huge).unwrap_err().to_string();
        assert_eq!(message, format!("{}: cannot read it: larger than 1 GiB", huge.display()));
    }

    #[test]
    fn a_written_report_reads_back_the_same() {
        let mut report = Report::empty();
        report.findings.push(crate::report::build::tests::finding(
            "dispatch.send-msg-failed",
            "10.0.0.1",
            crate::rules::Severity::High,
            2,
            Some("2022-09-29T10:15:32.118+08:00"),
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
        let back = Report::read(&path).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&report).unwrap());
        let baseline = Baseline::read(&path).unwrap();
        assert_eq!(baseline.findings.len(), 1);
        assert_eq!(baseline.findings[0].fingerprint, report.findings[0].fingerprint);
        assert_eq!(baseline.tool_version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
    }
}
