//! SARIF 2.1.0, for code-scanning style CI views (GitHub code scanning, GitLab, Azure DevOps, VS
//! Code's SARIF viewer): one run whose `tool.driver.rules` describe every fault of the rule pack
//! (title, description, runbook as help, level from the severity), and one result per finding,
//! located at its first evidence (log file and line; an archive member as `ARCHIVE!/MEMBER`), the
//! other evidence as related locations, and the product's fingerprint in `partialFingerprints`.
//! Skipped inputs are tool execution notifications. Compared with a baseline, every result has a
//! `baselineState`: `new`, `unchanged` (recurring), or `absent` for a result of each finding the
//! baseline had and this report has not on what it read (located nowhere: it is gone); the
//! baseline's findings on hosts or components this run did not read are not results, only counted
//! in a notification. Valid against the OASIS
//! schema (`sarif-schema-2.1.0.json`, errata 01).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::baseline::{BaselineFinding, BaselineState};
use super::build::{Evidence, Finding, Report};
use super::escape::escape_for_terminal;
use super::text::{counted_noun, plural};
use crate::rules::{Lang, Rule, RulePack, Severity};

/// Where the SARIF 2.1.0 schema (errata 01) is published.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `partialFingerprints` key of the product fingerprint (fault, component, host).
pub const FINGERPRINT_KEY: &str = "casTriageFingerprint/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<RuleDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    help: Message,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    severity: Severity,
    section: &'a str,
    tags: Vec<&'a str>,
}

/// A SARIF message or multiformat string: plain text, and markdown where it helps.
#[derive(Serialize)]
struct Message {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    occurrence_count: u64,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: Severity,
    component: String,
    host: String,
    fingerprint: String,
    first_seen: Option<String>,
    last_seen: Option<String>,
    caused_by: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
    snippet: Snippet,
}

#[derive(Serialize)]
struct Snippet {
    text: String,
}

/// Writes the report as a SARIF log; `pack` supplies the rule descriptors and `lang` the language
/// of their descriptions and runbooks.
pub fn write_sarif(report: &Report, pack: &RulePack, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<RuleDescriptor> = pack.rules().iter().map(|rule| rule_descriptor(rule, lang)).collect();
    let mut results: Vec<SarifResult> = report.findings.iter().map(|f| result(f, report, &rules)).collect();
    if let Some(baseline) = &report.baseline {
        results.extend(baseline.resolved.iter().map(|f| absent_result(f, &rules)));
    }
    let mut notifications: Vec<Notification> = report
        .input
        .skipped
        .iter()
        .map(|s| Notification {
            level: "warning",
            message: plain(format!("skipped or partly read: {}", escape_for_terminal(&s.reason))),
            locations: vec![Location { id: None, physical_location: physical(&s.path, None), message: None }],
        })
        .collect();
    // Not absent: this run did not look where they were.
    if let Some(note) = report.baseline.as_ref().and_then(super::text::not_covered_line) {
        notifications.push(Notification { level: "note", message: plain(note), locations: Vec::new() });
    }
    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: &report.tool.name,
                    version: &report.tool.version,
                    semantic_version: &report.tool.version,
                    rules,
                },
            },
            invocations: [Invocation { execution_successful: true, tool_execution_notifications: notifications }],
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

/// The SARIF level of a severity: `error` for critical and high, `warning` for medium, `note`
/// below.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn rule_descriptor(rule: &Rule, lang: Lang) -> RuleDescriptor<'_> {
    let steps = rule.remediation.steps(lang);
    let numbered: Vec<String> = steps.iter().enumerate().map(|(i, step)| format!("{}. {step}", i + 1)).collect();
    let description = rule.description.get(lang);
    RuleDescriptor {
        id: rule.id.as_str(),
        name: pascal_case(rule.id.as_str()),
        short_description: plain(rule.title.clone()),
        full_description: (!description.is_empty()).then(|| plain(description.to_string())),
        help: Message {
            text: format!("Operations manual §{}. What to do:\n{}", rule.section, numbered.join("\n")),
            markdown: Some(format!("Operations manual §{}. What to do:\n\n{}", rule.section, numbered.join("\n"))),
        },
        default_configuration: Configuration { level: level(rule.severity) },
        properties: RuleProperties {
            severity: rule.severity,
            section: &rule.section,
            tags: vec!["cas-triage", rule.id.as_str().split('.').next().unwrap_or_default()],
        },
    }
}

fn result(f: &Finding, report: &Report, rules: &[RuleDescriptor]) -> SarifResult {
    let mut evidence = f.evidence.iter().enumerate();
    let locations = evidence.next().map(|(_, e)| evidence_location(e, None)).into_iter().collect();
    let mut related: Vec<Location> = evidence.map(|(i, e)| evidence_location(e, Some(i))).collect();
    let root = f.caused_by.as_deref().and_then(|fp| report.findings.iter().find(|r| r.fingerprint == fp));
    if let Some((root, e)) = root.and_then(|root| root.evidence.first().map(|e| (root, e))) {
        let mut location = evidence_location(e, Some(f.evidence.len().max(1)));
        location.message = Some(plain(format!(
            "probably follows from {} on {}, host {} (inferred from the order of events)",
            root.fault,
            escape_for_terminal(&root.component),
            escape_for_terminal(&root.host)
        )));
        related.push(location);
    }
    SarifResult {
        rule_id: f.fault.clone(),
        rule_index: rules.iter().position(|r| r.id == f.fault),
        level: level(f.severity),
        message: plain(result_message(f)),
        locations,
        related_locations: related,
        partial_fingerprints: [(FINGERPRINT_KEY, f.fingerprint.clone())].into_iter().collect(),
        baseline_state: f.baseline_state.map(|state| match state {
            BaselineState::New => "new",
            BaselineState::Recurring => "unchanged",
        }),
        occurrence_count: f.count.max(1),
        properties: ResultProperties {
            severity: f.severity,
            component: f.component.clone(),
            host: f.host.clone(),
            fingerprint: f.fingerprint.clone(),
            first_seen: f.first_seen.clone(),
            last_seen: f.last_seen.clone(),
            caused_by: f.caused_by.clone(),
        },
    }
}

/// A finding of the baseline that is gone: `absent`, with no location, its counts the baseline's.
fn absent_result(f: &BaselineFinding, rules: &[RuleDescriptor]) -> SarifResult {
    let last = f.last_seen.as_deref().map(|t| format!(", last seen {t}")).unwrap_or_default();
    SarifResult {
        rule_id: f.fault.clone(),
        rule_index: rules.iter().position(|r| r.id == f.fault),
        level: level(f.severity),
        message: plain(format!(
            "Resolved since the baseline: {} on {}, host {}{last}.",
            f.title,
            escape_for_terminal(&f.component),
            escape_for_terminal(&f.host)
        )),
        locations: Vec::new(),
        related_locations: Vec::new(),
        partial_fingerprints: [(FINGERPRINT_KEY, f.fingerprint.clone())].into_iter().collect(),
        baseline_state: Some("absent"),
        occurrence_count: f.count.max(1),
        properties: ResultProperties {
            severity: f.severity,
            component: f.component.clone(),
            host: f.host.clone(),
            fingerprint: f.fingerprint.clone(),
            first_seen: f.first_seen.clone(),
            last_seen: f.last_seen.clone(),
            caused_by: None,
        },
    }
}

fn result_message(f: &Finding) -> String {
    let span = match (&f.first_seen, &f.last_seen) {
        (Some(first), Some(last)) if first == last => format!(", at {first}"),
        (Some(first), Some(last)) => format!(", {first} to {last}"),
        _ => String::new(),
    };
    format!(
        "{}: {} {}{} on {}, host {}{span}.",
        f.title,
        f.count,
        counted_noun(f),
        plural(f.count as usize),
        escape_for_terminal(&f.component),
        escape_for_terminal(&f.host)
    )
}

/// An evidence item as a location: its file (the archive member as `ARCHIVE!/MEMBER`), its line,
/// and its text as the snippet.
fn evidence_location(e: &Evidence, id: Option<usize>) -> Location {
    let file = match &e.archive {
        Some(archive) => format!("{archive}!/{}", e.path),
        None => e.path.clone(),
    };
    let region = (e.line > 0).then(|| Region { start_line: e.line, snippet: Snippet { text: e.text.clone() } });
    let message = id.map(|_| plain(format!("evidence at line {}", e.line)));
    Location { id, physical_location: physical(&file, region), message }
}

fn physical(path: &str, region: Option<Region>) -> PhysicalLocation {
    PhysicalLocation { artifact_location: ArtifactLocation { uri: uri_reference(path) }, region }
}

fn plain(text: String) -> Message {
    Message { text, markdown: None }
}

/// A path as a relative URI reference (RFC 3986): bytes outside the unreserved and sub-delimiter
/// sets (and `/`, `:`, `@`) are percent-encoded, backslashes become `/`, and a first segment with a
/// colon gets `./` in front so that it is not read as a scheme.
fn uri_reference(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'\\' => uri.push('/'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => uri.push(byte as char),
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b':' | b'@' | b'/' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    let first_segment = uri.split('/').next().unwrap_or_default();
    if first_segment.contains(':') { format!("./{uri}") } else { uri }
}

/// `dispatch.send-msg-failed` → `DispatchSendMsgFailed`: the rule's name as SARIF viewers show it.
fn pascal_case(id: &str) -> String {
    id.split(['.', '-', '_'])
        .flat_map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase()).into_iter().chain(chars)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        let cases = [
            (
                "bundle/10.12.3.4/home/admin/logs/x/common-error.log",
                "bundle/10.12.3.4/home/admin/logs/x/common-error.log",
            ),
            ("bundle.tar.gz!/b/app-host-7/staragent_core.log", "bundle.tar.gz!/b/app-host-7/staragent_core.log"),
            ("/var/log/a b.log", "/var/log/a%20b.log"),
            ("C:\\logs\\x.log", "./C:/logs/x.log"),
            ("日志/x#1?.log", "%E6%97%A5%E5%BF%97/x%231%3F.log"),
            ("a%b[1].log", "a%25b%5B1%5D.log"),
        ];
        for (path, uri) in cases {
            assert_eq!(uri_reference(path), uri, "{path}");
        }
    }

    #[test]
    fn names_and_levels() {
        assert_eq!(pascal_case("dispatch.send-msg-failed"), "DispatchSendMsgFailed");
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Info), "note");
    }
}
