//! The rewriting, case by case, then checked against the pack's own regexes: on the pack's
//! examples and on generated texts, the rewritten regex matches exactly when the original does,
//! whether it is searched for (as Splunk does) or matched against the whole text (as LogQL label
//! filters and Lucene do).

use std::sync::OnceLock;

use proptest::prelude::*;
use regex::bytes::{Regex, RegexBuilder};

use super::*;
use crate::rules::RulePack;

struct Case {
    pattern: &'static str,
    sigma: &'static str,
    modifiers: &'static str,
}

macro_rules! case {
    ($pattern:expr, $sigma:expr, $modifiers:expr) => {
        Case { pattern: $pattern, sigma: $sigma, modifiers: $modifiers }
    };
}

const CASES: &[Case] = &[
    case!(r"send msg failed", ".*(send msg failed).*", "|re|s"),
    case!(r"(?i)a\.b\*c", r".*(a\.b\*c).*", "|re|i|s"),
    case!(r"\d+ms", ".*([0-9]+ms).*", "|re|s"),
    case!(r"(?i)time\s*out", r".*(time[\t-\r ]*out).*", "|re|i|s"),
    case!(r"x\w{2,}", ".*(x[0-9A-Z_a-z]{2,}).*", "|re|s"),
    case!(r"a[^\n]*b", r".*(a[^\n]*b).*", "|re|s"),
    case!(r"(?s)a.b", ".*(a.b).*", "|re|s"),
    case!(r"(?m)^ERROR$", ".*(^ERROR$).*", "|re|m|s"),
    case!(r"(?:ab|cd)+?", ".*((ab|cd)+).*", "|re|s"),
    case!(r"(?:a+){2}", ".*((a+){2}).*", "|re|s"),
    case!(r"(?P<task>\d{5,})", ".*([0-9]{5,}).*", "|re|s"),
    case!(r"健康检查|发布", ".*(健康检查|发布).*", "|re|s"),
    case!(r"[\]\-^]", r".*([\-\]\^]).*", "|re|s"),
    // Word boundaries at either end consume the character beyond, or the edge of the text.
    case!(r"(?i)\bfail", ".*((^|[^0-9A-Z_a-z])fail).*", "|re|i|s"),
    case!(r"\balb\b", ".*((^|[^0-9A-Z_a-z])alb([^0-9A-Z_a-z]|$)).*", "|re|s"),
    case!(r"x\b", ".*(x([^0-9A-Z_a-z]|$)).*", "|re|s"),
    case!(r"\b:", ".*([0-9A-Z_a-z]:).*", "|re|s"),
    // Between a word character and a non-word one a boundary always holds; between two word
    // characters never.
    case!(r"a\b-", ".*(a-).*", "|re|s"),
    case!(r"a\bb|c", ".*(c).*", "|re|s"),
    // Between a word and a part that may start either way, that part is split.
    case!(
        r"(?i)\bretr(?:y|ied)\b[^\n]{0,80}\bsucce",
        r".*((^|[^0-9A-Z_a-z])retr(y|ied)[^\n0-9A-Z_a-z][^\n]{0,78}[^\n0-9A-Z_a-z]succe|(^|[^0-9A-Z_a-z])retr(y|ied)[^\n0-9A-Z_a-z]succe).*",
        "|re|i|s"
    ),
    case!(r"\b\w", ".*((^|[^0-9A-Z_a-z])[0-9A-Z_a-z]).*", "|re|s"),
];

#[test]
fn rewrites() {
    for case in CASES {
        let got = translate(case.pattern).unwrap_or_else(|e| panic!("{}: {e}", case.pattern));
        assert_eq!((got.pattern.as_str(), got.modifiers().as_str()), (case.sigma, case.modifiers), "{}", case.pattern);
    }
}

#[test]
fn refuses_what_sigma_cannot_say() {
    for (pattern, reason) in [
        (r"a\Bb", "\\B"),
        (r"(?x)a b", "(?x)"),
        (r"(?u)\w", "(?u)"),
        (r"a(?i:b)", "inside the pattern"),
        (r"(?-i)a", "negated"),
        (r"(?:\bx)+", "repetition"),
        (r"(?:ab|-)+\b", "repeated group"),
        (r"(?m)\Ax", "\\A"),
    ] {
        let err = translate(pattern).expect_err(pattern);
        assert!(err.to_string().contains(reason), "{pattern}: {err}");
    }
}

#[test]
fn literals_that_read_as_wildcards_become_a_regex() {
    let regex = any_literal(&["a*b", "c?d", r"e\f", "tab\there"]);
    assert_eq!(regex.pattern, r".*(a\*b|c\?d|e\\f|tab\there).*");
    assert_eq!(regex.modifiers(), "|re|i|s");
}

/// A regex of the pack and its rewriting, compiled as the pack compiles its regexes (bytes,
/// ASCII classes): searched, and anchored to the whole text.
struct Pair {
    pattern: String,
    original: Regex,
    searched: Regex,
    whole: Regex,
    /// Words and characters texts for it are built from.
    tokens: Vec<String>,
}

fn compile(pattern: &str, sigma: &SigmaRegex, anchored: bool) -> Regex {
    let text = if anchored { format!(r"\A(?:{})\z", sigma.pattern) } else { sigma.pattern.clone() };
    RegexBuilder::new(&text)
        .unicode(false)
        .case_insensitive(sigma.ignore_case)
        .multi_line(sigma.multi_line)
        .dot_matches_new_line(sigma.dot_all)
        .build()
        .unwrap_or_else(|e| panic!("{pattern} → {}: {e}", sigma.pattern))
}

/// Every regex of the default pack (signatures and `extract`, line rules and analyses) that has
/// a rewriting, and the table's.
fn pairs() -> &'static [Pair] {
    static PAIRS: OnceLock<Vec<Pair>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        let pack = RulePack::embedded().unwrap();
        let mut patterns: Vec<String> = CASES.iter().map(|case| case.pattern.to_string()).collect();
        for rule in pack.rules() {
            for signature in rule.kind.signatures() {
                patterns.extend(
                    signature.regex.iter().chain(&signature.all).chain(&signature.none).map(|r| r.as_str().into()),
                );
            }
            patterns.extend(rule.extract.iter().map(|r| r.as_str().to_string()));
        }
        patterns.sort();
        patterns.dedup();
        let separators = [" ", "\n", "_", "-", ".", ":", "=", "/", ",", ")", "]", "\t", "9", "12200", "中", "x"];
        patterns
            .into_iter()
            .filter_map(|pattern| {
                let sigma = translate(&pattern).ok()?;
                let original = RegexBuilder::new(&pattern).unicode(false).build().unwrap();
                // The words of the pattern, escapes (`\b`, `\d`) and flags (`(?i)`) left out.
                let words = Regex::new(r"\\[A-Za-z]|\(\?[A-Za-z]*").unwrap().replace_all(pattern.as_bytes(), &b" "[..]);
                let mut tokens: Vec<String> = String::from_utf8_lossy(&words)
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()))
                    .filter(|word| !word.is_empty())
                    .map(str::to_string)
                    .collect();
                tokens.extend(separators.iter().map(|s| s.to_string()));
                Some(Pair {
                    searched: compile(&pattern, &sigma, false),
                    whole: compile(&pattern, &sigma, true),
                    pattern,
                    original,
                    tokens,
                })
            })
            .collect()
    })
}

fn assert_agree(pair: &Pair, text: &[u8]) {
    let expected = pair.original.is_match(text);
    let shown = String::from_utf8_lossy(text);
    assert_eq!(pair.searched.is_match(text), expected, "{} searched in {shown:?}", pair.pattern);
    assert_eq!(pair.whole.is_match(text), expected, "{} matched whole against {shown:?}", pair.pattern);
}

#[test]
fn every_pack_regex_is_rewritten() {
    let pack = RulePack::embedded().unwrap();
    for rule in pack.rules() {
        if let crate::rules::RuleKind::Lines(signatures) = &rule.kind {
            for regex in signatures.iter().flat_map(|s| s.regex.iter().chain(&s.all).chain(&s.none)) {
                assert!(translate(regex.as_str()).is_ok(), "{}: {}", rule.id, regex.as_str());
            }
        }
    }
}

#[test]
fn rewritten_regexes_agree_on_the_pack_examples() {
    let pack = RulePack::embedded().unwrap();
    let examples: Vec<&String> =
        pack.rules().iter().flat_map(|rule| rule.examples_match.iter().chain(&rule.examples_no_match)).collect();
    for pair in pairs() {
        for example in &examples {
            assert_agree(pair, example.as_bytes());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn rewritten_regexes_agree_on_generated_texts(
        index in 0..pairs().len(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 0..14),
    ) {
        let pair = &pairs()[index];
        let text: String = picks
            .iter()
            .map(|(pick, upper)| {
                let token = pick.get(&pair.tokens);
                if *upper { token.to_ascii_uppercase() } else { token.clone() }
            })
            .collect();
        assert_agree(pair, text.as_bytes());
    }
}
