//! `cas-triage merge`: the JSON reports of scans on many hosts become one report, written in every
//! format, valid against the report's schema; unusable reports are named with the reason.

use serde_json::Value;

use crate::util::*;

const FORMATS: &[&str] = &["text", "json", "jsonl", "timeline", "markdown", "html", "junit", "sarif", "tickets"];

/// Runs `merge` with `args`, asserts the exit status, returns standard output and standard error.
fn merge(args: &[&str], expected_status: i32) -> (String, String) {
    // A fixed time for the HTML page, which shows when it was made.
    let output = cas_triage().env("SOURCE_DATE_EPOCH", "1664420400").arg("merge").args(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(expected_status), "{args:?}: {stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

fn merge_json(args: &[&str]) -> Value {
    let (stdout, _) = merge(&[&["--format", "json"], args].concat(), 0);
    serde_json::from_str(&stdout).unwrap()
}

/// The example bundle as two bundles of four hosts each. A task's start and end, and the agent and
/// executor that log it, stay on one side, as on the hosts that ran it.
fn halves() -> [(tempfile::TempDir, String); 2] {
    let first =
        |path: &str| ["10.12.3.1/", "10.12.3.4/", "app-host-7/", "app-host-8/"].iter().any(|h| path.starts_with(h));
    [bundle_where(first), bundle_where(|path| !first(path))]
}

#[test]
fn a_report_merged_with_itself_doubles_counts_and_keeps_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let report = json_report(tmp.path(), "report.json", &[&bundle_dir()]);
    let original = scan_json(&[&bundle_dir()], 0);
    let merged = merge_json(&[&report, &report]);
    crate::schema::assert_valid(&merged);
    let (before, after) = (original["findings"].as_array().unwrap(), merged["findings"].as_array().unwrap());
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(after) {
        for field in ["fault", "fingerprint", "severity", "component", "host", "first_seen", "last_seen", "remediation"]
        {
            assert_eq!(a[field], b[field], "{field}");
        }
        assert_eq!(a["count"].as_u64().unwrap(), 2 * b["count"].as_u64().unwrap());
        assert_eq!(a["evidence"], b["evidence"], "the same events, once");
    }
    let (s, o) = (&merged["summary"], &original["summary"]);
    assert_eq!(s["findings"], o["findings"]);
    assert_eq!(s["matches"].as_u64().unwrap(), 2 * o["matches"].as_u64().unwrap());
    assert_eq!(s["by_severity"], o["by_severity"]);
    assert_eq!(s["tasks_seen"].as_u64().unwrap(), 2 * o["tasks_seen"].as_u64().unwrap());
    assert_eq!(merged["input"]["files"].as_u64().unwrap(), 2 * original["input"]["files"].as_u64().unwrap());
    assert_eq!(merged["input"]["paths"], original["input"]["paths"]);
    assert_eq!(merged["exeurls"].as_array().unwrap().len(), 2 * original["exeurls"].as_array().unwrap().len());
    assert_eq!(merged["unclassified"].as_array().unwrap().len(), original["unclassified"].as_array().unwrap().len());
    for (m, o) in merged["unclassified"].as_array().unwrap().iter().zip(original["unclassified"].as_array().unwrap()) {
        assert_eq!(m["count"].as_u64().unwrap(), 2 * o["count"].as_u64().unwrap());
    }
    let from: Vec<&str> =
        merged["merged_from"].as_array().unwrap().iter().map(|m| m["report"].as_str().unwrap()).collect();
    assert_eq!(from, [report.as_str(), report.as_str()]);
    // The errors per minute of each host add up, minute by minute.
    let (rate, was) = (&merged["error_rate"], &original["error_rate"]);
    assert_eq!(rate["window_minutes"], was["window_minutes"]);
    let (series, before) = (rate["series"].as_array().unwrap(), was["series"].as_array().unwrap());
    assert!(!before.is_empty());
    assert_eq!(series.len(), before.len());
    for (m, o) in series.iter().zip(before) {
        assert_eq!((&m["component"], &m["host"]), (&o["component"], &o["host"]));
        assert_eq!(m["errors"].as_u64().unwrap(), 2 * o["errors"].as_u64().unwrap());
        let starts =
            |s: &Value| s["minutes"].as_array().unwrap().iter().map(|m| m["start"].clone()).collect::<Vec<_>>();
        assert_eq!(starts(m), starts(o));
        for (mm, om) in m["minutes"].as_array().unwrap().iter().zip(o["minutes"].as_array().unwrap()) {
            assert_eq!(mm["count"].as_u64().unwrap(), 2 * om["count"].as_u64().unwrap());
        }
    }
    assert!(original.get("merged_from").is_none());
}

#[test]
fn the_halves_of_a_bundle_merge_to_the_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let [(_a, first), (_b, second)] = halves();
    let first = json_report(tmp.path(), "first.json", &[&first]);
    let second = json_report(tmp.path(), "second.json", &[&second]);
    let whole = scan_json(&[&bundle_dir()], 0);
    let merged = merge_json(&[&first, &second]);
    crate::schema::assert_valid(&merged);
    assert_eq!(fingerprints(&merged), fingerprints(&whole));
    assert_eq!(faults(&merged), faults(&whole), "in the order a scan gives");
    for field in ["findings", "matches", "highest_severity", "by_severity", "unclassified_events", "exeurls_seen"] {
        assert_eq!(merged["summary"][field], whole["summary"][field], "{field}");
    }
    for field in ["files", "bytes", "events", "lines"] {
        assert_eq!(merged["input"][field], whole["input"][field], "{field}");
    }
    assert_eq!(merged["config_files"].as_array().unwrap().len(), whole["config_files"].as_array().unwrap().len());
    assert_eq!(
        merged["coverage"]["logs"].as_array().unwrap().len(),
        whole["coverage"]["logs"].as_array().unwrap().len()
    );
}

#[test]
fn every_format_writes_the_merged_report() {
    let tmp = tempfile::tempdir().unwrap();
    let [(_a, first), (_b, second)] = halves();
    let first = json_report(tmp.path(), "first.json", &[&first]);
    let second = json_report(tmp.path(), "second.json", &[&second]);
    for format in FORMATS {
        let (stdout, _) = merge(&["--format", format, "--fail-on", "high", &first, &second], 1);
        assert!(!stdout.is_empty(), "{format}");
        let file = tmp.path().join(format!("merged.{format}"));
        let (written, _) =
            merge(&["--format", format, "--fail-on", "high", "-o", file.to_str().unwrap(), &first, &second], 1);
        assert_eq!(written, "", "{format}: nothing on standard output");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout, "{format}");
        merge(&["--format", format, "--fail-on", "critical", &first, &second], 0);
    }
    let (text, _) = merge(&["--format", "text", &first, &second], 0);
    assert!(text.starts_with("cas-triage: 21 findings (12 high, 9 medium) in 11 files"), "{text}");
    assert!(text.contains("merged from 2 reports"), "{text}");
    let (sarif, _) = merge(&["--format", "sarif", &first, &second], 0);
    crate::sarif::assert_valid(&serde_json::from_str(&sarif).unwrap());
    let (page, _) = merge(&["--format", "html", &first, &second], 0);
    assert!(page.contains("Merged from reports of several scans"), "a merged page cannot vouch for masking");
    assert!(
        page.contains(r#"<dt>Scanned</dt><dd><time datetime="2022-09-29T11:00:00+08:00">"#),
        "the time is SOURCE_DATE_EPOCH's, in the reports' zone"
    );
}

#[test]
fn samples_cap_the_evidence_keeping_the_earliest() {
    let tmp = tempfile::tempdir().unwrap();
    let report = json_report(tmp.path(), "report.json", &[&bundle_dir()]);
    let merged = merge_json(&["--samples", "1", &report]);
    let whole = scan_json(&[&bundle_dir()], 0);
    for (m, w) in merged["findings"].as_array().unwrap().iter().zip(whole["findings"].as_array().unwrap()) {
        assert_eq!(m["evidence"].as_array().unwrap().len(), 1);
        assert_eq!(m["evidence"][0], w["evidence"][0]);
    }
}

#[test]
fn skipped_files_name_their_report() {
    let tmp = tempfile::tempdir().unwrap();
    let (_b, damaged) = bundle(&[
        ("h/x/common-error.log", ERROR_LINE.as_bytes()),
        ("h/x/bin.log", &[0u8, 1, 2, 3, 0, 0, 0, 9].repeat(100)),
    ]);
    let damaged = json_report(tmp.path(), "damaged.json", &[&damaged]);
    let whole = json_report(tmp.path(), "whole.json", &[&bundle_dir()]);
    let merged = merge_json(&[&whole, &damaged]);
    crate::schema::assert_valid(&merged);
    let skipped = merged["input"]["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["report"], damaged.as_str());
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("bin.log"));
    let (text, _) = merge(&["--format", "text", &whole, &damaged], 0);
    assert!(text.contains(&format!("bin.log (in {damaged}): ")), "{text}");
}

#[test]
fn unusable_reports_are_named_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let good = json_report(tmp.path(), "good.json", &[&bundle_dir()]);
    let write = |name: &str, content: &[u8]| {
        let path = tmp.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_string()
    };
    let sarif = write("report.sarif", scan_format("sarif", &[&bundle_dir()], 0).as_bytes());
    let cut = std::fs::read_to_string(&good).unwrap();
    let cases = [
        (tmp.path().join("missing.json").to_str().unwrap().to_string(), "cannot read it: "),
        (write("notes.txt", b"not json at all\n"), "not JSON: "),
        (write("cut.json", &cut.as_bytes()[..cut.len() / 2]), "not JSON: EOF while parsing"),
        (sarif, "not a cas-triage report: it has no tool.name"),
        (
            write(
                "shape.json",
                br#"{"schema_version": 1, "tool": {"name": "cas-triage", "version": "0.1.0"}, "findings": 3}"#,
            ),
            "not a cas-triage report as this version writes it: ",
        ),
    ];
    for (path, reason) in cases {
        let (stdout, stderr) = merge(&["--format", "json", &good, &path], 2);
        assert_eq!(stdout, "");
        assert!(stderr.starts_with(&format!("cas-triage: cannot merge: {path}: {reason}")), "{stderr}");
    }
}

#[test]
fn reports_of_other_versions_and_packs_merge_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let good = json_report(tmp.path(), "good.json", &[&bundle_dir()]);
    let mut other: Value = serde_json::from_str(&std::fs::read_to_string(&good).unwrap()).unwrap();
    other["tool"]["version"] = Value::from("0.0.1");
    other["findings"][0]["severity"] = Value::from("critical");
    let old = tmp.path().join("old.json");
    std::fs::write(&old, serde_json::to_vec(&other).unwrap()).unwrap();
    let (stdout, stderr) = merge(&["--format", "json", &good, old.to_str().unwrap()], 0);
    assert!(stderr.contains("cas-triage: warning: merging reports of other cas-triage versions"), "{stderr}");
    assert!(stderr.contains(&format!("{} by 0.0.1", old.display())), "{stderr}");
    assert!(stderr.contains("different rule packs"), "{stderr}");
    let merged: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(merged["tool"]["version"], env!("CARGO_PKG_VERSION"), "the merged report is this version's");
    // Reports of the same version and pack merge quietly, and the merged report names the pack.
    let (quiet_out, quiet) = merge(&["--format", "json", &good, &good], 0);
    assert_eq!(quiet, "");
    let scanned: Value = serde_json::from_str(&std::fs::read_to_string(&good).unwrap()).unwrap();
    let quiet_out: Value = serde_json::from_str(&quiet_out).unwrap();
    assert_eq!(quiet_out["tool"]["rule_pack"], scanned["tool"]["rule_pack"]);
    assert!(scanned["tool"]["rule_pack"]["id"].as_str().is_some_and(|id| id.len() == 16), "{scanned:#}");
    // A report of another pack, by its id alone, is named in a warning.
    let mut repacked = scanned.clone();
    repacked["tool"]["rule_pack"]["id"] = Value::from("0123456789abcdef");
    let site = tmp.path().join("site.json");
    std::fs::write(&site, serde_json::to_vec(&repacked).unwrap()).unwrap();
    let (_, stderr) = merge(&["--format", "json", &good, site.to_str().unwrap()], 0);
    assert!(stderr.contains(&format!("different rule packs: {} by pack 0123456789abcdef", site.display())), "{stderr}");
}

#[test]
fn a_merged_report_compares_with_a_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    let [(_a, first), (_b, second)] = halves();
    let first = json_report(tmp.path(), "first.json", &[&first]);
    let second = json_report(tmp.path(), "second.json", &[&second]);
    let expected_new = fingerprints(&serde_json::from_str(&std::fs::read_to_string(&second).unwrap()).unwrap());
    let merged = merge_json(&["--baseline", &first, &first, &second]);
    crate::schema::assert_valid(&merged);
    let new: std::collections::BTreeMap<String, String> = fingerprints(&merged)
        .into_iter()
        .filter(|(fp, _)| {
            merged["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["fingerprint"] == fp.as_str() && f["baseline_state"] == "new")
        })
        .collect();
    assert_eq!(new, expected_new);
    assert_eq!(merged["baseline"]["counts"]["resolved"], 0);
    merge(&["--format", "json", "--baseline", &first, "--fail-on-new", "high", &first, &second], 1);
    merge(&["--format", "json", "--baseline", &first, "--fail-on-new", "critical", &first, &second], 0);
    // A merged report is a baseline too.
    let all = tmp.path().join("all.json");
    merge(&["--format", "json", "-o", all.to_str().unwrap(), &first, &second], 0);
    let merged = merge_json(&["--baseline", all.to_str().unwrap(), &first]);
    assert_eq!(merged["baseline"]["counts"]["resolved"].as_u64().unwrap() as usize, expected_new.len());
}
