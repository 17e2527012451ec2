//! `rules lint`: every problem of a user's rule pack at once, each with its file and line:
//! TOML errors, unknown keys, missing fields, bad regexes, duplicate ids, examples that contradict
//! their rule (errors), and what makes a pack weak or slow (warnings: too few examples, ids outside
//! the catalogue, signatures no literal can pre-filter, literals too short or too common in
//! ordinary logs to filter).

use std::path::Path;

use super::examples::test_examples;
use super::matcher::CompiledRules;
use super::pack::{Rule, RuleKind, RulePack, fill_placeholders};
use super::{CATALOGUE, Lang, RuleError};

/// Literals shorter than this match too much text to pre-filter events well.
const MIN_USEFUL_LITERAL: usize = 4;

/// Ordinary log lines of the platform's services (start-up, requests, RPC, stack traces, the
/// agent's routine lines), none of them a fault: a fault's literal should be rare in them.
const ORDINARY_LINES: &str = include_str!("ordinary.log");

/// A fault literal found in more than this share of ordinary lines makes most events candidates:
/// every one of them is then checked against the rule, and the literal pass slows down.
const MAX_ORDINARY_SHARE: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LintLevel {
    Warning,
    Error,
}

/// One problem of a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintProblem {
    pub level: LintLevel,
    pub file: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for LintProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            LintLevel::Error => "error",
            LintLevel::Warning => "warning",
        };
        match self.line {
            Some(line) => write!(f, "{}:{line}: {level}: {}", self.file, self.message),
            None => write!(f, "{}: {level}: {}", self.file, self.message),
        }
    }
}

/// Lints every `*.toml` of `dir`. An unreadable directory is one error.
pub fn lint_dir(dir: &Path) -> Vec<LintProblem> {
    let mut paths: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            return vec![problem(
                LintLevel::Error,
                &dir.display().to_string(),
                None,
                format!("cannot read the pack: {e}"),
            )];
        }
    };
    paths.sort();
    if paths.is_empty() {
        return vec![problem(LintLevel::Error, &dir.display().to_string(), None, "no *.toml rule files".into())];
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((path.display().to_string(), text)),
            Err(e) => {
                problems.push(problem(LintLevel::Error, &path.display().to_string(), None, format!("cannot read: {e}")))
            }
        }
    }
    problems.extend(lint_files(&files));
    problems
}

/// Lints `(label, text)` files as one pack.
pub fn lint_files(files: &[(String, String)]) -> Vec<LintProblem> {
    let mut problems = Vec::new();
    let mut pack = RulePack::default();
    for (label, text) in files {
        let (file_pack, errors) = RulePack::load_leniently(label, text);
        problems.extend(errors.into_iter().map(|e| from_error(e, text)));
        if let Err(e) = pack.extend(file_pack) {
            problems.push(from_error(e, text));
        }
    }
    let text_of = |file: &str| files.iter().find(|(label, _)| label == file).map_or("", |(_, text)| text.as_str());
    for rule in pack.rules() {
        let text = text_of(&rule.origin);
        let line = rule_line(text, rule.id.as_str());
        let mut warn = |message: String| {
            problems.push(problem(LintLevel::Warning, &rule.origin, line, format!("rule {}: {message}", rule.id)))
        };
        if !CATALOGUE.contains(&rule.id.as_str()) {
            warn("id is not in the fault catalogue (fine for a site rule; reports will carry it as it is)".into());
        }
        let signatures = rule.kind.signatures();
        if signatures.is_empty() {
            continue;
        }
        if rule.examples_match.len() < 3 || rule.examples_no_match.len() < 2 {
            warn(format!(
                "has {} match and {} no_match examples; give at least 3 and 2",
                rule.examples_match.len(),
                rule.examples_no_match.len()
            ));
        }
        if matches!(rule.kind, RuleKind::Lines(_)) {
            for name in unexplained_placeholders(&pack, rule) {
                warn(format!(
                    "the runbook's {{{name}}} has no [[field]] entry: when the evidence holds no {name}, the reader sees {{{name}}} as it is; describe where to look it up"
                ));
            }
        }
        for literal in signatures.iter().flat_map(|s| &s.literals) {
            if literal.len() < MIN_USEFUL_LITERAL {
                warn(format!("literal {literal:?} is so short it makes most events candidates"));
            } else if let Some(share) = ordinary_share(literal).filter(|_| matches!(rule.kind, RuleKind::Lines(_))) {
                warn(format!(
                    "literal {literal:?} is in {:.0}% of ordinary log lines (stack frames, requests, start-up): it makes most events candidates and slows every scan; use a longer, rarer phrase of the fault",
                    share * 100.0
                ));
            }
        }
    }
    let Ok(rules) = CompiledRules::compile(pack) else { return problems };
    for (index, rule) in rules.pack().rules().iter().enumerate() {
        if rules.unfiltered_signatures(index) > 0 {
            let text = text_of(&rule.origin);
            let message = format!(
                "rule {}: a regex-only signature has no literal prefix to pre-filter with, so it runs on every event; add literals",
                rule.id
            );
            problems.push(problem(LintLevel::Warning, &rule.origin, rule_line(text, rule.id.as_str()), message));
        }
    }
    let (failures, _) = test_examples(&rules);
    for failure in failures {
        let text = text_of(&failure.file);
        let first_line = failure.example.lines().next().unwrap_or("");
        let line = text
            .lines()
            .position(|l| !first_line.is_empty() && l.contains(first_line))
            .map(|i| i + 1)
            .or_else(|| rule_line(text, &failure.rule));
        let what = if failure.expected_match { "a match example does not match" } else { "a no_match example matches" };
        problems.push(problem(
            LintLevel::Error,
            &failure.file,
            line,
            format!("rule {}: {what}: {:?}", failure.rule, failure.example),
        ));
    }
    problems.sort_by(|a, b| (&a.file, a.line, b.level).cmp(&(&b.file, b.line, a.level)));
    problems
}

/// The `{name}` placeholders of a line rule's runbook (both languages) that neither the pack
/// nor the built-in pack (which a pack given to `--rules-add` joins) describes with a
/// `[[field]]`, other than the component and host every finding has.
fn unexplained_placeholders(pack: &RulePack, rule: &Rule) -> Vec<String> {
    static BUILT_IN: std::sync::LazyLock<Option<RulePack>> = std::sync::LazyLock::new(|| RulePack::embedded().ok());
    let described = |name: &str| {
        matches!(name, "component" | "host")
            || pack.field_doc(name).is_some()
            || BUILT_IN.as_ref().is_some_and(|built_in| built_in.field_doc(name).is_some())
    };
    let names = std::cell::RefCell::new(std::collections::BTreeSet::new());
    for step in rule.remediation.steps(Lang::En).iter().chain(rule.remediation.steps(Lang::Zh)) {
        fill_placeholders(step, &|name| {
            if !described(name) {
                names.borrow_mut().insert(name.to_string());
            }
            None
        });
    }
    names.into_inner().into_iter().collect()
}

/// The share of [`ORDINARY_LINES`] that hold `literal` (ASCII case ignored), when it is above
/// [`MAX_ORDINARY_SHARE`]. An analysis rule's literals select routine lines on purpose
/// (heartbeats, task starts) and are not checked.
fn ordinary_share(literal: &str) -> Option<f64> {
    static LINES: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| ORDINARY_LINES.lines().map(str::to_ascii_lowercase).collect());
    let needle = literal.to_ascii_lowercase();
    let lines = &*LINES;
    let holding = lines.iter().filter(|line| line.contains(&needle)).count();
    let share = holding as f64 / lines.len().max(1) as f64;
    (share > MAX_ORDINARY_SHARE).then_some(share)
}

fn problem(level: LintLevel, file: &str, line: Option<usize>, message: String) -> LintProblem {
    LintProblem { level, file: file.to_string(), line, message }
}

fn from_error(error: RuleError, text: &str) -> LintProblem {
    let (file, line, message) = match &error {
        RuleError::Toml { file, message } => {
            (file.clone(), toml_line(message), message.lines().last().unwrap_or(message).trim().to_string())
        }
        RuleError::Invalid { file, rule, .. } | RuleError::Regex { file, rule, .. } => {
            (file.clone(), rule_line(text, rule), error.to_string())
        }
        RuleError::Duplicate { second, rule, .. } => (second.clone(), rule_line(text, rule), error.to_string()),
        _ => (String::new(), None, error.to_string()),
    };
    let message = message.strip_prefix(&format!("{file}: ")).unwrap_or(&message).to_string();
    LintProblem { level: LintLevel::Error, file, line, message }
}

/// The line a TOML error message names (`TOML parse error at line 3, column 1`).
fn toml_line(message: &str) -> Option<usize> {
    let rest = &message[message.find("line ")? + 5..];
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The line of `id = "<id>"` in a rule file.
fn rule_line(text: &str, id: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim();
            line.strip_prefix("id")
                .map(str::trim_start)
                .and_then(|l| l.strip_prefix('='))
                .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == id)
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"[[rule]]
id = "dispatch.send-msg-failed"
title = "t"
severity = "high"
section = "2.5"
[[rule.signature]]
literals = ["send msg failed"]
[rule.remediation]
en = ["x"]
[rule.examples]
match = ["2022-09-29 10:15:32,118 ERROR send msg failed", "send msg failed", "SEND MSG FAILED"]
no_match = ["ok", "2022-09-29 10:15:32,118 ERROR fine"]
"#;

    fn lint(text: &str) -> Vec<String> {
        lint_files(&[("p/a.toml".to_string(), text.to_string())]).iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_good_rule_is_clean() {
        assert_eq!(lint(GOOD), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_reported_with_file_and_line() {
        let text = format!(
            "{GOOD}\n[[rule]]\nid = \"site.bad-regex\"\ntitle = \"t\"\nseverity = \"low\"\nsection = \"1\"\n[[rule.signature]]\nregex = '(open'\n[rule.remediation]\nen = [\"x\"]\n[rule.examples]\nmatch = [\"x\"]\n"
        );
        let text = text.replace("no_match = [\"ok\",", "no_match = [\"send msg failed here\",");
        let problems = lint(&text);
        assert!(problems.iter().any(|p| p.starts_with("p/a.toml:12: error: rule dispatch.send-msg-failed: a no_match example matches")), "{problems:#?}");
        assert!(
            problems.iter().any(|p| p.starts_with("p/a.toml:15: error: rule site.bad-regex: bad regex")),
            "{problems:#?}"
        );
    }

    #[test]
    fn toml_errors_and_unknown_keys_name_the_line() {
        let problems = lint(&GOOD.replace("section = \"2.5\"", "section = \"2.5\"\nseverty = \"x\""));
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].starts_with("p/a.toml:6: error:") && problems[0].contains("severty"), "{problems:#?}");
    }

    #[test]
    fn warnings_for_weak_or_slow_rules() {
        let text = GOOD
            .replace("dispatch.send-msg-failed", "site.thing")
            .replace(
                "literals = [\"send msg failed\"]",
                "literals = [\"ok\"]\n[[rule.signature]]\nregex = '\\w+ exploded'",
            )
            .replace(
                "match = [\"2022-09-29 10:15:32,118 ERROR send msg failed\", \"send msg failed\", \"SEND MSG FAILED\"]",
                "match = [\"it exploded\"]",
            )
            .replace("no_match = [\"ok\", ", "no_match = [");
        let problems = lint(&text);
        let joined = problems.join("\n");
        assert!(joined.contains("not in the fault catalogue"), "{joined}");
        assert!(joined.contains("1 match and 1 no_match examples"), "{joined}");
        assert!(joined.contains("literal \"ok\" is so short"), "{joined}");
        assert!(joined.contains("runs on every event"), "{joined}");
        assert!(problems.iter().all(|p| p.contains("warning")), "{joined}");
    }

    #[test]
    fn a_runbook_placeholder_without_a_field_entry_is_a_warning() {
        let text = GOOD.replace("en = [\"x\"]", "en = [\"check {mystery} on {host}\"]\nzh = [\"查看 {mystery}\"]");
        let problems = lint(&text);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].starts_with("p/a.toml:2: warning:") && problems[0].contains("{mystery}"), "{problems:#?}");
        let described = format!("{text}\n[[field]]\nname = \"mystery\"\nen = \"where it is\"\nzh = \"在哪里\"\n");
        assert_eq!(lint(&described), Vec::<String>::new());
    }

    #[test]
    fn a_literal_common_in_ordinary_logs_is_a_warning() {
        // "java.util" starts many stack frames, "failed" many messages; neither names a fault.
        let text = GOOD
            .replace("literals = [\"send msg failed\"]", "literals = [\"send msg failed\", \"Java.util\", \"failed\"]");
        let problems = lint(&text);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0].starts_with("p/a.toml:2: warning: rule dispatch.send-msg-failed: literal \"Java.util\" is in ")
        );
        assert!(
            problems[1].contains("literal \"failed\" is in ") && problems[1].contains("use a longer, rarer phrase")
        );
        // An analysis selects routine lines on purpose: its literals are not checked.
        let analysis = GOOD
            .replace("dispatch.send-msg-failed", "dispatch.agent-heartbeat-stale")
            .replace(
                "section = \"2.5\"",
                "section = \"2.7.1\"\nanalysis = true\n[rule.heartbeat]\nmax_gap_seconds = 60",
            )
            .replace("literals = [\"send msg failed\"]", "literals = [\"heartbeat\"]")
            .replace("send msg failed", "report heartbeat ok")
            .replace("SEND MSG FAILED", "REPORT HEARTBEAT OK");
        let problems = lint(&analysis);
        assert!(!problems.iter().any(|p| p.contains("ordinary log lines") || p.contains("error")), "{problems:#?}");
        assert!(
            lint(&analysis.replace("literals = [\"heartbeat\"]", "literals = [\"heartbeat\", \"x\"]"))
                .iter()
                .any(|p| p.contains("\"x\" is so short"))
        );
    }
}
