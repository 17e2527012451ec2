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
    /// For bytes that are not UTF-8: whether the whole file decodes as GBK (the usual encoding
    /// of files written on Chinese-locale Windows), and the problem's line so decoded.
    pub gbk: Option<GbkReading>,
}

/// How a file that is not UTF-8 reads as GBK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GbkReading {
    pub decodes: bool,
    /// The line of the first problem, decoded as GBK (when the file decodes).
    pub line_text: Option<String>,
}

/// A UTF-8 byte order mark, or the first byte sequence that is not UTF-8.
pub fn encoding_facts(bytes: &[u8]) -> Option<EncodingFacts> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Some(EncodingFacts {
            problem: "starts with a UTF-8 byte order mark".into(),
            line: 1,
            offset: 0,
            gbk: None,
        });
    }
    let err = std::str::from_utf8(bytes).err()?;
    let offset = err.valid_up_to();
    let line = 1 + memchr::memchr_iter(b'\n', &bytes[..offset]).count() as u64;
    let bad = &bytes[offset..bytes.len().min(offset + 4)];
    let hex: Vec<String> = bad.iter().map(|b| format!("{b:02x}")).collect();
    let decoded = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes);
    let line_text =
        decoded.as_ref().and_then(|text| text.lines().nth(usize::try_from(line - 1).ok()?).map(str::to_string));
    let gbk = Some(GbkReading { decodes: decoded.is_some(), line_text });
    let reads = if decoded.is_some() { "; the file reads as GBK" } else { "; it is not GBK either" };
    Some(EncodingFacts {
        problem: format!("bytes that are not UTF-8 at offset {offset} (line {line}: {}){reads}", hex.join(" ")),
        line,
        offset,
        gbk,
    })
}

/// Keys of a properties file whose value is empty (`key=` or `key:` with nothing after it),
/// with their 1-based lines, in file order.
pub fn empty_keys(bytes: &[u8]) -> Vec<(String, u64)> {
    let mut found = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw).trim_ascii();
        if line.is_empty() || line.starts_with(b"#") || line.starts_with(b"!") || line.ends_with(b"\\") {
            continue;
        }
        let Some(split) = line.iter().position(|&b| b == b'=' || b == b':') else { continue };
        let (key, value) = (line[..split].trim_ascii(), line[split + 1..].trim_ascii());
        if !key.is_empty() && value.is_empty() {
            found.push((String::from_utf8_lossy(key).into_owned(), index as u64 + 1));
        }
    }
    found
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
    fn empty_values() {
        let text = b"a=1\nb=\r\n# c=\n d : \nlong=x\\\n  \ne= \n";
        assert_eq!(empty_keys(text), [("b".to_string(), 2), ("d".to_string(), 4), ("e".to_string(), 7)]);
        assert!(empty_keys(b"").is_empty());
    }

    #[test]
    fn encoding_problems() {
        assert_eq!(encoding_facts("name=应用\n".as_bytes()), None);
        assert_eq!(encoding_facts(b"\xEF\xBB\xBFa=1").unwrap().offset, 0);
        // "测试" in GBK.
        let gbk = encoding_facts(b"a=1\nname=\xb2\xe2\xca\xd4\n").unwrap();
        assert_eq!((gbk.line, gbk.offset), (2, 9));
        assert!(gbk.problem.contains("b2 e2") && gbk.problem.contains("reads as GBK"));
        assert_eq!(gbk.gbk, Some(GbkReading { decodes: true, line_text: Some("name=测试".into()) }));
        // 0xff is neither UTF-8 nor GBK.
        let neither = encoding_facts(b"a=\xff\xff\n").unwrap();
        assert_eq!(neither.gbk, Some(GbkReading { decodes: false, line_text: None }));
    }
}
