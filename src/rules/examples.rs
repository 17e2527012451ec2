//! Rule examples as tests: every rule carries lines that must match it and lines that must not;
//! [`test_examples`] runs them all through the real matcher (event splitting, literals, regexes,
//! conditions) and reports each failure with the rule's file and the example.

use super::matcher::{CompiledRules, LiteralHit, Scope, Scratch};
use crate::event::Records;

/// An example that did not behave as its rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule: String,
    pub file: String,
    pub example: String,
    /// True for a `match` example that did not match, false for a `no_match` that did.
    pub expected_match: bool,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.expected_match { "should match but does not" } else { "should not match but does" };
        write!(f, "{}: rule {}: example {what}: {:?}", self.file, self.rule, self.example)
    }
}

/// Runs every example of every line rule; returns the failures (empty when all hold) and the
/// number of examples run.
pub fn test_examples(rules: &CompiledRules) -> (Vec<ExampleFailure>, usize) {
    let mut failures = Vec::new();
    let mut run = 0;
    let mut scratch = Scratch::default();
    let mut hits = Vec::new();
    for (index, rule) in rules.pack().rules().iter().enumerate() {
        let scope = Scope::only(rules, index);
        let cases =
            rule.examples_match.iter().map(|e| (e, true)).chain(rule.examples_no_match.iter().map(|e| (e, false)));
        for (example, expected_match) in cases {
            run += 1;
            if example_matches(rules, &scope, &mut scratch, &mut hits, example.as_bytes()) != expected_match {
                failures.push(ExampleFailure {
                    rule: rule.id.to_string(),
                    file: rule.origin.clone(),
                    example: example.clone(),
                    expected_match,
                });
            }
        }
    }
    (failures, run)
}

fn example_matches(
    rules: &CompiledRules,
    scope: &Scope,
    scratch: &mut Scratch,
    hits: &mut Vec<LiteralHit>,
    text: &[u8],
) -> bool {
    rules.literal_hits(text, hits);
    let mut matched = false;
    for record in Records::new(text) {
        let end = record.offset + record.bytes.len();
        let inside: Vec<LiteralHit> =
            hits.iter().copied().filter(|h| h.start >= record.offset && h.start < end).collect();
        rules.evaluate(&record, inside, scope, scratch, |_| matched = true);
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RulePack;

    #[test]
    fn default_pack_examples_all_hold() {
        let rules = CompiledRules::compile(RulePack::embedded().unwrap()).unwrap();
        let (failures, run) = test_examples(&rules);
        assert!(failures.is_empty(), "{}", failures.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n"));
        assert!(run >= 5 * 5, "only {run} examples");
    }

    #[test]
    fn a_wrong_example_is_reported_with_its_file() {
        let text = r#"
[[rule]]
id = "demo.x"
title = "x"
severity = "low"
section = "1"
[[rule.signature]]
literals = ["boom"]
[rule.remediation]
en = ["x"]
[rule.examples]
match = ["2022-09-29 10:15:32,118 ERROR no such word"]
no_match = ["2022-09-29 10:15:32,118 ERROR boom"]
"#;
        let rules =
            CompiledRules::compile(RulePack::from_files(&[("mine.toml".into(), text.into())]).unwrap()).unwrap();
        let (failures, run) = test_examples(&rules);
        assert_eq!(run, 2);
        assert_eq!(failures.len(), 2);
        assert!(failures[0].expected_match && !failures[1].expected_match);
        assert!(failures[0].to_string().starts_with("mine.toml: rule demo.x"));
    }
}
