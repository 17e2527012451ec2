//! Every input kind gives the same findings for the same logs; component and host come from the
//! path or from --component/--host.

use std::io::Write;

use crate::util::*;

/// The findings of the example bundle, as `fault component host count first last`.
fn expected() -> Vec<String> {
    std::fs::read_to_string(fixtures().join("expected/bundle.findings")).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn directory_matches_the_golden_findings() {
    let report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    assert_eq!(finding_lines(&report), expected());
    assert_eq!(report["input"]["files"], 11);
    assert!(skipped(&report).is_empty());
}

#[test]
fn archives_give_the_same_findings_and_evidence_as_the_directory() {
    let dir = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    for archive in ["bundle.tar.gz", "bundle.zip"] {
        let report = scan_json(&[fixtures().join(archive).to_str().unwrap()], 0);
        assert_eq!(finding_lines(&report), finding_lines(&dir), "{archive}");
        assert_eq!(evidence_lines(&report), evidence_lines(&dir), "{archive}");
        let evidence = &report["findings"][0]["evidence"][0];
        assert!(evidence["archive"].as_str().unwrap().ends_with(archive));
    }
}

#[test]
fn plain_tar_matches_too() {
    let tmp = tempfile::tempdir().unwrap();
    let tar_path = tmp.path().join("bundle.tar");
    let gz = std::fs::read(fixtures().join("bundle.tar.gz")).unwrap();
    let mut tar = Vec::new();
    std::io::copy(&mut flate2::read::GzDecoder::new(&gz[..]), &mut tar).unwrap();
    std::fs::write(&tar_path, tar).unwrap();
    let dir = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    let report = scan_json(&[tar_path.to_str().unwrap()], 0);
    assert_eq!(finding_lines(&report), finding_lines(&dir));
}

const EXECUTOR_LOG: &str = "bundle/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log";
const ROTATED_GZ: &str = "bundle/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log.2022-09-28.gz";

#[test]
fn single_file_gz_and_stdin_agree() {
    let file = scan_json(&[fixtures().join(EXECUTOR_LOG).to_str().unwrap()], 0);
    let lines = finding_lines(&file);
    assert_eq!(
        lines,
        [
            "dispatch.send-msg-failed acopswareexecutor 10.12.3.4 3 2022-09-29T10:15:32.118+08:00 2022-09-29T10:16:40.311+08:00",
            "release.stack-install-failed acopswareexecutor 10.12.3.4 1 2022-09-29T10:40:12.004+08:00 2022-09-29T10:40:12.004+08:00",
            "traffic.softload-cut-failure acopswareexecutor 10.12.3.4 1 2022-09-29T10:21:07.812+08:00 2022-09-29T10:21:07.812+08:00",
            // Alone, the executor's end line still logs cost=11551ms for a timeout of 90 s.
            "task.clock-skew-suspected acopswareexecutor 10.12.3.4 1 2022-09-29T10:15:41.552+08:00 2022-09-29T10:15:41.552+08:00",
            "task.python-runtimeout acopswareexecutor 10.12.3.4 1 2022-09-29T10:15:41.552+08:00 2022-09-29T10:15:41.552+08:00",
        ]
    );

    let text = std::fs::read(fixtures().join(EXECUTOR_LOG)).unwrap();
    let output = cas_triage()
        .args(["scan", "--format", "json", "--component", "acopswareexecutor", "--host", "10.12.3.4", "-"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdin: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(finding_lines(&stdin), lines);
    assert_eq!(stdin["findings"][0]["evidence"][0]["path"], "<stdin>");

    // The same log gzip-compressed, on standard input and as a file.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&text).unwrap();
    let packed = enc.finish().unwrap();
    let output = cas_triage()
        .args(["scan", "--format", "json", "--component", "acopswareexecutor", "--host", "10.12.3.4", "-"])
        .write_stdin(packed.clone())
        .output()
        .unwrap();
    assert_eq!(finding_lines(&serde_json::from_slice(&output.stdout).unwrap()), lines);
    let tmp = tempfile::tempdir().unwrap();
    let gz = tmp.path().join("10.12.3.4/acopswareexecutor/common-error.log.1.gz");
    std::fs::create_dir_all(gz.parent().unwrap()).unwrap();
    std::fs::write(&gz, packed).unwrap();
    assert_eq!(finding_lines(&scan_json(&[gz.to_str().unwrap()], 0)), lines);
}

#[test]
fn rotated_gz_in_the_bundle_is_decompressed() {
    let report = scan_json(&[fixtures().join(ROTATED_GZ).to_str().unwrap()], 0);
    assert_eq!(
        finding_lines(&report),
        [
            "dispatch.send-msg-failed acopswareexecutor 10.12.3.4 1 2022-09-28T22:01:10.004+08:00 2022-09-28T22:01:10.004+08:00"
        ]
    );
    let evidence = &report["findings"][0]["evidence"][0];
    assert_eq!(evidence["line"], 1);
    assert!(evidence["match"].is_null(), "the header itself matched");
    assert_eq!(evidence["fields"]["time_series_id"], "CNHZ_58201812212200583197");
}

#[test]
fn stdin_without_overrides_is_unknown() {
    let output = cas_triage().args(["scan", "--format", "json", "-"]).write_stdin(ERROR_LINE).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        finding_lines(&report),
        ["dispatch.send-msg-failed unknown unknown 1 2022-09-29T10:15:32.118+08:00 2022-09-29T10:15:32.118+08:00"]
    );
}

#[test]
fn layouts_name_component_and_host() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("collected");
    for rel in [
        "10.0.0.1/home/admin/logs/acstarserver2/common-error.log",
        "flat/executor-common-error.log",
        "node-3.prod/acopswareexecutor/common-error.log.2",
        "misc/random.log",
    ] {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, ERROR_LINE).unwrap();
    }
    let report = scan_json(&[root.to_str().unwrap()], 0);
    let groups: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}@{}", f["component"].as_str().unwrap(), f["host"].as_str().unwrap()))
        .collect();
    assert_eq!(
        groups,
        ["acopswareexecutor@node-3.prod", "acopswareexecutor@unknown", "acstarserver2@10.0.0.1", "unknown@unknown"]
    );
}

#[test]
fn the_component_override_needs_a_single_file() {
    let output =
        cas_triage().args(["scan", "--component", "staragent"]).arg(fixtures().join("bundle")).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--component applies to a single file"));
}

/// The hosts of a report's findings, each once, in order.
fn hosts(report: &serde_json::Value) -> Vec<String> {
    let mut hosts: Vec<String> =
        report["findings"].as_array().unwrap().iter().map(|f| f["host"].as_str().unwrap().to_string()).collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

#[test]
fn host_names_the_files_of_a_directory_whose_path_names_none() {
    // On a host, as the fleet workflow scans it: /home/admin/logs has no host folder.
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("home/admin/logs");
    for app in ["acopswareexecutor", "acstarserver2"] {
        write(&logs.join(app).join("common-error.log"), ERROR_LINE.as_bytes());
    }
    let logs = logs.to_str().unwrap();
    assert_eq!(hosts(&scan_json(&[logs], 0)), ["unknown"]);
    let report = scan_json(&["--host", "hostA", logs], 0);
    assert_eq!(hosts(&report), ["hostA"]);
    assert_eq!(report["findings"].as_array().unwrap().len(), 2, "one finding per component");
    assert!(report["coverage"]["logs"].as_array().unwrap().iter().all(|l| l["host"] == "hostA"));
    // A path that names its host keeps it: --host is a fallback in directories and archives.
    let bundle = fixtures().join("bundle");
    let named = scan_json(&[bundle.to_str().unwrap()], 0);
    assert_eq!(finding_lines(&scan_json(&["--host", "hostA", bundle.to_str().unwrap()], 0)), finding_lines(&named));
    let archive = fixtures().join("bundle.tar.gz");
    assert_eq!(finding_lines(&scan_json(&["--host", "hostA", archive.to_str().unwrap()], 0)), finding_lines(&named));
    // Several paths: each file whose path names no host is hostA's.
    let report = scan_json(&["--host", "hostA", logs, bundle.join("10.12.3.5").to_str().unwrap()], 0);
    assert_eq!(hosts(&report), ["10.12.3.5", "hostA"]);
    // A single file is that host's, whatever its path says.
    let file = bundle.join("10.12.3.5/home/admin/logs/acstarserver2/common-error.log");
    assert_eq!(hosts(&scan_json(&["--host", "hostA", file.to_str().unwrap()], 0)), ["hostA"]);
}

#[test]
fn archive_content_decides_over_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let tar_gz = std::fs::read(fixtures().join("bundle.tar.gz")).unwrap();
    let mut tar = Vec::new();
    std::io::copy(&mut flate2::read::GzDecoder::new(&tar_gz[..]), &mut tar).unwrap();
    let zip = std::fs::read(fixtures().join("bundle.zip")).unwrap();
    let reference = finding_lines(&scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0));
    for (name, bytes) in
        [("tar-named.tar.gz", &tar), ("zip-named.tar.gz", &zip), ("targz-named.zip", &tar_gz), ("tar-named.zip", &tar)]
    {
        let path = tmp.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let report = scan_json(&[path.to_str().unwrap()], 0);
        assert!(skipped(&report).is_empty(), "{name}: {:?}", skipped(&report));
        assert_eq!(finding_lines(&report), reference, "{name}");
    }
    let log = tmp.path().join("10.0.0.1/executor-common-error.log.tgz");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(&log, ERROR_LINE).unwrap();
    let report = scan_json(&[log.to_str().unwrap()], 0);
    assert_eq!(faults(&report), ["dispatch.send-msg-failed"]);
}

#[test]
fn members_of_a_nested_archive_take_host_and_component_from_its_path() {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(ERROR_LINE.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append_data(&mut header, "logs/common-error.log", ERROR_LINE.as_bytes()).unwrap();
    let inner = builder.into_inner().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("b/10.12.3.4/home/admin/logs/acopswareexecutor/old-logs.tar");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, inner).unwrap();
    let report = scan_json(&[tmp.path().join("b").to_str().unwrap()], 0);
    assert_eq!(
        finding_lines(&report)[0].split(' ').take(3).collect::<Vec<_>>(),
        ["dispatch.send-msg-failed", "acopswareexecutor", "10.12.3.4"]
    );
}
