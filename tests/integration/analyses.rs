//! Analyses across events: the commands agents ran (exeurl) and error-rate alerts.

use crate::util::*;

const AGENT_LOG: &str = "\
[2022-09-29 10:15:30.004] [INFO] [worker-3] recv task jobId=10390847 exeurl=cmd:///home/admin/bin/deploy_v2.py --app foo --version 1.2.3 timeout=90
2022-09-29 10:15:30,010 INFO job 10390850 {\"exeurl\":\"cmd:///home/admin/bin/batch_download.py -u http://oss/x.tgz\",\"timeout\":90}
[2022-09-29 10:16:00.000] [INFO] [worker-1] run exeurl: cmd:///home/admin/bin/custom_hook.sh --now
[2022-09-29 10:17:00.000] [INFO] [worker-1] exeurl=http://not-a-command
";

fn agent_bundle() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    for host in ["app-host-1", "app-host-2"] {
        let log = tmp.path().join(format!("b/{host}/home/staragent/log/staragent_core.log"));
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        std::fs::write(&log, AGENT_LOG).unwrap();
    }
    let root = tmp.path().join("b").to_str().unwrap().to_string();
    (tmp, root)
}

/// Writes `logs` (path in the bundle, text) under `dir/b` and scans the bundle.
fn scan_logs(dir: &std::path::Path, logs: &[(&str, &str)]) -> serde_json::Value {
    for (path, text) in logs {
        let file = dir.join("b").join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
    }
    scan_json(&[dir.join("b").to_str().unwrap()], 0)
}

#[test]
fn exeurls_newest_first_per_host() {
    let (_tmp, root) = agent_bundle();
    let output = cas_triage().args(["exeurl", "--format", "json", "--host", "app-host-2", &root]).output().unwrap();
    assert!(output.status.success());
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let shape: Vec<(String, String, String, String, String)> = rows
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("-").to_string();
            (s("host"), s("script"), s("args"), s("step"), s("task_id"))
        })
        .collect();
    let expected = [
        ("app-host-2", "/home/admin/bin/custom_hook.sh", "--now", "unknown step", "-"),
        (
            "app-host-2",
            "/home/admin/bin/batch_download.py",
            "-u http://oss/x.tgz",
            "download application package",
            "10390850",
        ),
        (
            "app-host-2",
            "/home/admin/bin/deploy_v2.py",
            "--app foo --version 1.2.3",
            "deploy tech-stack 2.0 service",
            "10390847",
        ),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c.to_string(), d.to_string(), e.to_string()))
        .collect();
    assert_eq!(shape, expected);
    assert_eq!(rows[2]["line"], 1);
    assert_eq!(rows[2]["timestamp"], "2022-09-29T10:15:30.004+08:00");

    let output = cas_triage().args(["exeurl", "--last", "1", &root]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.matches("custom_hook.sh --now").count(), 2, "{text}");
    assert!(!text.contains("deploy_v2.py"), "{text}");
}

#[test]
fn scan_json_lists_exeurls_and_links_them_to_findings() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let exeurls = report["exeurls"].as_array().unwrap();
    assert_eq!(exeurls.len(), 3);
    assert_eq!(exeurls[0]["command"], "/home/admin/bin/checkapp_v2.py --app foo");
    assert_eq!(exeurls[0]["step_id"], "check");
    let timeout = finding(&report, "healthcheck.runtimeout", "staragent");
    assert_eq!(timeout["evidence"][0]["fields"]["exeurl"], "/home/admin/bin/checkapp_v2.py --app foo");
}

#[test]
fn an_error_burst_over_the_threshold_alerts() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let alert = finding(&report, "alert.error-rate", "acopswareorchestration");
    assert_eq!(alert["kind"], "analysis");
    assert_eq!((alert["count"].as_u64(), alert["host"].as_str()), (Some(1), Some("10.12.3.2")));
    let fields = &alert["evidence"][0]["fields"];
    assert_eq!(fields["window_start"], "2022-09-29T11:38:00.000+08:00");
    assert_eq!(fields["window_end"], "2022-09-29T11:45:00.000+08:00");
    assert_eq!((fields["peak_errors"].as_str(), fields["threshold"].as_str()), (Some("12"), Some("10")));
    assert!(alert["remediation"][0].as_str().unwrap().contains("logged 12 errors in 5 minutes (threshold 10)"));
    // No other component of the bundle logs more than its threshold in 5 minutes.
    let alerts = report["findings"].as_array().unwrap().iter().filter(|f| f["fault"] == "alert.error-rate").count();
    assert_eq!(alerts, 1);
}

#[test]
fn the_console_threshold_is_100() {
    let tmp = tempfile::tempdir().unwrap();
    let line = |i: u32| {
        format!("2022-09-29 10:00:{:02},{:03} ERROR [web-{i}] - render failed: template missing\n", i % 60, i % 1000)
    };
    for (component, count) in [("apconsole", 60u32), ("acmetaservice", 60)] {
        let log = tmp.path().join(format!("b/10.0.0.1/home/admin/logs/{component}/common-error.log"));
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        std::fs::write(&log, (0..count).map(line).collect::<String>()).unwrap();
    }
    let report = scan_json(&[tmp.path().join("b").to_str().unwrap()], 0);
    let alerting: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fault"] == "alert.error-rate")
        .map(|f| f["component"].as_str().unwrap())
        .collect();
    assert_eq!(alerting, ["acmetaservice"], "60 errors alert over 10, not over 100");
}

#[test]
fn heartbeat_gaps_over_a_minute() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let stale = finding(&report, "dispatch.agent-heartbeat-stale", "staragent");
    assert_eq!((stale["host"].as_str(), stale["count"].as_u64()), (Some("app-host-7"), Some(1)));
    let evidence = &stale["evidence"][0];
    assert_eq!(evidence["line"], 7);
    assert_eq!(evidence["fields"]["gap_start"], "2022-09-29T10:16:00.002+08:00");
    assert_eq!(evidence["fields"]["gap_seconds"], "150.1");
    assert_eq!(evidence["fields"]["previous_heartbeat"], "bundle/app-host-7/home/staragent/log/staragent_core.log:5");

    // Across rotations: the gap between the end of the older file and the start of the newer.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b/app-host-9/home/staragent/log");
    std::fs::create_dir_all(&dir).unwrap();
    let beat = |t: &str| format!("[2022-09-29 {t}.000] [INFO] [heartbeat] report heartbeat to 10.12.3.5:8000 ok\n");
    std::fs::write(dir.join("staragent_core.log.1"), [beat("10:00:00"), beat("10:00:30")].concat()).unwrap();
    std::fs::write(dir.join("staragent_core.log"), [beat("10:03:00"), beat("10:03:30")].concat()).unwrap();
    let report = scan_json(&[tmp.path().join("b").to_str().unwrap()], 0);
    let stale = finding(&report, "dispatch.agent-heartbeat-stale", "staragent");
    let fields = &stale["evidence"][0]["fields"];
    assert_eq!((fields["gap_seconds"].as_str(), stale["count"].as_u64()), (Some("150.0"), Some(1)));
    assert!(fields["previous_heartbeat"].as_str().unwrap().ends_with("staragent_core.log.1:2"));
}

#[test]
fn the_scan_keeps_the_newest_exeurls_of_each_host() {
    let (_tmp, root) = agent_bundle();
    let report = scan_json(&["--exeurls", "1", &root], 0);
    let kept: Vec<(&str, &str)> = report["exeurls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["host"].as_str().unwrap(), e["script"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kept,
        [("app-host-1", "/home/admin/bin/custom_hook.sh"), ("app-host-2", "/home/admin/bin/custom_hook.sh")]
    );
    assert_eq!(report["summary"]["exeurls_seen"], 6, "three commands on each of two hosts");
}

#[test]
fn a_task_that_timed_out_quickly_suggests_skewed_clocks() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let task = report["tasks"].as_array().unwrap().iter().find(|t| t["task_id"] == "10390850").unwrap();
    assert_eq!(task["start"], "2022-09-29T10:15:30.010+08:00", "the agent received it");
    assert_eq!(task["end"], "2022-09-29T10:15:41.552+08:00", "the executor ended it");
    assert_eq!((task["elapsed_s"].as_f64(), task["elapsed_source"].as_str()), (Some(11.542), Some("timestamps")));
    assert_eq!((task["logged_cost_s"].as_f64(), task["outcome"].as_str()), (Some(11.551), Some("timeout")));
    assert_eq!(
        (task["clock_skew_suspected"].as_bool(), task["step"].as_str()),
        (Some(true), Some("download application package"))
    );
    assert_eq!(task["evidence"].as_array().unwrap().len(), 2);
    let slow = report["tasks"].as_array().unwrap().iter().find(|t| t["task_id"] == "10390860").unwrap();
    assert_eq!((slow["outcome"].as_str(), slow["clock_skew_suspected"].as_bool()), (Some("timeout"), Some(false)));

    let skew = finding(&report, "task.clock-skew-suspected", "acopswareexecutor");
    let fields = &skew["evidence"][0]["fields"];
    assert_eq!((fields["elapsed_s"].as_str(), fields["start_host"].as_str()), (Some("11.542"), Some("app-host-7")));
    assert!(fields["start_text"].as_str().unwrap().contains("recv task jobId=10390850"));

    let relaxed = scan_json(&["--skew-ratio", "0.1", fixtures().join("bundle").to_str().unwrap()], 0);
    assert!(!faults(&relaxed).contains(&"task.clock-skew-suspected".to_string()), "11.5 s is not under 9 s");
    let strict = scan_json(&["--task-timeout", "300", fixtures().join("bundle").to_str().unwrap()], 0);
    let count = finding(&strict, "task.clock-skew-suspected", "acopswareexecutor")["count"].as_u64();
    assert_eq!(count, Some(1));
}

#[test]
fn clocks_off_between_executor_and_agent_are_estimated() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: String| {
        let path = tmp.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let (mut executor, mut agent) = (String::new(), String::new());
    for i in 0..5 {
        let task = 20000 + i;
        executor.push_str(&format!("2022-09-29 10:{:02}:30,000 INFO  [task-runner-1] - task {task} start ip=10.1.2.3 cmd=/home/admin/bin/deploy_v2.py\n", 10 + i));
        // The agent's clock is 20 s behind: it logs each receipt before the executor sent it.
        agent.push_str(&format!("[2022-09-29 10:{:02}:10.000] [INFO] [worker-1] recv task jobId={task} exeurl=cmd:///home/admin/bin/deploy_v2.py\n", 10 + i));
    }
    agent.push_str(
        "[2022-09-29 10:20:00.000] [INFO] [worker-1] recv task jobId=29999 exeurl=cmd:///home/admin/bin/deploy_v2.py\n",
    );
    write("b/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log", executor);
    write("b/10.1.2.3/home/staragent/log/staragent_core.log", agent);
    let report = scan_json(&[tmp.path().join("b").to_str().unwrap()], 0);
    let offsets = report["clock_offsets"].as_array().unwrap();
    assert_eq!(offsets.len(), 1);
    assert_eq!(
        (offsets[0]["host"].as_str(), offsets[0]["reference_host"].as_str()),
        (Some("10.1.2.3"), Some("10.12.3.4"))
    );
    assert_eq!((offsets[0]["offset_s"].as_f64(), offsets[0]["pairs"].as_u64()), (Some(-20.0), Some(5)));
    let unfinished = report["tasks"].as_array().unwrap().iter().filter(|t| t["outcome"] == "unfinished").count();
    assert_eq!(unfinished, 6, "every task here has a start and no end");
}

#[test]
fn configuration_checks_read_gbk_and_point_health_checks_to_the_file() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let encoding = finding(&report, "config.properties-encoding", "unknown");
    let fields = &encoding["evidence"][0]["fields"];
    assert_eq!(
        (fields["decodes_as_gbk"].as_str(), fields["gbk_line"].as_str()),
        (Some("true"), Some("# 应用配置 (GBK)"))
    );
    let crlf = finding(&report, "config.properties-crlf", "unknown");
    assert_eq!(
        (crlf["evidence"][0]["fields"]["crlf_lines"].as_str(), crlf["evidence"][0]["line"].as_u64()),
        (Some("4"), Some(1))
    );
    let health = finding(&report, "healthcheck.runtimeout", "staragent");
    let last = health["remediation"].as_array().unwrap().last().unwrap().as_str().unwrap();
    assert!(last.contains("app-host-7/home/admin/app/conf/application.properties is the likely cause"), "{last}");
    assert!(last.contains(crlf["fingerprint"].as_str().unwrap()), "{last}");
}

#[test]
fn every_configuration_file_is_listed_with_what_was_read() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let files = report["config_files"].as_array().unwrap();
    let shape: Vec<(&str, u64, bool, Option<bool>)> = files
        .iter()
        .map(|f| {
            (
                f["host"].as_str().unwrap(),
                f["crlf_lines"].as_u64().unwrap(),
                f["bom"].as_bool().unwrap(),
                f["decodes_as_gbk"].as_bool(),
            )
        })
        .collect();
    assert_eq!(shape, [("app-host-7", 4, false, None), ("app-host-8", 0, false, Some(true))]);
    assert_eq!(files[1]["empty_keys"], serde_json::json!([{ "key": "db.password", "line": 4 }]));
    assert_eq!((files[0]["first_crlf_line"].as_u64(), files[1]["not_utf8_at"].as_u64()), (Some(1), Some(4)));
}

#[test]
fn coverage_says_what_the_bundle_holds_and_lacks() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let logs = report["coverage"]["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 7);
    let executor = logs.iter().find(|l| l["component"] == "acopswareexecutor").unwrap();
    assert_eq!(executor["files"].as_array().unwrap().len(), 2, "the live log and its rotation");
    assert_eq!(executor["first_seen"], "2022-09-28T22:01:10.004+08:00");
    // app-host-8 holds an app's application.properties, so it is a business host; it has no agent log.
    assert_eq!(
        report["coverage"]["missing"],
        serde_json::json!([{
            "component": "staragent",
            "host": "app-host-8",
            "expected": "/home/staragent/log/staragent_core.log"
        }])
    );
    assert_eq!(report["coverage"]["uncovered"], serde_json::json!([]), "no window, nothing to cover");

    // Only a default log of the executor, and no agent log: both expected logs are missing.
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("b/10.0.0.4/home/admin/logs/acopswareexecutor/acopswareexecutor-default.log");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(&log, "2022-09-29 10:00:00,000 INFO  [main] - started\n").unwrap();
    let report = scan_json(&[tmp.path().join("b").to_str().unwrap()], 0);
    let missing: Vec<(&str, &str)> = report["coverage"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["host"].as_str().unwrap(), m["expected"].as_str().unwrap()))
        .collect();
    assert_eq!(
        missing,
        [
            ("10.0.0.4", "/home/admin/logs/acopswareexecutor/common-error.log"),
            ("any business host", "/home/staragent/log/staragent_core.log"),
        ]
    );
    let text = cas_triage().args(["scan", "--format", "text"]).arg(tmp.path().join("b")).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("missing: /home/admin/logs/acopswareexecutor/common-error.log of acopswareexecutor on 10.0.0.4")
    );
    assert!(text.contains("no finding in what was read; faults that would show in the missing"), "{text}");
    // An application.properties whose host is unknown still says an agent log is expected.
    let config = tmp.path().join("data/home/admin/app/conf/application.properties");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "a=1\n").unwrap();
    let unknown = scan_json(&[tmp.path().join("data").to_str().unwrap()], 0);
    assert_eq!(unknown["coverage"]["missing"][0]["host"], "any business host", "{}", unknown["coverage"]);
}

#[test]
fn since_and_until_keep_a_window() {
    let bundle = fixtures().join("bundle");
    let all = scan_json(&[bundle.to_str().unwrap()], 0);
    let window =
        scan_json(&["--since", "2022-09-29 10:16:00", "--until", "2022-09-29 10:20:00", bundle.to_str().unwrap()], 0);
    assert_eq!(window["input"]["since"], "2022-09-29T10:16:00.000+08:00");
    let count =
        |report: &serde_json::Value, fault: &str, component: &str| finding(report, fault, component)["count"].as_u64();
    assert_eq!(count(&all, "dispatch.send-msg-failed", "acopswareexecutor"), Some(4));
    assert_eq!(count(&window, "dispatch.send-msg-failed", "acopswareexecutor"), Some(2), "10:16:05 and 10:16:40 only");
    assert!(!faults(&window).contains(&"release.blocked".to_string()), "11:02 is outside");
    assert!(window["input"]["events"].as_u64() < all["input"]["events"].as_u64());
    // The orchestration log begins at 11:29, after the window: it can tell nothing about it. The
    // agent log ends at 10:19:40, inside it. The executor log spans it.
    let uncovered: Vec<(&str, &str, &str)> = window["coverage"]["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["component"].as_str().unwrap(), u["overlap"].as_str().unwrap(), u["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(uncovered[0], ("acopswareorchestration", "outside", "begins after the window ends"));
    assert!(uncovered.contains(&("staragent", "partial", "ends before the window ends")));
    assert!(!uncovered.iter().any(|u| u.0 == "acopswareexecutor"));
    // The log spans are those of the whole logs, not of the window.
    let logs = window["coverage"]["logs"].as_array().unwrap();
    let executor = logs.iter().find(|l| l["component"] == "acopswareexecutor").unwrap();
    assert_eq!(executor["first_seen"], "2022-09-28T22:01:10.004+08:00");
    let text = cas_triage()
        .args(["scan", "--format", "text", "--since", "2022-09-29 12:00:00"])
        .arg(&bundle)
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("outside the window: staragent on app-host-7 ends before the window begins"), "{text}");
    let output = cas_triage().args(["scan", "--since", "yesterday"]).arg(&bundle).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = cas_triage()
        .args(["scan", "--since", "2022-09-29 12:00:00", "--until", "2022-09-29 10:00:00"])
        .arg(&bundle)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is after --until"));
}

#[test]
fn a_task_started_in_a_rotated_gz_and_ended_in_the_live_log_is_paired() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b/10.12.3.4/home/admin/logs/acopswareexecutor");
    std::fs::create_dir_all(&dir).unwrap();
    let start = "2022-09-29 23:59:50,000 INFO  [task-runner-1] - task 30001 start ip=10.1.2.3 cmd=/home/admin/bin/deploy_v2.py\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(start.as_bytes()).unwrap();
    std::fs::write(dir.join("common-error.log.2022-09-29.gz"), gz.finish().unwrap()).unwrap();
    let end = "2022-09-30 00:00:05,000 ERROR [task-runner-1] - task 30001 end ip=10.1.2.3 status=FAILED reason=python runtimeout\n";
    std::fs::write(dir.join("common-error.log"), end).unwrap();
    let report = scan_json(&[tmp.path().join("b").to_str().unwrap()], 0);
    let task = &report["tasks"][0];
    assert_eq!((task["task_id"].as_str(), task["elapsed_s"].as_f64()), (Some("30001"), Some(15.0)));
    assert_eq!((task["outcome"].as_str(), task["clock_skew_suspected"].as_bool()), (Some("timeout"), Some(true)));
    assert_eq!(task["script"], "/home/admin/bin/deploy_v2.py");
    assert!(task["evidence"][0]["path"].as_str().unwrap().ends_with(".gz"));
}

#[test]
fn a_release_is_followed_across_services_and_echoes_name_their_root() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let chains = report["chains"].as_array().unwrap();
    let ids: Vec<&str> = chains.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["r1_201905060583197", "task 10390850", "task 10390860"], "by time of first failure");
    assert_eq!(report["summary"]["chains_seen"], 3);

    // The dispatch line names the order and task 10390847: the agent's receipt joins the order.
    let release = &chains[0];
    assert_eq!(release["task_ids"], serde_json::json!(["10390847", "10390851"]));
    let hops: Vec<(&str, &str, bool)> = release["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["evidence"]["timestamp"].as_str().unwrap(), h["component"].as_str().unwrap(), h["failing"] == true))
        .collect();
    assert_eq!(
        hops,
        [
            ("2022-09-29T10:15:30.004+08:00", "staragent", false),
            ("2022-09-29T10:15:32.101+08:00", "acstarserver2", true),
            ("2022-09-29T10:15:32.118+08:00", "acopswareexecutor", true),
            ("2022-09-29T10:16:05.007+08:00", "acopswareexecutor", true),
            ("2022-09-29T10:16:40.311+08:00", "acopswareexecutor", true),
            ("2022-09-29T11:02:10.331+08:00", "apopswareapiserver", true),
            ("2022-09-29T11:30:00.001+08:00", "acopswareorchestration", true),
            ("2022-09-29T11:45:00.002+08:00", "acopswareorchestration", true),
        ]
    );
    assert_eq!(release["first_failure"], 1);
    let gateway = finding(&report, "dispatch.send-msg-failed", "acstarserver2");
    assert_eq!(release["root"], gateway["fingerprint"]);

    // Later findings of the release follow from the gateway's failure; the executor's own
    // send failures began the day before, so they are not its echo.
    for (fault, component) in [("release.blocked", "apopswareapiserver"), ("release.stuck", "acopswareorchestration")] {
        let echo = finding(&report, fault, component);
        assert_eq!(
            (&echo["caused_by"], &echo["caused_by_chain"]),
            (&gateway["fingerprint"], &"r1_201905060583197".into())
        );
    }
    assert!(finding(&report, "dispatch.send-msg-failed", "acopswareexecutor")["caused_by"].is_null());
    assert!(gateway["caused_by"].is_null());

    // Task 10390850: the agent's timeout is first; the executor reports it after. The quick
    // timeout's clock-skew finding is a judgement, not an echo.
    let agent_timeout = finding(&report, "task.python-runtimeout", "staragent");
    assert_eq!(
        finding(&report, "task.python-runtimeout", "acopswareexecutor")["caused_by"],
        agent_timeout["fingerprint"]
    );
    assert!(finding(&report, "task.clock-skew-suspected", "acopswareexecutor")["caused_by"].is_null());
    assert_eq!(chains[1]["hops"][2]["faults"].as_array().unwrap().len(), 2, "one line, two findings");

    let text = cas_triage().args(["scan", "--format", "text"]).arg(fixtures().join("bundle")).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("r1_201905060583197: 8 events across staragent → acstarserver2 → acopswareexecutor"),
        "{text}"
    );
    assert!(text.contains("probably follows from dispatch.send-msg-failed on acstarserver2 10.12.3.5"));
}

#[test]
fn a_consequence_names_the_root_of_its_cause() {
    // Order …01: a send failure, then a blocked order. Order …02: the order blocked again, then
    // stuck. The stuck flow follows from the block, which follows from the send failure.
    let tmp = tempfile::tempdir().unwrap();
    let logs = [
        (
            "10.0.0.4/home/admin/logs/acopswareexecutor/common-error.log",
            "2022-09-29 10:00:00,000 ERROR [e-1] - [r1_100000000000001] dispatch task 10400001 to 10.1.2.3 failed: network error, send msg failed\n",
        ),
        (
            "10.0.0.1/home/admin/logs/apopswareapiserver/common-error.log",
            "2022-09-29 10:05:00,000 WARN  [w-2] - release order r1_100000000000001 blocked by r1_100000000000000, waiting for control_lock (node 0000000012190487)\n\
             2022-09-29 10:10:00,000 WARN  [w-2] - release order r1_100000000000002 blocked by r1_100000000000000, waiting for control_lock (node 0000000012190488)\n",
        ),
        (
            "10.0.0.2/home/admin/logs/acopswareorchestration/common-error.log",
            "2022-09-29 10:20:00,000 ERROR [o-1] - release flow stuck: r1_100000000000002 node 0000000012190439 execution 10382305 no progress for 1800s\n",
        ),
    ];
    let report = scan_logs(tmp.path(), &logs);
    let send = finding(&report, "dispatch.send-msg-failed", "acopswareexecutor");
    let blocked = finding(&report, "release.blocked", "apopswareapiserver");
    let stuck = finding(&report, "release.stuck", "acopswareorchestration");
    assert_eq!(blocked["caused_by"], send["fingerprint"]);
    assert_eq!(blocked["caused_by_chain"], "r1_100000000000001");
    assert_eq!(stuck["caused_by"], send["fingerprint"], "the root, not the echo in between");
    assert_eq!(stuck["caused_by_chain"], "r1_100000000000001", "where the root failed first");
    assert!(send["caused_by"].is_null());
}

#[test]
fn one_task_id_on_two_environments_is_two_tasks() {
    // Two executors reuse task id 10500001 an hour apart, each for its own agent.
    let tmp = tempfile::tempdir().unwrap();
    let logs = [
        (
            "10.0.0.4/home/admin/logs/acopswareexecutor/common-error.log",
            "2022-09-29 10:00:00,000 INFO  [t-1] - task 10500001 start ip=10.1.2.3 cmd=/home/admin/bin/deploy_v2.py\n\
             2022-09-29 10:00:01,000 ERROR [e-1] - [r1_100000000000001] dispatch task 10500001 to 10.1.2.3 failed: send msg failed\n\
             2022-09-29 10:00:20,000 ERROR [t-1] - task 10500001 end ip=10.1.2.3 status=FAILED reason=python runtimeout\n",
        ),
        (
            "10.0.1.4/home/admin/logs/acopswareexecutor/common-error.log",
            "2022-09-29 11:00:00,000 INFO  [t-1] - task 10500001 start ip=10.1.3.3 cmd=/home/admin/bin/deploy_v2.py\n\
             2022-09-29 11:00:01,000 ERROR [e-1] - [r1_200000000000009] dispatch task 10500001 to 10.1.3.3 failed: send msg failed\n\
             2022-09-29 11:01:35,000 ERROR [t-1] - task 10500001 end ip=10.1.3.3 status=FAILED reason=python runtimeout\n",
        ),
        (
            "app-a/home/staragent/log/staragent_core.log",
            "[2022-09-29 10:00:00.100] [INFO] [worker-1] recv task jobId=10500001 exeurl=cmd:///home/admin/bin/deploy_v2.py\n",
        ),
        (
            "app-b/home/staragent/log/staragent_core.log",
            "[2022-09-29 11:00:00.200] [INFO] [worker-1] recv task jobId=10500001 exeurl=cmd:///home/admin/bin/deploy_v2.py\n",
        ),
    ];
    let report = scan_logs(tmp.path(), &logs);
    assert_eq!(report["summary"]["tasks_seen"], 2);
    let tasks: Vec<(&str, f64, bool)> = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["host"].as_str().unwrap(), t["elapsed_s"].as_f64().unwrap(), t["clock_skew_suspected"] == true))
        .collect();
    assert_eq!(tasks, [("10.0.0.4", 20.0, true), ("10.0.1.4", 95.0, false)]);
    assert_eq!(report["clock_offsets"], serde_json::json!([]), "no host is compared with the other's executor");
    // Each environment's release is its own chain (the dispatch, and the start and end of its
    // task): the shared task id does not join them.
    let chains: Vec<(&str, Vec<&str>)> = report["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let hosts = c["hops"].as_array().unwrap().iter().map(|h| h["host"].as_str().unwrap()).collect();
            (c["id"].as_str().unwrap(), hosts)
        })
        .collect();
    assert_eq!(
        chains,
        [
            ("r1_100000000000001", vec!["10.0.0.4", "10.0.0.4", "10.0.0.4"]),
            ("r1_200000000000009", vec!["10.0.1.4", "10.0.1.4", "10.0.1.4"]),
        ]
    );
    let later_send = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fault"] == "dispatch.send-msg-failed" && f["host"] == "10.0.1.4")
        .unwrap();
    assert!(later_send["caused_by"].is_null(), "{later_send}");
}
