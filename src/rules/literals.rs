//! The literal pass: every occurrence of every literal of the pack, ASCII case-insensitive, in
//! one pass over the bytes.
//!
//! An Aho-Corasick DFA that reports overlapping, case-insensitive matches looks at every byte
//! (about 650 MB/s here, whatever the number of literals): no SIMD prefilter applies to it. So
//! the bytes are lowercased a block at a time into a small buffer, and SIMD "packed" searchers
//! (Teddy, up to 64 keys each) find keys in it: the lowercase literals themselves, or, when that
//! needs fewer or slimmer searchers, a 4-byte window of each literal, the one of the rarest
//! bytes, after which the literal around it is compared. Teddy slows down with more keys and
//! with keys that start with common bytes (`run `, `send`, `conf`): the executor's 103 literals
//! need two fat searchers, their windows (55 distinct) one. A packed searcher reports
//! leftmost-longest matches; restarting one byte after each match start finds every position
//! where a key of its group starts, and the group's shorter keys that start at the same place
//! are its prefixes, added from a table. The result is exactly the set of overlapping matches.
//! With more keys than a few packed searchers hold, or where no packed searcher can be built,
//! the DFA is used.

use std::ops::Range;

use aho_corasick::packed::{self, MatchKind as PackedKind};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind, Span};

/// The most keys of one packed searcher.
const GROUP: usize = 64;
/// The most keys of a slim packed searcher (8 buckets, 32 bytes at a time); past it, fat (16
/// buckets, 16 bytes at a time, about half as fast).
const SLIM: usize = 32;
/// Length of the window of a literal searched instead of the literal (Teddy reads at most 4
/// bytes of a key).
const WINDOW: usize = 4;
/// The most literals one window stands for (see [`window_keys`]).
const MAX_SHARED: usize = 8;
/// Past this many packed searchers, one DFA pass is faster than a pass of each.
const MAX_GROUPS: usize = 4;
/// Bytes lowercased and searched at a time: small enough to stay in cache.
pub const BLOCK: usize = 64 * 1024;

/// A literal found in the scanned buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LiteralHit {
    /// Offset of the first byte of the literal in the buffer.
    pub start: usize,
    pub pattern: u32,
}

/// Finds every occurrence of a set of literals, ignoring ASCII case.
#[derive(Debug, Clone)]
pub struct LiteralSearch {
    engine: Engine,
    /// Length of the longest literal.
    longest: usize,
}

#[derive(Debug, Clone)]
enum Engine {
    Packed(Packed),
    Automaton(AhoCorasick),
}

#[derive(Debug, Clone)]
struct Packed {
    /// Each searcher, with the key number of each of its keys.
    groups: Vec<(packed::Searcher, Vec<u32>)>,
    /// For each key, the literals to report where it is found: its own, and those of the keys
    /// of its group that are its prefixes.
    targets: Vec<Vec<Target>>,
    /// The lowercase literals, for the ones a key does not hold whole.
    patterns: Vec<Vec<u8>>,
}

/// A literal that may start where a key is found.
#[derive(Debug, Clone, Copy)]
struct Target {
    pattern: u32,
    /// Where the key is in the literal.
    offset: u32,
    /// The key is not the whole literal: the literal around it is compared.
    check: bool,
}

impl LiteralSearch {
    /// A search for `patterns` (ASCII case is ignored); pattern numbers are indexes in it. The
    /// patterns must be distinct, ASCII case aside: one occurrence is one hit.
    pub fn new(patterns: &[Vec<u8>]) -> Result<LiteralSearch, String> {
        let lower = distinct_lowercase(patterns)?;
        let engine = match Packed::new(&lower) {
            Some(packed) => Engine::Packed(packed),
            None => Engine::Automaton(dfa(&lower)?),
        };
        Ok(LiteralSearch { engine, longest: longest(&lower) })
    }

    /// The same search, with the packed searchers looking for windows of the literals whether
    /// or not that needs fewer of them: how the windows are tested.
    #[cfg(test)]
    fn with_windows(patterns: &[Vec<u8>]) -> Result<LiteralSearch, String> {
        let lower = distinct_lowercase(patterns)?;
        let packed = Packed::build(&lower, window_keys(&lower)).ok_or("no packed searcher")?;
        Ok(LiteralSearch { engine: Engine::Packed(packed), longest: longest(&lower) })
    }

    /// The same search, always with the DFA: what the packed search is checked against.
    pub fn with_automaton(patterns: &[Vec<u8>]) -> Result<LiteralSearch, String> {
        let lower = distinct_lowercase(patterns)?;
        Ok(LiteralSearch { engine: Engine::Automaton(dfa(&lower)?), longest: longest(&lower) })
    }

    /// Length of the longest literal: one that starts just before a span's end reaches this
    /// many bytes minus one past it.
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// Whether the SIMD packed searchers are used (else the DFA).
    pub fn is_packed(&self) -> bool {
        matches!(self.engine, Engine::Packed(_))
    }

    /// Every literal occurrence in `buf`, as the search goes. The packed search gives them in
    /// order of start, the DFA in order of end; either way a hit comes before any hit of a later
    /// line.
    pub fn iter<'a>(&'a self, buf: &'a [u8]) -> impl Iterator<Item = LiteralHit> + 'a {
        let (packed, dfa) = match &self.engine {
            Engine::Packed(_) => (Some(PackedIter::new(self, buf)), None),
            Engine::Automaton(ac) => (None, Some(ac.find_overlapping_iter(buf))),
        };
        packed
            .into_iter()
            .flatten()
            .chain(dfa.into_iter().flatten().map(|m| LiteralHit { start: m.start(), pattern: m.pattern().as_u32() }))
    }

    /// Pushes to `out` every literal that starts in `buf[block]` (a block of at most `BLOCK`
    /// bytes), in no particular order. The block, and the bytes past it that a literal starting
    /// in it may reach, are lowercased into `lower` first.
    pub fn find_in_block(&self, buf: &[u8], block: Range<usize>, lower: &mut Vec<u8>, out: &mut Vec<LiteralHit>) {
        let reach = block.end.saturating_add(self.longest - 1).min(buf.len());
        lower.clear();
        lower.extend(buf[block.start..reach].iter().map(u8::to_ascii_lowercase));
        self.find_in_lowercase(lower, 0..block.len(), block.start, out);
    }

    /// Pushes to `out` every literal that starts in `lower[starts]`, with `base` added to its
    /// start, in no particular order. `lower` must be ASCII-lowercased already, and hold the
    /// [`LiteralSearch::longest`] `- 1` bytes past `starts.end` where the text goes on, so that a
    /// literal starting in the span is found whole.
    fn find_in_lowercase(&self, lower: &[u8], starts: Range<usize>, base: usize, out: &mut Vec<LiteralHit>) {
        let end = starts.end.saturating_add(self.longest - 1).min(lower.len());
        if starts.start >= end {
            return;
        }
        match &self.engine {
            Engine::Packed(packed) => packed.find(lower, starts, end, base, out),
            Engine::Automaton(ac) => {
                let input = Input::new(lower).span(starts.start..end);
                out.extend(
                    ac.find_overlapping_iter(input)
                        .filter(|m| m.start() < starts.end)
                        .map(|m| LiteralHit { start: base + m.start(), pattern: m.pattern().as_u32() }),
                );
            }
        }
    }
}

fn longest(patterns: &[Vec<u8>]) -> usize {
    patterns.iter().map(Vec::len).max().unwrap_or(1).max(1)
}

fn distinct_lowercase(patterns: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, String> {
    let lower: Vec<Vec<u8>> = patterns.iter().map(|p| p.to_ascii_lowercase()).collect();
    let mut seen = std::collections::HashSet::new();
    match lower.iter().find(|p| !seen.insert(p.as_slice())) {
        Some(twice) => Err(format!("literal {:?} is given twice", String::from_utf8_lossy(twice))),
        None => Ok(lower),
    }
}

/// A full DFA, the fastest automaton to search: the builder picks one by itself only for fewer
/// than about 100 patterns. It costs about 1 ms to build for the default pack.
fn dfa(patterns: &[Vec<u8>]) -> Result<AhoCorasick, String> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(patterns)
        .map_err(|e| e.to_string())
}

/// Keys and the literals each stands for: (key, [(pattern, offset of the key in it)]).
type Keys = Vec<(Vec<u8>, Vec<(u32, u32)>)>;

impl Packed {
    /// Packed searchers for the literals themselves or for windows of them, whichever needs
    /// fewer or slimmer searchers (the literals on a tie).
    fn new(patterns: &[Vec<u8>]) -> Option<Packed> {
        if patterns.is_empty() || patterns.iter().any(Vec::is_empty) {
            return None;
        }
        let literals: Keys = patterns.iter().enumerate().map(|(id, p)| (p.clone(), vec![(id as u32, 0)])).collect();
        let windows = window_keys(patterns);
        let keys = if search_cost(windows.len()) < search_cost(literals.len()) { windows } else { literals };
        Packed::build(patterns, keys)
    }

    fn build(patterns: &[Vec<u8>], mut keys: Keys) -> Option<Packed> {
        if keys.is_empty() || keys.len() > GROUP * MAX_GROUPS {
            return None;
        }
        // Neighbours in byte order share prefixes: a group then holds a key's prefixes with it,
        // and the searcher's buckets fill with alike keys.
        keys.sort();
        let count = keys.len().div_ceil(GROUP);
        let size = keys.len().div_ceil(count);
        let mut groups = Vec::new();
        let mut targets = vec![Vec::new(); keys.len()];
        for (first, group) in keys.chunks(size).enumerate().map(|(i, group)| (i * size, group)) {
            let searcher = packed::Config::new()
                .match_kind(PackedKind::LeftmostLongest)
                .builder()
                .extend(group.iter().map(|(key, _)| key))
                .build()?;
            for (i, (key, _)) in group.iter().enumerate() {
                for (short, literals) in group.iter().filter(|(short, _)| key.starts_with(short)) {
                    targets[first + i].extend(literals.iter().map(|&(pattern, offset)| Target {
                        pattern,
                        offset,
                        check: offset != 0 || short.len() != patterns[pattern as usize].len(),
                    }));
                }
            }
            groups.push((searcher, (first as u32..(first + group.len()) as u32).collect()));
        }
        Some(Packed { groups, targets, patterns: patterns.to_vec() })
    }

    /// See [`LiteralSearch::find_in_lowercase`]; keys are searched up to `end`.
    fn find(&self, lower: &[u8], starts: Range<usize>, end: usize, base: usize, out: &mut Vec<LiteralHit>) {
        for (searcher, keys) in &self.groups {
            let mut at = starts.start;
            while let Some(m) = searcher.find_in(lower, Span::from(at..end)) {
                let found = m.start();
                for target in &self.targets[keys[m.pattern().as_usize()] as usize] {
                    let Some(start) = found.checked_sub(target.offset as usize) else { continue };
                    if start < starts.start || start >= starts.end {
                        continue;
                    }
                    let literal = &self.patterns[target.pattern as usize];
                    if !target.check || lower.get(start..start + literal.len()) == Some(literal.as_slice()) {
                        out.push(LiteralHit { start: base + start, pattern: target.pattern });
                    }
                }
                at = found + 1;
            }
        }
    }
}

/// For each literal of at least [`WINDOW`] bytes, the window of its rarest bytes (by
/// [`byte_rank`]) that at most [`MAX_SHARED`] literals share; a shorter literal, or one whose
/// windows are all taken that often, is its own key. Each time a key is found, every literal it
/// stands for is compared: `code-0000` to `code-0299` all sharing `ode-` made a scan ten times
/// slower.
fn window_keys(patterns: &[Vec<u8>]) -> Keys {
    let mut keys: Keys = Vec::new();
    let mut index: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
    for (id, pattern) in patterns.iter().enumerate() {
        let width = WINDOW.min(pattern.len());
        let mut offsets: Vec<usize> = (0..=pattern.len() - width).collect();
        offsets.sort_by_key(|&at| (pattern[at..at + width].iter().map(|&b| byte_rank(b)).sum::<u32>(), at));
        let free = offsets
            .into_iter()
            .find(|&at| index.get(&pattern[at..at + width]).is_none_or(|&slot| keys[slot].1.len() < MAX_SHARED));
        let (offset, key) = match free {
            Some(at) => (at, pattern[at..at + width].to_vec()),
            None => (0, pattern.clone()),
        };
        let slot = *index.entry(key.clone()).or_insert_with(|| {
            keys.push((key, Vec::new()));
            keys.len() - 1
        });
        keys[slot].1.push((id as u32, offset as u32));
    }
    keys
}

/// How common a byte is in lowercased log text, roughly: higher is more common. Spaces, digits,
/// the frequent letters and the punctuation of key=value text first; bytes of UTF-8 text (the
/// Chinese of many logs) next; anything else is rare.
fn byte_rank(byte: u8) -> u32 {
    const COMMON: &[u8] = b" e0t1a2o3i4n5s6r7l8c9d.u:-p=m/h_g,fb[]y()wvk\"x";
    match COMMON.iter().position(|&c| c == byte) {
        Some(i) => 255 - i as u32,
        None if byte >= 0x80 => 150,
        None => 100,
    }
}

/// What searching with `keys` packed searchers costs, in slim passes (a fat one counts two).
fn search_cost(keys: usize) -> usize {
    let count = keys.div_ceil(GROUP).max(1);
    let size = keys.div_ceil(count);
    count * if size > SLIM { 2 } else { 1 }
}

/// The packed search over a buffer, a block at a time.
struct PackedIter<'a> {
    search: &'a LiteralSearch,
    buf: &'a [u8],
    /// Where the next block starts.
    next_block: usize,
    lower: Vec<u8>,
    hits: Vec<LiteralHit>,
    next_hit: usize,
}

impl<'a> PackedIter<'a> {
    fn new(search: &'a LiteralSearch, buf: &'a [u8]) -> PackedIter<'a> {
        PackedIter { search, buf, next_block: 0, lower: Vec::new(), hits: Vec::new(), next_hit: 0 }
    }

    /// Finds the hits that start in the next block; false at the end of the buffer.
    fn fill(&mut self) -> bool {
        let start = self.next_block;
        if start >= self.buf.len() {
            return false;
        }
        let end = (start + BLOCK).min(self.buf.len());
        self.hits.clear();
        self.next_hit = 0;
        self.search.find_in_block(self.buf, start..end, &mut self.lower, &mut self.hits);
        self.hits.sort_unstable();
        self.next_block = end;
        true
    }
}

impl Iterator for PackedIter<'_> {
    type Item = LiteralHit;

    fn next(&mut self) -> Option<LiteralHit> {
        while self.next_hit >= self.hits.len() {
            if !self.fill() {
                return None;
            }
        }
        self.next_hit += 1;
        Some(self.hits[self.next_hit - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted(search: &LiteralSearch, text: &[u8]) -> Vec<LiteralHit> {
        let mut hits: Vec<LiteralHit> = search.iter(text).collect();
        hits.sort_unstable();
        hits
    }

    const LITERALS: &[&str] = &[
        "python runtimeout",
        "runtimeout",
        "run time out",
        "send msg failed",
        "send msg fail",
        "failed: python run",
        " end ip=",
        "result:",
        "开始执行",
        "执行超时",
        "sdk.serverunreachable",
    ];

    fn patterns() -> Vec<Vec<u8>> {
        LITERALS.iter().map(|l| l.as_bytes().to_vec()).collect()
    }

    #[test]
    fn finds_overlapping_prefixed_and_cased_literals() {
        let search = LiteralSearch::new(&patterns()).unwrap();
        assert_eq!(search.is_packed(), packed_expected());
        let text = "x Python RunTimeout; SEND MSG FAILED: python run time out 任务开始执行超时".as_bytes();
        let found: Vec<(usize, &str)> =
            sorted(&search, text).iter().map(|h| (h.start, LITERALS[h.pattern as usize])).collect();
        assert_eq!(
            found,
            [
                (2, "python runtimeout"),
                (9, "runtimeout"),
                (21, "send msg failed"),
                (21, "send msg fail"),
                (30, "failed: python run"),
                (45, "run time out"),
                (64, "开始执行"),
                (70, "执行超时"),
            ]
        );
    }

    #[test]
    fn matches_across_block_edges_once() {
        let search = LiteralSearch::new(&patterns()).unwrap();
        let mut text = vec![b'.'; BLOCK - 5];
        text.extend_from_slice(b"python runtimeout end");
        text.extend(std::iter::repeat_n(b'.', BLOCK));
        text.extend_from_slice(b"result:");
        let starts: Vec<usize> = sorted(&search, &text).iter().map(|h| h.start).collect();
        assert_eq!(starts, [BLOCK - 5, BLOCK + 2, 2 * BLOCK + 16]);
    }

    /// Literals that start with common bytes are searched by their rarest window where that
    /// takes fewer searchers: the executor's literals need two fat ones, their windows one.
    #[test]
    fn windows_are_searched_where_they_need_fewer_searchers() {
        let words = ["send msg failed", "sendmsg failed", "send message failed", "run time out", "runtimeout"];
        let many: Vec<Vec<u8>> = (0..70).map(|i| format!("{} {i}x", words[i % words.len()]).into_bytes()).collect();
        assert!(window_keys(&many).len() < many.len());
        assert!(search_cost(window_keys(&many).len()) < search_cost(many.len()));
        let search = LiteralSearch::new(&many).unwrap();
        if let Engine::Packed(packed) = &search.engine {
            assert_eq!(packed.groups.len(), 1, "one searcher of windows, not two of literals");
            assert!(packed.targets.iter().flatten().any(|t| t.check));
        }
        let text = b"x SEND MSG FAILED 5x, runtimeout 69x; run time out 68x; send msg failed 7x";
        let found: Vec<usize> = sorted(&search, text).iter().map(|h| h.pattern as usize).collect();
        assert_eq!(found, [5, 69, 68]);
        // Few literals keep their own keys: one slim searcher either way.
        assert!(search_cost(window_keys(&patterns()).len()) >= search_cost(patterns().len()));
    }

    /// Literals that would all pick one window are spread over several, so that a window found
    /// is compared with a few literals, not hundreds; the search stays exact.
    #[test]
    fn no_window_stands_for_more_than_a_few_literals() {
        let codes: Vec<Vec<u8>> = (0..300).map(|i| format!("code-{i:04}").into_bytes()).collect();
        let keys = window_keys(&codes);
        assert!(keys.iter().all(|(_, literals)| literals.len() <= MAX_SHARED));
        assert_eq!(keys.iter().map(|(_, literals)| literals.len()).sum::<usize>(), codes.len());
        let text: Vec<u8> = (0..2000).flat_map(|i| format!("x CODE-{:04} ", i * 7 % 400).into_bytes()).collect();
        let windows = LiteralSearch::with_windows(&codes).unwrap();
        let automaton = LiteralSearch::with_automaton(&codes).unwrap();
        assert_eq!(sorted(&windows, &text), sorted(&automaton, &text));
        assert_eq!(sorted(&automaton, &text).len(), 2000 * 300 / 400);
    }

    #[test]
    fn a_literal_given_twice_is_an_error() {
        let twice = [b"Timeout".to_vec(), b"timeout".to_vec()];
        assert_eq!(LiteralSearch::new(&twice).unwrap_err(), "literal \"timeout\" is given twice");
    }

    /// Teddy is built for x86-64 and aarch64; elsewhere the DFA serves.
    fn packed_expected() -> bool {
        cfg!(any(target_arch = "x86_64", target_arch = "aarch64"))
    }

    #[test]
    fn too_many_keys_use_the_automaton() {
        // Literals of 4 bytes are their own windows: 257 keys, more than the searchers hold.
        let many: Vec<Vec<u8>> = (0..GROUP * MAX_GROUPS + 1).map(|i| format!("{i:04}").into_bytes()).collect();
        let search = LiteralSearch::new(&many).unwrap();
        assert!(!search.is_packed());
        assert_eq!(sorted(&search, b"a 0007 b").len(), 1);
        // Longer literals whose windows are fewer keep the packed search.
        let longer: Vec<Vec<u8>> =
            (0..GROUP * MAX_GROUPS + 1).map(|i| format!("literal {i:04}").into_bytes()).collect();
        assert_eq!(LiteralSearch::new(&longer).unwrap().is_packed(), packed_expected());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The packed search finds exactly what the overlapping DFA finds, whatever the text.
        #[test]
        fn packed_and_automaton_agree(
            pieces in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(LITERALS).prop_map(|l| l.to_uppercase()),
                    proptest::sample::select(LITERALS).prop_map(str::to_string),
                    "[a-z :=]{0,12}",
                    proptest::string::string_regex(".{0,8}").unwrap(),
                ],
                0..40,
            ),
            filler in 0usize..3,
        ) {
            let mut text = "-".repeat(filler * (BLOCK / 2 - 3)).into_bytes();
            for piece in pieces {
                text.extend_from_slice(piece.as_bytes());
            }
            let packed = LiteralSearch::new(&patterns()).unwrap();
            let automaton = LiteralSearch::with_automaton(&patterns()).unwrap();
            prop_assert_eq!(packed.is_packed(), packed_expected());
            let want = sorted(&automaton, &text);
            prop_assert_eq!(sorted(&packed, &text), want.clone());
            if packed_expected() {
                let windows = LiteralSearch::with_windows(&patterns()).unwrap();
                prop_assert_eq!(sorted(&windows, &text), want);
            }
        }

        /// With as many literals as the default pack has (several searchers of up to 64, the
        /// fat Teddy), the packed search still finds exactly what the DFA finds.
        #[test]
        fn many_literals_in_several_searchers_agree(
            words in proptest::collection::btree_set("[a-d]{2}[a-z]{1,7}", 65..256),
            seed in 0usize..1000,
        ) {
            let literals: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
            let packed = LiteralSearch::new(&literals).unwrap();
            let automaton = LiteralSearch::with_automaton(&literals).unwrap();
            prop_assert_eq!(packed.is_packed(), packed_expected());
            let windows = LiteralSearch::with_windows(&literals).ok();
            prop_assert_eq!(windows.is_some(), packed_expected() && literals.len() <= GROUP * MAX_GROUPS);
            let mut text = Vec::new();
            for (i, word) in words.iter().enumerate().cycle().skip(seed % words.len()).take(400) {
                text.extend_from_slice(if i % 3 == 0 { word.to_uppercase() } else { word.clone() }.as_bytes());
                text.extend_from_slice(&b"ab cd x"[..i % 8]);
            }
            text.extend(std::iter::repeat_n(b'z', BLOCK - text.len() % BLOCK + 3));
            text.extend_from_slice(words.iter().next().unwrap().as_bytes());
            let want = sorted(&automaton, &text);
            prop_assert_eq!(sorted(&packed, &text), want.clone());
            if let Some(windows) = windows {
                prop_assert_eq!(sorted(&windows, &text), want);
            }
        }
    }
}
