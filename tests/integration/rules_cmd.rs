//! `rules list`, `rules test`, and user packs loaded with --rules / --rules-add.

use std::path::Path;

use crate::util::*;

const USER_RULE: &str = r#"
[[rule]]
id = "site.disk-full"
title = "Disk full on a release host"
severity = "critical"
section = "site runbook 4.2"
levels = ["ERROR"]
extract = ['on (?P<mount>/\S+)']
[[rule.signature]]
literals = ["No space left on device"]
[rule.remediation]
en = ["Free space on {mount} of {host}."]
[rule.examples]
match = ["2022-09-29 10:15:32,118 ERROR write failed on /home/admin: No space left on device"]
no_match = ["2022-09-29 10:15:32,118 INFO No space left on device check passed"]
"#;

fn user_pack(dir: &Path, text: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("site.toml"), text).unwrap();
    dir.to_str().unwrap().to_string()
}

#[test]
fn default_pack_examples_pass() {
    let output = cas_triage().args(["rules", "test"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{text}");
    assert!(text.contains(", 0 failed"), "{text}");
}

#[test]
fn failing_examples_exit_1_and_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = user_pack(
        &tmp.path().join("pack"),
        &USER_RULE.replace("write failed on /home/admin: No space", "write failed"),
    );
    let output = cas_triage().args(["rules", "test", &dir]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("FAIL") && text.contains("site.toml: rule site.disk-full: example should match"), "{text}");
}

#[test]
fn list_shows_every_rule() {
    let output = cas_triage().args(["rules", "list", "--format", "json"]).output().unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in [
        "dispatch.send-msg-failed",
        "task.python-runtimeout",
        "traffic.openapi-failure",
        "traffic.alb-failure",
        "config.properties-crlf",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let dispatch = rows.iter().find(|r| r["id"] == "dispatch.send-msg-failed").unwrap();
    assert_eq!(dispatch["signatures"], 2);
    assert!(dispatch["examples"].as_u64().unwrap() >= 5);
}

#[test]
fn user_pack_replaces_or_adds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = user_pack(&tmp.path().join("pack"), USER_RULE);
    let log = tmp.path().join("10.9.9.9/home/admin/logs/acopswareexecutor/common-error.log");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(
        &log,
        format!("2022-09-29 10:15:30,000 ERROR write failed on /home/admin: No space left on device\n{ERROR_LINE}"),
    )
    .unwrap();
    let log = log.to_str().unwrap();

    let replaced = scan_json(&["--rules", &dir, log], 0);
    assert_eq!(faults(&replaced), ["site.disk-full"]);
    assert_eq!(replaced["findings"][0]["remediation"][0], "Free space on /home/admin: of 10.9.9.9.");

    let added = scan_json(&["--rules-add", &dir, log], 0);
    assert_eq!(faults(&added), ["site.disk-full", "dispatch.send-msg-failed"]);
}

#[test]
fn bad_user_packs_are_usage_errors_naming_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        ("typo", USER_RULE.replace("levels =", "level ="), "unknown field"),
        ("regex", USER_RULE.replace(r"on (?P<mount>/\S+)", "on (?P<mount"), "bad regex"),
        ("duplicate", USER_RULE.replace("site.disk-full", "dispatch.send-msg-failed"), "defined twice"),
        ("toml", "[[rule]\nid=".to_string(), "invalid TOML"),
        // A regex that would compile to a huge program is refused, not compiled for minutes.
        ("huge", USER_RULE.replace(r"on (?P<mount>/\S+)", r"on ((\w{1,100}){1,100}){1,100}"), "exceeds size limit"),
    ];
    for (name, text, expected) in cases {
        let dir = user_pack(&tmp.path().join(name), &text);
        let output = cas_triage().args(["scan", "--rules-add", &dir, "-"]).write_stdin(ERROR_LINE).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected) && stderr.contains("site.toml"), "{name}: {stderr}");
    }
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let output =
        cas_triage().args(["scan", "--rules", empty.to_str().unwrap(), "-"]).write_stdin(ERROR_LINE).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds no *.toml"));
}

#[test]
fn a_pack_that_cannot_be_read_is_named_with_the_reason_once() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nonexistent");
    let missing = missing.to_str().unwrap();
    let bundle = bundle_dir();
    let cases = [
        &["scan", "--rules", missing, &bundle][..],
        &["scan", "--rules-add", missing, &bundle],
        &["rules", "list", "--rules", missing],
    ];
    for args in cases {
        let output = cas_triage().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with(&format!("cas-triage: cannot read rule pack {missing}: ")), "{stderr}");
        assert_eq!(stderr.matches("No such file").count(), 1, "the reason once: {stderr}");
    }
}

#[test]
fn lint_reports_every_problem_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = USER_RULE.replace("levels = [\"ERROR\"]", "levels = [\"ERROR\"]\nseverty = \"x\"");
    let dir = user_pack(&tmp.path().join("pack"), &broken);
    std::fs::write(
        tmp.path().join("pack/other.toml"),
        USER_RULE.replace("site.disk-full", "site.disk-full-2").replace(r"on (?P<mount>/\S+)", "(?P<oops"),
    )
    .unwrap();
    let output = cas_triage().args(["rules", "lint", &dir]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("other.toml:3: error: rule site.disk-full-2: bad regex"), "{text}");
    assert!(text.contains("site.toml:8: error:") && text.contains("severty"), "{text}");
    assert!(text.contains("2 error(s)"), "{text}");

    let clean = user_pack(&tmp.path().join("clean"), USER_RULE);
    let output = cas_triage().args(["rules", "lint", &clean]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("warning: rule site.disk-full: id is not in the fault catalogue"), "{text}");
    assert!(text.contains("has 1 match and 1 no_match examples"), "{text}");
}

#[test]
fn default_pack_lints_clean() {
    let rules = fixtures().join("../rules");
    let output = cas_triage().args(["rules", "lint"]).arg(&rules).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success() && text.contains("0 error(s), 0 warning(s)"), "{text}");
}

#[test]
fn explain_a_fault() {
    let output = cas_triage().args(["explain", "task.python-runtimeout"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("task.python-runtimeout: "), "{text}");
    assert!(text.contains("operations manual §2.5") && text.contains("What to do"), "{text}");
    let zh = cas_triage().args(["explain", "--lang", "zh", "task.python-runtimeout"]).output().unwrap();
    assert!(String::from_utf8(zh.stdout).unwrap().contains("90s"));
    let unknown = cas_triage().args(["explain", "task"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("did you mean") && stderr.contains("task.python-runtimeout"), "{stderr}");
}

/// The fault catalogue's ids: a contract with reports, tickets and JSON consumers.
const CATALOGUE: &[&str] = &[
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

#[test]
fn the_default_pack_covers_the_whole_catalogue() {
    let output = cas_triage().args(["rules", "list", "--format", "json"]).output().unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let mut ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut catalogue = CATALOGUE.to_vec();
    catalogue.sort_unstable();
    assert_eq!(ids, catalogue);
    for row in &rows {
        let expected_kind = match row["id"].as_str().unwrap() {
            "task.clock-skew-suspected" | "dispatch.agent-heartbeat-stale" | "alert.error-rate" => "analysis",
            "config.properties-crlf" | "config.properties-encoding" => "file-check",
            _ => "lines",
        };
        assert_eq!(row["kind"], expected_kind, "{row}");
        if expected_kind == "lines" {
            assert!(row["examples"].as_u64().unwrap() >= 5, "{row}");
        }
    }
}

#[test]
fn every_rule_fires_on_the_example_bundle() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let found = faults(&report);
    for id in CATALOGUE {
        assert!(found.iter().any(|f| f == id), "{id}");
    }
}

#[test]
fn runbooks_carry_the_values_from_the_evidence() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let steps = |fault: &str, component: &str| -> String {
        finding(&report, fault, component)["remediation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let blocked = steps("release.blocked", "apopswareapiserver");
    assert!(blocked.contains("b.time_series_id='r1_201905060583197';"), "{blocked}");
    assert!(blocked.contains("from ops_action_node where id='0000000012190487';"), "{blocked}");
    let stuck = steps("release.stuck", "acopswareorchestration");
    assert!(
        stuck.contains(
            r#"--data '{"executionId":"10382305","namespace":"0038548210","nodeId":"0000000012190439","condition":0}'"#
        ),
        "{stuck}"
    );
    assert!(stuck.contains("PROC_INST_ID_='10390847'"), "{stuck}");
    let dispatch = steps("dispatch.send-msg-failed", "acstarserver2");
    assert!(dispatch.contains("On the business host 10.1.2.3"), "{dispatch}");
    // The order number is not in this evidence: the runbook says where to find it.
    assert!(dispatch.contains("<time_series_id: the release order number"), "{dispatch}");
    let install = steps("release.stack-install-failed", "acopswareexecutor");
    assert!(install.contains("private_ip='10.1.2.5'"), "{install}");
    // The bundle has no agent log of 10.1.2.5: the runbook says where the command is.
    assert!(install.contains("<exeurl: the step's command, from the host's agent log"), "{install}");
    let check = steps("healthcheck.runtimeout", "staragent");
    assert!(
        check.contains("on the host app-host-7 and read what it prints: `/home/admin/bin/checkapp_v2.py --app foo`"),
        "{check}"
    );
    let timeout = steps("task.python-runtimeout", "staragent");
    assert!(
        timeout.contains("download application package (/home/admin/bin/batch_download.py) on host app-host-7"),
        "{timeout}"
    );
    assert!(timeout.contains("OSS/AFS"), "{timeout}");
}
