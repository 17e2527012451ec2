//! Damaged input never stops the scan: each kind of damage is listed in `input.skipped` with a
//! reason naming what went wrong, what could be read is scanned, and the rest of the bundle is.

use std::io::Write;
use std::path::Path;

use crate::util::*;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn write(path: &Path, data: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

/// A bundle with one good log (one finding) next to the damaged file.
fn bundle_with(name: &str, data: &[u8]) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("b");
    write(&root.join("10.0.0.1/home/admin/logs/acopswareexecutor/common-error.log"), ERROR_LINE.as_bytes());
    write(&root.join(name), data);
    let root = root.to_str().unwrap().to_string();
    (tmp, root)
}

fn assert_skipped_and_rest_scanned(name: &str, data: &[u8], reason_part: &str) -> serde_json::Value {
    let (_tmp, root) = bundle_with(name, data);
    let report = scan_json(&[&root], 0);
    let skipped = skipped(&report);
    assert!(
        skipped
            .iter()
            .any(|(path, reason)| path.contains(name.rsplit('/').next().unwrap()) && reason.contains(reason_part)),
        "{name}: expected a skip with {reason_part:?}, got {skipped:?}"
    );
    assert!(faults(&report).contains(&"dispatch.send-msg-failed".to_string()), "{name}: the good log was not scanned");
    report
}

#[test]
fn binary_file() {
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.extend(std::iter::repeat_n(0u8, 4000));
    assert_skipped_and_rest_scanned("h/app.log", &elf, "ELF");
    let mut noise: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    noise[0] = 0;
    assert_skipped_and_rest_scanned("h/core.log", &noise, "binary content");
}

#[test]
fn truncated_gzip_is_partly_scanned() {
    let text = ERROR_LINE.repeat(3000);
    let mut packed = gzip(text.as_bytes());
    packed.truncate(packed.len() * 2 / 3);
    let report = assert_skipped_and_rest_scanned(
        "10.0.0.2/home/admin/logs/acopswareexecutor/common-error.log.1.gz",
        &packed,
        "damaged gzip stream",
    );
    let counts: Vec<u64> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fault"] == "dispatch.send-msg-failed")
        .map(|f| f["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts.len(), 2, "both hosts have a finding");
    assert!(counts.iter().any(|&c| c > 1 && c < 3000), "part of the truncated stream was scanned: {counts:?}");
}

#[test]
fn gz_name_without_gzip_content_is_read_as_text() {
    let (_tmp, root) =
        bundle_with("10.0.0.2/home/admin/logs/acopswareexecutor/common-error.log.1.gz", ERROR_LINE.as_bytes());
    let report = scan_json(&[&root], 0);
    assert!(skipped(&report).is_empty());
    assert_eq!(report["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn truncated_tar_gz_keeps_the_members_before_the_damage() {
    let mut builder = tar::Builder::new(Vec::new());
    for (i, name) in ["a/10.0.0.5/common-error.log", "a/10.0.0.6/common-error.log"].iter().enumerate() {
        let body = if i == 0 { ERROR_LINE.as_bytes().to_vec() } else { ERROR_LINE.repeat(5000).into_bytes() };
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, &body[..]).unwrap();
    }
    let packed = gzip(&builder.into_inner().unwrap());
    let cut = &packed[..packed.len() / 2];
    let report = assert_skipped_and_rest_scanned("damaged.tar.gz", cut, "damaged");
    let hosts: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["host"].as_str().unwrap()).collect();
    assert!(hosts.contains(&"10.0.0.5"), "the member before the damage was scanned: {hosts:?}");
}

#[test]
fn zip_with_a_bad_central_directory() {
    let zip = std::fs::read(fixtures().join("bundle.zip")).unwrap();
    let cut = &zip[..zip.len() - 30];
    assert_skipped_and_rest_scanned("broken.zip", cut, "not a readable zip archive");
}

#[test]
fn decompression_bomb_is_stopped_by_the_limit() {
    let bomb = gzip(&vec![b'x'; 50 << 20]);
    let (_tmp, root) = bundle_with("h/bomb.log.gz", &bomb);
    let report = scan_json(&[&root, "--max-decompressed", "1MiB"], 0);
    let skipped = skipped(&report);
    assert!(skipped.iter().any(|(p, r)| p.ends_with("bomb.log.gz") && r.contains("--max-decompressed")), "{skipped:?}");
    assert!(report["input"]["bytes"].as_u64().unwrap() < 2 << 20);
}

#[cfg(target_os = "linux")]
#[test]
fn unreadable_file_is_skipped() {
    // Reading /proc/self/mem at offset 0 fails with an I/O error, even for root.
    let report = scan_json(&["/proc/self/mem", fixtures().join("bundle").to_str().unwrap()], 0);
    let skipped = skipped(&report);
    assert!(skipped.iter().any(|(p, r)| p == "/proc/self/mem" && r.starts_with("cannot read")), "{skipped:?}");
    assert!(!report["findings"].as_array().unwrap().is_empty());
}

#[cfg(unix)]
#[test]
fn special_files_are_not_read() {
    let (tmp, root) = bundle_with("h/x.txt", b"");
    let fifo = Path::new(&root).join("h/pipe.log");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let report = scan_json(&[&root], 0);
    assert!(skipped(&report).iter().any(|(p, r)| p.ends_with("pipe.log") && r.contains("not a regular file")));
    drop(tmp);
}

#[test]
fn invalid_utf8_still_matches_and_keeps_raw_bytes() {
    let mut line =
        b"2022-09-29 10:15:32,118 ERROR [x] - \xb7\xa2\xb2\xbc task 10390847 send msg failed ip=10.1.2.3\n".to_vec();
    line.extend_from_slice(b"2022-09-29 10:15:33,000 INFO ok\n");
    let (_tmp, root) = bundle_with("10.0.0.3/home/admin/logs/acopswareexecutor/common-error.log", &line);
    let report = scan_json(&[&root], 0);
    let findings = report["findings"].as_array().unwrap();
    let gbk = findings.iter().find(|f| f["host"] == "10.0.0.3").expect("the GBK log matched");
    let evidence = &gbk["evidence"][0];
    assert_eq!(evidence["text_lossy"], true);
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(evidence["text_base64"].as_str().unwrap()).unwrap();
    assert_eq!(raw, &line[..line.iter().position(|&b| b == b'\n').unwrap()]);
}

#[test]
fn missing_path_is_a_usage_error() {
    let output = cas_triage().args(["scan", "/no/such/bundle"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/no/such/bundle") && stderr.contains("no such file"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one-line message: {stderr}");
}

#[test]
fn zip_member_with_a_bad_checksum_is_reported_and_the_next_member_read() {
    use zip::write::SimpleFileOptions;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let body = format!("{ERROR_LINE}2022-09-29 10:15:33,000 INFO ok\n");
    for host in ["10.0.0.7", "10.0.0.8"] {
        writer.start_file(format!("z/{host}/home/admin/logs/acopswareexecutor/common-error.log"), stored).unwrap();
        writer.write_all(body.as_bytes()).unwrap();
    }
    let mut bytes = writer.finish().unwrap().into_inner();
    // Flip a byte inside the first member's data ("INFO ok" of 10.0.0.7): its CRC no longer holds.
    let at = bytes.windows(7).position(|w| w == b"INFO ok").unwrap();
    bytes[at] = b'X';
    let (_tmp, root) = bundle_with("members.zip", &bytes);
    let report = scan_json(&[&root], 0);
    let skipped = skipped(&report);
    assert!(
        skipped
            .iter()
            .any(|(p, r)| p.ends_with("members.zip!/z/10.0.0.7/home/admin/logs/acopswareexecutor/common-error.log")
                && r.starts_with("damaged zip member")),
        "{skipped:?}"
    );
    let hosts: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["host"].as_str().unwrap()).collect();
    assert!(hosts.contains(&"10.0.0.8"), "the member after the damaged one was read: {hosts:?}");
}

#[test]
fn strict_fails_a_partial_scan_and_still_writes_the_report() {
    let (_tmp, root) =
        bundle_with("10.0.0.2/home/admin/logs/x/common-error.log", b"\x7fELF\x02\x01\x01\x00\x00\x00binary");
    let output = cas_triage().args(["scan", "--format", "json", "--strict", &root]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("the report is written");
    assert_eq!(report["input"]["skipped"].as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&output.stderr).contains("--strict: 1 file(s) or member(s) skipped"));
    // Without --strict the same scan passes; with it, a complete scan passes too, and findings
    // at --fail-on still give 1.
    let lenient = cas_triage().args(["scan", "--format", "json", &root]).output().unwrap();
    assert_eq!(lenient.status.code(), Some(0));
    let bundle = fixtures().join("bundle");
    let clean = cas_triage().args(["scan", "--format", "json", "--strict"]).arg(&bundle).output().unwrap();
    assert_eq!(clean.status.code(), Some(0));
    let failing =
        cas_triage().args(["scan", "--format", "json", "--strict", "--fail-on", "high"]).arg(&bundle).output().unwrap();
    assert_eq!(failing.status.code(), Some(1));
}
