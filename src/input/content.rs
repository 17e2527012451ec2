//! What a file is, from its name and from its first bytes: a log, an `application.properties`,
//! an archive or a compressed stream, or binary data that must not be scanned.

/// What the scan does with a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// Matched event by event against the line rules.
    Log,
    /// Checked as a whole by the `application.properties` checks.
    Properties,
}

/// What a name says a file holds. `None`: not a file a bundle scan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Text(FileKind),
    Gzip(FileKind),
    Tar { gzip: bool },
    Zip,
}

/// The kind of a file in a bundle, by its name: `*.log*` (rotations included) and
/// `application*.properties*` are read; `.gz` of those are decompressed; archives are opened.
pub fn kind_from_name(name: &str) -> Option<NameKind> {
    let lower = name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase();
    if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        return Some(NameKind::Tar { gzip: true });
    }
    if lower.ends_with(".tar") {
        return Some(NameKind::Tar { gzip: false });
    }
    if lower.ends_with(".zip") {
        return Some(NameKind::Zip);
    }
    if let Some(inner) = lower.strip_suffix(".gz") {
        return text_kind(inner).map(NameKind::Gzip);
    }
    text_kind(&lower).map(NameKind::Text)
}

fn text_kind(lower: &str) -> Option<FileKind> {
    if lower.starts_with("application") && (lower.ends_with(".properties") || lower.contains(".properties.")) {
        Some(FileKind::Properties)
    } else if lower.ends_with(".log") || lower.contains(".log.") {
        Some(FileKind::Log)
    } else {
        None
    }
}

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Magic {
    Gzip,
    Zip,
    Tar,
    Text,
    /// Binary data, with a short description for the skip reason.
    Binary(&'static str),
}

const SNIFF_LEN: usize = 8192;

pub(crate) fn sniff(bytes: &[u8]) -> Magic {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Magic::Gzip;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Magic::Zip;
    }
    if bytes.len() >= 262 && &bytes[257..262] == b"ustar" {
        return Magic::Tar;
    }
    for (magic, what) in BINARY_MAGIC {
        if bytes.starts_with(magic) {
            return Magic::Binary(what);
        }
    }
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    let (text, control, has_nul) = count(head);
    if !head.is_empty() && text == 0 {
        return Magic::Binary("only NUL bytes in the first 8 KiB (a preallocated or zeroed file)");
    }
    // Text logs have next to no control bytes.
    if text > 0 && ((has_nul && control * 10 >= text) || control * 10 >= text * 3) {
        return Magic::Binary("binary content (NUL and control bytes in the first 8 KiB)");
    }
    Magic::Text
}

/// Bytes judged, control bytes among them, and whether a NUL byte is among them.
fn count(head: &[u8]) -> (usize, usize, bool) {
    match memchr::memchr(0, head) {
        // Most files have no NUL byte: control bytes are counted in a loop the compiler
        // vectorises (the byte-by-byte walk was 2% of a scan of 10,000 small logs).
        None => (head.len(), head.iter().filter(|b| is_control(**b)).count(), false),
        Some(_) => count_with_nul_runs(head),
    }
}

/// A control byte that text logs do not hold (tabs, line ends, form feeds and escapes they do).
fn is_control(byte: u8) -> bool {
    byte == 0 || (byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1b))
}

/// Bytes judged, control bytes among them, and whether a NUL byte is among them, in a head
/// that holds NUL bytes.
fn count_with_nul_runs(head: &[u8]) -> (usize, usize, bool) {
    // A long run of NUL bytes is the preallocated tail of a log whose host crashed (or a hole):
    // it says nothing about the text around it, so it is left out of the judgement.
    let (mut text, mut control, mut has_nul, mut at) = (0usize, 0usize, false, 0usize);
    while at < head.len() {
        let byte = head[at];
        if byte == 0 {
            let run = head[at..].iter().take_while(|b| **b == 0).count();
            if run >= NUL_RUN {
                at += run;
                continue;
            }
            has_nul = true;
        }
        text += 1;
        control += usize::from(is_control(byte));
        at += 1;
    }
    (text, control, has_nul)
}

/// NUL bytes in a row from which on they are taken for preallocated space, not content.
const NUL_RUN: usize = 64;

const BINARY_MAGIC: &[(&[u8], &str)] = &[
    (b"\x7fELF", "binary content (an ELF executable)"),
    (b"\x89PNG", "binary content (a PNG image)"),
    (b"\xff\xd8\xff", "binary content (a JPEG image)"),
    (b"%PDF", "binary content (a PDF document)"),
    (b"BZh", "compressed with bzip2, which is not supported"),
    (b"\xfd7zXZ\x00", "compressed with xz, which is not supported"),
    (b"\x28\xb5\x2f\xfd", "compressed with zstd, which is not supported"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive, which is not supported"),
];

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Without a NUL byte, the vectorised count is the walk's.
        #[test]
        fn control_bytes_are_counted_alike_without_nul(mut head in proptest::collection::vec(proptest::num::u8::ANY, 0..3000)) {
            head.retain(|b| *b != 0);
            proptest::prop_assert_eq!(count(&head), count_with_nul_runs(&head));
        }
    }

    #[test]
    fn names() {
        let cases: &[(&str, Option<NameKind>)] = &[
            ("common-error.log", Some(NameKind::Text(FileKind::Log))),
            ("common-error.log.2022-09-28", Some(NameKind::Text(FileKind::Log))),
            ("staragent_core.log.1", Some(NameKind::Text(FileKind::Log))),
            ("common-error.log.2022-09-28.gz", Some(NameKind::Gzip(FileKind::Log))),
            ("conf/application.properties", Some(NameKind::Text(FileKind::Properties))),
            ("application-prod.properties", Some(NameKind::Text(FileKind::Properties))),
            ("bundle.tar.gz", Some(NameKind::Tar { gzip: true })),
            ("bundle.TGZ", Some(NameKind::Tar { gzip: true })),
            ("bundle.tar", Some(NameKind::Tar { gzip: false })),
            ("bundle.zip", Some(NameKind::Zip)),
            ("README.md", None),
            ("templates.csv", None),
            ("catalog.logic", None),
        ];
        for (name, want) in cases {
            assert_eq!(kind_from_name(name), *want, "{name}");
        }
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"2022-09-29 10:15:32,118 ERROR x\n"), Magic::Text);
        assert_eq!(sniff(b""), Magic::Text);
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Magic::Gzip);
        assert_eq!(sniff(b"PK\x03\x04rest"), Magic::Zip);
        assert!(matches!(sniff(b"\x7fELF\x02\x01"), Magic::Binary(_)));
        assert!(matches!(sniff(&[0u8; 4096]), Magic::Binary(_)));
        // A short log followed by its preallocated, never written tail is text.
        let mut crashed = b"2022-09-29 10:15:32,118 ERROR x\n".to_vec();
        crashed.extend([0u8; 10_000]);
        assert_eq!(sniff(&crashed), Magic::Text);
        // NUL bytes scattered among control bytes are not.
        assert!(matches!(sniff(&b"\x00\x01\x02abc\x00\x03".repeat(100)), Magic::Binary(_)));
        let mut preallocated = b"2022-09-29 10:15:32,118 ERROR x\n".repeat(300);
        preallocated.extend(std::iter::repeat_n(0u8, 100_000));
        assert_eq!(sniff(&preallocated), Magic::Text, "NULs past the first 8 KiB");
        assert_eq!(sniff("中文日志 GBK or UTF-8 bytes".as_bytes()), Magic::Text);
    }
}
