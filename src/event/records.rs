//! Multi-line records: splits a buffer of log bytes into events (a header line that starts with a
//! timestamp, plus its continuation lines) and splits a large buffer into chunks at event
//! boundaries so that chunks can be scanned in parallel.
//!
//! Input is the raw bytes of one source (from `input`); output is [`Record`]s that borrow those
//! bytes, consumed by `scan`. Nothing here allocates.

use std::ops::Range;

use super::timestamp::{Header, HeaderParser, Level, Timestamp, parse_header};

/// One event: a header line and its continuation lines (stack frames, `Caused by:`, wrapped
/// text). Before the first header of a buffer there is no header to continue, so there a line
/// joins the previous one only when it looks like a continuation (indented, `Caused by:`,
/// `Suppressed:`, `...`, or empty); any other line starts a record without a timestamp. A log in a
/// format whose timestamps are not recognised thus gives one record per line, not one record
/// for the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Every byte of the event, without the final line terminator.
    pub bytes: &'a [u8],
    /// Offset of the first byte in the buffer that was split.
    pub offset: usize,
    /// 1-based number of the first line, counted in the buffer that was split.
    pub line: u64,
    /// How many lines the event spans.
    pub line_count: u64,
    pub timestamp: Option<Timestamp>,
    pub level: Level,
}

impl<'a> Record<'a> {
    /// The first line, without `\r\n` or `\n`.
    pub fn header_line(&self) -> &'a [u8] {
        let end = memchr::memchr(b'\n', self.bytes).unwrap_or(self.bytes.len());
        trim_cr(&self.bytes[..end])
    }

    /// The line that holds byte `offset` of the buffer (which must lie inside this record):
    /// its 1-based number and its text without the terminator.
    pub fn line_at(&self, offset: usize) -> (u64, &'a [u8]) {
        let (line, _, text) = self.line_and_start_at(offset);
        (line, text)
    }

    /// Like [`Record::line_at`], with the offset in the buffer where the line starts.
    pub fn line_and_start_at(&self, offset: usize) -> (u64, usize, &'a [u8]) {
        let rel = offset.saturating_sub(self.offset).min(self.bytes.len());
        let before = &self.bytes[..rel];
        let line = self.line + memchr::memchr_iter(b'\n', before).count() as u64;
        let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &self.bytes[rel..]).map_or(self.bytes.len(), |i| rel + i);
        (line, self.offset + start, trim_cr(&self.bytes[start..end]))
    }
}

pub(crate) fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Iterator over the [`Record`]s of a buffer. Line numbers and offsets count from the start of
/// the buffer; [`Records::lines`] tells how many lines were read so far.
pub struct Records<'a> {
    buf: &'a [u8],
    pos: usize,
    lines: u64,
    headers: HeaderParser,
    /// The header of the line at `pos`, when the record before found it (each line is read
    /// once).
    next_header: Option<Header>,
}

impl<'a> Records<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Records { buf, pos: 0, lines: 0, headers: HeaderParser::default(), next_header: None }
    }

    /// Lines consumed so far; after the last record, the buffer's line count (a final line
    /// without a terminator counts).
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Index one past the line that starts at `start` (past its `\n`, or the end).
    fn next_line_start(&self, start: usize) -> usize {
        memchr::memchr(b'\n', &self.buf[start..]).map_or(self.buf.len(), |i| start + i + 1)
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let start = self.pos;
        let header: Option<Header> = match self.next_header.take() {
            Some(header) => Some(header),
            None => self.headers.parse(&self.buf[start..]),
        };
        let first_line = self.lines + 1;
        let mut pos = self.next_line_start(start);
        let mut count = 1;
        while pos < self.buf.len() {
            if let Some(next) = self.headers.parse(&self.buf[pos..]) {
                self.next_header = Some(next);
                break;
            }
            if header.is_none() && !looks_like_continuation(&self.buf[pos..]) {
                break;
            }
            pos = self.next_line_start(pos);
            count += 1;
        }
        self.pos = pos;
        self.lines += count;
        let mut end = pos;
        if end > start && self.buf[end - 1] == b'\n' {
            end -= 1;
        }
        Some(Record {
            bytes: &self.buf[start..end],
            offset: start,
            line: first_line,
            line_count: count,
            timestamp: header.map(|h| h.timestamp),
            level: header.map_or(Level::Unknown, |h| h.level),
        })
    }
}

/// Whether a line (without a header before it) continues the line above: an indented stack
/// frame, a `Caused by:` or `Suppressed:` block, a `... 12 more`, or an empty line.
fn looks_like_continuation(line: &[u8]) -> bool {
    match line.first() {
        None | Some(b' ' | b'\t' | b'\n' | b'\r') => true,
        Some(b'C') => line.starts_with(b"Caused by:"),
        Some(b'S') => line.starts_with(b"Suppressed:"),
        Some(b'.') => line.starts_with(b"..."),
        _ => false,
    }
}

/// Splits `buf` into ranges of about `target` bytes, each starting at a header line (the first
/// starts at 0), so that no event crosses a range boundary: scanning the ranges one by one gives
/// exactly the records of scanning the whole buffer, whatever `target` is.
pub fn chunk_ranges(buf: &[u8], target: usize) -> Vec<Range<usize>> {
    let target = target.max(1);
    let mut starts = vec![0];
    let mut probe = target;
    while probe < buf.len() {
        let Some(start) = header_at_or_after(buf, probe) else { break };
        starts.push(start);
        probe = start + target;
    }
    let mut ranges = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(buf.len());
        ranges.push(start..end);
    }
    ranges
}

/// Offset of the first header line that starts at or after `from`.
pub(crate) fn header_at_or_after(buf: &[u8], from: usize) -> Option<usize> {
    let mut pos =
        if from == 0 || buf[from - 1] == b'\n' { from } else { from + memchr::memchr(b'\n', &buf[from..])? + 1 };
    while pos < buf.len() {
        if parse_header(&buf[pos..]).is_some() {
            return Some(pos);
        }
        pos += memchr::memchr(b'\n', &buf[pos..])? + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE: &str = "preamble without time\n\
        2022-09-29 10:15:32,118 ERROR [x] - dispatch failed\n\
        com.alipay.CommandSendException: send msg failed\n\
        \tat com.alipay.Foo.bar(Foo.java:1)\n\
        2022-09-29 10:15:33,000 INFO  next\r\n\
        [2022-09-29 10:15:34.000] [WARN] last without newline";

    #[test]
    fn splits_headers_and_continuations() {
        let mut records = Records::new(SAMPLE.as_bytes());
        let all: Vec<Record> = records.by_ref().collect();
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].timestamp, None);
        assert_eq!(all[0].bytes, b"preamble without time");
        assert_eq!((all[1].line, all[1].line_count, all[1].level), (2, 3, Level::Error));
        assert!(all[1].bytes.ends_with(b"(Foo.java:1)"));
        assert_eq!(all[2].header_line(), b"2022-09-29 10:15:33,000 INFO  next");
        assert_eq!((all[3].line, all[3].level), (6, Level::Warn));
        assert_eq!(records.lines(), 6);
    }

    #[test]
    fn line_at_finds_continuation_lines() {
        let record = Records::new(SAMPLE.as_bytes()).nth(1).unwrap();
        let offset = SAMPLE.find("send msg").unwrap();
        assert_eq!(record.line_at(offset), (3, &b"com.alipay.CommandSendException: send msg failed"[..]));
        assert_eq!(record.line_at(record.offset).0, 2);
    }

    #[test]
    fn lines_without_a_header_are_events_of_their_own() {
        let text = b"Jun 14 15:16:01 combo sshd[1]: one\nJun 14 15:16:02 combo sshd[1]: two\njava.lang.IllegalStateException: x\n\tat a.b(C.java:1)\nCaused by: y\n\t... 3 more\n2022-09-29 10:15:32,118 ERROR z\nwrapped text joins a header\n";
        let all: Vec<Record> = Records::new(text).collect();
        let shape: Vec<(u64, u64, bool)> = all.iter().map(|r| (r.line, r.line_count, r.timestamp.is_some())).collect();
        assert_eq!(shape, [(1, 1, false), (2, 1, false), (3, 4, false), (7, 2, true)]);
    }

    #[test]
    fn empty_and_blank_buffers() {
        assert_eq!(Records::new(b"").count(), 0);
        let blank: Vec<_> = Records::new(b"\n\n").collect();
        assert_eq!(blank.len(), 1);
        assert_eq!(blank[0].line_count, 2);
    }

    #[test]
    fn chunks_start_at_headers() {
        let buf = SAMPLE.as_bytes();
        let ranges = chunk_ranges(buf, 10);
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        for r in &ranges[1..] {
            assert!(parse_header(&buf[r.start..]).is_some());
        }
        assert_eq!(ranges.last().map(|r| r.end), Some(buf.len()));
    }

    /// What a record is, independent of where the buffer was split.
    fn normalise(buf: &[u8], ranges: &[Range<usize>]) -> Vec<(usize, usize, u64, u64, Option<Timestamp>, Level)> {
        let mut out = Vec::new();
        let mut line_base = 0;
        for range in ranges {
            let mut records = Records::new(&buf[range.clone()]);
            for r in records.by_ref() {
                out.push((
                    range.start + r.offset,
                    r.bytes.len(),
                    line_base + r.line,
                    r.line_count,
                    r.timestamp,
                    r.level,
                ));
            }
            line_base += records.lines();
        }
        out
    }

    fn line_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("2022-09-29 10:15:32,118 ERROR [t] - failed".to_string()),
            Just("[2022-09-29 10:15:30.004] [INFO] recv".to_string()),
            Just("\tat com.alipay.Foo.bar(Foo.java:12)".to_string()),
            Just("Caused by: java.io.IOException: x".to_string()),
            Just(String::new()),
            "[ -~]{0,40}",
        ]
    }

    proptest! {
        #[test]
        fn any_chunk_size_gives_the_same_records(
            lines in proptest::collection::vec(line_strategy(), 0..60),
            crlf in any::<bool>(),
            final_newline in any::<bool>(),
            target in 1usize..400,
        ) {
            let sep = if crlf { "\r\n" } else { "\n" };
            let mut text = lines.join(sep);
            if final_newline { text.push_str(sep); }
            let buf = text.as_bytes();
            let whole = normalise(buf, &[Range { start: 0, end: buf.len() }]);
            let chunked = normalise(buf, &chunk_ranges(buf, target));
            prop_assert_eq!(whole, chunked);
        }
    }
}
