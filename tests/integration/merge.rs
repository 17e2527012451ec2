//! `cas-triage merge`: the JSON reports of scans on many hosts become one report, written in every
//! format, valid against the report's schema; unusable reports are named with the reason, and a
//! report that would count twice is refused.

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
fn a_report_and_its_copy_double_counts_keep_the_rest_and_warn() {
    let tmp = tempfile::tempdir().unwrap();
    let report = json_report(tmp.path(), "report.json", &[&bundle_dir()]);
    // Two hosts' reports may be the same bytes: merged, with a warning, as they are two files.
    let copy = tmp.path().join("copy.json").to_str().unwrap().to_string();
    std::fs::copy(&report, &copy).unwrap();
    let original = scan_json(&[&bundle_dir()], 0);
    let (stdout, stderr) = merge(&["--format", "json", &report, &copy], 0);
    assert_eq!(
        stderr,
        format!(
            "cas-triage: warning: the same events appear in reports {report} and {copy}: their counts were summed twice (the same logs scanned twice, or one report copied?)\n"
        )
    );
    let merged: Value = serde_json::from_str(&stdout).unwrap();
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
    assert_eq!(from, [report.as_str(), copy.as_str()]);
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
    let [(_a, first), (_b, second)] = halves();
    let first = json_report(tmp.path(), "first.json", &[&first]);
    let second = json_report(tmp.path(), "second.json", &[&second]);
    let (quiet_out, quiet) = merge(&["--format", "json", &first, &second], 0);
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
    // Without the second half's report, its hosts were not read: their findings are not resolved.
    let merged = merge_json(&["--baseline", all.to_str().unwrap(), &first]);
    crate::schema::assert_valid(&merged);
    assert_eq!(merged["baseline"]["counts"]["resolved"], 0);
    assert_eq!(merged["baseline"]["counts"]["not_covered"].as_u64().unwrap() as usize, expected_new.len());
    let not_covered: std::collections::BTreeSet<&str> = merged["baseline"]["not_covered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(not_covered, expected_new.keys().map(String::as_str).collect());
}

#[test]
fn a_report_given_twice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let report = json_report(tmp.path(), "report.json", &[&bundle_dir()]);
    let (stdout, stderr) = merge(&["--format", "json", &report, &report], 2);
    assert_eq!(stdout, "");
    assert_eq!(stderr, format!("cas-triage: cannot merge: {report} is given twice: its findings would count twice\n"));
    let again = tmp.path().join(".").join("report.json");
    let (_, stderr) = merge(&["--format", "json", &report, again.to_str().unwrap()], 2);
    assert!(
        stderr.starts_with(&format!(
            "cas-triage: cannot merge: {} (the file {report} names too) is given twice",
            again.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_merged_report_beside_one_of_its_reports_is_refused() {
    // `merge -o reports/fleet.json reports/*.json`, run twice: the second run finds fleet.json.
    let tmp = tempfile::tempdir().unwrap();
    let [(_a, first), (_b, second)] = halves();
    let reports = tmp.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let first = json_report(&reports, "first.json", &[&first]);
    let second = json_report(&reports, "second.json", &[&second]);
    let fleet = reports.join("fleet.json").to_str().unwrap().to_string();
    merge(&["--format", "json", "-o", &fleet, &first, &second], 0);
    let written = std::fs::read(&fleet).unwrap();
    let (_, stderr) = merge(&["--format", "json", "-o", &fleet, &fleet, &first, &second], 2);
    assert_eq!(
        stderr,
        format!(
            "cas-triage: cannot merge: {fleet} is a merged report of {first}, which is given too: its findings would count twice; leave out one of them (is {fleet} the output of an earlier merge?)\n"
        )
    );
    assert_eq!(std::fs::read(&fleet).unwrap(), written, "the earlier merge is left as it was");
}

#[test]
fn merged_reports_merge_again_keeping_what_they_were_made_of() {
    let tmp = tempfile::tempdir().unwrap();
    let [(_a, first), (_b, second)] = halves();
    let first = json_report(tmp.path(), "first.json", &[&first]);
    let second = json_report(tmp.path(), "second.json", &[&second]);
    let (_c, other) = bundle(&[("10.0.0.99/home/admin/logs/acstarserver2/common-error.log", ERROR_LINE.as_bytes())]);
    let third = json_report(tmp.path(), "third.json", &[&other]);
    let half = tmp.path().join("half.json").to_str().unwrap().to_string();
    merge(&["--format", "json", "-o", &half, &first, &second], 0);
    let nested = merge_json(&[&half, &third]);
    crate::schema::assert_valid(&nested);
    let from: Vec<(&str, Option<&str>)> = nested["merged_from"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["report"].as_str().unwrap(), m["via"].as_str()))
        .collect();
    assert_eq!(
        from,
        [(first.as_str(), Some(half.as_str())), (second.as_str(), Some(half.as_str())), (third.as_str(), None)]
    );
    let flat = merge_json(&[&first, &second, &third]);
    assert_eq!(fingerprints(&nested), fingerprints(&flat));
    assert_eq!(nested["summary"], flat["summary"]);
    // Two merged reports of one report count it twice: refused.
    let other_half = tmp.path().join("other-half.json").to_str().unwrap().to_string();
    merge(&["--format", "json", "-o", &other_half, &second, &third], 0);
    let (_, stderr) = merge(&["--format", "json", &half, &other_half], 2);
    assert!(stderr.contains(&format!("{half} and {other_half} are both merged reports of {second}")), "{stderr}");
}

/// A directory laid out as on a host: `home/admin/logs/acopswareexecutor/common-error.log`.
fn host_logs(dir: &std::path::Path, host: &str) -> String {
    let logs = dir.join(host).join("home/admin/logs");
    write(&logs.join("acopswareexecutor/common-error.log"), ERROR_LINE.as_bytes());
    logs.to_str().unwrap().to_string()
}

#[test]
fn reports_of_hosts_scanned_in_place_keep_their_hosts() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (host_logs(tmp.path(), "hostA"), host_logs(tmp.path(), "hostB"));
    let scan = |name: &str, args: &[&str]| json_report(tmp.path(), name, args);
    let (with_a, with_b) = (scan("a.json", &["--host", "hostA", &a]), scan("b.json", &["--host", "hostB", &b]));
    let (stdout, stderr) = merge(&["--format", "json", &with_a, &with_b], 0);
    assert_eq!(stderr, "");
    let merged: Value = serde_json::from_str(&stdout).unwrap();
    let findings: Vec<String> = finding_lines(&merged);
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert!(findings[0].contains(" hostA 1 ") && findings[1].contains(" hostB 1 "), "{findings:?}");
    // Without --host both are host unknown: one finding, and a warning that says why.
    let (bare_a, bare_b) = (scan("bare-a.json", &[&a]), scan("bare-b.json", &[&b]));
    let (stdout, stderr) = merge(&["--format", "json", &bare_a, &bare_b], 0);
    let merged: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(finding_lines(&merged).len(), 1);
    assert!(
        stderr.contains(&format!("cas-triage: warning: 2 reports have findings on host unknown ({bare_a}, {bare_b}): their findings are merged as one host's; scan each host with --host \"$(hostname)\"\n")),
        "{stderr}"
    );
}

#[test]
fn an_old_report_without_its_pack_merges_under_the_pack_of_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let [(_a, first), (_b, second)] = halves();
    let first = json_report(tmp.path(), "first.json", &[&first]);
    let second = json_report(tmp.path(), "second.json", &[&second]);
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    old["tool"].as_object_mut().unwrap().remove("rule_pack");
    std::fs::write(&first, serde_json::to_vec(&old).unwrap()).unwrap();
    let (stdout, stderr) = merge(&["--format", "json", &first, &second], 0);
    assert_eq!(stderr, "");
    let merged: Value = serde_json::from_str(&stdout).unwrap();
    crate::schema::assert_valid(&merged);
    let current: Value = serde_json::from_str(&std::fs::read_to_string(&second).unwrap()).unwrap();
    assert_eq!(merged["tool"]["rule_pack"], current["tool"]["rule_pack"]);
    // Only reports that all predate it leave it out, and that is valid too.
    let alone = merge_json(&[&first]);
    assert!(alone["tool"].get("rule_pack").is_none());
    crate::schema::assert_valid(&alone);
}

#[test]
fn the_same_pack_read_from_elsewhere_is_the_same_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let [(_a, first), (_b, second)] = halves();
    let rules = fixtures().join("../rules");
    let first = json_report(tmp.path(), "first.json", &[&first]);
    let second = json_report(tmp.path(), "second.json", &["--rules", rules.to_str().unwrap(), &second]);
    let read = |path: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap() };
    let (embedded, copied) = (read(&first)["tool"]["rule_pack"].clone(), read(&second)["tool"]["rule_pack"].clone());
    assert_eq!(embedded["id"], copied["id"]);
    assert_ne!(embedded["source"], copied["source"]);
    let (_, stderr) = merge(&["--format", "json", &first, &second], 0);
    assert_eq!(stderr, "");
}

/// Every timestamp of a JSON report written again in UTC: the same instants, other text.
fn in_utc(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
                let utc = t.with_timezone(&chrono::FixedOffset::east_opt(0).unwrap());
                *text = utc.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(in_utc),
        Value::Object(fields) => fields.values_mut().for_each(in_utc),
        _ => {}
    }
}

#[test]
fn the_timeline_of_reports_in_other_zones_follows_the_instants() {
    let tmp = tempfile::tempdir().unwrap();
    let [(_a, first), (_b, second)] = halves();
    let first = json_report(tmp.path(), "first.json", &[&first]);
    let second = json_report(tmp.path(), "second.json", &[&second]);
    let mut report: Value = serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    in_utc(&mut report);
    let utc = tmp.path().join("utc.json").to_str().unwrap().to_string();
    std::fs::write(&utc, serde_json::to_vec(&report).unwrap()).unwrap();
    assert!(std::fs::read_to_string(&utc).unwrap().contains("T02:15:30.004+00:00"));
    let without_time = |timeline: &str| -> Vec<String> {
        timeline.lines().map(|l| l.split_once("  ").map_or(l, |(_, rest)| rest).to_string()).collect()
    };
    let (same_zone, _) = merge(&["--format", "timeline", &first, &second], 0);
    let (mixed, _) = merge(&["--format", "timeline", &utc, &second], 0);
    assert!(mixed.lines().any(|l| l.starts_with("2022-09-29T02:")), "{mixed}");
    assert_eq!(without_time(&mixed), without_time(&same_zone), "{mixed}");
}

#[test]
fn exeurls_are_capped_per_host_again() {
    let tmp = tempfile::tempdir().unwrap();
    let [(_a, first), (_b, second)] = halves();
    let first = json_report(tmp.path(), "first.json", &[&first]);
    let second = json_report(tmp.path(), "second.json", &[&second]);
    let all = merge_json(&[&first, &second]);
    let exeurls = all["exeurls"].as_array().unwrap();
    assert_eq!(exeurls.len(), 3, "the default keeps 100 per host");
    let one = merge_json(&["--exeurls", "1", &first, &second]);
    assert_eq!(one["exeurls"].as_array().unwrap(), &exeurls[..1], "the newest of the host");
    assert_eq!(one["summary"]["exeurls_seen"], all["summary"]["exeurls_seen"], "counted all the same");
}

#[test]
fn the_fleet_example_of_merge_help_names_the_host() {
    let output = cas_triage().args(["merge", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    // The scan line of the example, its continuation joined.
    let example: String = help
        .lines()
        .skip_while(|l| !l.contains("#   cas-triage scan"))
        .take_while(|l| l.starts_with("  #   "))
        .map(|l| l.trim_start_matches("  #   ").trim_end_matches('\\').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(example.contains("--host \"$(hostname)\""), "{example}");
    let tmp = tempfile::tempdir().unwrap();
    let logs = host_logs(tmp.path(), "somewhere");
    let report = tmp.path().join("report.json");
    let args: Vec<String> = example
        .replace("\"$(hostname)\"", "hostA")
        .replace("/tmp/cas-triage.$(hostname).json", report.to_str().unwrap())
        .replace("/home/admin/logs", &logs)
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect();
    let output = cas_triage().args(&args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["findings"][0]["host"], "hostA");
}
