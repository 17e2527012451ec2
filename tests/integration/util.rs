//! Helpers: running the binary, the example bundle, and a compact, order-stable view of findings.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub fn cas_triage() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cas-triage"));
    cmd.env_remove("NO_COLOR");
    cmd
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Runs `scan --format json` with `args` and parses the report; asserts the exit status.
pub fn scan_json(args: &[&str], expected_status: i32) -> Value {
    let output = cas_triage().arg("scan").arg("--format").arg("json").args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(expected_status), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

/// `fault component host count first last` per finding, in report order.
pub fn finding_lines(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {} {}",
                f["fault"].as_str().unwrap(),
                f["component"].as_str().unwrap(),
                f["host"].as_str().unwrap(),
                f["count"],
                f["first_seen"].as_str().unwrap_or("-"),
                f["last_seen"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

/// Each finding's evidence as `path:line` (paths inside the bundle), in report order.
pub fn evidence_lines(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for finding in report["findings"].as_array().unwrap() {
        for e in finding["evidence"].as_array().unwrap() {
            out.push(format!("{} {}:{}", finding["fault"].as_str().unwrap(), e["path"].as_str().unwrap(), e["line"]));
        }
    }
    out
}

pub fn skipped(report: &Value) -> Vec<(String, String)> {
    report["input"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap().to_string(), s["reason"].as_str().unwrap().to_string()))
        .collect()
}

pub fn faults(report: &Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["fault"].as_str().unwrap().to_string()).collect()
}

pub const ERROR_LINE: &str = "2022-09-29 10:15:32,118 ERROR [opsware-executor-12] - dispatch task 10390847 to 10.1.2.3 failed: network error, send msg failed\n";

/// The finding of `fault` on `component`.
pub fn finding<'a>(report: &'a Value, fault: &str, component: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fault"] == fault && f["component"] == component)
        .unwrap_or_else(|| panic!("no {fault} finding on {component}"))
}

/// Runs `scan --format json --stats` with `args`, expecting status 0; returns the parsed report
/// and the peak memory `--stats` prints, in MiB (on Linux; `None` where the system does not say).
pub fn scan_json_with_peak_memory(args: &[&str]) -> (Value, Option<u64>) {
    let output = cas_triage().args(["scan", "--format", "json", "--stats"]).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    let peak = stderr
        .lines()
        .find_map(|line| line.strip_prefix("stats: peak memory "))
        .and_then(|rest| rest.strip_suffix(" MiB"))
        .map(|mib| mib.parse().unwrap());
    (report, peak)
}

/// Runs `scan --format FORMAT` with `args`, asserts the exit status, and returns standard output.
pub fn scan_format(format: &str, args: &[&str], expected_status: i32) -> String {
    let output = cas_triage().args(["scan", "--format", format]).args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(expected_status), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The example bundle's directory, as an argument.
pub fn bundle_dir() -> String {
    fixtures().join("bundle").to_str().unwrap().to_string()
}

/// A host name and a log line built to break out of markdown tables and code blocks, XML and
/// terminals: backtick fences, pipes, HTML, entities, ANSI escapes, a NUL and other controls.
pub const HOSTILE_HOST: &str = "evil|host```<b>&amp;\x1b[31m";
pub const HOSTILE_LINE: &str = "2022-09-29 10:15:32,118 ERROR [e-1] - dispatch task 10390847 to 10.1.2.3 failed: send msg failed ```` | --- | </td> <script>alert(1)</script> &lt; ]]> \x1b[31mred\x1b[0m \x00\x01\x0b\x0c\x7f ~~~\n";

/// Scans [`HOSTILE_LINE`] from standard input as an executor log of [`HOSTILE_HOST`], in `format`,
/// with extra `args`; returns standard output (the scan finds dispatch.send-msg-failed).
pub fn scan_hostile(format: &str, args: &[&str]) -> String {
    let output = cas_triage()
        .args(["scan", "--format", format, "--component", "acopswareexecutor", "--host", HOSTILE_HOST])
        .args(args)
        .arg("-")
        .write_stdin(HOSTILE_LINE)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// `data` gzip-compressed.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Writes `data` at `path`, making its directories.
pub fn write(path: &std::path::Path, data: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

/// A bundle holding `files` (relative path, bytes); returns the temp dir and the bundle's root.
pub fn bundle(files: &[(&str, &[u8])]) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("b");
    std::fs::create_dir_all(&root).unwrap();
    for (path, data) in files {
        write(&root.join(path), data);
    }
    let root = root.to_str().unwrap().to_string();
    (tmp, root)
}

/// Every file of the example bundle as (path inside it, bytes), in path order: the makings of a
/// bundle with a file left out or split across hosts.
pub fn bundle_files() -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_str().unwrap().replace('\\', "/");
                out.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    let root = fixtures().join("bundle");
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    files
}

/// A bundle of the example bundle's files that `keep` accepts (by path inside the bundle).
pub fn bundle_where(keep: impl Fn(&str) -> bool) -> (tempfile::TempDir, String) {
    let files = bundle_files();
    let kept: Vec<(&str, &[u8])> =
        files.iter().filter(|(path, _)| keep(path)).map(|(path, data)| (path.as_str(), data.as_slice())).collect();
    bundle(&kept)
}

/// Runs `scan --format json -o DIR/NAME` on `paths`, expecting status 0; returns the report's path.
pub fn json_report(dir: &Path, name: &str, paths: &[&str]) -> String {
    let file = dir.join(name);
    let output = cas_triage().args(["scan", "--format", "json", "-o"]).arg(&file).args(paths).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    file.to_str().unwrap().to_string()
}

/// The fingerprints of a report's findings, each with its fault, count, first and last seen.
pub fn fingerprints(report: &Value) -> std::collections::BTreeMap<String, String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let what = format!("{} {} {} {}", f["fault"], f["count"], f["first_seen"], f["last_seen"]);
            (f["fingerprint"].as_str().unwrap().to_string(), what)
        })
        .collect()
}
