//! The compiled rule pack: literal searches (see [`LiteralSearch`]) over every literal of every
//! signature (plus literals extracted from regex-only signatures), over the literals of the
//! rules each component's logs use, and over those of the rules that read each level of event
//! there; a table from pattern to signatures; and the per-event evaluation that confirms
//! candidates with regexes and conditions.
//!
//! `scan` searches each batch of events with the search their level needs
//! ([`CompiledRules::literals_for`], through `EventHits`), then hands each event and the literal
//! hits inside it to [`CompiledRules::evaluate`]. Events without a hit cost nothing unless the
//! pack holds a signature no literal can pre-filter.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use regex::bytes::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use super::RuleError;
pub use super::literals::LiteralHit;
use super::literals::LiteralSearch;
use super::pack::{Rule, RulePack, Signature};
use crate::event::{Level, Record};

/// Extracted regex prefixes shorter than this would make too many events candidates.
const MIN_PREFILTER_LEN: usize = 3;

/// Index of a signature: (rule index in the pack, signature index in the rule).
type SigRef = (u32, u32);

/// A rule that holds for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMatch {
    pub rule: usize,
    pub signature: usize,
    /// Offset in the buffer of the literal that made the signature a candidate (the event's
    /// start when the signature has none); [`CompiledRules::match_offset`] finds the match.
    pub literal_offset: usize,
}

/// Which rules apply to one source (by component and file kind), indexed like the pack, and
/// the literal searches that hold their literals: one for every event, one per level.
#[derive(Debug, Clone)]
pub struct Scope {
    active: Vec<bool>,
    /// Index in [`CompiledRules`]' scoped literal searches (0: every literal).
    literals: usize,
    /// For each level (by `Level as usize`), the search for the literals of the active rules
    /// that allow the level: most events are INFO, which few rules read.
    by_level: [usize; Level::ALL.len()],
}

impl Scope {
    pub fn all(rules: &CompiledRules) -> Scope {
        Scope { active: vec![true; rules.pack.rules().len()], literals: 0, by_level: [0; Level::ALL.len()] }
    }

    /// The line rules that apply to a log of `component`. A rule limited to some components also
    /// applies to logs whose component is unknown, since nothing rules it out.
    pub fn for_component(rules: &CompiledRules, component: &str) -> Scope {
        let active = active_for(&rules.pack, component);
        let find = |wanted: &[bool]| rules.scoped.iter().position(|s| s.active == wanted).unwrap_or(0);
        let by_level = Level::ALL.map(|level| find(&active_at(&rules.pack, &active, level)));
        Scope { literals: find(&active), active, by_level }
    }

    /// Only the rule at `index`: how a rule's examples are tested.
    pub fn only(rules: &CompiledRules, index: usize) -> Scope {
        Scope {
            active: (0..rules.pack.rules().len()).map(|i| i == index).collect(),
            literals: 0,
            by_level: [0; Level::ALL.len()],
        }
    }

    pub fn is_active(&self, rule: usize) -> bool {
        self.active.get(rule).copied().unwrap_or(false)
    }
}

/// Reusable per-thread buffers for [`CompiledRules::evaluate`], so evaluation never allocates
/// once warm.
#[derive(Debug, Default)]
pub struct Scratch {
    candidates: Vec<(SigRef, usize)>,
    /// For each signature (by flat index), the evaluation that last made it a candidate: a
    /// signature becomes a candidate once per event however many of its literals occur.
    seen: Vec<u64>,
    evaluation: u64,
}

/// A rule pack ready to match: built once, shared by every thread.
#[derive(Debug)]
pub struct CompiledRules {
    pack: RulePack,
    /// The literal searches: the first over every literal, then one per set of rules that a
    /// component's logs use (fewer literals, fewer passes).
    scoped: Vec<ScopedLiterals>,
    /// For each automaton pattern, the signatures it makes candidates, with their flat index.
    targets: Vec<Vec<(SigRef, u32)>>,
    /// How many signatures the pack has in all.
    signatures: usize,
    /// Signatures that no literal can pre-filter: evaluated on every event.
    unfiltered: Vec<SigRef>,
    /// The flat index of each rule's first signature.
    first_flat: Vec<u32>,
    /// Tells this compiled pack from every other the process compiles (see [`ThreadRegexes`]).
    id: u64,
}

/// The regexes of one signature.
#[derive(Debug, Clone)]
struct SignatureRegexes {
    regex: Option<Regex>,
    all: Vec<Regex>,
    none: Vec<Regex>,
}

impl SignatureRegexes {
    fn of(sig: &Signature) -> SignatureRegexes {
        SignatureRegexes { regex: sig.regex.clone(), all: sig.all.clone(), none: sig.none.clone() }
    }

    /// Whether the signature holds on `text`. Where it matched is left to
    /// [`CompiledRules::match_offset`]: most matches need no position, and finding one costs a
    /// second, backward search.
    fn hold(&self, text: &[u8]) -> bool {
        self.regex.as_ref().is_none_or(|regex| regex.is_match(text))
            && self.all.iter().all(|r| r.is_match(text))
            && !self.none.iter().any(|r| r.is_match(text))
    }
}

/// One thread's copies of the signatures' regexes (by flat index), for the compiled pack `id`.
/// A regex keeps a search cache for the first thread that uses it; every other thread takes
/// one from a pool behind a lock, and puts it back, at each search: 2% of a scan's time on 2
/// threads. A copy has a pool of its own, whose first thread is its only one.
#[derive(Debug, Default)]
struct ThreadRegexes {
    id: u64,
    signatures: Vec<SignatureRegexes>,
}

thread_local! {
    static THREAD_REGEXES: RefCell<ThreadRegexes> = RefCell::default();
}

/// The id of the next compiled pack (0: none yet, as [`ThreadRegexes::default`] holds).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A literal search over some of the pack's literals, for the sources whose rules use only
/// those.
#[derive(Debug)]
struct ScopedLiterals {
    /// The rules it serves (see [`Scope`]).
    active: Vec<bool>,
    search: Option<LiteralSearch>,
    /// The pack-wide pattern number of each of its literals.
    ids: Vec<u32>,
}

impl ScopedLiterals {
    fn iter<'a>(&'a self, buf: &'a [u8]) -> impl Iterator<Item = LiteralHit> + 'a {
        self.search
            .iter()
            .flat_map(move |search| search.iter(buf))
            .map(|hit| LiteralHit { start: hit.start, pattern: self.ids[hit.pattern as usize] })
    }
}

/// Of the `active` rules, those that read events of `level` (see [`rule_allows`]).
fn active_at(pack: &RulePack, active: &[bool], level: Level) -> Vec<bool> {
    pack.rules().iter().zip(active).map(|(rule, &active)| active && rule_allows(rule, level)).collect()
}

/// Whether `rule` reads events of `level`: a rule without levels reads all, and an event whose
/// level is unknown is read by every rule.
fn rule_allows(rule: &Rule, level: Level) -> bool {
    rule.levels.is_empty() || level == Level::Unknown || rule.levels.contains(&level)
}

/// A literal search that serves some events (see [`CompiledRules::literals_for`]); searches
/// that serve the same events compare equal.
#[derive(Debug, Clone, Copy)]
pub struct LevelLiterals<'a> {
    search: &'a LiteralSearch,
    /// The pack-wide pattern number of each of its literals.
    ids: &'a [u32],
}

impl PartialEq for LevelLiterals<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.search, other.search)
    }
}

impl LevelLiterals<'_> {
    /// Like [`LiteralSearch::find_in_block`], with pack-wide pattern numbers.
    pub fn find_in_block(&self, buf: &[u8], block: Range<usize>, lower: &mut Vec<u8>, out: &mut Vec<LiteralHit>) {
        let from = out.len();
        self.search.find_in_block(buf, block, lower, out);
        for hit in &mut out[from..] {
            hit.pattern = self.ids[hit.pattern as usize];
        }
    }
}

/// The rules that apply to a log of `component` (see [`Scope::for_component`]).
fn active_for(pack: &RulePack, component: &str) -> Vec<bool> {
    pack.rules()
        .iter()
        .map(|rule| {
            component == "unknown" || rule.components.is_empty() || rule.components.iter().any(|c| c == component)
        })
        .collect()
}

/// The literal search over every literal, then one per distinct set of rules that the logs of a
/// known component (or one a rule names) use, and that their events of each level use, over the
/// literals of those rules only.
fn scoped_literals(
    pack: &RulePack,
    patterns: &[Vec<u8>],
    targets: &[Vec<(SigRef, u32)>],
) -> Result<Vec<ScopedLiterals>, RuleError> {
    let build = |active: Vec<bool>| -> Result<ScopedLiterals, RuleError> {
        let ids: Vec<u32> = (0..patterns.len() as u32)
            .filter(|id| targets[*id as usize].iter().any(|((rule, _), _)| active[*rule as usize]))
            .collect();
        let chosen: Vec<Vec<u8>> = ids.iter().map(|id| patterns[*id as usize].clone()).collect();
        let search =
            if chosen.is_empty() { None } else { Some(LiteralSearch::new(&chosen).map_err(RuleError::Automaton)?) };
        Ok(ScopedLiterals { active, search, ids })
    };
    let mut scoped = vec![build(vec![true; pack.rules().len()])?];
    let mut components: Vec<&str> = crate::input::known_components().collect();
    components.extend(pack.rules().iter().flat_map(|rule| rule.components.iter().map(String::as_str)));
    components.push(crate::input::UNKNOWN);
    for component in components {
        let active = active_for(pack, component);
        let levels = Level::ALL.map(|level| active_at(pack, &active, level));
        for wanted in std::iter::once(active).chain(levels) {
            if !scoped.iter().any(|s| s.active == wanted) {
                scoped.push(build(wanted)?);
            }
        }
    }
    Ok(scoped)
}

impl CompiledRules {
    pub fn compile(pack: RulePack) -> Result<CompiledRules, RuleError> {
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut pattern_ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut targets: Vec<Vec<(SigRef, u32)>> = Vec::new();
        let mut unfiltered = Vec::new();
        let mut signatures = 0u32;
        let mut first_flat = Vec::with_capacity(pack.rules().len());
        for (rule_index, rule) in pack.rules().iter().enumerate() {
            first_flat.push(signatures);
            for (sig_index, sig) in rule.kind.signatures().iter().enumerate() {
                let sig_ref = (rule_index as u32, sig_index as u32);
                let flat = signatures;
                signatures += 1;
                let Some(literals) = filter_literals(sig) else {
                    unfiltered.push(sig_ref);
                    continue;
                };
                for literal in literals {
                    let key = literal.to_ascii_lowercase();
                    let id = *pattern_ids.entry(key.clone()).or_insert_with(|| {
                        patterns.push(key);
                        targets.push(Vec::new());
                        patterns.len() - 1
                    });
                    if !targets[id].iter().any(|(s, _)| *s == sig_ref) {
                        targets[id].push((sig_ref, flat));
                    }
                }
            }
        }
        let scoped = scoped_literals(&pack, &patterns, &targets)?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        Ok(CompiledRules { pack, scoped, targets, signatures: signatures as usize, unfiltered, first_flat, id })
    }

    pub fn pack(&self) -> &RulePack {
        &self.pack
    }

    pub fn rule(&self, index: usize) -> &Rule {
        &self.pack.rules()[index]
    }

    /// How many distinct literals the automaton holds.
    pub fn literal_count(&self) -> usize {
        self.targets.len()
    }

    /// How many signatures of the rule at `index` no literal can pre-filter.
    pub fn unfiltered_signatures(&self, index: usize) -> usize {
        self.unfiltered.iter().filter(|(rule, _)| *rule as usize == index).count()
    }

    /// True when some signature must be tried on every event.
    pub fn has_unfiltered(&self) -> bool {
        !self.unfiltered.is_empty()
    }

    /// Every literal occurrence in `buf`, in one pass, as the search goes (see
    /// [`LiteralSearch::iter`] for the order).
    pub fn literal_iter<'a>(&'a self, buf: &'a [u8]) -> impl Iterator<Item = LiteralHit> + 'a {
        self.scoped[0].iter(buf)
    }

    /// Every occurrence in `buf` of the literals of the rules `scope` holds (and maybe others),
    /// in one pass, as the search goes.
    pub fn literal_iter_in<'a>(&'a self, scope: &Scope, buf: &'a [u8]) -> impl Iterator<Item = LiteralHit> + 'a {
        self.scoped.get(scope.literals).unwrap_or(&self.scoped[0]).iter(buf)
    }

    /// The literal search for the events of `level` under `scope`, when any of their rules has
    /// literals.
    pub fn literals_for(&self, scope: &Scope, level: Level) -> Option<LevelLiterals<'_>> {
        let scoped = self.scoped.get(scope.by_level[level as usize]).unwrap_or(&self.scoped[0]);
        scoped.search.as_ref().map(|search| LevelLiterals { search, ids: &scoped.ids })
    }

    /// Every literal occurrence in `buf`, collected into `out`.
    pub fn literal_hits(&self, buf: &[u8], out: &mut Vec<LiteralHit>) {
        out.clear();
        out.extend(self.literal_iter(buf));
    }

    /// Calls `found` for each rule that holds for `record` (at most once per rule). `hits` are
    /// the literal hits that lie inside the record (all of them are consumed); offsets are in the
    /// buffer `record` came from. However many hits an event holds, each signature is tried once.
    pub fn evaluate(
        &self,
        record: &Record<'_>,
        hits: impl IntoIterator<Item = LiteralHit>,
        scope: &Scope,
        scratch: &mut Scratch,
        mut found: impl FnMut(RuleMatch),
    ) {
        scratch.seen.resize(self.signatures, 0);
        scratch.evaluation += 1;
        let (candidates, seen, evaluation) = (&mut scratch.candidates, &mut scratch.seen, scratch.evaluation);
        candidates.clear();
        for hit in hits {
            for &(sig, flat) in &self.targets[hit.pattern as usize] {
                if seen[flat as usize] != evaluation {
                    seen[flat as usize] = evaluation;
                    candidates.push((sig, hit.start));
                }
            }
        }
        if candidates.is_empty() && self.unfiltered.is_empty() {
            return;
        }
        candidates.extend(self.unfiltered.iter().map(|&sig| (sig, record.offset)));
        // Rule order, then signature order (each signature holds the offset of its first hit:
        // the earliest start with the packed search, the earliest end with the DFA): the first
        // signature of a rule that holds decides, so results do not depend on literal order.
        candidates.sort_unstable();
        THREAD_REGEXES.with_borrow_mut(|copies| {
            if copies.id != self.id {
                *copies = self.copy_regexes();
            }
            let mut last_rule = None;
            let mut last_sig = None;
            for &(sig_ref, offset) in candidates.iter() {
                let (rule_index, sig_index) = (sig_ref.0 as usize, sig_ref.1);
                if last_sig == Some(sig_ref) || last_rule == Some(rule_index) || !scope.is_active(rule_index) {
                    continue;
                }
                last_sig = Some(sig_ref);
                if !rule_allows(self.rule(rule_index), record.level) {
                    continue;
                }
                let flat = (self.first_flat[rule_index] + sig_index) as usize;
                if copies.signatures[flat].hold(record.bytes) {
                    last_rule = Some(rule_index);
                    found(RuleMatch { rule: rule_index, signature: sig_index as usize, literal_offset: offset });
                }
            }
        });
    }

    /// This thread's copies of every signature's regexes (see [`ThreadRegexes`]).
    fn copy_regexes(&self) -> ThreadRegexes {
        let signatures =
            self.pack.rules().iter().flat_map(|rule| rule.kind.signatures().iter().map(SignatureRegexes::of)).collect();
        ThreadRegexes { id: self.id, signatures }
    }

    /// Offset in the buffer where a match is: the start of its regex's match, or its literal.
    pub fn match_offset(&self, found: &RuleMatch, record: &Record<'_>) -> usize {
        let regex = self.rule(found.rule).kind.signatures().get(found.signature).and_then(|sig| sig.regex.as_ref());
        match regex.and_then(|regex| regex.find(record.bytes)) {
            Some(m) => record.offset + m.start(),
            None => found.literal_offset,
        }
    }

    /// The fields a match captures: named groups of the signature's regex, then of the rule's
    /// `extract` regexes (the first value of a name wins). Only called for evidence kept.
    pub fn fields(&self, found: &RuleMatch, record: &Record<'_>) -> Vec<(String, String)> {
        let rule = self.rule(found.rule);
        let mut fields: Vec<(String, String)> = Vec::new();
        let signature_regex = rule.kind.signatures().get(found.signature).and_then(|sig| sig.regex.as_ref());
        for regex in signature_regex.into_iter().chain(&rule.extract) {
            let Some(caps) = regex.captures(record.bytes) else { continue };
            for name in regex.capture_names().flatten() {
                if fields.iter().any(|(n, _)| n == name) {
                    continue;
                }
                if let Some(m) = caps.name(name) {
                    let value = String::from_utf8_lossy(m.as_bytes());
                    fields.push((name.to_string(), value.chars().take(256).collect()));
                }
            }
        }
        self.add_step(&mut fields);
        fields
    }

    /// The named groups of the matching signature's regex only: the cheap part of
    /// [`CompiledRules::fields`], for events an analysis reads in bulk.
    pub fn signature_fields(&self, found: &RuleMatch, record: &Record<'_>) -> Vec<(String, String)> {
        let rule = self.rule(found.rule);
        let Some(regex) = rule.kind.signatures().get(found.signature).and_then(|sig| sig.regex.as_ref()) else {
            return Vec::new();
        };
        let Some(caps) = regex.captures(record.bytes) else { return Vec::new() };
        regex
            .capture_names()
            .flatten()
            .filter_map(|name| {
                caps.name(name).map(|m| (name.to_string(), String::from_utf8_lossy(m.as_bytes()).into_owned()))
            })
            .collect()
    }

    /// Names the release step of a captured `script` (as a `step` field holding the step's id).
    pub(crate) fn add_step(&self, fields: &mut Vec<(String, String)>) {
        if fields.iter().any(|(name, _)| name == "step") {
            return;
        }
        let step =
            fields.iter().find(|(name, _)| name == "script").and_then(|(_, script)| self.pack.step_for_script(script));
        if let Some(step) = step {
            fields.push(("step".to_string(), step.id.clone()));
        }
    }
}

/// The literals that pre-filter a signature: its own, or, for a regex-only signature, the
/// prefixes every match of the regex starts with. `None` when no such set exists.
fn filter_literals(sig: &Signature) -> Option<Vec<Vec<u8>>> {
    if !sig.literals.is_empty() {
        return Some(sig.literals.iter().map(|l| l.as_bytes().to_vec()).collect());
    }
    let regex = sig.regex.as_ref()?;
    let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(regex.as_str()).ok()?;
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix).limit_class(4);
    let seq = extractor.extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.as_bytes().len() < MIN_PREFILTER_LEN) {
        return None;
    }
    let mut set: Vec<Vec<u8>> = literals.iter().map(|l| l.as_bytes().to_ascii_lowercase()).collect();
    set.sort();
    set.dedup();
    Some(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Records;

    fn compile(text: &str) -> CompiledRules {
        CompiledRules::compile(RulePack::from_files(&[("t.toml".into(), text.into())]).unwrap()).unwrap()
    }

    fn matches(rules: &CompiledRules, text: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut hits = Vec::new();
        rules.literal_hits(text.as_bytes(), &mut hits);
        let scope = Scope::all(rules);
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        for record in Records::new(text.as_bytes()) {
            let inside: Vec<_> = hits
                .iter()
                .copied()
                .filter(|h| h.start >= record.offset && h.start < record.offset + record.bytes.len())
                .collect();
            rules.evaluate(&record, inside, &scope, &mut scratch, |m| {
                out.push((rules.rule(m.rule).id.to_string(), rules.fields(&m, &record)));
            });
        }
        out
    }

    const PACK: &str = r#"
[[rule]]
id = "demo.send"
title = "send failed"
severity = "high"
section = "1"
levels = ["ERROR", "WARN"]
extract = ['task (?P<task_id>\d+)']
[[rule.signature]]
literals = ["send msg failed", "sendmsg failed"]
none = ['(?i)retry succeeded']
[rule.remediation]
en = ["x"]
[rule.examples]
match = ["x"]

[[rule]]
id = "demo.regex-only"
title = "regex only"
severity = "low"
section = "1"
[[rule.signature]]
regex = 'quota (?P<used>\d+)/(?P<limit>\d+) exceeded'
[rule.remediation]
en = ["x"]
[rule.examples]
match = ["x"]
"#;

    #[test]
    fn literal_case_insensitive_with_captures() {
        let rules = compile(PACK);
        let got = matches(&rules, "2022-09-29 10:15:32,118 ERROR task 42 SendMsg Failed\n");
        assert_eq!(got, vec![("demo.send".to_string(), vec![("task_id".to_string(), "42".to_string())])]);
    }

    #[test]
    fn level_scope_and_none_condition() {
        let rules = compile(PACK);
        assert!(matches(&rules, "2022-09-29 10:15:32,118 INFO send msg failed\n").is_empty());
        assert!(matches(&rules, "2022-09-29 10:15:32,118 ERROR send msg failed\nretry succeeded\n").is_empty());
        assert_eq!(matches(&rules, "no header: send msg failed").len(), 1, "unknown level passes the scope");
    }

    #[test]
    fn one_match_per_rule_per_event() {
        let rules = compile(PACK);
        let got = matches(&rules, "2022-09-29 10:15:32,118 ERROR send msg failed\nCaused by: sendmsg failed\n");
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn regex_only_signature_is_prefiltered() {
        let rules = compile(PACK);
        assert!(!rules.has_unfiltered());
        assert_eq!(rules.literal_count(), 3);
        let got = matches(&rules, "2022-09-29 10:15:32,118 WARN quota 9/8 exceeded\n");
        assert_eq!(
            got,
            vec![("demo.regex-only".to_string(), vec![("used".into(), "9".into()), ("limit".into(), "8".into())])]
        );
    }

    #[test]
    fn unfilterable_regex_runs_on_every_event() {
        let rules = compile(&PACK.replace(r"regex = 'quota", r"regex = '\w+ quota"));
        assert!(rules.has_unfiltered());
        assert_eq!(matches(&rules, "2022-09-29 10:15:32,118 WARN disk quota 9/8 exceeded\n").len(), 1);
    }

    #[test]
    fn a_component_searches_only_the_literals_of_its_rules() {
        let pack = format!(
            "{PACK}{}",
            r#"
[[rule]]
id = "demo.agent"
title = "agent only"
severity = "low"
section = "1"
components = ["staragent"]
[[rule.signature]]
literals = ["heartbeat lost"]
[rule.remediation]
en = ["x"]
[rule.examples]
match = ["x"]
"#
        );
        let rules = compile(&pack);
        let text = b"heartbeat lost; send msg failed";
        let found = |component: &str| -> Vec<usize> {
            let scope = Scope::for_component(&rules, component);
            rules.literal_iter_in(&scope, text).map(|hit| hit.start).collect()
        };
        // The agent's logs and logs of unknown component search both; others only the rule
        // every component has. Pattern numbers stay those of the whole pack.
        assert_eq!(found("staragent"), [0, 16]);
        assert_eq!(found("unknown"), [0, 16]);
        assert_eq!(found("acopswareexecutor"), [16]);
        let scope = Scope::for_component(&rules, "acopswareexecutor");
        let hit = rules.literal_iter_in(&scope, text).next().unwrap();
        assert_eq!(Some(hit), rules.literal_iter(text).find(|h| h.start == 16));
    }

    /// Each thread evaluates with its own copies of the regexes: a thread that goes from one
    /// compiled pack to another and back uses each pack's own, and so do other threads.
    #[test]
    fn every_pack_is_evaluated_with_its_own_regexes_on_every_thread() {
        let quota = compile(PACK);
        let disk = compile(&PACK.replace(r"regex = 'quota", r"regex = 'disk"));
        let line = |word: &str| format!("2022-09-29 10:15:32,118 WARN {word} 9/8 exceeded\n");
        let rules_of = |rules: &CompiledRules, text: &str| -> Vec<String> {
            matches(rules, text).into_iter().map(|(rule, _)| rule).collect()
        };
        let check = || {
            for _ in 0..2 {
                assert_eq!(rules_of(&quota, &line("quota")), ["demo.regex-only"]);
                assert!(rules_of(&quota, &line("disk")).is_empty());
                assert_eq!(rules_of(&disk, &line("disk")), ["demo.regex-only"]);
                assert!(rules_of(&disk, &line("quota")).is_empty());
            }
        };
        check();
        std::thread::scope(|threads| {
            threads.spawn(check);
            threads.spawn(check);
        });
    }

    #[test]
    fn compiled_rules_are_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<CompiledRules>();
    }
}
