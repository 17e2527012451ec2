//! Reports read back, by `merge` and by `--baseline`: a report is a file anyone may have edited.
//! Its strings reach no terminal unescaped in any format, ids a scan would not write are refused,
//! and a file that is not a regular file, or is too large, is refused at once with the reason.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::util::*;

const FORMATS: &[&str] = &["text", "json", "jsonl", "timeline", "markdown", "html", "junit", "sarif", "tickets"];

/// What an edited report puts in its strings: a window title, a cleared screen, and markup.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J<i>";

/// The keys whose values the reader checks (ids and enums): left as they are.
const CHECKED: &[&str] = &["fault", "fingerprint", "caused_by", "severity", "highest_severity", "baseline_state"];

/// `value` with [`HOSTILE`] after every string, and after every key of `fields`, except the
/// checked ones and `tool.name`.
fn poisoned(value: &Value, key: &str) -> Value {
    match value {
        Value::String(text) if !CHECKED.contains(&key) && text != "cas-triage" => {
            Value::from(format!("{text}{HOSTILE}"))
        }
        Value::Array(items) => Value::Array(items.iter().map(|item| poisoned(item, key)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let name = if key == "fields" { format!("{k}{HOSTILE}") } else { k.clone() };
                    (name, poisoned(v, k))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The example bundle's report, with an entry in each list the bundle leaves empty, every string
/// poisoned; returns its path.
fn hostile_report(dir: &Path) -> String {
    let path = json_report(dir, "clean.json", &[&bundle_dir()]);
    let mut report: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    report["input"]["skipped"] = serde_json::json!([{ "path": "a.log", "reason": "cut" }]);
    report["input"]["transcoded"] = serde_json::json!([{ "path": "b.log", "encoding": "GBK", "replaced": 2 }]);
    report["coverage"]["uncovered"] = serde_json::json!([{
        "component": "apconsole", "host": "10.0.0.1", "first_seen": "2022-09-29T10:00:00.000+08:00",
        "last_seen": null, "overlap": "outside", "reason": "r"
    }]);
    report["clock_offsets"] =
        serde_json::json!([{ "host": "10.0.0.1", "reference_host": "10.0.0.2", "offset_s": 1.5, "pairs": 2 }]);
    let hostile = dir.join("hostile.json");
    std::fs::write(&hostile, serde_json::to_vec(&poisoned(&report, "")).unwrap()).unwrap();
    hostile.to_str().unwrap().to_string()
}

fn assert_harmless(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{what}: {stderr}");
    assert!(!output.stdout.contains(&0x1b), "{what}: an escape byte in standard output");
    assert!(!output.stderr.contains(&0x1b), "{what}: an escape byte in standard error: {stderr}");
    if what.contains("html") {
        assert!(!String::from_utf8_lossy(&output.stdout).contains("<i>"), "{what}: markup from the report");
    }
}

#[test]
fn strings_of_a_report_read_back_are_escaped_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let hostile = hostile_report(tmp.path());
    for format in FORMATS {
        let merged = cas_triage()
            .args(["merge", "--color", "never", "--format", format, &hostile])
            .env("SOURCE_DATE_EPOCH", "1664420400")
            .output()
            .unwrap();
        assert_harmless(&merged, &format!("merge --format {format}"));
        let compared = cas_triage()
            .args(["scan", "--color", "never", "--format", format, "--baseline", &hostile, &bundle_dir()])
            .output()
            .unwrap();
        assert_harmless(&compared, &format!("scan --baseline --format {format}"));
    }
    // The strings are there, shown escaped: the text report of the merge, and the baseline's
    // findings on hosts the scan did not read.
    let text = cas_triage().args(["merge", "--format", "text", "--color", "never", &hostile]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(r"\x1b]0;pwned\x07\x1b[2J<i>"), "{text}");
    let (_tmp, other) = bundle(&[("10.0.0.9/home/admin/logs/apconsole/common-error.log", b"")]);
    let resolved = cas_triage()
        .args(["scan", "--format", "text", "--color", "never", "--baseline", &hostile, &other])
        .output()
        .unwrap();
    let resolved = String::from_utf8(resolved.stdout).unwrap();
    assert!(resolved.contains("Not read in this run (21), neither recurring nor resolved:"), "{resolved}");
    assert!(resolved.contains(r"host 10.12.3.7\x1b]0;pwned\x07\x1b[2J<i>, apconsole\x1b]0;pwned"), "{resolved}");
}

#[test]
fn a_report_with_ids_a_scan_would_not_write_is_refused_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let path = json_report(tmp.path(), "clean.json", &[&bundle_dir()]);
    let mut report: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    report["findings"][0]["fault"] = Value::from("evil\u{1b}]0;pwned\u{7}\u{1b}[2J");
    report["findings"][0]["title"] = Value::from("T\u{1b}[31mRED");
    let evil = tmp.path().join("evil.json");
    std::fs::write(&evil, serde_json::to_vec(&report).unwrap()).unwrap();
    let evil = evil.to_str().unwrap();
    let bundle = bundle_dir();
    let reason = r"not a cas-triage report: finding 1 has fault id `evil\x1b]0;pwned\x07\x1b[2J`: a fault id is lowercase words of a-z, 0-9 and - joined by dots";
    let cases = [
        (vec!["merge", "--format", "text", evil], format!("cas-triage: cannot merge: {evil}: {reason}\n")),
        (vec!["scan", "--baseline", evil, &bundle], format!("cas-triage: --baseline {evil}: {reason}\n")),
        (vec!["merge", "--baseline", evil, &path], format!("cas-triage: --baseline {evil}: {reason}\n")),
    ];
    for (args, want) in cases {
        let output = cas_triage().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8(output.stderr).unwrap(), want);
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn a_report_that_is_not_a_regular_file_or_too_large_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("fifo.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let large = tmp.path().join("large.json");
    std::fs::File::create(&large).unwrap().set_len((1 << 30) + 1).unwrap();
    let cases = [
        (fifo.as_path(), "not a regular file (a FIFO)"),
        (Path::new("/dev/zero"), "not a regular file (a character device)"),
        (tmp.path(), "not a regular file (a directory)"),
        (large.as_path(), "larger than 1 GiB"),
    ];
    let bundle = bundle_dir();
    for (path, reason) in cases {
        let path = path.to_str().unwrap();
        let runs = [
            (vec!["scan", "--baseline", path, &bundle], format!("--baseline {path}")),
            (vec!["merge", path], format!("cannot merge: {path}")),
        ];
        for (args, what) in runs {
            // Without the checks, the FIFO waits for a writer for ever and /dev/zero fills memory.
            let output = cas_triage().args(&args).timeout(Duration::from_secs(30)).output().unwrap();
            assert_eq!(output.status.code(), Some(2), "{args:?}");
            let want = format!("cas-triage: {what}: cannot read it: {reason}\n");
            assert_eq!(String::from_utf8(output.stderr).unwrap(), want);
        }
    }
}

/// Every count of a report, the largest there is: what it adds up to saturates, and every format
/// is written without a panic (a crafted report once overflowed the HTML chart's scale).
#[test]
fn the_largest_numbers_in_reports_read_back_never_crash_a_format() {
    const COUNTS: &[&str] = &[
        "count",
        "errors",
        "threshold",
        "peak",
        "files",
        "bytes",
        "events",
        "lines",
        "ignored",
        "matches",
        "unclassified_events",
        "unclassified_overflow",
        "exeurls_seen",
        "tasks_seen",
        "task_lines_dropped",
        "chains_seen",
        "chain_events_dropped",
        "hops_total",
    ];
    fn maxed(value: &mut Value) {
        match value {
            Value::Array(items) => items.iter_mut().for_each(maxed),
            Value::Object(fields) => {
                for (key, field) in fields.iter_mut() {
                    if COUNTS.contains(&key.as_str()) && field.is_u64() {
                        *field = Value::from(u64::MAX);
                    } else {
                        maxed(field);
                    }
                }
            }
            _ => {}
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let scanned = json_report(tmp.path(), "report.json", &[&bundle_dir()]);
    let mut report: Value = serde_json::from_str(&std::fs::read_to_string(&scanned).unwrap()).unwrap();
    maxed(&mut report);
    assert_eq!(report["error_rate"]["series"][0]["threshold"], u64::MAX);
    let (first, second) = (tmp.path().join("a.json"), tmp.path().join("b.json"));
    std::fs::write(&first, serde_json::to_vec(&report).unwrap()).unwrap();
    std::fs::write(&second, serde_json::to_vec(&report).unwrap()).unwrap();
    for format in FORMATS {
        let output = cas_triage().args(["merge", "--format", format]).arg(&first).arg(&second).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&output.stderr));
        let output = cas_triage()
            .args(["scan", "--format", format, "--baseline"])
            .arg(&first)
            .arg(bundle_dir())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&output.stderr));
    }
    let merged: Value = serde_json::from_slice(
        &cas_triage().args(["merge", "--format", "json"]).arg(&first).arg(&second).output().unwrap().stdout,
    )
    .unwrap();
    assert_eq!(merged["input"]["files"], u64::MAX, "sums saturate");
    assert_eq!(merged["findings"][0]["count"], u64::MAX);
}
