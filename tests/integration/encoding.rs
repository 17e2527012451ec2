//! Logs in GBK: recognised by their first bytes (or named with `--encoding gbk`), decoded to
//! UTF-8 before they are scanned so that ASCII and Chinese signatures both match and evidence is
//! real text, and listed in `input.transcoded`. `--encoding utf-8` scans the bytes as they are.
//! An `application.properties` in GBK is never decoded: it is the encoding fault.

use base64::Engine;
use serde_json::{Value, json};

use crate::util::*;

const EXECUTOR: &str = "10.0.0.4/home/admin/logs/acopswareexecutor/common-error.log";

/// An executor's error log: a dispatch failure whose signature is ASCII, among Chinese text
/// (line 2), and a task timeout whose signature is Chinese (line 5).
const LOG: &str = "\
2022-09-29 10:15:30,004 INFO  [opsware-executor-12] - 开始下发任务 10390847 到 10.1.2.3
2022-09-29 10:15:32,118 ERROR [opsware-executor-12] - 下发任务 10390847 到 10.1.2.3 出错: network error, send msg failed
com.alipay.cafe.opsware.executor.CommandSendException: 发送消息失败, target=10.1.2.3
\tat com.alipay.Foo.bar(Foo.java:1)
2022-09-29 10:16:41,552 ERROR [task-runner-3] - 任务执行超时 task 10390848 ip=10.1.2.4
";

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// The line `n` (from 1) of `text`.
fn line(text: &str, n: usize) -> &str {
    text.lines().nth(n - 1).unwrap()
}

/// The first evidence of `fault` on the executor.
fn evidence<'a>(report: &'a Value, fault: &str) -> &'a Value {
    &finding(report, fault, "acopswareexecutor")["evidence"][0]
}

#[test]
fn a_gbk_log_is_recognised_and_both_signatures_match_with_decoded_evidence() {
    let (_tmp, root) = bundle(&[(EXECUTOR, &gbk(LOG))]);
    for forced in [false, true] {
        let args: &[&str] = if forced { &[&root, "--encoding", "gbk"] } else { &[&root] };
        let report = scan_json(args, 0);
        assert_eq!(faults(&report), ["dispatch.send-msg-failed", "task.python-runtimeout"], "forced: {forced}");
        let (dispatch, timeout) =
            (evidence(&report, "dispatch.send-msg-failed"), evidence(&report, "task.python-runtimeout"));
        for (e, n) in [(dispatch, 2), (timeout, 5)] {
            assert_eq!(
                (e["line"].as_u64(), e["text"].as_str(), &e["text_lossy"], &e["text_base64"]),
                (Some(n as u64), Some(line(LOG, n)), &json!(false), &Value::Null),
                "forced: {forced}"
            );
        }
        assert_eq!(timeout["fields"]["task_id"], "10390848");
        assert_eq!((report["input"]["lines"].as_u64(), report["input"]["events"].as_u64()), (Some(5), Some(3)));
        let path = dispatch["path"].as_str().unwrap();
        assert!(path.ends_with(EXECUTOR));
        assert_eq!(report["input"]["transcoded"], json!([{ "path": path, "encoding": "GBK", "replaced": 0 }]));
    }
}

#[test]
fn the_text_report_says_which_logs_were_decoded() {
    let (_tmp, root) = bundle(&[(EXECUTOR, &gbk(LOG))]);
    let output = cas_triage().args(["scan", "--format", "text", &root]).output().unwrap();
    let text = String::from_utf8(output.stdout).expect("the text report is UTF-8");
    assert!(text.lines().nth(1).unwrap().starts_with("note: 1 log read as GBK, evidence shown decoded"), "{text}");
    assert!(text.contains(&format!("{EXECUTOR}:5 (read as GBK, shown decoded)")), "{text}");
    assert!(text.contains(&format!("      {}\n", line(LOG, 5))), "{text}");
    assert!(
        text.contains(&format!("Read as GBK, evidence shown decoded to UTF-8 (1):\n  b/{EXECUTOR}: read as GBK\n"))
    );
}

#[test]
fn utf8_encoding_scans_the_bytes_as_they_are() {
    let bytes = gbk(LOG);
    let (_tmp, root) = bundle(&[(EXECUTOR, &bytes)]);
    let report = scan_json(&[&root, "--encoding", "utf-8"], 0);
    // The ASCII signature matches the raw bytes; the Chinese one does not match GBK bytes.
    assert_eq!(faults(&report), ["dispatch.send-msg-failed"]);
    let e = evidence(&report, "dispatch.send-msg-failed");
    assert_eq!((e["line"].as_u64(), &e["text_lossy"]), (Some(2), &json!(true)));
    assert!(e["text"].as_str().unwrap().contains('\u{fffd}'));
    let raw = base64::engine::general_purpose::STANDARD.decode(e["text_base64"].as_str().unwrap()).unwrap();
    assert_eq!(raw, gbk(line(LOG, 2)));
    assert_eq!(report["input"]["transcoded"], json!([]));
    assert_eq!(report["input"]["bytes"].as_u64(), Some(bytes.len() as u64));
}

/// Auto-detection reads the first 64 KiB: Chinese that comes only later is read as GBK when
/// `--encoding gbk` says so.
#[test]
fn gbk_forces_what_the_first_64_kib_do_not_show() {
    let quiet = "2022-09-29 10:00:00,000 INFO  [main] - request served\n".repeat(2000);
    assert!(quiet.len() > 64 << 10);
    let text = format!("{quiet}{LOG}");
    let (_tmp, root) = bundle(&[(EXECUTOR, &gbk(&text))]);
    let auto = scan_json(&[&root], 0);
    assert_eq!(faults(&auto), ["dispatch.send-msg-failed"]);
    assert_eq!(auto["input"]["transcoded"], json!([]));
    let forced = scan_json(&[&root, "--encoding", "gbk"], 0);
    assert_eq!(faults(&forced), ["dispatch.send-msg-failed", "task.python-runtimeout"]);
    let e = evidence(&forced, "task.python-runtimeout");
    assert_eq!((e["line"].as_u64(), e["text"].as_str()), (Some(2005), Some(line(LOG, 5))));
}

#[test]
fn gzip_and_archived_gbk_logs_are_decoded() {
    let member = "10.0.0.5/home/admin/logs/acopswareexecutor/common-error.log.1.gz";
    let mut header = tar::Header::new_gnu();
    let packed = gzip(&gbk(LOG));
    header.set_size(packed.len() as u64);
    header.set_mode(0o644);
    let mut builder = tar::Builder::new(Vec::new());
    builder.append_data(&mut header, member, &packed[..]).unwrap();
    let tar = gzip(&builder.into_inner().unwrap());
    let rotated = "10.0.0.4/home/admin/logs/acopswareexecutor/common-error.log.2022-09-28.gz";
    let (_tmp, root) = bundle(&[(rotated, &packed), ("logs.tar.gz", &tar)]);
    let report = scan_json(&[&root], 0);
    let archive = "b/logs.tar.gz";
    let transcoded: Vec<&str> =
        report["input"]["transcoded"].as_array().unwrap().iter().map(|t| t["path"].as_str().unwrap()).collect();
    assert_eq!(transcoded, [format!("b/{rotated}"), format!("{archive}!/{member}")]);
    for host in ["10.0.0.4", "10.0.0.5"] {
        let found: Vec<&Value> = report["findings"].as_array().unwrap().iter().filter(|f| f["host"] == host).collect();
        assert_eq!(found.len(), 2, "{host}");
        for f in found {
            let e = &f["evidence"][0];
            assert_eq!(e["text"].as_str(), Some(line(LOG, e["line"].as_u64().unwrap() as usize)), "{host}");
            assert_eq!(e["archive"].as_str(), (host == "10.0.0.5").then_some(archive));
        }
    }
    assert!(skipped(&report).is_empty());
}

#[test]
fn a_gbk_properties_file_is_the_encoding_fault_and_not_decoded() {
    let properties = gbk("# 配置文件\napp.name=演示\nserver.port=8080\n");
    let conf = "10.0.0.4/home/admin/app/conf/application.properties";
    let (_tmp, root) = bundle(&[(conf, &properties), (EXECUTOR, &gbk(LOG))]);
    for encoding in ["auto", "gbk"] {
        let report = scan_json(&[&root, "--encoding", encoding], 0);
        let e = &finding(&report, "config.properties-encoding", "unknown")["evidence"][0];
        assert_eq!(
            (e["line"].as_u64(), e["fields"]["decodes_as_gbk"].as_str(), e["fields"]["gbk_line"].as_str()),
            (Some(1), Some("true"), Some("# 配置文件")),
            "{encoding}"
        );
        assert_eq!(report["config_files"][0]["not_utf8_at"].as_u64(), Some(2), "{encoding}");
        let transcoded = report["input"]["transcoded"].as_array().unwrap();
        assert_eq!(transcoded.len(), 1, "only the log: {transcoded:?}");
        assert!(transcoded[0]["path"].as_str().unwrap().ends_with(EXECUTOR));
    }
}

#[test]
fn utf8_logs_are_not_decoded() {
    let (_tmp, root) = bundle(&[(EXECUTOR, LOG.as_bytes())]);
    let report = scan_json(&[&root], 0);
    assert_eq!(faults(&report), ["dispatch.send-msg-failed", "task.python-runtimeout"]);
    assert_eq!(report["input"]["transcoded"], json!([]));
    let bundle = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    assert_eq!(bundle["input"]["transcoded"], json!([]));
}

#[test]
fn events_shows_a_gbk_log_decoded() {
    let (_tmp, root) = bundle(&[(EXECUTOR, &gbk(LOG))]);
    let output = cas_triage().args(["events", &root]).output().unwrap();
    let (stdout, stderr) = (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap());
    let headers: Vec<&str> = stdout.lines().map(|l| l.split_once(" - ").unwrap().1).collect();
    let second = line(LOG, 2).split_once(" - ").unwrap().1;
    assert_eq!(headers, ["开始下发任务 10390847 到 10.1.2.3", second, "任务执行超时 task 10390848 ip=10.1.2.4"]);
    assert_eq!(stderr, format!("cas-triage: b/{EXECUTOR}: read as GBK\n"));
    let raw = cas_triage().args(["events", "--encoding", "utf-8", &root]).output().unwrap();
    assert!(String::from_utf8(raw.stdout).unwrap().contains('\u{fffd}') && raw.stderr.is_empty());
}

/// A log over twice the 16 MiB window is decoded a window at a time: line numbers and counts are
/// those of the whole file.
#[test]
fn a_large_gbk_log_is_decoded_in_windows() {
    let filler = "2022-09-29 10:00:00,000 INFO  [main] - 请求处理完成 request served in 3 ms\n";
    let filler_lines = (40 << 20) / filler.len();
    let text = format!("{LOG}{}{LOG}", filler.repeat(filler_lines));
    let (_tmp, root) = bundle(&[(EXECUTOR, &gbk(&text))]);
    let report = scan_json(&[&root], 0);
    let total = 10 + filler_lines as u64;
    assert_eq!((report["input"]["lines"].as_u64(), report["input"]["files"].as_u64()), (Some(total), Some(1)));
    let timeout = finding(&report, "task.python-runtimeout", "acopswareexecutor");
    let lines: Vec<u64> = timeout["evidence"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!((timeout["count"].as_u64(), lines), (Some(2), vec![5, total]));
    assert_eq!(report["input"]["transcoded"].as_array().unwrap().len(), 1);
}
