//! Loading and validating a rule pack: the embedded default, a user's directory, or both. Each
//! file is parsed strictly (`format.rs`), each rule checked (id, severity, levels, regexes,
//! examples) and every error names its file, rule and pattern.

use std::{fs, path::Path};

use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use super::digest::pack_id;
use super::format::{FieldSpec, RuleFile, RuleSpec, SignatureSpec, StepSpec, TextSpec};
use super::{FaultId, Lang, RuleError, Severity};
use crate::event::Level;

/// Compiled regexes may not grow past this, so a pathological pattern in a user's pack fails to
/// load instead of eating memory.
const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// One rule: a fault of the catalogue and how to recognise it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: FaultId,
    pub title: String,
    pub severity: Severity,
    pub section: String,
    /// What the fault is, in the manual's terms.
    pub description: Text,
    /// Empty: every component.
    pub components: Vec<String>,
    /// Empty: every level.
    pub levels: Vec<Level>,
    pub kind: RuleKind,
    pub extract: Vec<Regex>,
    /// Thresholds of the error-rate analysis, for `alert.error-rate`.
    pub error_rate: Option<ErrorRate>,
    /// The heartbeat analysis: the rule's signatures match heartbeats; longer gaps are faults.
    pub heartbeat: Option<Heartbeat>,
    /// The task timing analysis: the rule's signatures match task starts and ends.
    pub tasks: Option<Tasks>,
    pub remediation: Remediation,
    pub examples_match: Vec<String>,
    pub examples_no_match: Vec<String>,
    /// The file the rule came from, e.g. `rules/dispatch.toml` or the user's path.
    pub origin: String,
}

/// What a rule looks at.
#[derive(Debug, Clone)]
pub enum RuleKind {
    /// Signatures matched against every event of every log file.
    Lines(Vec<Signature>),
    /// A built-in check on the bytes of whole files.
    File(Check),
    /// Found by an analysis across events; the entry gives it a title and a runbook, and its
    /// signatures (if any) match the events the analysis reads, such as heartbeats.
    Analysis(Vec<Signature>),
}

impl RuleKind {
    /// The signatures matched against events: a line rule's, or the events an analysis reads.
    pub fn signatures(&self) -> &[Signature] {
        match self {
            RuleKind::Lines(signatures) | RuleKind::Analysis(signatures) => signatures,
            RuleKind::File(_) => &[],
        }
    }
}

/// One way a rule can hold for an event.
#[derive(Debug, Clone)]
pub struct Signature {
    pub literals: Vec<String>,
    pub regex: Option<Regex>,
    pub all: Vec<Regex>,
    pub none: Vec<Regex>,
    /// For an analysis rule: what a matching event is to the analysis.
    pub role: Option<Role>,
}

/// What an event is to an analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// A task was started (sent by the executor, received by the agent).
    TaskStart,
    /// A task ended (with its outcome).
    TaskEnd,
}

/// The task timing analysis (manual 2.5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tasks {
    pub timeout_seconds: u32,
    pub skew_ratio: f64,
    pub max_offset_seconds: u32,
}

/// The built-in file checks a rule can name with `check = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// `application.properties` with CRLF line endings.
    PropertiesCrlf,
    /// `application.properties` with a BOM or bytes that are not UTF-8.
    PropertiesEncoding,
}

impl Check {
    fn from_name(name: &str) -> Option<Check> {
        match name {
            "properties-crlf" => Some(Check::PropertiesCrlf),
            "properties-encoding" => Some(Check::PropertiesEncoding),
            _ => None,
        }
    }
}

/// The heartbeat analysis (manual 2.7.1): gaps longer than this between two heartbeats of one
/// agent are faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    pub max_gap_seconds: u32,
}

/// Error-rate alert thresholds (manual 2.3.1, 3.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRate {
    pub window_minutes: u32,
    pub default_threshold: u64,
    pub thresholds: std::collections::BTreeMap<String, u64>,
}

impl ErrorRate {
    /// The threshold of `component`: more errors than this in a window alert.
    pub fn threshold(&self, component: &str) -> u64 {
        self.thresholds.get(component).copied().unwrap_or(self.default_threshold)
    }
}

/// A short text in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    /// The text in `lang`, or in the other language when a pack gives only one.
    pub fn get(&self, lang: Lang) -> &str {
        let (wanted, other) = match lang {
            Lang::En => (&self.en, &self.zh),
            Lang::Zh => (&self.zh, &self.en),
        };
        if wanted.is_empty() { other } else { wanted }
    }

    fn from_spec(spec: TextSpec) -> Text {
        Text { en: spec.en, zh: spec.zh }
    }
}

/// A release step and the script that runs it (manual 2.6.5), e.g. `download` runs
/// `/home/admin/bin/batch_download.py`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseStep {
    pub id: String,
    pub script: String,
    pub name: Text,
    /// What the runbook says to check when this step fails or times out.
    pub advice: Text,
}

/// What a finding field means, and where to look it up when the evidence does not hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDoc {
    pub name: String,
    pub text: Text,
}

/// Runbook steps in both languages; `{field}` placeholders are filled from the evidence.
#[derive(Debug, Clone, Default)]
pub struct Remediation {
    pub en: Vec<String>,
    pub zh: Vec<String>,
}

/// Replaces each `{name}` by what `resolve` gives for it; names it has nothing for stay visible.
pub fn fill_placeholders(template: &str, resolve: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close =
            after.find('}').filter(|&i| i > 0 && after[..i].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        match close.and_then(|i| resolve(&after[..i]).map(|v| (i, v))) {
            Some((i, value)) => {
                out.push_str(&value);
                rest = &after[i + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Remediation {
    /// The steps in `lang`, falling back to the other language when a pack gives only one.
    pub fn steps(&self, lang: Lang) -> &[String] {
        let (wanted, other) = match lang {
            Lang::En => (&self.en, &self.zh),
            Lang::Zh => (&self.zh, &self.en),
        };
        if wanted.is_empty() { other } else { wanted }
    }
}

/// A validated set of rules, in load order, with the release steps and field descriptions.
#[derive(Debug, Clone, Default)]
pub struct RulePack {
    rules: Vec<Rule>,
    steps: Vec<ReleaseStep>,
    fields: Vec<FieldDoc>,
    versions: Vec<PackVersion>,
}

/// Which files a pack was loaded from, and their version: what the report's `tool.rule_pack`
/// says, so that a report can be traced to the rules that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackVersion {
    /// A digest of the files' names and bytes ([`pack_id`]): 16 hex digits.
    pub id: String,
    /// How many `*.toml` files.
    pub files: usize,
    /// `embedded` (built into the binary), the directory the pack was read from, or `memory`
    /// (a pack a program made from strings).
    pub source: String,
}

impl PackVersion {
    /// The version of `(file name, bytes)` pairs, in name order.
    fn of<'a>(files: impl ExactSizeIterator<Item = (&'a str, &'a [u8])>, source: String) -> PackVersion {
        let count = files.len();
        PackVersion { id: pack_id(files), files: count, source }
    }
}

impl RulePack {
    /// The pack embedded in the binary from `rules/*.toml`.
    pub fn embedded() -> Result<RulePack, RuleError> {
        let files: Vec<(String, String)> = super::embedded::EMBEDDED_RULES
            .iter()
            .map(|(name, text)| (format!("rules/{name}"), text.to_string()))
            .collect();
        let mut pack = RulePack::parse_files(&files)?;
        pack.versions = vec![PackVersion {
            id: env!("CAS_TRIAGE_PACK_ID").to_string(),
            files: files.len(),
            source: "embedded".to_string(),
        }];
        Ok(pack)
    }

    /// Every `*.toml` file of `dir` (not recursive), in name order.
    pub fn from_dir(dir: &Path) -> Result<RulePack, RuleError> {
        let read_err = |source| RuleError::Read { path: dir.to_path_buf(), source };
        let mut paths: Vec<_> = fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(RuleError::Empty { path: dir.to_path_buf() });
        }
        let mut files = Vec::new();
        let mut names = Vec::new();
        for path in paths {
            let text = fs::read_to_string(&path).map_err(|source| RuleError::Read { path: path.clone(), source })?;
            names.push(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
            files.push((path.display().to_string(), text));
        }
        let mut pack = RulePack::parse_files(&files)?;
        let contents = names.iter().zip(&files).map(|(name, (_, text))| (name.as_str(), text.as_bytes()));
        pack.versions = vec![PackVersion::of(contents, dir.display().to_string())];
        Ok(pack)
    }

    /// Parses `(label, text)` pairs; the label names the file in errors. Its version's source
    /// is `memory`, its id a digest of the labels' file names and the texts.
    pub fn from_files(files: &[(String, String)]) -> Result<RulePack, RuleError> {
        let mut pack = RulePack::parse_files(files)?;
        let contents = files.iter().map(|(label, text)| {
            (Path::new(label).file_name().and_then(|n| n.to_str()).unwrap_or(label), text.as_bytes())
        });
        pack.versions = vec![PackVersion::of(contents, "memory".to_string())];
        Ok(pack)
    }

    fn parse_files(files: &[(String, String)]) -> Result<RulePack, RuleError> {
        let mut pack = RulePack::default();
        for (label, text) in files {
            let parsed: RuleFile =
                toml::from_str(text).map_err(|e| RuleError::Toml { file: label.clone(), message: e.to_string() })?;
            for spec in parsed.rule {
                pack.push(build_rule(label, spec)?)?;
            }
            for spec in parsed.step {
                pack.push_step(label, spec)?;
            }
            for spec in parsed.field {
                pack.push_field(label, spec)?;
            }
        }
        Ok(pack)
    }

    /// Loads what can be loaded of one file, collecting every problem instead of stopping at the
    /// first: for `rules lint`. Returns the pack of the good rules and the problems.
    pub(crate) fn load_leniently(label: &str, text: &str) -> (RulePack, Vec<RuleError>) {
        let mut pack = RulePack::default();
        let mut problems = Vec::new();
        let parsed: RuleFile = match toml::from_str(text) {
            Ok(parsed) => parsed,
            Err(e) => {
                problems.push(RuleError::Toml { file: label.to_string(), message: e.to_string() });
                return (pack, problems);
            }
        };
        for spec in parsed.rule {
            if let Err(problem) = build_rule(label, spec).and_then(|rule| pack.push(rule)) {
                problems.push(problem);
            }
        }
        for spec in parsed.step {
            if let Err(problem) = pack.push_step(label, spec) {
                problems.push(problem);
            }
        }
        for spec in parsed.field {
            if let Err(problem) = pack.push_field(label, spec) {
                problems.push(problem);
            }
        }
        (pack, problems)
    }

    /// Adds the rules of `other`; an id defined in both is an error. Steps and field
    /// descriptions of `other` replace those of the same id or name.
    pub fn extend(&mut self, other: RulePack) -> Result<(), RuleError> {
        self.versions.extend(other.versions);
        for step in other.steps {
            self.steps.retain(|s| s.id != step.id);
            self.steps.push(step);
        }
        for field in other.fields {
            self.fields.retain(|f| f.name != field.name);
            self.fields.push(field);
        }
        other.rules.into_iter().try_for_each(|rule| self.push(rule))
    }

    fn push_step(&mut self, file: &str, spec: StepSpec) -> Result<(), RuleError> {
        let invalid =
            |message: String| RuleError::Invalid { file: file.to_string(), rule: format!("step {}", spec.id), message };
        if spec.id.is_empty() || spec.script.is_empty() || spec.name.en.is_empty() {
            return Err(invalid("a step needs an id, a script and a name.en".into()));
        }
        if self.steps.iter().any(|s| s.id == spec.id || s.script == spec.script) {
            return Err(invalid("a step with this id or script is defined twice".into()));
        }
        self.steps.push(ReleaseStep {
            id: spec.id,
            script: spec.script,
            name: Text::from_spec(spec.name),
            advice: Text::from_spec(spec.advice),
        });
        Ok(())
    }

    fn push_field(&mut self, file: &str, spec: FieldSpec) -> Result<(), RuleError> {
        if self.fields.iter().any(|f| f.name == spec.name) {
            let message = "this field is described twice".to_string();
            return Err(RuleError::Invalid { file: file.to_string(), rule: format!("field {}", spec.name), message });
        }
        self.fields.push(FieldDoc { name: spec.name, text: Text { en: spec.en, zh: spec.zh } });
        Ok(())
    }

    /// Sets the task timeout and the ratio under which a timeout is suspect (`--task-timeout`,
    /// `--skew-ratio`), in the rule that holds the task analysis.
    pub fn set_task_timing(&mut self, timeout_seconds: Option<u32>, skew_ratio: Option<f64>) {
        for tasks in self.rules.iter_mut().filter_map(|rule| rule.tasks.as_mut()) {
            tasks.timeout_seconds = timeout_seconds.unwrap_or(tasks.timeout_seconds);
            tasks.skew_ratio = skew_ratio.unwrap_or(tasks.skew_ratio);
        }
    }

    /// The release steps, in load order.
    pub fn steps(&self) -> &[ReleaseStep] {
        &self.steps
    }

    pub fn step(&self, id: &str) -> Option<&ReleaseStep> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The step a script belongs to, by its full path or its file name
    /// (`deploy_v2.py` and `/home/admin/bin/deploy_v2.py` both name the deploy step).
    pub fn step_for_script(&self, script: &str) -> Option<&ReleaseStep> {
        let name = script.rsplit('/').next().unwrap_or(script);
        self.steps.iter().find(|s| s.script == script || s.script.rsplit('/').next() == Some(name))
    }

    /// The description of a finding field.
    pub fn field_doc(&self, name: &str) -> Option<&FieldDoc> {
        self.fields.iter().find(|f| f.name == name)
    }

    fn push(&mut self, rule: Rule) -> Result<(), RuleError> {
        if let Some(existing) = self.rules.iter().find(|r| r.id == rule.id) {
            return Err(RuleError::Duplicate {
                rule: rule.id.to_string(),
                first: existing.origin.clone(),
                second: rule.origin,
            });
        }
        self.rules.push(rule);
        Ok(())
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The files the pack was loaded from: the base pack first, then each pack added to it.
    pub fn versions(&self) -> &[PackVersion] {
        &self.versions
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.as_str() == id)
    }
}

fn build_rule(file: &str, spec: RuleSpec) -> Result<Rule, RuleError> {
    let rule_name = spec.id.clone();
    let invalid = |message: String| RuleError::Invalid { file: file.to_string(), rule: rule_name.clone(), message };
    let id = FaultId::parse(&spec.id)
        .ok_or_else(|| invalid("id must be lowercase words joined by dots, like dispatch.send-msg-failed".into()))?;
    let severity: Severity = spec.severity.parse().map_err(invalid)?;
    if spec.title.trim().is_empty() {
        return Err(invalid("title is empty".into()));
    }
    let levels = spec
        .levels
        .iter()
        .map(|name| Level::from_name(name.as_bytes()).ok_or_else(|| invalid(format!("unknown level {name:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let compile = |pattern: &str| compile_regex(file, &spec.id, pattern);

    if spec.check.is_some() && (spec.analysis || !spec.signature.is_empty()) {
        return Err(invalid("a check rule (check = \"...\") has no signatures and is not an analysis".into()));
    }
    if spec.check.is_none() && !spec.analysis && spec.signature.is_empty() {
        return Err(invalid("a rule needs [[rule.signature]] tables, check = \"...\", or analysis = true".into()));
    }
    let kind = if let Some(name) = &spec.check {
        RuleKind::File(
            Check::from_name(name).ok_or_else(|| {
                invalid(format!("unknown check {name:?} (known: properties-crlf, properties-encoding)"))
            })?,
        )
    } else {
        let signatures =
            spec.signature.iter().map(|sig| build_signature(sig, &compile, &invalid)).collect::<Result<Vec<_>, _>>()?;
        if spec.analysis { RuleKind::Analysis(signatures) } else { RuleKind::Lines(signatures) }
    };
    if !kind.signatures().is_empty() && spec.examples.matching.is_empty() {
        return Err(invalid("a rule with signatures needs at least one example under [rule.examples] match".into()));
    }
    let tasks = match spec.tasks {
        Some(_) if !spec.analysis => return Err(invalid("[rule.tasks] belongs to an analysis rule".into())),
        Some(t) if t.timeout_seconds == 0 || !(0.0..=1.0).contains(&t.skew_ratio) => {
            return Err(invalid(
                "tasks.timeout_seconds must be at least 1 and tasks.skew_ratio between 0 and 1".into(),
            ));
        }
        Some(t) => Some(Tasks {
            timeout_seconds: t.timeout_seconds,
            skew_ratio: t.skew_ratio,
            max_offset_seconds: t.max_offset_seconds,
        }),
        None => None,
    };
    let heartbeat = match spec.heartbeat {
        Some(_) if !spec.analysis || spec.signature.is_empty() => {
            return Err(invalid(
                "[rule.heartbeat] belongs to an analysis rule whose signatures match heartbeats".into(),
            ));
        }
        Some(h) if h.max_gap_seconds == 0 => {
            return Err(invalid("heartbeat.max_gap_seconds must be at least 1".into()));
        }
        Some(h) => Some(Heartbeat { max_gap_seconds: h.max_gap_seconds }),
        None => None,
    };
    let extract = spec.extract.iter().map(|p| compile(p)).collect::<Result<Vec<_>, _>>()?;
    let error_rate = match spec.error_rate {
        Some(_) if !spec.analysis => {
            return Err(invalid("[rule.error_rate] belongs to an analysis rule (analysis = true)".into()));
        }
        Some(e) if e.window_minutes == 0 || e.window_minutes > 1440 => {
            return Err(invalid(format!("error_rate.window_minutes {} is not between 1 and 1440", e.window_minutes)));
        }
        Some(e) => Some(ErrorRate {
            window_minutes: e.window_minutes,
            default_threshold: e.threshold,
            thresholds: e.components,
        }),
        None => None,
    };
    for regex in &extract {
        if regex.capture_names().flatten().next().is_none() {
            return Err(invalid(format!("extract regex {:?} has no named group (?P<name>...)", regex.as_str())));
        }
    }
    if spec.remediation.en.is_empty() && spec.remediation.zh.is_empty() {
        return Err(invalid("remediation needs steps in en or zh".into()));
    }
    Ok(Rule {
        id,
        title: spec.title,
        severity,
        section: spec.section,
        description: Text::from_spec(spec.description),
        components: spec.components,
        levels,
        kind,
        extract,
        error_rate,
        heartbeat,
        tasks,
        remediation: Remediation { en: spec.remediation.en, zh: spec.remediation.zh },
        examples_match: spec.examples.matching,
        examples_no_match: spec.examples.no_match,
        origin: file.to_string(),
    })
}

fn build_signature(
    spec: &SignatureSpec,
    compile: &dyn Fn(&str) -> Result<Regex, RuleError>,
    invalid: &dyn Fn(String) -> RuleError,
) -> Result<Signature, RuleError> {
    if spec.literals.is_empty() && spec.regex.is_none() {
        return Err(invalid("a signature needs literals or a regex".into()));
    }
    if let Some(bad) = spec.literals.iter().find(|l| l.is_empty() || l.contains('\n')) {
        return Err(invalid(format!("literal {bad:?} is empty or spans lines")));
    }
    let role = match spec.role.as_deref() {
        None => None,
        Some("task-start") => Some(Role::TaskStart),
        Some("task-end") => Some(Role::TaskEnd),
        Some(other) => return Err(invalid(format!("unknown signature role {other:?} (known: task-start, task-end)"))),
    };
    Ok(Signature {
        role,
        literals: spec.literals.clone(),
        regex: spec.regex.as_deref().map(compile).transpose()?,
        all: spec.all.iter().map(|p| compile(p)).collect::<Result<_, _>>()?,
        none: spec.none.iter().map(|p| compile(p)).collect::<Result<_, _>>()?,
    })
}

/// Rule regexes are ASCII by default: `\w`, `\d`, `\s` and `(?i)` cover ASCII, and non-ASCII text
/// in a pattern (Chinese words) matches its UTF-8 bytes. Logs are bytes of any encoding, and
/// Unicode classes would make every pack several times slower to compile; `(?u)` turns them on
/// inside a pattern that needs them.
fn compile_regex(file: &str, rule: &str, pattern: &str) -> Result<Regex, RuleError> {
    let mut builder = RegexBuilder::new(pattern);
    builder.unicode(false).size_limit(REGEX_SIZE_LIMIT).dfa_size_limit(REGEX_SIZE_LIMIT);
    builder.build().map_err(|e| RuleError::Regex {
        file: file.to_string(),
        rule: rule.to_string(),
        pattern: pattern.to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<RulePack, RuleError> {
        RulePack::from_files(&[("user/test.toml".to_string(), text.to_string())])
    }

    const MINIMAL: &str = r#"
[[rule]]
id = "demo.thing-failed"
title = "A thing failed"
severity = "high"
section = "2.5"
[[rule.signature]]
literals = ["thing failed"]
[rule.remediation]
en = ["Fix the thing."]
[rule.examples]
match = ["2022-09-29 10:15:32,118 ERROR thing failed"]
"#;

    #[test]
    fn loads_a_minimal_rule() {
        let pack = load(MINIMAL).unwrap();
        let rule = pack.rule("demo.thing-failed").unwrap();
        assert_eq!(rule.severity, Severity::High);
        assert!(matches!(&rule.kind, RuleKind::Lines(sigs) if sigs.len() == 1));
        assert_eq!(rule.origin, "user/test.toml");
    }

    #[test]
    fn rejects_unknown_keys_with_the_file_name() {
        let err = load(&MINIMAL.replace("section = \"2.5\"", "section = \"2.5\"\nseverty = \"low\"")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("user/test.toml") && text.contains("severty"), "{text}");
    }

    #[test]
    fn rejects_bad_regex_naming_rule_and_pattern() {
        let err = load(&MINIMAL.replace("literals = [\"thing failed\"]", "regex = '(unclosed'")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("demo.thing-failed") && text.contains("(unclosed"), "{text}");
    }

    #[test]
    fn rejects_huge_regex() {
        let err = load(&MINIMAL.replace("literals = [\"thing failed\"]", "regex = '(\\w{500}){500}'")).unwrap_err();
        assert!(matches!(err, RuleError::Regex { .. }), "{err}");
    }

    #[test]
    fn rejects_bad_severity_level_and_id() {
        assert!(load(&MINIMAL.replace("\"high\"", "\"urgent\"")).unwrap_err().to_string().contains("urgent"));
        assert!(
            load(&MINIMAL.replace("section = \"2.5\"", "section = \"2.5\"\nlevels = [\"LOUD\"]"))
                .unwrap_err()
                .to_string()
                .contains("LOUD")
        );
        assert!(load(&MINIMAL.replace("demo.thing-failed", "Demo Thing")).is_err());
    }

    #[test]
    fn rejects_duplicate_ids_across_packs() {
        let mut pack = load(MINIMAL).unwrap();
        let err = pack.extend(load(MINIMAL).unwrap()).unwrap_err();
        assert!(matches!(err, RuleError::Duplicate { .. }), "{err}");
    }

    #[test]
    fn the_embedded_id_is_the_digest_of_the_embedded_files() {
        let files = crate::rules::embedded::EMBEDDED_RULES.iter().map(|(name, text)| (*name, text.as_bytes()));
        let version = PackVersion::of(files, "embedded".into());
        assert_eq!(RulePack::embedded().unwrap().versions(), [version]);
    }

    #[test]
    fn a_copy_of_the_embedded_pack_has_its_id() {
        let tmp = tempfile::tempdir().unwrap();
        for (name, text) in crate::rules::embedded::EMBEDDED_RULES {
            fs::write(tmp.path().join(name), text).unwrap();
        }
        fs::write(tmp.path().join("README.md"), "not a rule file").unwrap();
        let copy = RulePack::from_dir(tmp.path()).unwrap();
        let embedded = RulePack::embedded().unwrap();
        assert_eq!(copy.versions()[0].id, embedded.versions()[0].id);
        assert_eq!(copy.versions()[0].source, tmp.path().display().to_string());
        fs::write(tmp.path().join("zz.toml"), MINIMAL).unwrap();
        assert_ne!(RulePack::from_dir(tmp.path()).unwrap().versions()[0].id, embedded.versions()[0].id);
    }

    #[test]
    fn an_added_pack_is_a_version_of_its_own() {
        let mut pack = RulePack::embedded().unwrap();
        pack.extend(load(MINIMAL).unwrap()).unwrap();
        let sources: Vec<&str> = pack.versions().iter().map(|v| v.source.as_str()).collect();
        assert_eq!(sources, ["embedded", "memory"]);
        assert_eq!(pack.versions()[1].files, 1);
    }

    #[test]
    fn embedded_pack_covers_the_catalogue() {
        let pack = RulePack::embedded().unwrap();
        for id in crate::rules::CATALOGUE {
            assert!(pack.rule(id).is_some(), "default pack lacks {id}");
        }
        assert_eq!(pack.rules().len(), crate::rules::CATALOGUE.len());
        for step in ["stack-install", "init-env", "download", "deploy", "check"] {
            assert!(pack.step(step).is_some(), "default pack lacks step {step}");
        }
        assert_eq!(pack.step_for_script("checkapp_v2.py").map(|s| s.id.as_str()), Some("check"));
    }
}
