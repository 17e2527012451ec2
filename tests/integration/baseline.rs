//! `scan --baseline PREVIOUS.json`: findings marked new or recurring by fingerprint, the
//! baseline's findings that are gone listed as resolved where the scan read, the others as not
//! covered, `--fail-on-new`, every format showing it, and an unusable baseline refused before the
//! scan.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::*;

/// The log whose findings a baseline without it lacks: four high findings of the IaaS adapter.
const IAAS_LOG: &str = "10.12.3.9/home/admin/logs/aciaasconnectore/common-error.log";
const IAAS_FAULTS: &[&str] =
    &["iaas.endpoint-not-effective", "iaas.resource-op-failure", "traffic.alb-failure", "traffic.openapi-failure"];

/// The log of the one finding of acstarserver2 (dispatch.send-msg-failed on 10.12.3.5).
const STARSERVER_LOG: &str = "10.12.3.5/home/admin/logs/acstarserver2/common-error.log";

fn with_state<'a>(report: &'a Value, state: &str) -> Vec<&'a str> {
    let findings = report["findings"].as_array().unwrap();
    findings.iter().filter(|f| f["baseline_state"] == state).map(|f| f["fault"].as_str().unwrap()).collect()
}

/// The example bundle with `quiet` emptied: the log is read, and says nothing.
fn bundle_quiet(quiet: &str) -> (tempfile::TempDir, String) {
    let files = bundle_files();
    let kept: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, data)| (path.as_str(), if path == quiet { &[][..] } else { data.as_slice() }))
        .collect();
    bundle(&kept)
}

/// A baseline of the bundle without `left_out`, in `dir`.
fn baseline_without(dir: &std::path::Path, left_out: &str) -> String {
    let (_tmp, partial) = bundle_where(|path| path != left_out);
    json_report(dir, "baseline.json", &[&partial])
}

#[test]
fn the_bundle_against_itself_is_all_recurring() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = json_report(tmp.path(), "baseline.json", &[&bundle_dir()]);
    let report = scan_json(&["--baseline", &baseline, "--fail-on-new", "low", &bundle_dir()], 0);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(with_state(&report, "recurring").len(), findings.len());
    let section = &report["baseline"];
    assert_eq!(section["path"], baseline.as_str());
    assert_eq!(section["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(section["paths"], serde_json::json!([bundle_dir()]));
    assert_eq!(
        section["counts"],
        serde_json::json!({"new": 0, "recurring": findings.len(), "resolved": 0, "not_covered": 0})
    );
    assert_eq!(section["resolved"], serde_json::json!([]));
    assert_eq!(section["not_covered"], serde_json::json!([]));
    crate::schema::assert_valid(&report);

    // Without --baseline, neither the section nor the states.
    let plain = scan_json(&[&bundle_dir()], 0);
    assert!(plain.get("baseline").is_none());
    assert!(plain["findings"].as_array().unwrap().iter().all(|f| f.get("baseline_state").is_none()));
    assert_eq!(finding_lines(&plain), finding_lines(&report));
}

#[test]
fn findings_of_a_log_the_baseline_lacked_are_new() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = baseline_without(tmp.path(), IAAS_LOG);
    let report = scan_json(&["--baseline", &baseline, &bundle_dir()], 0);
    let new: BTreeSet<&str> = with_state(&report, "new").into_iter().collect();
    assert_eq!(new, IAAS_FAULTS.iter().copied().collect());
    for f in report["findings"].as_array().unwrap().iter().filter(|f| f["baseline_state"] == "new") {
        assert_eq!(f["host"], "10.12.3.9");
    }
    let total = report["findings"].as_array().unwrap().len();
    assert_eq!(
        report["baseline"]["counts"],
        serde_json::json!({"new": 4, "recurring": total - 4, "resolved": 0, "not_covered": 0})
    );
    crate::schema::assert_valid(&report);
}

#[test]
fn a_finding_gone_from_a_log_read_again_is_resolved() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = json_report(tmp.path(), "baseline.json", &[&bundle_dir()]);
    // The log is there, without an event: read, so what it no longer says is resolved.
    let (_bundle, quiet) = bundle_quiet(STARSERVER_LOG);
    let report = scan_json(&["--baseline", &baseline, &quiet], 0);
    assert!(with_state(&report, "new").is_empty());
    let resolved = report["baseline"]["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1);
    let gone = &resolved[0];
    let full = scan_json(&[&bundle_dir()], 0);
    let was = finding(&full, "dispatch.send-msg-failed", "acstarserver2");
    for field in ["fault", "title", "severity", "component", "host", "fingerprint", "count", "first_seen", "last_seen"]
    {
        assert_eq!(gone[field], was[field], "{field}");
    }
    assert_eq!(report["baseline"]["counts"]["resolved"], 1);
    assert_eq!(report["baseline"]["counts"]["not_covered"], 0);
    crate::schema::assert_valid(&report);
}

#[test]
fn findings_on_hosts_the_scan_did_not_read_are_not_resolved() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = json_report(tmp.path(), "baseline.json", &[&bundle_dir()]);
    let whole = scan_json(&[&bundle_dir()], 0);
    let total = whole["findings"].as_array().unwrap().len();
    let on_executor = whole["findings"].as_array().unwrap().iter().filter(|f| f["host"] == "10.12.3.4").count();
    assert!(on_executor > 0 && on_executor < total);

    // One host of the bundle: the other hosts' findings are neither recurring nor resolved.
    let host = fixtures().join("bundle/10.12.3.4");
    let report = scan_json(&["--baseline", &baseline, host.to_str().unwrap()], 0);
    crate::schema::assert_valid(&report);
    let section = &report["baseline"];
    assert_eq!(
        section["counts"],
        serde_json::json!({"new": 0, "recurring": on_executor, "resolved": 0, "not_covered": total - on_executor})
    );
    assert!(section["not_covered"].as_array().unwrap().iter().all(|f| f["host"] != "10.12.3.4"));
    // The log of the starserver gone from its host: nothing was read there either.
    let (_bundle, without) = bundle_where(|path| path != STARSERVER_LOG);
    let report = scan_json(&["--baseline", &baseline, &without], 0);
    assert_eq!(report["baseline"]["counts"]["resolved"], 0);
    assert_eq!(report["baseline"]["not_covered"][0]["host"], "10.12.3.5");

    // Formats: counted and listed apart, never absent in SARIF.
    let args = ["--baseline", baseline.as_str(), host.to_str().unwrap()];
    let text = scan_format("text", &args, 0);
    let n = total - on_executor;
    assert!(text.contains(&format!(": 0 new, {on_executor} recurring, 0 resolved\nnote: {n} findings of the baseline are on hosts or components this run did not read: neither recurring nor resolved (listed after the findings)\n")), "{text}");
    assert!(
        text.contains(&format!(
            "Not read in this run ({n}), neither recurring nor resolved:\n  host 10.12.3.1, apopswareapiserver: "
        )),
        "{text}"
    );
    let markdown = scan_format("markdown", &args, 0);
    assert!(markdown.contains(&format!("### Not read in this run ({n})\n")), "{markdown}");
    assert!(markdown.contains("| 10.12.3.9 | aciaasconnectore | 4 | "), "{markdown}");
    let junit = scan_format("junit", &args, 0);
    assert!(junit.contains(&format!(r#"<property name="baseline.not_covered" value="{n}"/>"#)), "{junit}");
    crate::junit::assert_valid_junit(&junit);
    let sarif: Value = serde_json::from_str(&scan_format("sarif", &args, 0)).unwrap();
    crate::sarif::assert_valid(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["baselineState"] != "absent"), "{results:#?}");
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(
        notes
            .to_string()
            .contains(&format!("{n} findings of the baseline are on hosts or components this run did not read")),
        "{notes}"
    );
}

#[test]
fn a_scan_that_read_nothing_resolves_nothing_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = json_report(tmp.path(), "baseline.json", &[&bundle_dir()]);
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = cas_triage().args(["scan", "--format", "json", "--baseline", &baseline]).arg(&empty).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let total = scan_json(&[&bundle_dir()], 0)["findings"].as_array().unwrap().len();
    assert_eq!(
        report["baseline"]["counts"],
        serde_json::json!({"new": 0, "recurring": 0, "resolved": 0, "not_covered": total})
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "cas-triage: warning: this run read no file: the {total} finding(s) of the baseline {baseline} are neither recurring nor resolved (baseline.not_covered)\n"
        )
    );
}

#[test]
fn fail_on_new_counts_only_new_findings_and_adds_to_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = baseline_without(tmp.path(), IAAS_LOG);
    let bundle = bundle_dir();
    // The new findings are high; recurring ones are high and medium.
    let cases: &[(&[&str], i32)] = &[
        (&["--fail-on-new", "high"], 1),
        (&["--fail-on-new", "low"], 1),
        (&["--fail-on-new", "critical"], 0),
        (&["--fail-on", "critical", "--fail-on-new", "high"], 1),
        (&["--fail-on", "critical", "--fail-on-new", "critical"], 0),
        (&["--fail-on", "medium", "--fail-on-new", "critical"], 1),
        (&[], 0),
    ];
    for (args, status) in cases {
        let output = cas_triage()
            .args(["scan", "--format", "json", "--baseline", &baseline])
            .args(*args)
            .arg(&bundle)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(*status), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    // The bundle against itself: nothing new, whatever the threshold.
    let itself = json_report(tmp.path(), "itself.json", &[&bundle]);
    scan_json(&["--baseline", &itself, "--fail-on-new", "info", &bundle], 0);
    // --fail-on-new needs a baseline.
    let output = cas_triage().args(["scan", "--fail-on-new", "high", &bundle]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--baseline"));
}

#[test]
fn an_unusable_baseline_is_refused_before_the_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, content: &[u8]| {
        let path = tmp.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_string()
    };
    let sarif = write("report.sarif", scan_format("sarif", &[&bundle_dir()], 0).as_bytes());
    let jsonl = write("report.jsonl", scan_format("jsonl", &[&bundle_dir()], 0).as_bytes());
    let cases = [
        (tmp.path().join("missing.json").to_str().unwrap().to_string(), "cannot read it: "),
        (write("text.json", b"cas-triage: 21 findings\n"), "not JSON: "),
        (write("other.json", br#"{"tool": {"name": "hayabusa"}, "findings": []}"#), "not a cas-triage report"),
        (sarif, "not a cas-triage report: it has no tool.name"),
        (jsonl, "JSON Lines"),
        (
            write("old.json", br#"{"schema_version": 0, "tool": {"name": "cas-triage"}}"#),
            "a report of schema_version 0; ",
        ),
    ];
    let output_file = tmp.path().join("out.json");
    for (path, reason) in cases {
        let output = cas_triage()
            .args(["scan", "--baseline", &path, "-o", output_file.to_str().unwrap(), &bundle_dir()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{path}: {stderr}");
        assert!(stderr.starts_with(&format!("cas-triage: --baseline {path}: {reason}")), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!output_file.exists(), "refused before the report file was made");
    }
}

#[test]
fn every_format_shows_new_and_resolved_findings() {
    let tmp = tempfile::tempdir().unwrap();
    // The baseline lacks the IaaS log (4 new) and has the finding of the acstarserver2 log the
    // scan reads empty (1 resolved).
    let baseline = baseline_without(tmp.path(), IAAS_LOG);
    let (_bundle, scanned) = bundle_quiet(STARSERVER_LOG);
    let args = ["--baseline", baseline.as_str(), scanned.as_str()];

    let text = scan_format("text", &args, 0);
    assert!(text.contains("since the baseline ") && text.contains(": 4 new, 16 recurring, 1 resolved"), "{text}");
    assert_eq!(text.matches("[new] ").count(), 4, "{text}");
    assert!(text.contains("HIGH     [new] traffic.alb-failure  "), "{text}");
    assert!(text.contains("New since baseline (4):\n  HIGH     iaas.endpoint-not-effective on aciaasconnectore, host 10.12.3.9: 1 event, first "));
    assert!(text.contains("Resolved since baseline (1):\n  HIGH     dispatch.send-msg-failed on acstarserver2, host 10.12.3.5: last seen 2022-09-29T10:15:32.101+08:00"));

    let markdown = scan_format("markdown", &args, 0);
    assert!(markdown.contains("**4 new**, 16 recurring, 1 resolved."), "{markdown}");
    assert!(
        markdown.contains("| fault | severity | component | host | count | first seen | last seen | since baseline |")
    );
    assert!(markdown.contains("| traffic.alb-failure | high | aciaasconnectore | 10.12.3.9 | 1 |"));
    assert!(markdown.contains("### New since the baseline (4)\n\n- HIGH `iaas.endpoint-not-effective`"));
    assert!(markdown.contains("### Resolved since the baseline (1)\n\n| fault |"));
    assert!(markdown.contains("| dispatch.send-msg-failed | high | acstarserver2 | 10.12.3.5 | 1 |"), "{markdown}");
    assert_eq!(markdown.matches("- **new** since the baseline\n").count(), 4);

    let lines: Vec<Value> = scan_format("jsonl", &args, 0).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let new = lines.iter().filter(|l| l["type"] == "finding" && l["baseline_state"] == "new").count();
    assert_eq!(new, 4);
    let summary = lines.last().unwrap();
    assert_eq!(summary["baseline"]["counts"]["resolved"], 1);

    let tickets: Value = serde_json::from_str(&scan_format("tickets", &args, 0)).unwrap();
    for ticket in tickets.as_array().unwrap() {
        let state = ticket["baseline_state"].as_str().unwrap();
        assert_eq!(ticket["labels"].as_array().unwrap().last().unwrap(), state);
    }
    assert_eq!(tickets.as_array().unwrap().iter().filter(|t| t["baseline_state"] == "new").count(), 4);

    let timeline = scan_format("timeline", &args, 0);
    assert!(timeline.contains("HIGH traffic.alb-failure (new)  "), "{timeline}");

    let junit = scan_format("junit", &["--fail-on-new", "high", "--baseline", &baseline, &scanned], 1);
    assert!(junit.contains(r#"tests="20" failures="4""#), "only the new findings fail: {junit}");
    assert_eq!(junit.matches(r#"<failure message="NEW HIGH: "#).count(), 4);
    assert!(junit.contains(r#"<property name="baseline.new" value="4"/>"#));
    assert!(junit.contains(r#"<property name="baseline.resolved" value="1"/>"#));
    crate::junit::assert_valid_junit(&junit);

    let sarif: Value = serde_json::from_str(&scan_format("sarif", &args, 0)).unwrap();
    crate::sarif::assert_valid(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let states: Vec<&str> = results.iter().map(|r| r["baselineState"].as_str().unwrap()).collect();
    assert_eq!(states.iter().filter(|s| **s == "new").count(), 4);
    assert_eq!(states.iter().filter(|s| **s == "unchanged").count(), 16);
    let absent: Vec<&Value> = results.iter().filter(|r| r["baselineState"] == "absent").collect();
    assert_eq!(absent.len(), 1);
    assert_eq!(absent[0]["ruleId"], "dispatch.send-msg-failed");
    assert_eq!(absent[0]["properties"]["host"], "10.12.3.5");
    assert_eq!(absent[0]["locations"], serde_json::json!([]));
    // Without a baseline, no result has a state.
    let plain: Value = serde_json::from_str(&scan_format("sarif", &[&bundle_dir()], 0)).unwrap();
    assert!(plain["runs"][0]["results"].as_array().unwrap().iter().all(|r| r.get("baselineState").is_none()));
}
