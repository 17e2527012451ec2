//! The literal hits of a batch of consecutive events, each event searched only for the literals
//! of the rules that read it: its source's rules that allow its level (see
//! [`CompiledRules::literals_for`]). Most bytes of a log are INFO and DEBUG events, which few
//! rules read, so most bytes are searched for a few literals or none.
//!
//! Consecutive events served by the same search are searched together, a block at a time, in a
//! lowercased copy that stays in cache. An event larger than a block keeps the first hit of each
//! literal only: that is all [`CompiledRules::evaluate`] reads, and it bounds the memory a
//! single huge event can take.

use std::ops::Range;

use super::literals::BLOCK;
use super::matcher::{CompiledRules, LevelLiterals, LiteralHit, Scope};
use crate::event::Record;

/// Reusable buffers for the hits of one batch of events at a time.
#[derive(Debug, Default)]
pub struct EventHits {
    lower: Vec<u8>,
    hits: Vec<LiteralHit>,
}

/// Consecutive events searched with the same literals.
struct Run<'r> {
    literals: LevelLiterals<'r>,
    bytes: Range<usize>,
    /// One event larger than a block: only each literal's first hit is kept.
    large: bool,
}

impl EventHits {
    /// Finds the hits of `records`, consecutive events of `buf` in order, and returns them by
    /// start. An event for which `searched` says false is not searched.
    pub fn search(
        &mut self,
        rules: &CompiledRules,
        scope: &Scope,
        buf: &[u8],
        records: &[Record<'_>],
        searched: impl Fn(&Record<'_>) -> bool,
    ) -> &[LiteralHit] {
        self.hits.clear();
        let mut run: Option<Run<'_>> = None;
        for record in records {
            let literals = if searched(record) { rules.literals_for(scope, record.level) } else { None };
            let bytes = record.offset..record.offset + record.bytes.len();
            let large = bytes.len() > BLOCK;
            match (&mut run, literals) {
                (Some(current), Some(literals)) if current.literals == literals && !current.large && !large => {
                    current.bytes.end = bytes.end;
                }
                (_, literals) => {
                    if let Some(done) = run.take() {
                        self.search_run(buf, &done);
                    }
                    run = literals.map(|literals| Run { literals, bytes, large });
                }
            }
        }
        if let Some(done) = run.take() {
            self.search_run(buf, &done);
        }
        self.hits.sort_unstable();
        &self.hits
    }

    /// Searches one run, a block at a time.
    fn search_run(&mut self, buf: &[u8], run: &Run<'_>) {
        let from = self.hits.len();
        let mut start = run.bytes.start;
        while start < run.bytes.end {
            let end = start.saturating_add(BLOCK).min(run.bytes.end);
            run.literals.find_in_block(buf, start..end, &mut self.lower, &mut self.hits);
            if run.large {
                self.keep_first_hits(from);
            }
            start = end;
        }
    }

    /// Keeps, of the hits from `from` on, the first of each pattern.
    fn keep_first_hits(&mut self, from: usize) {
        self.hits[from..].sort_unstable_by_key(|hit| (hit.pattern, hit.start));
        let mut kept = from;
        for i in from..self.hits.len() {
            let hit = self.hits[i];
            if kept == from || self.hits[kept - 1].pattern != hit.pattern {
                self.hits[kept] = hit;
                kept += 1;
            }
        }
        self.hits.truncate(kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Records;
    use crate::rules::RulePack;

    fn compile(text: &str) -> CompiledRules {
        CompiledRules::compile(RulePack::from_files(&[("t.toml".into(), text.into())]).unwrap()).unwrap()
    }

    const PACK: &str = r#"
[[rule]]
id = "demo.errors"
title = "send failed"
severity = "high"
section = "1"
levels = ["ERROR"]
[[rule.signature]]
literals = ["send msg failed"]
[rule.remediation]
en = ["x"]
[rule.examples]
match = ["x"]

[[rule]]
id = "demo.any"
title = "task start"
severity = "low"
section = "1"
[[rule.signature]]
literals = ["task start"]
[rule.remediation]
en = ["x"]
[rule.examples]
match = ["x"]
"#;

    /// The hits of every literal in `text`, whatever the level.
    fn every_hit(rules: &CompiledRules, text: &[u8]) -> Vec<(usize, u32)> {
        let mut hits: Vec<_> = rules.literal_iter(text).map(|h| (h.start, h.pattern)).collect();
        hits.sort_unstable();
        hits
    }

    fn hits_by_level(rules: &CompiledRules, text: &[u8], searched: impl Fn(&Record<'_>) -> bool) -> Vec<(usize, u32)> {
        let records: Vec<Record<'_>> = Records::new(text).collect();
        let mut event_hits = EventHits::default();
        let scope = Scope::for_component(rules, "unknown");
        event_hits.search(rules, &scope, text, &records, searched).iter().map(|h| (h.start, h.pattern)).collect()
    }

    #[test]
    fn an_event_is_searched_for_the_literals_of_the_rules_its_level_allows() {
        let rules = compile(PACK);
        let text = "2022-09-29 10:15:32,118 INFO task start; send msg failed\n\
                    2022-09-29 10:15:33,118 ERROR Send Msg Failed after task start\n\
                    no header: send msg failed"
            .as_bytes();
        let all = every_hit(&rules, text);
        assert_eq!(all.len(), 5);
        // The INFO event loses its "send msg failed": the only rule with it reads ERROR events.
        let info_send = all.iter().find(|(start, _)| *start < 60 && text[*start] == b's').copied().unwrap();
        let expected: Vec<_> = all.iter().copied().filter(|hit| *hit != info_send).collect();
        assert_eq!(hits_by_level(&rules, text, |_| true), expected);
    }

    #[test]
    fn an_event_left_out_is_not_searched() {
        let rules = compile(PACK);
        let text = b"2022-09-29 10:15:32,118 ERROR send msg failed\n2022-09-29 10:15:33,118 ERROR task start\n";
        let got = hits_by_level(&rules, text, |record| record.line == 2);
        assert_eq!(got.iter().map(|(start, _)| *start).collect::<Vec<_>>(), [76]);
    }

    #[test]
    fn a_literal_across_a_block_edge_is_found_once() {
        let rules = compile(PACK);
        let mut text = b"2022-09-29 10:15:32,118 ERROR x".to_vec();
        text.extend(std::iter::repeat_n(b'.', BLOCK - text.len() - 4));
        text.extend_from_slice(b"send msg failed ");
        text.extend(std::iter::repeat_n(b'-', 100));
        text.extend_from_slice(b"task start\n2022-09-29 10:15:33,118 ERROR task start");
        let got = hits_by_level(&rules, &text, |_| true);
        assert_eq!(got, every_hit(&rules, &text));
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn a_large_event_keeps_the_first_hit_of_each_literal() {
        let rules = compile(PACK);
        let mut text = b"2022-09-29 10:15:32,118 ERROR begin\n".to_vec();
        while text.len() < 3 * BLOCK {
            text.extend_from_slice(b"\tat send msg failed; task start\n");
        }
        text.extend_from_slice(b"2022-09-29 10:15:33,118 ERROR send msg failed; send msg failed\n");
        let got = hits_by_level(&rules, &text, |_| true);
        let all = every_hit(&rules, &text);
        let last_line = text.len() - 63;
        // The large event: the first "send msg failed" and the first "task start"; the small one
        // after it: both of its hits.
        assert_eq!(got, [all[0], all[1], all[all.len() - 2], all[all.len() - 1]]);
        assert_eq!(got.iter().map(|(start, _)| *start).collect::<Vec<_>>(), [40, 57, last_line + 30, last_line + 47]);
    }

    /// The rules found on each event with the level-gated hits and with every hit agree.
    fn rules_found(rules: &CompiledRules, text: &[u8], gated: bool) -> Vec<(u64, usize)> {
        let records: Vec<Record<'_>> = Records::new(text).collect();
        let scope = Scope::for_component(rules, "unknown");
        let hits: Vec<LiteralHit> = if gated {
            EventHits::default().search(rules, &scope, text, &records, |_| true).to_vec()
        } else {
            rules.literal_iter(text).collect()
        };
        let mut scratch = crate::rules::Scratch::default();
        let mut found = Vec::new();
        for record in &records {
            let end = record.offset + record.bytes.len();
            let inside = hits.iter().copied().filter(|hit| hit.start >= record.offset && hit.start < end);
            rules.evaluate(record, inside, &scope, &mut scratch, |m| found.push((record.line, m.rule)));
        }
        found
    }

    proptest::proptest! {
        #[test]
        fn gated_hits_find_the_rules_every_hit_finds(
            events in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["INFO", "ERROR", "WARN", "DEBUG", "", "[x]"]),
                    proptest::collection::vec(
                        proptest::sample::select(vec!["Send msg failed", "task start", "\n\tat x", " ", "zz"]),
                        0..6,
                    ),
                ),
                1..30,
            )
        ) {
            let rules = compile(PACK);
            let mut text = String::new();
            for (level, words) in &events {
                text.push_str(&format!("2022-09-29 10:15:32,118 {level} "));
                text.extend(words.iter().copied());
                text.push('\n');
            }
            let gated = rules_found(&rules, text.as_bytes(), true);
            proptest::prop_assert_eq!(&gated, &rules_found(&rules, text.as_bytes(), false));
        }
    }
}
