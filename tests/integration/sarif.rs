//! `--format sarif`: valid against the OASIS SARIF 2.1.0 schema (`tests/schemas/`, errata 01),
//! with a rule per fault of the pack and a result per finding located at its log file and line.

use serde_json::Value;

use crate::util::*;

fn validator() -> jsonschema::Validator {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// Asserts that `sarif` validates against the SARIF 2.1.0 schema.
pub(crate) fn assert_valid(sarif: &Value) {
    let errors: Vec<String> = validator().iter_errors(sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn level(severity: &str) -> &'static str {
    match severity {
        "critical" | "high" => "error",
        "medium" => "warning",
        _ => "note",
    }
}

fn sarif(args: &[&str]) -> Value {
    serde_json::from_str(&scan_format("sarif", args, 0)).unwrap()
}

#[test]
fn the_example_bundle_gives_valid_sarif_with_every_rule_and_finding() {
    let archive = fixtures().join("bundle.tar.gz");
    let archive = archive.to_str().unwrap();
    let report = scan_json(&[archive], 0);
    let log = sarif(&[archive]);
    assert_valid(&log);
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["tool"]["driver"]["name"], "cas-triage");

    // One rule per fault of the pack, as `rules list` shows it.
    let listed = cas_triage().args(["rules", "list", "--format", "json"]).output().unwrap().stdout;
    let listed: Value = serde_json::from_slice(&listed).unwrap();
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let pack: Vec<&str> = listed.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, pack);
    for (rule, listed) in rules.iter().zip(listed.as_array().unwrap()) {
        assert_eq!(rule["shortDescription"]["text"], listed["title"]);
        assert_eq!(rule["defaultConfiguration"]["level"], level(listed["severity"].as_str().unwrap()));
        assert!(!rule["name"].as_str().unwrap().is_empty());
        assert!(rule["help"]["text"].as_str().unwrap().contains("What to do:\n1. "), "{rule}");
    }

    // One result per finding, at its first evidence; the fingerprint kept.
    let results = run["results"].as_array().unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (result, f) in results.iter().zip(findings) {
        assert_eq!(result["ruleId"], f["fault"]);
        assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], f["fault"]);
        assert_eq!(result["level"], level(f["severity"].as_str().unwrap()));
        assert_eq!(result["partialFingerprints"]["casTriageFingerprint/v1"], f["fingerprint"]);
        assert_eq!(result["occurrenceCount"], f["count"]);
        let e = &f["evidence"][0];
        let location = &result["locations"][0]["physicalLocation"];
        let uri = format!("{}!/{}", e["archive"].as_str().unwrap(), e["path"].as_str().unwrap());
        assert_eq!(location["artifactLocation"]["uri"].as_str(), Some(uri.as_str()));
        assert!(uri.contains("bundle.tar.gz!/bundle/"), "{uri}");
        if e["line"].as_u64() > Some(0) {
            assert_eq!(location["region"]["startLine"], e["line"]);
            assert_eq!(location["region"]["snippet"]["text"], e["text"]);
        }
        let related = result["relatedLocations"].as_array().map_or(0, Vec::len);
        let extra_evidence = f["evidence"].as_array().unwrap().len() - 1;
        assert_eq!(related, extra_evidence + usize::from(!f["caused_by"].is_null()), "{result}");
    }
}

#[test]
fn the_schema_rejects_what_it_should() {
    let mut log = sarif(&[&bundle_dir()]);
    assert_valid(&log);
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator().is_valid(&log));
    let mut log = sarif(&[&bundle_dir()]);
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0);
    assert!(!validator().is_valid(&log));
}

#[test]
fn hostile_input_and_skipped_files_stay_valid() {
    let log: Value = serde_json::from_str(&scan_hostile("sarif", &[])).unwrap();
    assert_valid(&log);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["properties"]["host"], HOSTILE_HOST);
    assert!(!result["message"]["text"].as_str().unwrap().contains('\x1b'));

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("日志 #1");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("bin.log"), [0u8, 1, 2, 3, 0, 0, 0, 9].repeat(100)).unwrap();
    let log = sarif(&[tmp.path().to_str().unwrap()]);
    assert_valid(&log);
    let notifications = log["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    let uri = notifications[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.ends_with("/%E6%97%A5%E5%BF%97%20%231/bin.log"), "{uri}");
}
