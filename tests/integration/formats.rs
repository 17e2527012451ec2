//! What every report format shares: `--output FILE` gets what standard output would, and
//! `--fail-on` sets the exit status whatever the format.

use crate::util::*;

const FORMATS: &[&str] = &["text", "json", "jsonl", "timeline", "markdown", "html", "junit", "sarif", "tickets"];

#[test]
fn every_format_goes_to_output_and_respects_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    // The HTML report shows when the scan ran: the same time in both runs.
    let scan_format = |format: &str, args: &[&str], status: i32| {
        let mut scan = cas_triage();
        scan.env("SOURCE_DATE_EPOCH", "1700000000").args(["scan", "--format", format]).args(args);
        let output = scan.output().unwrap();
        assert_eq!(output.status.code(), Some(status), "{format}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    for format in FORMATS {
        let stdout = scan_format(format, &["--fail-on", "high", &bundle_dir()], 1);
        assert!(!stdout.is_empty(), "{format}");
        let file = tmp.path().join(format!("report.{format}"));
        let written = scan_format(format, &["--fail-on", "high", "-o", file.to_str().unwrap(), &bundle_dir()], 1);
        assert_eq!(written, "", "{format}: nothing on standard output");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout, "{format}");
        scan_format(format, &["--fail-on", "critical", &bundle_dir()], 0);
    }
}

#[test]
fn a_scan_without_findings_is_still_a_valid_document() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = tmp.path().join("clean.log");
    std::fs::write(&clean, "2022-09-29 10:15:32,118 INFO all good\n").unwrap();
    let clean = clean.to_str().unwrap();
    let markdown = scan_format("markdown", &[clean], 0);
    assert!(markdown.starts_with("## cas-triage: no documented fault found\n"), "{markdown}");
    assert!(!markdown.contains("| fault |"));
    let tickets: serde_json::Value = serde_json::from_str(&scan_format("tickets", &[clean], 0)).unwrap();
    assert_eq!(tickets, serde_json::json!([]));
    let sarif: serde_json::Value = serde_json::from_str(&scan_format("sarif", &[clean], 0)).unwrap();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    let junit = scan_format("junit", &["--fail-on", "info", clean], 0);
    assert!(junit.contains(r#"<testsuite name="cas-triage scan" tests="0" failures="0""#), "{junit}");
}
