//! Damaged input never stops the scan: each kind of damage is listed in `input.skipped` with a
//! reason naming what went wrong, what could be read is scanned, and the rest of the bundle is.

use std::io::Write;
use std::path::Path;

use crate::util::*;

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

/// A 1×1 grey PNG image: signature, IHDR, IDAT, IEND, with their CRCs.
fn png() -> Vec<u8> {
    fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        png.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        png.extend(kind);
        png.extend(data);
        png.extend(crc.sum().to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    // Width 1, height 1, bit depth 8, greyscale, deflate, no filter, no interlace.
    chunk(&mut png, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    let mut pixels = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    pixels.write_all(&[0, 0x80]).unwrap();
    chunk(&mut png, b"IDAT", &pixels.finish().unwrap());
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Real binaries in a bundle: this test's own executable under a log's name and under its own,
/// a PNG image under a log's name, beside it and in a zip. Under a log's name they are read and
/// skipped as binary, with what they are; under their own names a directory walk ignores them;
/// named on the command line they are read and skipped too. The good log is scanned each time.
#[test]
fn an_executable_and_an_image_are_skipped_as_binary() {
    let (_tmp, root) = bundle_with("h/app/gc.log", &png());
    let app = Path::new(&root).join("h/app");
    let exe = std::env::current_exe().unwrap();
    for name in ["common-error.log", "tool"] {
        // A link is enough: the scan reads it as a file (a copy where links cannot be made).
        std::fs::hard_link(&exe, app.join(name)).or_else(|_| std::fs::copy(&exe, app.join(name)).map(drop)).unwrap();
    }
    std::fs::write(app.join("screenshot.png"), png()).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("h/app/image.log", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(&png()).unwrap();
    write(&app.join("images.zip"), &zip.finish().unwrap().into_inner());

    let report = scan_json(&[&root], 0);
    let expected = [
        ("b/h/app/common-error.log".to_string(), "binary content (an ELF executable)".to_string()),
        ("b/h/app/gc.log".to_string(), "binary content (a PNG image)".to_string()),
        ("b/h/app/images.zip!/h/app/image.log".to_string(), "binary content (a PNG image)".to_string()),
    ];
    assert_eq!(skipped(&report), expected);
    assert_eq!((report["input"]["files"].as_u64(), report["input"]["ignored"].as_u64()), (Some(1), Some(2)));
    assert_eq!(faults(&report), ["dispatch.send-msg-failed"]);

    let (tool, screenshot) = (app.join("tool"), app.join("screenshot.png"));
    let report = scan_json(&[&root, tool.to_str().unwrap(), screenshot.to_str().unwrap()], 0);
    let skipped = skipped(&report);
    assert_eq!(skipped.len(), 5, "{skipped:?}");
    assert!(skipped.contains(&(tool.display().to_string(), "binary content (an ELF executable)".to_string())));
    assert!(skipped.contains(&(screenshot.display().to_string(), "binary content (a PNG image)".to_string())));
    assert_eq!(faults(&report), ["dispatch.send-msg-failed"]);
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
    // GBK, then 0xff: neither UTF-8 nor GBK, so the bytes are scanned as they are.
    let mut line =
        b"2022-09-29 10:15:32,118 ERROR [x] - \xb7\xa2\xb2\xbc\xff task 10390847 send msg failed ip=10.1.2.3\n"
            .to_vec();
    line.extend_from_slice(b"2022-09-29 10:15:33,000 INFO ok\n");
    let (_tmp, root) = bundle_with("10.0.0.3/home/admin/logs/acopswareexecutor/common-error.log", &line);
    let report = scan_json(&[&root], 0);
    assert_eq!(report["input"]["transcoded"], serde_json::json!([]));
    let findings = report["findings"].as_array().unwrap();
    let damaged = findings.iter().find(|f| f["host"] == "10.0.0.3").expect("the damaged log matched");
    let evidence = &damaged["evidence"][0];
    assert_eq!(evidence["text_lossy"], true);
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(evidence["text_base64"].as_str().unwrap()).unwrap();
    assert_eq!(raw, &line[..line.iter().position(|&b| b == b'\n').unwrap()]);
}

#[test]
fn missing_path_is_a_usage_error() {
    let output = cas_triage().args(["scan", "--format", "json", "/no/such/bundle"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "no report, not half of one");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/no/such/bundle") && stderr.contains("no such file"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one-line message: {stderr}");
}

#[cfg(unix)]
#[test]
fn a_path_through_a_file_names_the_reason_once() {
    let (_tmp, root) = bundle_with("h/x.log", b"");
    let through = format!("{root}/h/x.log/deeper");
    let output = cas_triage().args(["scan", &through]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end(), format!("cas-triage: {through}: Not a directory (os error 20)"));
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
    // at --fail-on still give 1. Each writes its report whole.
    let lenient = scan_json(&[&root], 0);
    assert_eq!(skipped(&lenient).len(), 1);
    let bundle = fixtures().join("bundle");
    let clean = scan_json(&["--strict", bundle.to_str().unwrap()], 0);
    assert!(skipped(&clean).is_empty());
    let failing = scan_json(&["--strict", "--fail-on", "high", bundle.to_str().unwrap()], 1);
    assert_eq!(failing["summary"]["highest_severity"], "high");
}

/// A zip of a few dozen KiB whose first member inflates to 64 MiB, then a good member: the bomb is
/// cut at `--max-decompressed` (what was read of it is scanned), listed with the reason, memory
/// stays near the limit, and the member after it and the rest of the bundle are scanned.
#[test]
fn zip_member_bomb_is_cut_at_the_limit() {
    use zip::write::SimpleFileOptions;
    let deflated = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer.start_file("z/10.0.0.9/home/admin/logs/acopswareexecutor/common-error.log", deflated).unwrap();
    writer.write_all(ERROR_LINE.as_bytes()).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        writer.write_all(&zeros).unwrap();
    }
    writer.start_file("z/10.0.0.8/home/admin/logs/acopswareexecutor/common-error.log", deflated).unwrap();
    writer.write_all(ERROR_LINE.as_bytes()).unwrap();
    let bomb = writer.finish().unwrap().into_inner();
    assert!(bomb.len() < 256 << 10, "{} bytes", bomb.len());
    let (_tmp, root) = bundle_with("bomb.zip", &bomb);
    let (report, peak_mib) = scan_json_with_peak_memory(&[&root, "--max-decompressed", "1MiB"]);
    assert_eq!(
        skipped(&report),
        [(
            "b/bomb.zip!/z/10.0.0.9/home/admin/logs/acopswareexecutor/common-error.log".to_string(),
            "zip member larger than the limit of 1048576 bytes (--max-decompressed); \
             only the first 1048576 bytes were scanned"
                .to_string()
        )]
    );
    let hosts: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["host"].as_str().unwrap()).collect();
    assert_eq!(hosts, ["10.0.0.1", "10.0.0.8", "10.0.0.9"], "the good log, the next member, the bomb's head");
    let bytes = report["input"]["bytes"].as_u64().unwrap();
    assert_eq!(bytes, (1 << 20) + 2 * ERROR_LINE.len() as u64);
    if let Some(peak) = peak_mib {
        assert!(peak < 48, "peak memory {peak} MiB for a 64 MiB bomb cut at 1 MiB");
    }
}

/// Archives nested six deep, each holding a log with a finding: zip ⊃ tar ⊃ tar.gz ⊃ zip ⊃ tar.
/// A tar.gz is two levels (the gzip stream, the tar in it), so the logs of the first three
/// archives (levels 1, 2 and 4) are scanned; the zip at level 5 is skipped, unopened, with the
/// limit as its reason, and the rest of the bundle is scanned.
#[test]
fn archives_nested_past_the_limit_are_skipped() {
    use zip::write::SimpleFileOptions;
    fn log(host: u32) -> (String, Vec<u8>) {
        (format!("10.0.2.{host}/home/admin/logs/acopswareexecutor/common-error.log"), ERROR_LINE.as_bytes().to_vec())
    }
    fn tar(members: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, body) in members {
            let mut header = tar::Header::new_gnu();
            header.set_size(body.len() as u64);
            header.set_mode(0o644);
            builder.append_data(&mut header, name, &body[..]).unwrap();
        }
        builder.into_inner().unwrap()
    }
    fn zip(members: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, body) in members {
            writer.start_file(name.as_str(), SimpleFileOptions::default()).unwrap();
            writer.write_all(body).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }
    let level6 = tar(&[log(6)]);
    let level5 = zip(&[log(5), ("l6.tar".into(), level6)]);
    let level3 = gzip(&tar(&[log(4), ("l5.zip".into(), level5)]));
    let level2 = tar(&[log(2), ("l3.tar.gz".into(), level3)]);
    let level1 = zip(&[log(1), ("l2.tar".into(), level2)]);
    let (_tmp, root) = bundle_with("nested.zip", &level1);
    let report = scan_json(&[&root], 0);
    assert_eq!(
        skipped(&report),
        [(
            "b/nested.zip!/l2.tar!/l3.tar.gz!/l5.zip".to_string(),
            "archives or compressed streams nested deeper than 4 levels".to_string()
        )]
    );
    let hosts: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["host"].as_str().unwrap()).collect();
    assert_eq!(hosts, ["10.0.0.1", "10.0.2.1", "10.0.2.2", "10.0.2.4"]);
    assert_eq!(report["input"]["files"], 4);
}
