//! The JSON report validates against `schema/report.schema.json`, for clean and damaged input.

use std::io::Write;

use serde_json::Value;

use crate::util::*;

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("../schema/report.schema.json")).unwrap())
            .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// Asserts that `report` validates against the report's JSON Schema.
pub(crate) fn assert_valid(report: &Value) {
    let validator = validator();
    let errors: Vec<String> =
        validator.iter_errors(report).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn example_bundle_report_is_valid() {
    assert_valid(&scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0));
    assert_valid(&scan_json(&[fixtures().join("bundle.tar.gz").to_str().unwrap(), "--tz", "-05:30"], 0));
    let rules = fixtures().join("../rules");
    assert_valid(&scan_json(&["--rules", rules.to_str().unwrap(), fixtures().join("bundle").to_str().unwrap()], 0));
}

#[test]
fn damaged_and_non_utf8_input_gives_a_valid_report() {
    let tmp = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(ERROR_LINE.repeat(2000).as_bytes()).unwrap();
    let mut packed = gz.finish().unwrap();
    packed.truncate(packed.len() / 2);
    std::fs::write(tmp.path().join("cut.log.gz"), packed).unwrap();
    std::fs::write(
        tmp.path().join("gbk.log"),
        b"2022-09-29 10:15:32,118 ERROR \xb7\xa2\xb2\xbc send msg failed \x1b[31m\n\tat x\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("bin.log"), [0u8, 1, 2, 3, 0, 0, 0, 9].repeat(100)).unwrap();
    std::fs::write(tmp.path().join("application.properties"), b"a=1\r\n\xef\xbb\xbf").unwrap();
    let report = scan_json(&[tmp.path().to_str().unwrap()], 0);
    assert_eq!(skipped(&report).len(), 2);
    assert_eq!(report["input"]["transcoded"].as_array().unwrap().len(), 1, "gbk.log is read as GBK");
    assert_valid(&report);
}

#[test]
fn the_schema_rejects_what_it_should() {
    let mut report = scan_json(&[fixtures().join("bundle").to_str().unwrap()], 0);
    report["findings"][0]["severity"] = Value::from("urgent");
    assert!(!validator().is_valid(&report));
}

#[test]
fn jsonl_records_match_the_schema_parts() {
    let output = cas_triage().args(["scan", "--format", "jsonl"]).arg(fixtures().join("bundle")).output().unwrap();
    let lines: Vec<Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (summary, records) = lines.split_last().unwrap();
    let of_type = |kind: &str| Value::Array(records.iter().filter(|r| r["type"] == kind).cloned().collect());
    // Reassemble the JSON document from the records: it must validate like the real one.
    let mut summary = summary.clone();
    let object = summary.as_object_mut().unwrap();
    object.remove("type");
    object.insert("findings".into(), of_type("finding"));
    object.insert("unclassified".into(), of_type("unclassified"));
    object.insert("exeurls".into(), of_type("exeurl"));
    object.insert("tasks".into(), of_type("task"));
    object.insert("clock_offsets".into(), of_type("clock_offset"));
    object.insert("config_files".into(), of_type("config_file"));
    object.insert("chains".into(), of_type("chain"));
    let coverage = records.iter().find(|r| r["type"] == "coverage").cloned().unwrap();
    object.insert("coverage".into(), coverage);
    let error_rate = records.iter().find(|r| r["type"] == "error_rate").cloned().unwrap();
    object.insert("error_rate".into(), error_rate);
    assert_valid(&summary);
}
