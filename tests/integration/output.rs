//! Output: text for people (escaped, coloured only when asked), JSON Lines, determinism across
//! thread counts and chunk sizes, exit codes, a closed pipe.

use std::io::Read;
use std::process::Stdio;

use crate::util::*;

fn bundle() -> String {
    fixtures().join("bundle").to_str().unwrap().to_string()
}

#[test]
fn same_bytes_whatever_the_threads_and_chunks() {
    let run = |extra: &[&str]| {
        cas_triage().args(["scan", "--format", "json"]).args(extra).arg(bundle()).output().unwrap().stdout
    };
    let reference = run(&["--threads", "1"]);
    assert!(!reference.is_empty());
    for extra in
        [&["--threads", "2"][..], &["--threads", "4", "--chunk-size", "64"], &["--threads", "1", "--chunk-size", "1"]]
    {
        assert_eq!(run(extra), reference, "{extra:?}");
    }
}

#[test]
fn fail_on_sets_the_exit_status() {
    scan_json(&["--fail-on", "high", &bundle()], 1);
    scan_json(&["--fail-on", "critical", &bundle()], 0);
    let tmp = tempfile::tempdir().unwrap();
    let clean = tmp.path().join("clean.log");
    std::fs::write(&clean, "2022-09-29 10:15:32,118 INFO all good\n").unwrap();
    scan_json(&["--fail-on", "info", clean.to_str().unwrap()], 0);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["scan"][..],
        &["scan", "--format", "yaml", "x"],
        &["scan", "--tz", "Mars/Olympus", "x"],
        &["scan", "--threads", "0", "x"],
        &["frobnicate"],
    ] {
        let output = cas_triage().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty());
    }
}

#[test]
fn text_report_is_readable_and_plain_when_piped() {
    let output = cas_triage().args(["scan", "--format", "text"]).arg(bundle()).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("cas-triage: 21 findings (12 high, 9 medium) in 11 files"), "{text}");
    assert!(text.contains("HIGH     dispatch.send-msg-failed"));
    assert!(text.contains("What to do:"));
    assert!(text.contains("bundle/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log:2"));
    assert!(!text.contains('\x1b'), "no colour when stdout is not a terminal");
    // High findings come before medium ones.
    assert!(text.find("HIGH").unwrap() < text.find("MEDIUM").unwrap());
}

#[test]
fn colour_is_forced_only_without_no_color() {
    let coloured =
        cas_triage().args(["scan", "--format", "text", "--color", "always"]).arg(bundle()).output().unwrap().stdout;
    assert!(coloured.contains(&0x1b));
    let plain = cas_triage()
        .env("NO_COLOR", "1")
        .args(["scan", "--format", "text", "--color", "always"])
        .arg(bundle())
        .output()
        .unwrap()
        .stdout;
    assert!(!plain.contains(&0x1b));
}

#[test]
fn log_escape_sequences_never_reach_the_terminal() {
    let line = "2022-09-29 10:15:32,118 ERROR [x] - \x1b]0;pwned\x07\x1b[2J send msg failed\n";
    let output =
        cas_triage().args(["scan", "--format", "text", "--color", "always", "-"]).write_stdin(line).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("\\x1b]0;pwned\\x07\\x1b[2J send msg failed"), "{text}");
    assert!(!text.contains("\x1b]0") && !text.contains('\x07'));
}

#[test]
fn hosts_named_by_paths_are_escaped_like_log_text() {
    // The host is the folder above home/, whatever its name: an archive can name it anything.
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("h\x1b]0;pwned\x07/home/admin/logs/acopswareexecutor");
    std::fs::create_dir_all(&logs).unwrap();
    let unknown = "2022-09-29 10:15:33,000 ERROR [x] - something no rule knows\n";
    std::fs::write(logs.join("common-error.log"), format!("{ERROR_LINE}{unknown}")).unwrap();
    let output = cas_triage().args(["scan", "--format", "text"]).arg(tmp.path()).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("acopswareexecutor on host h\\x1b]0;pwned\\x07: 1 event"), "{text}");
    assert!(text.contains("acopswareexecutor on host h\\x1b]0;pwned\\x07: [x] - something no rule knows"), "{text}");
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
}

#[test]
fn jsonl_is_findings_then_a_summary() {
    let output = cas_triage().args(["scan", "--format", "jsonl"]).arg(bundle()).output().unwrap();
    let lines: Vec<serde_json::Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let report = scan_json(&[&bundle()], 0);
    let findings = report["findings"].as_array().unwrap().len();
    let unclassified = report["unclassified"].as_array().unwrap().len();
    let exeurls = report["exeurls"].as_array().unwrap().len();
    assert_eq!((findings, unclassified, exeurls), (21, 9, 3));
    let tasks = report["tasks"].as_array().unwrap().len();
    assert!(lines[findings + unclassified..findings + unclassified + exeurls].iter().all(|l| l["type"] == "exeurl"));
    let configs = report["config_files"].as_array().unwrap().len();
    let chains = report["chains"].as_array().unwrap().len();
    assert_eq!(chains, 3);
    assert_eq!(lines.len(), findings + unclassified + exeurls + tasks + configs + chains + 3);
    let start = findings + unclassified + exeurls;
    assert!(lines[start..start + tasks].iter().all(|l| l["type"] == "task"));
    let start = start + tasks;
    assert!(lines[start..start + configs].iter().all(|l| l["type"] == "config_file"));
    assert!(lines[start + configs..lines.len() - 3].iter().all(|l| l["type"] == "chain"));
    assert_eq!(lines[lines.len() - 3]["type"], "coverage");
    assert_eq!(lines[lines.len() - 2]["type"], "error_rate");
    assert_eq!(lines[lines.len() - 2]["series"], report["error_rate"]["series"]);
    assert!(lines[..findings].iter().all(|l| l["type"] == "finding" && l["fingerprint"].is_string()));
    assert!(
        lines[findings..findings + unclassified]
            .iter()
            .all(|l| l["type"] == "unclassified" && l["template"].is_string())
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["summary"], report["summary"]);
    assert_eq!(summary["input"], report["input"]);
}

#[test]
fn fingerprints_are_stable() {
    // Ticketing systems de-duplicate on these: they must not change between versions.
    let report = scan_json(&[&bundle()], 0);
    let finding =
        report["findings"].as_array().unwrap().iter().find(|f| f["fault"] == "traffic.openapi-failure").unwrap();
    assert_eq!(finding["fingerprint"], "a157507c0814e6fbbf19d5f2572667e7");
}

#[test]
fn zone_and_language() {
    let report = scan_json(&["--tz", "UTC", "--lang", "zh", &bundle()], 0);
    assert_eq!(report["input"]["timezone"], "+00:00");
    let dispatch = finding(&report, "dispatch.send-msg-failed", "acopswareexecutor");
    assert_eq!(dispatch["first_seen"], "2022-09-28T22:01:10.004+00:00");
    assert!(dispatch["remediation"][0].as_str().unwrap().contains("starserver2 容器状态"));
}

#[test]
fn remediation_is_filled_from_the_evidence() {
    let report = scan_json(&[&bundle()], 0);
    let dispatch = finding(&report, "dispatch.send-msg-failed", "acopswareexecutor");
    // Values come from the earliest evidence: the rotated log of the day before.
    let steps = dispatch["remediation"].as_array().unwrap();
    assert!(steps[1].as_str().unwrap().contains("business host 10.1.2.9"), "{steps:?}");
    assert!(steps[3].as_str().unwrap().contains("release order CNHZ_58201812212200583197"), "{steps:?}");
    // A value no evidence holds says where to look it up.
    let starserver = report["findings"].as_array().unwrap().iter().find(|f| f["component"] == "acstarserver2").unwrap();
    let step = starserver["remediation"][3].as_str().unwrap();
    assert!(step.contains("<time_series_id: the release order number"), "{step}");
}

#[test]
fn closed_stdout_exits_quietly() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cas-triage"))
        .env_remove("NO_COLOR")
        .args(["scan", "--format", "text", "--samples", "1000"])
        .arg(bundle())
        .arg(bundle())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "status {status:?}, stderr {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn events_shows_how_logs_are_assembled() {
    let output = cas_triage().args(["events", "--count"]).arg(bundle()).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("acopswareexecutor/common-error.log: 17 lines, 8 events (8 with a timestamp), 5 stack frames"),
        "{text}"
    );
    let output = cas_triage()
        .args(["events", "--format", "json"])
        .arg(fixtures().join("bundle/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log"))
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 8);
    assert_eq!(
        (rows[1]["line"].as_u64(), rows[1]["lines"].as_u64(), rows[1]["level"].as_str()),
        (Some(2), Some(8), Some("ERROR"))
    );
}

#[test]
fn unclassified_errors_are_grouped_by_template() {
    let log = "2022-09-29 10:15:32,118 ERROR [pool-1-thread-3] - release r1_201905060583197 node 0000000012190487 rejected by 10.1.2.3\n\
               2022-09-29 10:16:02,000 ERROR [pool-7-thread-12] - release r1_201905060999999 node 0000000012190999 rejected by 10.9.9.9\n\
               2022-09-29 10:16:03,000 WARN  [pool-7-thread-12] - release r1_201905060999999 node 0000000012190999 rejected by 10.9.9.9\n\
               2022-09-29 10:17:00,000 ERROR [pool-1-thread-3] - quota of 'bob' exceeded\n\
               2022-09-29 10:17:01,000 ERROR [pool-1-thread-3] - send msg failed to 10.1.2.3\n";
    let output = cas_triage().args(["scan", "--format", "json", "-"]).write_stdin(log).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let groups = report["unclassified"].as_array().unwrap();
    let shape: Vec<(String, u64)> =
        groups.iter().map(|g| (g["template"].as_str().unwrap().to_string(), g["count"].as_u64().unwrap())).collect();
    assert_eq!(
        shape,
        [
            ("[pool-<N>-thread-<N>] - release r<N>_<N> node <N> rejected by <IP>".to_string(), 2),
            ("[pool-<N>-thread-<N>] - quota of <Q> exceeded".to_string(), 1),
        ],
        "WARN events and events a rule matched are not unclassified"
    );
    assert_eq!(groups[0]["example"]["line"], 1);
    assert_eq!(groups[0]["first_seen"], "2022-09-29T10:15:32.118+08:00");
    assert_eq!(groups[0]["last_seen"], "2022-09-29T10:16:02.000+08:00");

    let text =
        cas_triage().args(["scan", "--format", "text", "--unclassified", "1", "-"]).write_stdin(log).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Errors no rule knows (3 events in 2 templates, the 1 most frequent shown"), "{text}");
    assert!(text.contains("2x  unknown on host unknown: [pool-<N>-thread-<N>] - release"), "{text}");
    assert!(!text.contains("quota of"), "{text}");
}

#[test]
fn runbooks_are_filled_even_without_evidence_shown() {
    let with = scan_json(&[&bundle()], 0);
    let without = scan_json(&["--samples", "0", &bundle()], 0);
    for (a, b) in with["findings"].as_array().unwrap().iter().zip(without["findings"].as_array().unwrap()) {
        assert_eq!(a["remediation"], b["remediation"], "{}", a["fault"]);
        assert!(b["evidence"].as_array().unwrap().is_empty());
    }
    let text = cas_triage().args(["scan", "--format", "text", "--samples", "0"]).arg(bundle()).output().unwrap().stdout;
    assert!(!String::from_utf8(text).unwrap().contains("... and"));
}

#[test]
fn long_lines_are_cut_between_characters() {
    let line =
        format!("2022-09-29 10:15:32,118 ERROR send msg failed: {}\n\tat {}\n", "中".repeat(2000), "x".repeat(5000));
    let output = cas_triage().args(["scan", "--format", "json", "-"]).write_stdin(line).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let evidence = &report["findings"][0]["evidence"][0];
    assert_eq!((evidence["text_truncated"].as_bool(), evidence["text_lossy"].as_bool()), (Some(true), Some(false)));
    assert!(evidence["text"].as_str().unwrap().ends_with('中'));
}

#[test]
fn timeline_lists_evidence_and_failed_tasks_in_time_order() {
    let output =
        cas_triage().args(["scan", "--format", "timeline", "--samples", "100"]).arg(bundle()).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let times: Vec<&str> = text.lines().map(|l| l.split("  ").next().unwrap()).filter(|t| *t != "-").collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "chronological");
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with("2022-09-28T22:01:10.004+08:00  10.12.3.4  acopswareexecutor  HIGH dispatch.send-msg-failed")
    );
    assert!(text.contains("TASK 10390850 timeout after 11.5 s"));
    assert!(text.contains("MEDIUM alert.error-rate"));
}

#[test]
fn stats_tell_volume_time_and_memory_on_stderr() {
    let output = cas_triage().args(["scan", "--stats", "--format", "json", "-j", "1"]).arg(bundle()).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout holds only the report");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let input = &report["input"];
    let first = format!(
        "stats: {} files (0 skipped), {} bytes (0.0 MiB), {} events, {} lines\n",
        input["files"], input["bytes"], input["events"], input["lines"]
    );
    assert!(stderr.starts_with(&first), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[1].starts_with("stats: wall ") && lines[1].ends_with(" on 1 thread"), "{stderr}");
    assert!(lines[2].starts_with("stats: peak memory "), "{stderr}");
    // Without --stats, standard error stays quiet.
    let quiet = cas_triage().args(["scan", "--format", "json"]).arg(bundle()).output().unwrap();
    assert!(quiet.stderr.is_empty());
}

/// `--output FILE` and `-o FILE` write, in every format, the bytes standard output would get,
/// and nothing to standard output; a previous, longer report is replaced whole; no temporary
/// file is left beside it.
#[test]
fn output_file_gets_what_stdout_would() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("report");
    std::fs::write(&target, "x".repeat(1 << 20)).unwrap();
    for (format, flag) in [("json", "--output"), ("jsonl", "-o"), ("text", "-o"), ("timeline", "--output")] {
        let piped = cas_triage().args(["scan", "--format", format]).arg(bundle()).output().unwrap();
        assert_eq!(piped.status.code(), Some(0));
        let written =
            cas_triage().args(["scan", "--format", format, flag]).arg(&target).arg(bundle()).output().unwrap();
        assert_eq!(written.status.code(), Some(0), "{}", String::from_utf8_lossy(&written.stderr));
        assert!(written.stdout.is_empty() && written.stderr.is_empty(), "{format}");
        assert_eq!(std::fs::read(&target).unwrap(), piped.stdout, "{format}");
    }
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["report"]);
    // Without --format, a file gets JSON (it is not a terminal), and --fail-on and --strict keep
    // their exit status with the report written all the same.
    let failing = cas_triage().args(["scan", "--fail-on", "high", "-o"]).arg(&target).arg(bundle()).output().unwrap();
    assert_eq!(failing.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(report["input"]["files"], 11);
}

/// An output that cannot be written is a clear one-line error naming the path and the system's
/// reason, exit 2, before any scanning (a missing bundle path is not even looked at); a report
/// already there is left as it was.
#[test]
fn unwritable_output_fails_fast_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("some_file");
    std::fs::write(&file, "not a directory").unwrap();
    let cases = [
        (file.join("report.json"), "Not a directory (os error 20)"),
        (tmp.path().join("missing/report.json"), "No such file or directory (os error 2)"),
        (tmp.path().to_path_buf(), "it is a directory"),
    ];
    for (target, reason) in cases {
        let output = cas_triage().args(["scan", "--output"]).arg(&target).arg("/no/such/bundle").output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8(output.stderr).unwrap();
        let expected = format!("cas-triage: cannot write the report to {}: ", target.display());
        assert!(stderr.starts_with(&expected) && stderr.lines().count() == 1, "{stderr}");
        if cfg!(target_os = "linux") {
            assert_eq!(stderr.trim_end().strip_prefix(&expected), Some(reason));
        }
        assert!(output.stdout.is_empty());
    }
    // A scan that fails after the output was checked leaves the previous report alone.
    let target = tmp.path().join("report.json");
    std::fs::write(&target, "previous").unwrap();
    let output = cas_triage().args(["scan", "-o"]).arg(&target).arg("/no/such/bundle").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/bundle"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "previous");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2, "some_file and report.json, no temporary file");
}

/// The README's options table and the command's help both tell of `-o`.
#[test]
fn output_option_is_documented() {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(readme.contains("| `--output FILE`, `-o FILE` |"), "README options table");
    let help = cas_triage().args(["scan", "--help"]).output().unwrap();
    assert!(String::from_utf8(help.stdout).unwrap().contains("-o, --output <FILE>"));
}

/// Credentials in log text (a signed OpenAPI request, a JDBC URL, a password field) are masked in
/// every format by default and kept with --no-redact.
#[test]
fn credentials_in_evidence_are_masked_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b/10.0.0.3/home/admin/logs/aciaasconnectore");
    std::fs::create_dir_all(&dir).unwrap();
    let log = "2022-09-29 10:16:01,223 ERROR [iaas-call-4] - call openapi failed, product=Ecs action=CreateInstance \
        region=cn-hangzhou-fin url=https://ecs.aliyuncs.com/?AccessKeyId=LTAI5tQ9xYz8aBcDeFgH1234&Signature=abc%2Bdef \
        db=mysql://app:s3cr3t@10.1.2.3:3306/x password=hunter2\n";
    std::fs::write(dir.join("common-error.log"), log).unwrap();
    let root = tmp.path().join("b");
    let root = root.to_str().unwrap();
    let secrets = ["LTAI5tQ9xYz8aBcDeFgH1234", "abc%2Bdef", "s3cr3t", "hunter2"];
    for format in ["json", "jsonl", "text", "timeline", "markdown", "html", "junit", "sarif", "tickets"] {
        let output = cas_triage().args(["scan", "--format", format, root]).output().unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("call openapi failed"), "{format}: {text}");
        for secret in secrets {
            assert!(!text.contains(secret), "{format} shows {secret}: {text}");
        }
        // Each format escapes in its own way (`&amp;` in XML, `\*` in markdown text).
        let masked = ["AccessKeyId=***", "mysql://app:***@10.1.2.3"].iter().all(|m| text.contains(m))
            || text.contains(r"AccessKeyId=\*\*\*");
        assert!(masked, "{format}: {text}");
    }
    let report = scan_json(&[root, "--no-redact"], 0);
    let evidence = report["findings"][0]["evidence"][0]["text"].as_str().unwrap();
    for secret in secrets {
        assert!(evidence.contains(secret), "--no-redact keeps {secret}: {evidence}");
    }
}
