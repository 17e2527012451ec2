//! `--format tickets`: one ticket per finding, its body the finding's markdown section, its
//! labels and fingerprint ready for a ticketing API.

use serde_json::Value;

use crate::util::*;

#[test]
fn one_ticket_per_finding_with_its_markdown_section() {
    let report = scan_json(&[&bundle_dir()], 0);
    let markdown = scan_format("markdown", &[&bundle_dir()], 0);
    let tickets: Value = serde_json::from_str(&scan_format("tickets", &[&bundle_dir()], 0)).unwrap();
    let tickets = tickets.as_array().unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(tickets.len(), findings.len());
    for (ticket, f) in tickets.iter().zip(findings) {
        let (fault, component, host) =
            (f["fault"].as_str().unwrap(), f["component"].as_str().unwrap(), f["host"].as_str().unwrap());
        let severity = f["severity"].as_str().unwrap();
        assert_eq!(
            ticket["title"].as_str().unwrap(),
            format!(
                "[{}] {} ({fault} on {component}, host {host})",
                severity.to_uppercase(),
                f["title"].as_str().unwrap()
            )
        );
        assert_eq!(ticket["severity"], f["severity"]);
        assert_eq!(ticket["labels"], serde_json::json!([fault, component, host]));
        assert_eq!(ticket["fingerprint"], f["fingerprint"]);
        assert_eq!(ticket["caused_by"], f["caused_by"]);
        let body = ticket["body"].as_str().unwrap();
        assert!(body.starts_with(&format!("### {} `{fault}`", severity.to_uppercase())), "{body}");
        assert!(markdown.contains(body), "the body is the finding's section of the markdown report");
        for e in f["evidence"].as_array().unwrap() {
            assert!(body.contains(e["text"].as_str().unwrap()));
        }
    }
}

#[test]
fn hostile_values_make_one_line_titles_and_word_labels() {
    let tickets: Value = serde_json::from_str(&scan_hostile("tickets", &[])).unwrap();
    let ticket = &tickets[0];
    let title = ticket["title"].as_str().unwrap();
    assert!(title.chars().all(|c| !c.is_control()), "{title:?}");
    assert!(title.ends_with("host evil|host```<b>&amp;\\x1b[31m)"), "{title}");
    assert_eq!(ticket["labels"][2], "evil|host```<b>&amp;\\x1b[31m");
    assert!(ticket["body"].as_str().unwrap().contains("\\x00\\x01"));

    // A title past Jira's 255 characters is cut.
    let long_host = "h".repeat(400);
    let output = cas_triage()
        .args(["scan", "--format", "tickets", "--component", "acopswareexecutor", "--host", &long_host, "-"])
        .write_stdin(ERROR_LINE)
        .output()
        .unwrap();
    let tickets: Value = serde_json::from_slice(&output.stdout).unwrap();
    let title = tickets[0]["title"].as_str().unwrap();
    assert_eq!(title.chars().count(), 255);
    assert!(title.ends_with('…'));
}
