//! `application.properties` checks (manual 2.6.3): a health check that reports "python run time
//! out" usually means this file has CRLF line endings or is not UTF-8.

/// CRLF line endings in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlfFacts {
    /// How many lines end in `\r\n`.
    pub crlf_lines: u64,
    /// How many lines the file has.
    pub total_lines: u64,
    /// 1-based number of the first line that ends in `\r\n`.
    pub first_line: u64,
    /// That line, without its terminator.
    pub first_text: Vec<u8>,
}

/// Counts the lines that end in `\r\n`; `None` when there are none.
pub fn crlf_facts(bytes: &[u8]) -> Option<CrlfFacts> {
    let mut crlf_lines = 0;
    let mut first: Option<(u64, usize)> = None;
    let mut line_start = 0;
    let mut line_no = 0;
    for nl in memchr::memchr_iter(b'\n', bytes) {
        line_no += 1;
        if nl > 0 && bytes[nl - 1] == b'\r' {
            crlf_lines += 1;
            first.get_or_insert((line_no, line_start));
        }
        line_start = nl + 1;
    }
    let total_lines = line_no + u64::from(line_start < bytes.len());
    let (first_line, start) = first?;
    let end = memchr::memchr(b'\r', &bytes[start..]).map_or(bytes.len(), |i| start + i);
    Some(CrlfFacts { crlf_lines, total_lines, first_line, first_text: bytes[start..end].to_vec() })
}

/// Why a file is not clean UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodingFacts {
    /// A short description, e.g. "starts with a UTF-8 byte order mark".
    pub problem: String,
    /// 1-based line of the first problem.
    pub line: u64,
    /// Byte offset of the first problem.
    pub offset: usize,
}

/// A UTF-8 byte order mark, or the first byte sequence that is not UTF-8.
pub fn encoding_facts(bytes: &[u8]) -> Option<EncodingFacts> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Some(EncodingFacts { problem: "starts with a UTF-8 byte order mark".into(), line: 1, offset: 0 });
    }
    let err = std::str::from_utf8(bytes).err()?;
    let offset = err.valid_up_to();
    let line = 1 + memchr::memchr_iter(b'\n', &bytes[..offset]).count() as u64;
    let bad = &bytes[offset..bytes.len().min(offset + 4)];
    let hex: Vec<String> = bad.iter().map(|b| format!("{b:02x}")).collect();
    Some(EncodingFacts {
        problem: format!("bytes that are not UTF-8 at offset {offset} (line {line}: {})", hex.join(" ")),
        line,
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_counts_lines_and_finds_the_first() {
        let facts = crlf_facts(b"a=1\nb=2\r\nc=3\r\nd=4").unwrap();
        assert_eq!(facts, CrlfFacts { crlf_lines: 2, total_lines: 4, first_line: 2, first_text: b"b=2".to_vec() });
        assert_eq!(crlf_facts(b"a=1\nb=2\n"), None);
        assert_eq!(crlf_facts(b""), None);
        assert_eq!(crlf_facts(b"\r\n").unwrap().first_line, 1);
    }

    #[test]
    fn encoding_problems() {
        assert_eq!(encoding_facts("name=应用\n".as_bytes()), None);
        assert_eq!(encoding_facts(b"\xEF\xBB\xBFa=1").unwrap().offset, 0);
        // "测试" in GBK.
        let gbk = encoding_facts(b"a=1\nname=\xb2\xe2\xca\xd4\n").unwrap();
        assert_eq!((gbk.line, gbk.offset), (2, 9));
        assert!(gbk.problem.contains("b2 e2"));
    }
}
