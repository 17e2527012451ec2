//! What a merged report was made of: its `merged_from` list, and the check that no report is
//! merged twice. A report of a scan stands for itself; a merged report stands for the reports it
//! was merged from, so merging merged reports lists those (flattened, each naming the merged
//! report it came through), and a report that two inputs both hold is refused: its findings,
//! counts and totals would be summed twice. `merge.rs` calls both before it merges anything.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::merge::NamedReport;

/// One report a merged report was made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedReport {
    /// The report's path, as given to `merge`.
    pub report: String,
    pub tool_version: String,
    /// What it scanned (its `input.paths`).
    pub paths: Vec<String>,
    pub files: u64,
    pub findings: usize,
    /// In a merge of merged reports: the merged report, as given to `merge`, that held this one
    /// (whose `report` path is then as given to the earlier merge). Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// Why the reports cannot be merged: some report would count twice.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{name} is given twice: its findings would count twice")]
    SameReport { name: String },
    #[error(
        "{merged} is a merged report of {input}, which is given too: its findings would count twice; leave out one of them (is {merged} the output of an earlier merge?)"
    )]
    MergedAgain { merged: String, input: String },
    #[error(
        "{first} and {second} are both merged reports of {report}: its findings would count twice; leave out one of them"
    )]
    MergedTwice { first: String, second: String, report: String },
}

/// The reports each input stands for: itself, or the reports it was merged from.
fn held(input: &NamedReport) -> Vec<&str> {
    match input.report.merged_from.as_slice() {
        [] => vec![input.name.as_str()],
        from => from.iter().map(|m| m.report.as_str()).collect(),
    }
}

/// A path as written, without `.` segments, doubled or trailing separators: `./reports/a.json`
/// and `reports//a.json` are `reports/a.json`. Only the text: the reports a merged report names
/// may not be where this merge runs.
fn lexical(path: &str) -> PathBuf {
    Path::new(path).components().filter(|c| !matches!(c, Component::CurDir)).collect()
}

/// Refuses inputs of which two hold the same report (by path): a report given twice, a merged
/// report beside one of its reports, two merged reports of one report.
pub(super) fn check_distinct(inputs: &[NamedReport]) -> Result<(), MergeError> {
    let mut holder: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for (i, input) in inputs.iter().enumerate() {
        for report in held(input) {
            let Some(&j) = holder.get(&lexical(report)) else {
                holder.insert(lexical(report), i);
                continue;
            };
            if j == i {
                continue;
            }
            let (first, second) = (&inputs[j], input);
            let merged = |r: &NamedReport| !r.report.merged_from.is_empty();
            return Err(match (merged(first), merged(second)) {
                (false, false) => MergeError::SameReport { name: second.name.clone() },
                (true, false) => MergeError::MergedAgain { merged: first.name.clone(), input: second.name.clone() },
                (false, true) => MergeError::MergedAgain { merged: second.name.clone(), input: first.name.clone() },
                (true, true) => MergeError::MergedTwice {
                    first: first.name.clone(),
                    second: second.name.clone(),
                    report: report.to_string(),
                },
            });
        }
    }
    Ok(())
}

/// The merged report's `merged_from`: each input, or the reports a merged input was made of,
/// in the order given.
pub(super) fn merged_from(inputs: &[NamedReport]) -> Vec<MergedReport> {
    inputs
        .iter()
        .flat_map(|r| match r.report.merged_from.as_slice() {
            [] => vec![MergedReport {
                report: r.name.clone(),
                tool_version: r.report.tool.version.to_string(),
                paths: r.report.input.paths.clone(),
                files: r.report.input.files,
                findings: r.report.findings.len(),
                via: None,
            }],
            from => from.iter().map(|m| MergedReport { via: Some(r.name.clone()), ..m.clone() }).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Report;

    fn plain(name: &str) -> NamedReport {
        NamedReport { name: name.into(), report: Report::empty() }
    }

    fn merged(name: &str, from: &[&str]) -> NamedReport {
        let mut input = plain(name);
        input.report.merged_from = merged_from(&from.iter().map(|f| plain(f)).collect::<Vec<_>>());
        input
    }

    #[test]
    fn a_report_held_by_two_inputs_is_refused() {
        struct Case {
            inputs: Vec<NamedReport>,
            error: Option<&'static str>,
        }
        let cases = [
            Case { inputs: vec![plain("a.json"), plain("b.json")], error: None },
            Case { inputs: vec![plain("a.json"), plain("./a.json")], error: Some("./a.json is given twice") },
            Case {
                inputs: vec![plain("r/a.json"), plain("r/b.json"), merged("r/fleet.json", &["r/a.json", "r/b.json"])],
                error: Some("r/fleet.json is a merged report of r/a.json, which is given too"),
            },
            Case {
                inputs: vec![merged("x.json", &["a.json", "b.json"]), merged("y.json", &["b.json", "c.json"])],
                error: Some("x.json and y.json are both merged reports of b.json"),
            },
            Case {
                inputs: vec![merged("x.json", &["a.json", "b.json"]), merged("y.json", &["c.json"]), plain("d.json")],
                error: None,
            },
        ];
        for case in cases {
            let got = check_distinct(&case.inputs).err().map(|e| e.to_string());
            match (case.error, got) {
                (None, None) => {}
                (Some(want), Some(got)) => assert!(got.starts_with(want), "{got}"),
                (want, got) => panic!("want {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn merged_reports_list_the_reports_they_were_made_of() {
        let from = merged_from(&[merged("fleet.json", &["a.json", "b.json"]), plain("c.json")]);
        let names: Vec<_> = from.iter().map(|m| (m.report.as_str(), m.via.as_deref())).collect();
        assert_eq!(names, [("a.json", Some("fleet.json")), ("b.json", Some("fleet.json")), ("c.json", None)]);
    }
}
