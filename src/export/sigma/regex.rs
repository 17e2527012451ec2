//! Rule-pack regexes (the Rust `regex` syntax, ASCII classes, matched against bytes) rewritten in
//! the regular expressions Sigma allows: the metacharacters `.`, `^`, `$`, `* + ? {n,m}`,
//! `[...]`, `(...)` and `|`, with the flags `i`, `m` and `s` as the modifiers `re|i`, `re|m` and
//! `re|s`. Input comes from `rule.rs`, one pattern at a time; the output is a [`SigmaRegex`], or
//! the reason the pattern has no exact equivalent.
//!
//! Shorthand classes become brackets (`\d` → `[0-9]`), non-capturing and named groups plain
//! groups, lazy repetitions greedy ones (whether a text matches does not depend on greed).
//! Word boundaries (`\b`), which Sigma lacks but the pack uses everywhere, are removed by
//! consuming the character on the other side: `\bfail` becomes `(^|[^0-9A-Za-z_])fail`, and a
//! boundary between two parts is resolved by restricting the first character of the part after
//! it (or the last of the part before) to word or non-word characters, splitting repetitions
//! and alternatives where needed. The result matches exactly the texts the pattern matches.
//!
//! Every result is written to match the whole field, `.*(...).*` with the `s` flag, because
//! the backends disagree on anchoring: LogQL label filters and Lucene match a regex against the
//! whole value, Splunk's `regex` searches inside it; this form means the same under both
//! readings, and a dot of the pattern (which does not match a line break) is written `[^\n]`.

use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// The ASCII word characters `[0-9A-Za-z_]`, as bits of a [`Set`].
const WORD: u128 = {
    let mut bits = 0u128;
    let mut byte = 0u8;
    while byte < 128 {
        if byte.is_ascii_alphanumeric() || byte == b'_' {
            bits |= 1 << byte;
        }
        byte += 1;
    }
    bits
};

/// How many alternatives removing word boundaries may produce before the pattern is called too
/// complex to export.
const MAX_BRANCHES: usize = 64;

/// A pattern in Sigma's regular-expression subset, with the flags that apply to all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SigmaRegex {
    pub pattern: String,
    pub ignore_case: bool,
    pub multi_line: bool,
    pub dot_all: bool,
}

impl SigmaRegex {
    /// The field modifiers: `|re`, then `|i`, `|m`, `|s` as the flags are set.
    pub fn modifiers(&self) -> String {
        let mut modifiers = String::from("|re");
        for (set, flag) in [(self.ignore_case, "|i"), (self.multi_line, "|m"), (self.dot_all, "|s")] {
            if set {
                modifiers.push_str(flag);
            }
        }
        modifiers
    }
}

/// Why a pattern has no exact equivalent in Sigma.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Untranslatable(String);

fn untranslatable<T>(reason: impl Into<String>) -> Result<T, Untranslatable> {
    Err(Untranslatable(reason.into()))
}

/// A regex matching any one of `literals` (each literally, with the `i` flag as literals are
/// matched ignoring ASCII case): for literals that a Sigma string would read as wildcards.
pub(crate) fn any_literal(literals: &[&str]) -> SigmaRegex {
    let mut pattern = String::from(".*(");
    for (index, literal) in literals.iter().enumerate() {
        if index > 0 {
            pattern.push('|');
        }
        literal.chars().for_each(|c| push_char(c, false, &mut pattern));
    }
    pattern.push_str(").*");
    SigmaRegex { pattern, ignore_case: true, multi_line: false, dot_all: true }
}

/// Rewrites `pattern` in Sigma's subset, matching exactly the same texts.
pub(crate) fn translate(pattern: &str) -> Result<SigmaRegex, Untranslatable> {
    let ast = ast::parse::Parser::new()
        .parse(pattern)
        .or_else(|e| untranslatable(format!("the pattern does not parse: {e}")))?;
    let (flags, rest) = match leading_flags(&ast) {
        Some(set) => (flag_list(&set.flags)?, &pattern[set.span.end.offset..]),
        None => (Flags::default(), pattern),
    };
    let rest_ast = ast::parse::Parser::new()
        .parse(rest)
        .or_else(|e| untranslatable(format!("the pattern does not parse: {e}")))?;
    if has_flags(&rest_ast) {
        return untranslatable("flags set inside the pattern (only leading (?i), (?m), (?s) carry over)");
    }
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .multi_line(flags.multi_line)
        .dot_matches_new_line(flags.dot_all)
        .build()
        .parse(rest)
        .or_else(|e| untranslatable(format!("the pattern does not parse: {e}")))?;
    let top = lower(&hir, flags.multi_line)?;
    let branches = match <[Node; 1]>::try_from(top) {
        Ok([Node::Group(branches)]) => branches,
        Ok([node]) => vec![vec![node]],
        Err(seq) => vec![seq],
    };
    let mut resolved = Vec::new();
    for branch in branches {
        for hoisted in hoist(branch)? {
            resolved.extend(eliminate(hoisted)?);
            if resolved.len() > MAX_BRANCHES {
                return untranslatable(format!(
                    "removing its word boundaries (\\b) takes more than {MAX_BRANCHES} alternatives"
                ));
            }
        }
    }
    if resolved.is_empty() {
        return untranslatable("its word boundaries (\\b) can never hold, so it matches nothing");
    }
    let mut out = String::from(".*(");
    print_branches(&resolved, &mut out);
    out.push_str(").*");
    Ok(SigmaRegex { pattern: out, ignore_case: flags.ignore_case, multi_line: flags.multi_line, dot_all: true })
}

#[derive(Debug, Default, Clone, Copy)]
struct Flags {
    ignore_case: bool,
    multi_line: bool,
    dot_all: bool,
}

/// The flags set at the very start of the pattern, such as `(?i)`: they apply to all of it.
fn leading_flags(ast: &Ast) -> Option<&ast::SetFlags> {
    match ast {
        Ast::Flags(set) if set.span.start.offset == 0 => Some(set),
        Ast::Concat(concat) => concat.asts.first().and_then(leading_flags),
        Ast::Alternation(alternation) => alternation.asts.first().and_then(leading_flags),
        _ => None,
    }
}

fn flag_list(flags: &ast::Flags) -> Result<Flags, Untranslatable> {
    let mut out = Flags::default();
    for item in &flags.items {
        match item.kind {
            ast::FlagsItemKind::Flag(ast::Flag::CaseInsensitive) => out.ignore_case = true,
            ast::FlagsItemKind::Flag(ast::Flag::MultiLine) => out.multi_line = true,
            ast::FlagsItemKind::Flag(ast::Flag::DotMatchesNewLine) => out.dot_all = true,
            ast::FlagsItemKind::Flag(ast::Flag::SwapGreed) => {}
            ast::FlagsItemKind::Flag(ast::Flag::Unicode) => {
                return untranslatable("Unicode classes ((?u)) have no equivalent in Sigma");
            }
            ast::FlagsItemKind::Flag(ast::Flag::CRLF) => {
                return untranslatable("CRLF line anchors ((?R)) have no equivalent in Sigma");
            }
            ast::FlagsItemKind::Flag(ast::Flag::IgnoreWhitespace) => {
                return untranslatable("verbose mode ((?x)) has no equivalent in Sigma");
            }
            ast::FlagsItemKind::Negation => return untranslatable("negated flags have no equivalent in Sigma"),
        }
    }
    Ok(out)
}

fn has_flags(ast: &Ast) -> bool {
    match ast {
        Ast::Flags(_) => true,
        Ast::Group(group) => {
            matches!(&group.kind, ast::GroupKind::NonCapturing(flags) if !flags.items.is_empty())
                || has_flags(&group.ast)
        }
        Ast::Repetition(repetition) => has_flags(&repetition.ast),
        Ast::Alternation(alternation) => alternation.asts.iter().any(has_flags),
        Ast::Concat(concat) => concat.asts.iter().any(has_flags),
        _ => false,
    }
}

/// A set of characters: the ASCII characters in `ascii`, or, when `negated`, every character
/// (non-ASCII ones included) but those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Set {
    ascii: u128,
    negated: bool,
}

impl Set {
    const WORD: Set = Set { ascii: WORD, negated: false };

    fn is_empty(self) -> bool {
        !self.negated && self.ascii == 0
    }

    fn kinds(self) -> Kinds {
        if self.negated {
            Kinds { word: self.ascii & WORD != WORD, non_word: true }
        } else {
            Kinds { word: self.ascii & WORD != 0, non_word: self.ascii & !WORD != 0 }
        }
    }

    /// The characters of the set that are of `kind`.
    fn restrict(self, kind: Kind) -> Set {
        match (kind, self.negated) {
            (Kind::Word, false) => Set { ascii: self.ascii & WORD, negated: false },
            (Kind::Word, true) => Set { ascii: WORD & !self.ascii, negated: false },
            (Kind::NonWord, false) => Set { ascii: self.ascii & !WORD, negated: false },
            (Kind::NonWord, true) => Set { ascii: self.ascii | WORD, negated: true },
        }
    }
}

/// Whether a character is an ASCII word character, as `\b` (ASCII) sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    NonWord,
}

impl Kind {
    fn of(c: char) -> Kind {
        if c.is_ascii_alphanumeric() || c == '_' { Kind::Word } else { Kind::NonWord }
    }
}

/// The kinds of character a part of a pattern can start (or end) with.
#[derive(Debug, Clone, Copy, Default)]
struct Kinds {
    word: bool,
    non_word: bool,
}

impl Kinds {
    fn one(kind: Kind) -> Kinds {
        Kinds { word: kind == Kind::Word, non_word: kind == Kind::NonWord }
    }

    fn union(self, other: Kinds) -> Kinds {
        Kinds { word: self.word || other.word, non_word: self.non_word || other.non_word }
    }

    fn has(self, kind: Kind) -> bool {
        match kind {
            Kind::Word => self.word,
            Kind::NonWord => self.non_word,
        }
    }

    fn only(self, kind: Kind) -> bool {
        self.has(kind) && !self.has(other(kind))
    }
}

fn other(kind: Kind) -> Kind {
    match kind {
        Kind::Word => Kind::NonWord,
        Kind::NonWord => Kind::Word,
    }
}

/// A pattern as a sequence of nodes, simple enough to rewrite and print.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Char(char),
    Set(Set),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
    /// Alternatives: `(a|b)`.
    Group(Vec<Seq>),
    /// `^`: the start of the text (or of a line with the `m` flag).
    Start,
    /// `$`: the end of the text (or of a line with the `m` flag).
    End,
    WordBoundary,
    /// A non-word character before what follows, or the start of the text:
    /// `(^|[^0-9A-Za-z_])`.
    NonWordBefore,
    /// A non-word character after what precedes, or the end of the text: `([^0-9A-Za-z_]|$)`.
    NonWordAfter,
}

type Seq = Vec<Node>;

/// `node` repeated; `None` when it may only appear zero times.
fn repeat(node: Node, min: u32, max: Option<u32>) -> Option<Node> {
    match (min, max) {
        (_, Some(0)) => None,
        (1, Some(1)) => Some(node),
        _ => Some(Node::Repeat { node: Box::new(node), min, max }),
    }
}

fn lower(hir: &Hir, multi_line: bool) -> Result<Seq, Untranslatable> {
    Ok(match hir.kind() {
        HirKind::Empty => Vec::new(),
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) => text.chars().map(Node::Char).collect(),
            Err(_) => return untranslatable("a literal that is not UTF-8 text"),
        },
        HirKind::Class(class) => vec![Node::Set(set_of(class)?)],
        HirKind::Look(look) => vec![match (look, multi_line) {
            (Look::Start, false) | (Look::StartLF, true) => Node::Start,
            (Look::End, false) | (Look::EndLF, true) => Node::End,
            (Look::WordAscii, _) => Node::WordBoundary,
            (Look::WordAsciiNegate, _) => {
                return untranslatable("\\B (not a word boundary) has no equivalent in Sigma");
            }
            (Look::Start | Look::End, true) => {
                return untranslatable("\\A or \\z with the m flag has no equivalent in Sigma");
            }
            (other, _) => return untranslatable(format!("the assertion {other:?} has no equivalent in Sigma")),
        }],
        HirKind::Repetition(repetition) => {
            let sub = lower(&repetition.sub, multi_line)?;
            let node = match <[Node; 1]>::try_from(sub) {
                Ok([node]) => node,
                Err(seq) => Node::Group(vec![seq]),
            };
            repeat(node, repetition.min, repetition.max).into_iter().collect()
        }
        HirKind::Capture(capture) => lower(&capture.sub, multi_line)?,
        HirKind::Concat(parts) => {
            let mut seq = Vec::new();
            for part in parts {
                seq.extend(lower(part, multi_line)?);
            }
            seq
        }
        HirKind::Alternation(alternatives) => {
            vec![Node::Group(alternatives.iter().map(|alt| lower(alt, multi_line)).collect::<Result<_, _>>()?)]
        }
    })
}

/// A class as a [`Set`]: it must hold every non-ASCII character or none of them.
fn set_of(class: &Class) -> Result<Set, Untranslatable> {
    // The ASCII members, how many non-ASCII members, and how many non-ASCII characters exist.
    let (ascii, non_ascii, all_non_ascii) = match class {
        Class::Bytes(bytes) => {
            let ranges = bytes.ranges().iter().map(|r| (u32::from(r.start()), u32::from(r.end())));
            count(ranges, 0x80..=0xFF)
        }
        Class::Unicode(chars) => {
            let ranges = chars.ranges().iter().map(|r| (u32::from(r.start()), u32::from(r.end())));
            count(ranges, 0x80..=0x10_FFFF)
        }
    };
    if non_ascii == 0 && ascii == 0 {
        untranslatable("a class that matches nothing")
    } else if non_ascii == 0 {
        Ok(Set { ascii, negated: false })
    } else if non_ascii == all_non_ascii {
        Ok(Set { ascii: !ascii, negated: true })
    } else {
        untranslatable("a class that holds some non-ASCII characters but not all")
    }
}

/// The ASCII members of inclusive `ranges`, how many of their members lie in `high`, and how
/// many members `high` has; the surrogate code points, which no character is, count in neither.
fn count(ranges: impl Iterator<Item = (u32, u32)>, high: std::ops::RangeInclusive<u32>) -> (u128, u32, u32) {
    let size = |from: u32, to: u32| -> u32 {
        if from > to {
            return 0;
        }
        let surrogates = to.min(0xDFFF).saturating_sub(from.max(0xD800)) + 1;
        let surrogates = if from <= 0xDFFF && to >= 0xD800 { surrogates } else { 0 };
        to - from + 1 - surrogates
    };
    let mut ascii = 0u128;
    let mut non_ascii = 0u32;
    for (start, end) in ranges {
        for c in start..=end.min(127) {
            ascii |= 1 << c;
        }
        non_ascii += size(start.max(*high.start()), end.min(*high.end()));
    }
    (ascii, non_ascii, size(*high.start(), *high.end()))
}

fn contains_boundary(node: &Node) -> bool {
    match node {
        Node::WordBoundary => true,
        Node::Repeat { node, .. } => contains_boundary(node),
        Node::Group(branches) => branches.iter().flatten().any(contains_boundary),
        _ => false,
    }
}

/// Lifts the alternatives of groups that hold a word boundary to the top, so every boundary
/// sits in a top-level sequence: `x(\ba|b)` → `x\ba`, `xb`.
fn hoist(seq: Seq) -> Result<Vec<Seq>, Untranslatable> {
    let Some(index) = seq.iter().position(|node| !matches!(node, Node::WordBoundary) && contains_boundary(node)) else {
        return Ok(vec![seq]);
    };
    let Node::Group(branches) = &seq[index] else {
        return untranslatable("a word boundary (\\b) inside a repetition has no equivalent in Sigma");
    };
    let mut out = Vec::new();
    for branch in branches {
        let spliced: Seq = seq[..index].iter().chain(branch).chain(&seq[index + 1..]).cloned().collect();
        out.extend(hoist(spliced)?);
        if out.len() > MAX_BRANCHES {
            return untranslatable(format!("lifting its word boundaries takes more than {MAX_BRANCHES} alternatives"));
        }
    }
    Ok(out)
}

/// Removes the word boundaries of a top-level sequence: each one holds either between a word
/// character and a non-word one or the other way round; both cases are written out.
fn eliminate(seq: Seq) -> Result<Vec<Seq>, Untranslatable> {
    let Some(index) = seq.iter().position(|node| matches!(node, Node::WordBoundary)) else {
        return Ok(vec![seq]);
    };
    let mut out = Vec::new();
    for (before, after) in [(Kind::Word, Kind::NonWord), (Kind::NonWord, Kind::Word)] {
        let lefts = restrict_last(&seq[..index], before)?;
        if lefts.is_empty() {
            continue;
        }
        let rights = restrict_first(&seq[index + 1..], after)?;
        for left in &lefts {
            for right in &rights {
                out.extend(eliminate(left.iter().chain(right).cloned().collect())?);
                if out.len() > MAX_BRANCHES {
                    return untranslatable(format!(
                        "removing its word boundaries (\\b) takes more than {MAX_BRANCHES} alternatives"
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// What a node can start (or, `from_end`, end) with, and whether it can match nothing.
fn node_kinds(node: &Node, from_end: bool) -> (Kinds, bool) {
    match node {
        Node::Char(c) => (Kinds::one(Kind::of(*c)), false),
        Node::Set(set) => (set.kinds(), false),
        Node::Repeat { node, min, .. } => {
            let (kinds, nullable) = node_kinds(node, from_end);
            (kinds, *min == 0 || nullable)
        }
        Node::Group(branches) => branches.iter().fold((Kinds::default(), false), |(kinds, nullable), branch| {
            let (k, n) = seq_kinds(branch, from_end);
            (kinds.union(k), nullable || n)
        }),
        Node::Start | Node::End | Node::WordBoundary => (Kinds::default(), true),
        Node::NonWordBefore | Node::NonWordAfter => (Kinds::one(Kind::NonWord), true),
    }
}

fn seq_kinds(seq: &[Node], from_end: bool) -> (Kinds, bool) {
    let mut kinds = Kinds::default();
    let mut iter: Box<dyn Iterator<Item = &Node>> =
        if from_end { Box::new(seq.iter().rev()) } else { Box::new(seq.iter()) };
    for node in &mut iter {
        let (k, nullable) = node_kinds(node, from_end);
        kinds = kinds.union(k);
        if !nullable {
            return (kinds, false);
        }
    }
    (kinds, true)
}

/// A single-character node restricted to `kind`, or `None` when it holds no such character.
fn restrict_char(node: &Node, kind: Kind) -> Option<Node> {
    match node {
        Node::Char(c) => (Kind::of(*c) == kind).then_some(Node::Char(*c)),
        Node::Set(set) => Some(set.restrict(kind)).filter(|s| !s.is_empty()).map(Node::Set),
        _ => None,
    }
}

fn is_single_char(node: &Node) -> bool {
    matches!(node, Node::Char(_) | Node::Set(_))
}

/// The ways `seq` can match with its first character of `kind` (when it matches nothing, the
/// character after it: the end of the pattern is then followed by one such character, or by the
/// end of the text for a non-word kind). Called on what follows a word boundary whose other side
/// is of the other kind.
fn restrict_first(seq: &[Node], kind: Kind) -> Result<Vec<Seq>, Untranslatable> {
    let Some((head, rest)) = seq.split_first() else {
        return Ok(vec![vec![match kind {
            Kind::NonWord => Node::NonWordAfter,
            Kind::Word => Node::Set(Set::WORD),
        }]]);
    };
    let (kinds, nullable) = seq_kinds(seq, false);
    if !nullable && kinds.only(kind) {
        return Ok(vec![seq.to_vec()]);
    }
    if !nullable && !kinds.has(kind) {
        return Ok(Vec::new());
    }
    let prepend = |node: Node, tails: Vec<Seq>| -> Vec<Seq> {
        tails.into_iter().map(|tail| std::iter::once(node.clone()).chain(tail).collect()).collect()
    };
    Ok(match head {
        Node::Char(_) | Node::Set(_) => match restrict_char(head, kind) {
            Some(node) => vec![std::iter::once(node).chain(rest.iter().cloned()).collect()],
            None => Vec::new(),
        },
        Node::Start => prepend(Node::Start, restrict_first(rest, kind)?),
        // The end of the text, or of a line: what follows is not a word character.
        Node::End | Node::NonWordAfter => {
            if kind == Kind::NonWord {
                vec![seq.to_vec()]
            } else {
                Vec::new()
            }
        }
        // A second boundary at the same place holds whenever the first does.
        Node::WordBoundary => restrict_first(rest, kind)?,
        Node::NonWordBefore => return untranslatable("a word boundary before the start of the pattern"),
        Node::Repeat { node, min, max } => {
            if !is_single_char(node) {
                return untranslatable("a word boundary (\\b) next to a repeated group has no equivalent in Sigma");
            }
            let mut out = Vec::new();
            if let Some(first) = restrict_char(node, kind) {
                let remaining = repeat((**node).clone(), min.saturating_sub(1), max.map(|m| m - 1));
                out.push(std::iter::once(first).chain(remaining).chain(rest.iter().cloned()).collect());
            }
            if *min == 0 {
                out.extend(restrict_first(rest, kind)?);
            }
            out
        }
        Node::Group(branches) => {
            let mut out = Vec::new();
            for branch in branches {
                let spliced: Seq = branch.iter().chain(rest).cloned().collect();
                out.extend(restrict_first(&spliced, kind)?);
            }
            out
        }
    })
}

/// The mirror of [`restrict_first`]: the ways `seq` can match with its last character of `kind`
/// (when it matches nothing, the character before it, or the start of the text for a non-word
/// kind). Called on what precedes a word boundary, which is always the start of the pattern.
fn restrict_last(seq: &[Node], kind: Kind) -> Result<Vec<Seq>, Untranslatable> {
    let Some((tail, init)) = seq.split_last() else {
        return Ok(vec![vec![match kind {
            Kind::NonWord => Node::NonWordBefore,
            Kind::Word => Node::Set(Set::WORD),
        }]]);
    };
    let (kinds, nullable) = seq_kinds(seq, true);
    if !nullable && kinds.only(kind) {
        return Ok(vec![seq.to_vec()]);
    }
    if !nullable && !kinds.has(kind) {
        return Ok(Vec::new());
    }
    let append = |heads: Vec<Seq>, node: Node| -> Vec<Seq> {
        heads
            .into_iter()
            .map(|mut head| {
                head.push(node.clone());
                head
            })
            .collect()
    };
    Ok(match tail {
        Node::Char(_) | Node::Set(_) => match restrict_char(tail, kind) {
            Some(node) => vec![init.iter().cloned().chain(std::iter::once(node)).collect()],
            None => Vec::new(),
        },
        Node::End => append(restrict_last(init, kind)?, Node::End),
        // The start of the text, or of a line: what precedes is not a word character.
        Node::Start | Node::NonWordBefore => {
            if kind == Kind::NonWord {
                vec![seq.to_vec()]
            } else {
                Vec::new()
            }
        }
        Node::WordBoundary => restrict_last(init, kind)?,
        Node::NonWordAfter => return untranslatable("a word boundary after the end of the pattern"),
        Node::Repeat { node, min, max } => {
            if !is_single_char(node) {
                return untranslatable("a word boundary (\\b) next to a repeated group has no equivalent in Sigma");
            }
            let mut out = Vec::new();
            if let Some(last) = restrict_char(node, kind) {
                let remaining = repeat((**node).clone(), min.saturating_sub(1), max.map(|m| m - 1));
                out.push(init.iter().cloned().chain(remaining).chain(std::iter::once(last)).collect());
            }
            if *min == 0 {
                out.extend(restrict_last(init, kind)?);
            }
            out
        }
        Node::Group(branches) => {
            let mut out = Vec::new();
            for branch in branches {
                let spliced: Seq = init.iter().chain(branch).cloned().collect();
                out.extend(restrict_last(&spliced, kind)?);
            }
            out
        }
    })
}

/// Writes alternatives for the `s` flag (a dot matches any character).
fn print_branches(branches: &[Seq], out: &mut String) {
    for (index, branch) in branches.iter().enumerate() {
        if index > 0 {
            out.push('|');
        }
        branch.iter().for_each(|node| print_node(node, out));
    }
}

fn print_node(node: &Node, out: &mut String) {
    match node {
        Node::Char(c) => push_char(*c, false, out),
        Node::Set(set) => print_set(*set, out),
        Node::Repeat { node, min, max } => {
            // A quantifier applies to one character, class or group; `a++` would be another
            // operator (possessive) in PCRE.
            if matches!(**node, Node::Char(_) | Node::Set(_) | Node::Group(_)) {
                print_node(node, out);
            } else {
                out.push('(');
                print_node(node, out);
                out.push(')');
            }
            match (min, max) {
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (min, None) => out.push_str(&format!("{{{min},}}")),
                (min, Some(max)) if min == max => out.push_str(&format!("{{{min}}}")),
                (min, Some(max)) => out.push_str(&format!("{{{min},{max}}}")),
            }
        }
        Node::Group(branches) => {
            out.push('(');
            print_branches(branches, out);
            out.push(')');
        }
        Node::Start => out.push('^'),
        Node::End => out.push('$'),
        // Removed before printing; written as what it means at the start of a pattern.
        Node::WordBoundary | Node::NonWordBefore => out.push_str("(^|[^0-9A-Z_a-z])"),
        Node::NonWordAfter => out.push_str("([^0-9A-Z_a-z]|$)"),
    }
}

fn print_set(set: Set, out: &mut String) {
    match (set.negated, set.ascii) {
        (true, 0) => out.push('.'),
        (false, bits) if bits.count_ones() == 1 => push_char(char::from(bits.trailing_zeros() as u8), false, out),
        (negated, bits) => {
            out.push('[');
            if negated {
                out.push('^');
            }
            let mut byte = 0u8;
            while byte < 128 {
                if bits & (1 << byte) == 0 {
                    byte += 1;
                    continue;
                }
                let start = byte;
                while byte < 127 && bits & (1 << (byte + 1)) != 0 {
                    byte += 1;
                }
                push_char(char::from(start), true, out);
                if byte > start {
                    if byte > start + 1 {
                        out.push('-');
                    }
                    push_char(char::from(byte), true, out);
                }
                byte += 1;
            }
            out.push(']');
        }
    }
}

/// Writes `c` so that it stands for itself, in a class or outside one.
fn push_char(c: char, in_class: bool, out: &mut String) {
    let special = if in_class { "\\]-[^" } else { "\\.^$*+?()[]{}|" };
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c.is_ascii_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
        c if special.contains(c) => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests;
