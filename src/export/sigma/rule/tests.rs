//! The Sigma export of the default pack: one file per line rule and component, the other rules
//! listed with their reason, every file YAML with the fields Sigma requires, the same bytes on
//! every run; and every exported rule, evaluated the way Sigma defines its detections, agrees
//! with the pack on the rule's own examples.

use chrono::NaiveDate;
use saphyr::{LoadableYamlNode, Yaml};

use super::*;
use crate::rules::{RuleKind, RulePack};

fn options() -> ExportOptions {
    ExportOptions { date: NaiveDate::from_ymd_opt(2025, 6, 30).unwrap() }
}

fn default_export() -> (RulePack, Export) {
    let pack = RulePack::embedded().unwrap();
    let export = export(&pack, &options()).unwrap();
    (pack, export)
}

fn load(file: &ExportFile) -> Yaml<'_> {
    let mut docs = Yaml::load_from_str(&file.contents).unwrap_or_else(|e| panic!("{}: {e}", file.name));
    assert_eq!(docs.len(), 1, "{}: one document", file.name);
    docs.remove(0)
}

fn text<'a>(yaml: &'a Yaml<'_>, key: &str) -> &'a str {
    yaml.as_mapping_get(key).and_then(Yaml::as_str).unwrap_or_else(|| panic!("no text {key} in {yaml:?}"))
}

#[test]
fn one_file_per_line_rule_and_component_and_the_rest_listed() {
    let (pack, export) = default_export();
    for rule in pack.rules() {
        let files: Vec<&str> = export
            .rule_files()
            .filter(|file| file.fault.as_ref() == Some(&rule.id))
            .map(|file| file.name.as_str())
            .collect();
        let omitted = export.omitted.iter().find(|o| o.fault == rule.id && o.signature.is_none());
        match &rule.kind {
            RuleKind::Lines(_) => {
                assert!(omitted.is_none(), "{}: {omitted:?}", rule.id);
                let expected: Vec<String> = if rule.components.is_empty() {
                    vec![format!("{}.yml", rule.id)]
                } else {
                    let mut names: Vec<String> =
                        rule.components.iter().map(|c| format!("{}.{c}.yml", rule.id)).collect();
                    names.sort();
                    names
                };
                assert_eq!(files, expected, "{}", rule.id);
            }
            RuleKind::File(_) | RuleKind::Analysis(_) => {
                assert!(files.is_empty(), "{}: {files:?}", rule.id);
                let reason = &omitted.unwrap_or_else(|| panic!("{} is not listed", rule.id)).reason;
                assert!(reason.len() > 20, "{}: {reason}", rule.id);
            }
        }
    }
    for fault in ["task.clock-skew-suspected", "alert.error-rate", "dispatch.agent-heartbeat-stale"] {
        let omission = export.omitted.iter().find(|o| o.fault.as_str() == fault).unwrap();
        assert!(omission.reason.starts_with("an analysis across events"), "{fault}: {}", omission.reason);
    }
    let list = export.files.iter().find(|file| file.name == OMISSIONS_FILE).unwrap();
    for omission in &export.omitted {
        assert!(list.contents.contains(&format!("`{}`", omission.fault)), "{}", omission.fault);
        assert!(list.contents.contains(&omission.reason), "{}", omission.reason);
    }
    assert!(is_generated(list.contents.as_bytes()));
}

#[test]
fn every_file_is_yaml_with_the_sigma_fields() {
    let (_, export) = default_export();
    let mut ids = BTreeSet::new();
    let mut titles = BTreeSet::new();
    for file in export.rule_files() {
        assert!(is_generated(file.contents.as_bytes()), "{}", file.name);
        let rule = load(file);
        for key in ["title", "id", "status", "description", "author", "date", "level"] {
            assert!(!text(&rule, key).is_empty(), "{}: {key}", file.name);
        }
        assert!(titles.insert(text(&rule, "title").to_string()), "{}: title shared", file.name);
        let id: Uuid = text(&rule, "id").parse().unwrap();
        assert_eq!(id.get_version_num(), 5, "{}", file.name);
        assert!(ids.insert(id), "{}: id shared", file.name);
        let fault = file.fault.as_ref().unwrap();
        let logsource = rule.as_mapping_get("logsource").unwrap();
        assert_eq!(text(logsource, "product"), PRODUCT);
        let name = match logsource.as_mapping_get("service").and_then(Yaml::as_str) {
            Some(service) => format!("{fault}/{service}"),
            None => fault.to_string(),
        };
        assert_eq!(id, Uuid::new_v5(&NAMESPACE, name.as_bytes()), "{}", file.name);
        assert_eq!(text(&rule, "status"), "experimental");
        assert_eq!(text(&rule, "date"), "2025-06-30");
        assert!(["critical", "high", "medium", "low", "informational"].contains(&text(&rule, "level")));
        let tags: Vec<&str> = rule["tags"].as_sequence().unwrap().iter().filter_map(Yaml::as_str).collect();
        assert_eq!(tags, [format!("cas.fault.{fault}")]);
        let references = rule["references"].as_sequence().unwrap();
        assert!(references.iter().all(|r| r.as_str().is_some_and(|r| r.contains("operations manual, section"))));
        assert_eq!(rule["falsepositives"].as_sequence().map(Vec::len), Some(1));
        let detection = rule.as_mapping_get("detection").unwrap();
        let condition = text(detection, "condition");
        let searches = detection.as_mapping().unwrap().len() - 1;
        assert!(searches >= 1, "{}", file.name);
        for (name, _) in detection.as_mapping().unwrap() {
            let name = name.as_str().unwrap();
            assert!(name == "condition" || condition.contains(name), "{}: {name} unused", file.name);
        }
    }
    assert_eq!(ids.len(), export.rule_files().count());
}

/// Every `re` value of the export, with its modifiers.
fn regexes(export: &Export) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for file in export.rule_files() {
        let rule = load(file);
        for (_, search) in rule["detection"].as_mapping().unwrap() {
            let Some(search) = search.as_mapping() else { continue };
            for (field, value) in search {
                let field = field.as_str().unwrap();
                if field.contains("|re") {
                    out.push((file.name.clone(), field.to_string(), value.as_str().unwrap().to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn regexes_compile_and_stay_in_sigmas_subset() {
    let (_, export) = default_export();
    let regexes = regexes(&export);
    assert!(regexes.len() > 20, "{}", regexes.len());
    for (file, field, pattern) in regexes {
        ::regex::RegexBuilder::new(&pattern)
            .case_insensitive(field.contains("|i"))
            .dot_matches_new_line(field.contains("|s"))
            .build()
            .unwrap_or_else(|e| panic!("{file}: {pattern}: {e}"));
        for outside in ["(?", "\\b", "\\d", "\\s", "\\w", "*?", "+?"] {
            assert!(!pattern.contains(outside), "{file}: {pattern} holds {outside}");
        }
    }
}

#[test]
fn the_same_pack_gives_the_same_bytes() {
    let (_, first) = default_export();
    let (_, second) = default_export();
    assert_eq!(first.files, second.files);
    let names: Vec<&str> = first.files.iter().map(|file| file.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn none_regexes_become_negated_filters() {
    let (_, export) = default_export();
    let file = export.files.iter().find(|f| f.name == "dispatch.send-msg-failed.acopswareexecutor.yml").unwrap();
    let rule = load(file);
    let detection = &rule["detection"];
    assert!(detection["filter_s1_none1"]["message|re|i|s"].as_str().unwrap().contains("retr(y|ied)"));
    let condition = text(detection, "condition");
    assert!(condition.contains("not filter_s1_none1") && condition.contains("not filter_s2_none1"), "{condition}");
    assert!(condition.starts_with("selection_level and ("), "{condition}");
}

#[test]
fn literals_that_read_as_wildcards_and_bad_regexes() {
    let pack = RulePack::from_files(&[(
        "user/site.toml".to_string(),
        r#"
[[rule]]
id = "site.odd-literals"
title = "Odd literals"
severity = "low"
section = "4.2"
[[rule.signature]]
literals = ["50% done?", "plain words"]
[[rule.signature]]
literals = ["other"]
none = ['a\Bb']
[rule.remediation]
en = ["Look."]
[rule.examples]
match = ["2022-09-29 10:15:32,118 ERROR 50% DONE? yes"]
"#
        .to_string(),
    )])
    .unwrap();
    let export = export(&pack, &options()).unwrap();
    let file = &export.rule_files().next().unwrap();
    assert_eq!(file.name, "site.odd-literals.yml");
    let rule = load(file);
    let detection = &rule["detection"];
    assert_eq!(detection["selection_s1"]["message|contains"].as_str(), Some("plain words"));
    assert_eq!(detection["selection_s1_escaped"]["message|re|i|s"].as_str(), Some(r".*(50% done\?).*"));
    assert_eq!(text(detection, "condition"), "(selection_s1 or selection_s1_escaped)");
    assert_eq!(text(&rule, "level"), "low");
    assert!(rule.as_mapping_get("logsource").unwrap().as_mapping_get("service").is_none());
    let omission = &export.omitted[0];
    assert_eq!((omission.fault.as_str(), omission.signature), ("site.odd-literals", Some(2)));
    assert!(omission.reason.contains("`none` regex `a\\Bb`") && omission.reason.contains("\\B"), "{}", omission.reason);
}

/// A log event as a Sigma backend sees it: the fields `message` and `level`.
struct Event<'a> {
    message: &'a str,
    level: Option<&'static str>,
}

/// Whether the detection of an exported rule holds for `event`, by Sigma's definitions: a
/// search holds when each of its fields matches one of its values; `contains` ignores case;
/// `re` is searched for with its flags; `null` matches a missing field.
fn holds(detection: &Yaml<'_>, event: &Event<'_>) -> bool {
    let search = |name: &str| -> bool {
        detection[name].as_mapping().unwrap().iter().all(|(field, value)| {
            let field = field.as_str().unwrap();
            let values: Vec<&Yaml<'_>> = match value.as_sequence() {
                Some(values) => values.iter().collect(),
                None => vec![value],
            };
            values.iter().any(|value| match (field, value.as_str()) {
                ("level", None) => event.level.is_none(),
                ("level", Some(level)) => event.level.is_some_and(|l| l.eq_ignore_ascii_case(level)),
                ("message|contains", Some(literal)) => event.message.to_lowercase().contains(&literal.to_lowercase()),
                (field, Some(pattern)) if field.starts_with("message|re") => ::regex::RegexBuilder::new(pattern)
                    .case_insensitive(field.contains("|i"))
                    .multi_line(field.contains("|m"))
                    .dot_matches_new_line(field.contains("|s"))
                    .build()
                    .unwrap()
                    .is_match(event.message),
                other => panic!("unexpected search {other:?}"),
            })
        })
    };
    let condition = text(detection, "condition").replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = condition.split_whitespace().collect();
    let mut position = 0;
    let value = or(&tokens, &mut position, &search);
    assert_eq!(position, tokens.len(), "condition {condition}");
    value
}

fn or(tokens: &[&str], at: &mut usize, search: &dyn Fn(&str) -> bool) -> bool {
    let mut value = and(tokens, at, search);
    while tokens.get(*at) == Some(&"or") {
        *at += 1;
        value |= and(tokens, at, search);
    }
    value
}

fn and(tokens: &[&str], at: &mut usize, search: &dyn Fn(&str) -> bool) -> bool {
    let mut value = not(tokens, at, search);
    while tokens.get(*at) == Some(&"and") {
        *at += 1;
        value &= not(tokens, at, search);
    }
    value
}

fn not(tokens: &[&str], at: &mut usize, search: &dyn Fn(&str) -> bool) -> bool {
    let token = tokens[*at];
    *at += 1;
    match token {
        "not" => !not(tokens, at, search),
        "(" => {
            let value = or(tokens, at, search);
            assert_eq!(tokens[*at], ")");
            *at += 1;
            value
        }
        name => search(name),
    }
}

#[test]
fn exported_rules_agree_with_the_pack_on_its_examples() {
    let (pack, export) = default_export();
    let mut checked = 0;
    for file in export.rule_files() {
        let rule = pack.rule(file.fault.as_ref().unwrap().as_str()).unwrap();
        let sigma = load(file);
        let detection = &sigma["detection"];
        let cases =
            rule.examples_match.iter().map(|e| (e, true)).chain(rule.examples_no_match.iter().map(|e| (e, false)));
        for (example, expected) in cases {
            let level = match crate::event::parse_header(example.as_bytes()).map(|h| h.level) {
                None | Some(Level::Unknown) => None,
                Some(level) => Some(level.as_str()),
            };
            let event = Event { message: example, level };
            assert_eq!(holds(detection, &event), expected, "{}: {example:?}", file.name);
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn levels_rule_out_other_levels_but_not_events_without_one() {
    let (_, export) = default_export();
    let file = export.files.iter().find(|f| f.name == "dispatch.send-msg-failed.acstarserver2.yml").unwrap();
    let rule = load(file);
    let message = "dispatch task 10390847 to 10.1.2.3 failed: send msg failed";
    for (level, expected) in [(Some("ERROR"), true), (Some("WARNING"), true), (None, true), (Some("INFO"), false)] {
        assert_eq!(holds(&rule["detection"], &Event { message, level }), expected, "{level:?}");
    }
}
