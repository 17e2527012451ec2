//! `--format junit`: valid against the Jenkins xUnit plugin's `junit-10.xsd` (checked with
//! `xmllint --schema`, which `.ci/run` installs), and read back with quick-xml: one suite, one test
//! case per finding, failing at or above `--fail-on` (every finding without it), hostile log text
//! escaped.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::*;

fn xsd() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/junit-10.xsd")
}

/// Validates `xml` with `xmllint --schema junit-10.xsd`. Without xmllint, the check is skipped
/// with a note, unless `CI_REQUIRE_XMLLINT=1` (set by `.ci/run`) makes its absence a failure.
pub(crate) fn assert_valid_junit(xml: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let output = match Command::new("xmllint").arg("--noout").arg("--schema").arg(xsd()).arg(&file).output() {
        Ok(output) => output,
        Err(err) => {
            assert!(
                std::env::var("CI_REQUIRE_XMLLINT").as_deref() != Ok("1"),
                "xmllint is required (CI_REQUIRE_XMLLINT=1) but cannot run: {err}"
            );
            eprintln!(
                "note: xmllint not found ({err}): JUnit schema validation skipped; apt-get install libxml2-utils"
            );
            return;
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "xmllint rejects the report:\n{stderr}\n{xml}");
    assert!(stderr.contains("validates"), "{stderr}");
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

#[test]
fn one_test_case_per_finding_all_failing_without_fail_on() {
    let report = scan_json(&[&bundle_dir()], 0);
    let xml = scan_format("junit", &[&bundle_dir()], 0);
    assert_valid_junit(&xml);
    let root = parse_xml(&xml);
    assert_eq!(root.name, "testsuites");
    let suite = root.one("testsuite");
    let cases = suite.all("testcase");
    let n = findings(&report).len().to_string();
    assert_eq!((suite.attr("tests"), suite.attr("failures"), suite.attr("errors")), (n.as_str(), n.as_str(), "0"));
    assert_eq!(cases.len(), findings(&report).len());
    for (case, f) in cases.iter().zip(findings(&report)) {
        let (fault, component, host) =
            (f["fault"].as_str().unwrap(), f["component"].as_str().unwrap(), f["host"].as_str().unwrap());
        assert_eq!(case.attr("name"), format!("{fault} on {component}, host {host}"));
        assert_eq!(case.attr("classname"), format!("cas-triage.{component}"));
        let failure = case.one("failure");
        assert_eq!(failure.attr("type"), f["severity"].as_str().unwrap());
        assert!(failure.attr("message").contains(f["title"].as_str().unwrap()), "{:?}", failure.attributes);
        // The body is the text report's: evidence with file and line, then the runbook.
        for e in f["evidence"].as_array().unwrap() {
            assert!(
                failure.text.contains(&format!("{}:{}", e["path"].as_str().unwrap(), e["line"])),
                "{}",
                failure.text
            );
            assert!(failure.text.contains(e["text"].as_str().unwrap()));
        }
        assert!(failure.text.contains("What to do:"));
        for step in f["remediation"].as_array().unwrap() {
            assert!(failure.text.contains(step.as_str().unwrap()), "{}", failure.text);
        }
    }
    let properties = suite.one("properties").all("property");
    assert!(properties.iter().any(|p| p.attr("name") == "fail-on" && p.attr("value") == "every finding"));
    assert!(suite.all("system-err").is_empty(), "nothing skipped");
}

#[test]
fn fail_on_decides_which_cases_fail_and_the_exit_status() {
    let report = scan_json(&[&bundle_dir()], 0);
    let xml = scan_format("junit", &["--fail-on", "high", &bundle_dir()], 1);
    assert_valid_junit(&xml);
    let root = parse_xml(&xml);
    let cases = root.one("testsuite").all("testcase");
    let high = findings(&report).iter().filter(|f| f["severity"] == "high" || f["severity"] == "critical").count();
    assert!(high > 0 && high < cases.len(), "the bundle has findings on both sides of high");
    assert_eq!(root.one("testsuite").attr("failures"), high.to_string());
    for (case, f) in cases.iter().zip(findings(&report)) {
        let failing = f["severity"] == "high" || f["severity"] == "critical";
        assert_eq!(case.all("failure").len(), usize::from(failing), "{}", case.attr("name"));
        // A passing case still carries its details.
        assert_eq!(case.all("system-out").len(), usize::from(!failing));
    }
    let xml = scan_format("junit", &["--fail-on", "critical", &bundle_dir()], 0);
    assert_eq!(parse_xml(&xml).one("testsuite").attr("failures"), "0");
}

#[test]
fn skipped_inputs_are_properties_and_system_err() {
    let tmp = tempfile::tempdir().unwrap();
    let mut packed = flate2_bytes(ERROR_LINE.repeat(200).as_bytes());
    packed.truncate(packed.len() / 2);
    std::fs::write(tmp.path().join("cut.log.gz"), packed).unwrap();
    let xml = scan_format("junit", &[tmp.path().to_str().unwrap()], 0);
    assert_valid_junit(&xml);
    let root = parse_xml(&xml);
    let suite = root.one("testsuite");
    let skipped: Vec<&str> = suite
        .one("properties")
        .all("property")
        .into_iter()
        .filter(|p| p.attr("name") == "skipped")
        .map(|p| p.attr("value"))
        .collect();
    assert_eq!(skipped.len(), 1, "{xml}");
    assert!(skipped[0].contains("cut.log.gz"));
    assert!(suite.one("system-err").text.contains("cut.log.gz"));
}

#[test]
fn hostile_log_text_is_escaped_and_valid() {
    let xml = scan_hostile("junit", &[]);
    assert_valid_junit(&xml);
    for forbidden in ['\0', '\x01', '\x0b', '\x0c', '\x1b', '\x7f'] {
        assert!(!xml.contains(forbidden), "{forbidden:?} in the XML");
    }
    let root = parse_xml(&xml);
    let case = root.one("testsuite").one("testcase");
    assert_eq!(case.attr("name"), "dispatch.send-msg-failed on acopswareexecutor, host evil|host```<b>&amp;\\x1b[31m");
    let failure = case.one("failure");
    assert!(
        failure
            .text
            .contains("</td> <script>alert(1)</script> &lt; ]]> \\x1b[31mred\\x1b[0m \\x00\\x01\\x0b\\x0c\\x7f ~~~"),
        "{}",
        failure.text
    );
}

fn flate2_bytes(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}
