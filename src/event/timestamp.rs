//! Header timestamps and levels: recognises the line that starts an event and reads its
//! timestamp and level without allocating.
//!
//! Input is one line of raw log bytes (from `event::records`); output is a [`Header`] with a
//! [`Timestamp`] counted in the log's own (zone-less) local time. The zone is applied only when
//! a report is written (`report::time`).

use std::fmt;

/// Milliseconds since 1970-01-01T00:00:00 in the log's local, zone-less time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// Builds a timestamp from calendar fields; `None` when a field is out of range.
    pub fn from_parts(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        millis: u32,
    ) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 60 || millis > 999 {
            return None;
        }
        // A leap second is shown as the last moment of its minute rather than rolling over
        // (into the next year, on the last day of 9999).
        let (second, millis) = if second == 60 { (59, 999) } else { (second, millis) };
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        Some(Timestamp(seconds * 1000 + i64::from(millis)))
    }

    /// Milliseconds since the epoch, as if the local time were UTC.
    pub fn local_millis(self) -> i64 {
        self.0
    }

    pub fn from_local_millis(millis: i64) -> Self {
        Timestamp(millis)
    }
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DD HH:MM:SS.mmm`, zone-less, as the log wrote it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.rem_euclid(1000);
        let seconds = self.0.div_euclid(1000);
        let (days, day_seconds) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{millis:03}",
            day_seconds / 3600,
            day_seconds / 60 % 60,
            day_seconds % 60
        )
    }
}

/// The severity word a header carries, when it carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Level {
    #[default]
    Unknown,
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    /// Every level, in order: `Level::ALL[level as usize] == level`.
    pub const ALL: [Level; 7] =
        [Level::Unknown, Level::Trace, Level::Debug, Level::Info, Level::Warn, Level::Error, Level::Fatal];

    /// Parses a level name as rule packs and logs spell it (case-insensitive, `WARNING` and
    /// `SEVERE` included).
    pub fn from_name(name: &[u8]) -> Option<Level> {
        // The word, upper-cased, packed into one integer: this runs for every header line, and
        // one integer comparison per level beats comparing byte strings.
        if name.is_empty() || name.len() > 8 {
            return None;
        }
        let mut word = 0u64;
        for (i, b) in name.iter().enumerate() {
            word |= u64::from(b.to_ascii_uppercase()) << (8 * i);
        }
        Level::from_packed(word)
    }

    /// A level name packed by [`Level::from_name`].
    fn from_packed(word: u64) -> Option<Level> {
        let level = match word {
            w if w == pack(b"TRACE") => Level::Trace,
            w if w == pack(b"DEBUG") => Level::Debug,
            w if w == pack(b"INFO") => Level::Info,
            w if w == pack(b"WARN") || w == pack(b"WARNING") => Level::Warn,
            w if w == pack(b"ERROR") || w == pack(b"ERR") => Level::Error,
            w if w == pack(b"FATAL") || w == pack(b"SEVERE") || w == pack(b"CRITICAL") => Level::Fatal,
            _ => return None,
        };
        Some(level)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Unknown => "UNKNOWN",
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }
}

/// Up to 8 bytes as a little-endian integer, for [`Level::from_name`].
const fn pack(word: &[u8]) -> u64 {
    let mut packed = 0u64;
    let mut i = 0;
    while i < word.len() {
        packed |= (word[i] as u64) << (8 * i);
        i += 1;
    }
    packed
}

/// What the first line of an event tells: when and how severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub timestamp: Timestamp,
    pub level: Level,
}

/// Reads a header from the start of `line`: an optional `[`, then
/// `YYYY-MM-DD` (or `YYYY/MM/DD`), a space or `T`, `HH:MM:SS`, optionally `,` or `.` and 1 to 9
/// fraction digits, then optionally a level word (bare or bracketed) after spaces or `]`.
/// Returns `None` when the line does not start with a timestamp.
pub fn parse_header(line: &[u8]) -> Option<Header> {
    HeaderParser::default().parse(line)
}

/// Reads headers like [`parse_header`], remembering the minute of the last one: the headers of a
/// log come in order, most share their minute with the one before, and for those only the
/// seconds are read.
#[derive(Debug, Default, Clone)]
pub struct HeaderParser {
    /// `YYYY-MM-DD HH:MM` of the last header read (as written, separators included), and the
    /// start of that minute; zeros before the first.
    minute_text: [u8; 16],
    minute_millis: i64,
}

impl HeaderParser {
    /// See [`parse_header`].
    pub fn parse(&mut self, line: &[u8]) -> Option<Header> {
        // The cheapest possible rejection first: almost every continuation line fails here.
        let start = match line.first()? {
            b'0'..=b'9' => 0,
            b'[' => 1,
            _ => return None,
        };
        let b = line.get(start..)?;
        if b.len() < 19 || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let second = digits(&b[17..19])?;
        if second > 60 {
            return None;
        }
        let minute_millis = if b[..16] == self.minute_text {
            self.minute_millis
        } else {
            let millis = minute_start(b)?;
            self.minute_text.copy_from_slice(&b[..16]);
            self.minute_millis = millis;
            millis
        };
        let mut pos = 19;
        let mut millis = 0;
        if matches!(b.get(pos), Some(b',' | b'.')) && b.get(pos + 1).is_some_and(u8::is_ascii_digit) {
            pos += 1;
            let mut scale = 100;
            while let Some(d) = digit(b.get(pos)) {
                millis += d * scale;
                scale /= 10;
                pos += 1;
            }
        }
        // A leap second is shown as the last moment of its minute rather than rolling over
        // (into the next year, on the last day of 9999).
        let (second, millis) = if second == 60 { (59, 999) } else { (second, millis) };
        let timestamp = Timestamp(minute_millis + i64::from(second * 1000 + millis));
        Some(Header { timestamp, level: level_after(&b[pos..]) })
    }
}

/// The start of the minute that `b` (a header from its year on, at least 19 bytes) begins with,
/// when its date, hour and minute are valid.
fn minute_start(b: &[u8]) -> Option<i64> {
    let date_sep = b[4];
    if (date_sep != b'-' && date_sep != b'/') || b[7] != date_sep || !matches!(b[10], b' ' | b'T') {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    Timestamp::from_parts(year as i32, month, day, hour, minute, 0, 0).map(Timestamp::local_millis)
}

/// The level word that follows a timestamp: skips a closing `]`, spaces, an opening `[`.
fn level_after(rest: &[u8]) -> Level {
    let mut i = 0;
    while i < rest.len() && matches!(rest[i], b']' | b' ' | b'\t' | b'[') {
        i += 1;
    }
    // The word, upper-cased, packed into one integer as it is read (see `Level::from_name`).
    let mut word = 0u64;
    let mut len = 0;
    while let Some(&c) = rest.get(i + len) {
        if !c.is_ascii_alphabetic() {
            if c.is_ascii_digit() {
                return Level::Unknown;
            }
            break;
        }
        if len == 8 {
            return Level::Unknown;
        }
        word |= u64::from(c.to_ascii_uppercase()) << (8 * len);
        len += 1;
    }
    Level::from_packed(word).unwrap_or(Level::Unknown)
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, c| digit(Some(c)).map(|d| acc * 10 + d))
}

/// The value of a decimal digit. The byte is read once: a mapped file can change underneath
/// (another process writing or truncating it), and a second read could see another byte.
fn digit(byte: Option<&u8>) -> Option<u32> {
    let value = byte.copied()?.wrapping_sub(b'0');
    (value < 10).then_some(u32::from(value))
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        line: &'static str,
        expect: Option<(&'static str, Level)>,
    }

    const CASES: &[Case] = &[
        Case {
            line: "2022-09-29 10:15:32,118 ERROR [opsware-executor-12] - x",
            expect: Some(("2022-09-29 10:15:32.118", Level::Error)),
        },
        Case { line: "2022-09-29 10:15:32.118 WARN  x", expect: Some(("2022-09-29 10:15:32.118", Level::Warn)) },
        Case { line: "2022-09-29T10:15:32.5 INFO x", expect: Some(("2022-09-29 10:15:32.500", Level::Info)) },
        Case {
            line: "[2022-09-29 10:15:30.004] [INFO] [worker-3] recv",
            expect: Some(("2022-09-29 10:15:30.004", Level::Info)),
        },
        Case {
            line: "2021-03-14 12:19:55,934 ERROR main - SOFABoot",
            expect: Some(("2021-03-14 12:19:55.934", Level::Error)),
        },
        Case { line: "2022-09-29 10:15:32 job 1 done", expect: Some(("2022-09-29 10:15:32.000", Level::Unknown)) },
        Case { line: "2022/09/29 10:15:32,001 [WARNING] x", expect: Some(("2022-09-29 10:15:32.001", Level::Warn)) },
        Case {
            line: "2024-02-29 23:59:59,999 ERRORS are words",
            expect: Some(("2024-02-29 23:59:59.999", Level::Unknown)),
        },
        Case { line: "2022-09-29 10:15:32,123456789 FATAL x", expect: Some(("2022-09-29 10:15:32.123", Level::Fatal)) },
        Case { line: "2023-02-29 10:15:32,000 ERROR not a leap year", expect: None },
        Case {
            line: "9999-12-31 23:59:60,000 ERROR leap second",
            expect: Some(("9999-12-31 23:59:59.999", Level::Error)),
        },
        Case { line: "2022-13-01 10:15:32,000 ERROR bad month", expect: None },
        Case { line: "2022-09-29 24:00:00,000 ERROR bad hour", expect: None },
        Case { line: "\tat com.alipay.Foo.bar(Foo.java:12)", expect: None },
        Case { line: "Caused by: java.io.IOException", expect: None },
        Case { line: "081109 203615 148 INFO dfs.DataNode", expect: None },
        Case { line: "[INFO] no timestamp", expect: None },
        Case { line: "2022-09-29", expect: None },
        Case { line: "", expect: None },
    ];

    #[test]
    fn header_cases() {
        for case in CASES {
            let got = parse_header(case.line.as_bytes()).map(|h| (h.timestamp.to_string(), h.level));
            let want = case.expect.map(|(ts, level)| (ts.to_string(), level));
            assert_eq!(got, want, "line {:?}", case.line);
        }
    }

    #[test]
    fn a_parser_reading_many_headers_reads_each_as_alone() {
        let mut parser = HeaderParser::default();
        for _ in 0..2 {
            for case in CASES {
                assert_eq!(parser.parse(case.line.as_bytes()), parse_header(case.line.as_bytes()), "{:?}", case.line);
            }
        }
    }

    proptest::proptest! {
        /// Headers of the same minute reuse the minute read before; whatever the order of
        /// minutes, seconds and damage, the result is that of reading each line alone.
        #[test]
        fn the_remembered_minute_never_changes_a_result(
            lines in proptest::collection::vec(
                ("2022-0[29]-(29|30) 1[09]:1[05]:[0-6][0-9](,[0-9]{1,4})? (ERROR|INFO|WARNING|x)", proptest::bool::ANY),
                1..40,
            )
        ) {
            let mut parser = HeaderParser::default();
            for (line, bracketed) in lines {
                let line = if bracketed { format!("[{line}]") } else { line };
                proptest::prop_assert_eq!(parser.parse(line.as_bytes()), parse_header(line.as_bytes()), "{}", line);
            }
        }
    }

    #[test]
    fn epoch_arithmetic_matches_chrono() {
        let ts = Timestamp::from_parts(2022, 9, 29, 10, 15, 32, 118).unwrap();
        let chrono = chrono::NaiveDate::from_ymd_opt(2022, 9, 29).unwrap().and_hms_milli_opt(10, 15, 32, 118).unwrap();
        assert_eq!(ts.local_millis(), chrono.and_utc().timestamp_millis());
        let early = Timestamp::from_parts(1969, 12, 31, 23, 59, 59, 0).unwrap();
        assert_eq!(early.local_millis(), -1000);
        assert_eq!(early.to_string(), "1969-12-31 23:59:59.000");
    }

    #[test]
    fn level_names() {
        assert_eq!(Level::from_name(b"warning"), Some(Level::Warn));
        assert_eq!(Level::from_name(b"Error"), Some(Level::Error));
        assert_eq!(Level::from_name(b"LOUD"), None);
        assert!(Level::Error > Level::Warn && Level::Warn > Level::Info);
    }
}
