//! The text encoding of a log: UTF-8 (the rules' own), or GBK, the encoding of Chinese Windows
//! and of many Java services in China. A log read as GBK is transcoded to UTF-8 before it is
//! scanned, so that the Chinese literals of the rule pack match and evidence is real text. The
//! loader asks [`LogEncoding::transcodes`] for each log and feeds its bytes, window by window,
//! through a [`Transcoder`]; `application.properties` files never come here, since a GBK one is a
//! fault the configuration checks must see in its own bytes.

use encoding_rs::{DecoderResult, Encoding, GBK};

/// Bytes from the start of a log that decide its encoding.
pub(crate) const SAMPLE_LEN: usize = 64 << 10;

/// How logs are decoded (`--encoding`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogEncoding {
    /// GBK when the first 64 KiB are not UTF-8 but GBK, otherwise the bytes as they are.
    #[default]
    Auto,
    /// The bytes as they are: whatever is not UTF-8 is kept raw and shown escaped.
    Utf8,
    /// Every log is decoded as GBK.
    Gbk,
}

impl LogEncoding {
    /// The encoding to transcode a log from, given its bytes (`None`: scan them as they are).
    pub(crate) fn transcodes(self, bytes: &[u8]) -> Option<&'static Encoding> {
        match self {
            LogEncoding::Utf8 => None,
            LogEncoding::Gbk => Some(GBK),
            LogEncoding::Auto => (detect(bytes) == Detected::Gbk).then_some(GBK),
        }
    }
}

/// What the start of a log is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detected {
    /// UTF-8 (ASCII included), or UTF-8 with a few damaged bytes: nine in ten of its non-ASCII
    /// bytes or more form UTF-8 characters.
    Utf8,
    /// Not UTF-8, and every byte decodes as GBK, some of them as double-byte characters.
    Gbk,
    /// Neither: the bytes are kept as they are.
    Neither,
}

/// Reads the first [`SAMPLE_LEN`] bytes of a log. A character cut by the end of the sample
/// counts for neither encoding. A UTF-8 log with a damaged byte stays UTF-8 (nearly all of its
/// non-ASCII bytes are valid UTF-8), while GBK text read as UTF-8 is mostly errors: in the
/// operations manual's Chinese, encoded as GBK, about 30% of the bytes happen to form UTF-8
/// characters.
pub(crate) fn detect(bytes: &[u8]) -> Detected {
    let cut = bytes.len() > SAMPLE_LEN;
    let sample = &bytes[..bytes.len().min(SAMPLE_LEN)];
    // Nearly every log: valid UTF-8 up to a character the sample's end may cut, found by the
    // standard library's fast check without counting anything.
    match std::str::from_utf8(sample) {
        Ok(_) => return Detected::Utf8,
        Err(err) if err.error_len().is_none() => return Detected::Utf8,
        Err(_) => {}
    }
    let (valid, invalid) = utf8_balance(sample);
    if invalid == 0 || valid >= 9 * invalid {
        return Detected::Utf8;
    }
    let mut decoder = GBK.new_decoder_without_bom_handling();
    let mut rest = sample;
    let mut out = [0u8; 4096];
    loop {
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(rest, &mut out, !cut);
        rest = &rest[read..];
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(..) => return Detected::Neither,
        }
    }
    // Every byte decoded; a byte above 0x80 (alone, 0x80 is the euro sign) starts a
    // double-byte or four-byte character.
    if sample.iter().any(|&b| b > 0x80) { Detected::Gbk } else { Detected::Neither }
}

/// Non-ASCII bytes of `sample` that form UTF-8 characters, and bytes that are not UTF-8. An
/// incomplete character at the end counts for neither.
fn utf8_balance(sample: &[u8]) -> (usize, usize) {
    let non_ascii = |bytes: &[u8]| bytes.iter().filter(|b| !b.is_ascii()).count();
    let (mut valid, mut invalid, mut rest) = (0, 0, sample);
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => return (valid + non_ascii(text.as_bytes()), invalid),
            Err(err) => {
                valid += non_ascii(&rest[..err.valid_up_to()]);
                let Some(len) = err.error_len() else { return (valid, invalid) };
                invalid += len;
                rest = &rest[err.valid_up_to() + len..];
            }
        }
    }
}

/// Decodes one log to UTF-8, a window at a time: its state carries a character cut between two
/// windows over to the next. Bytes that are not valid in the encoding become U+FFFD, counted in
/// `replaced`. Line breaks are kept, one for one: a broken sequence never swallows the ASCII
/// byte that ends it (the WHATWG decoders, which encoding_rs implements, read that byte again),
/// so line numbers in the transcoded text are those of the file.
pub(crate) struct Transcoder {
    encoding: &'static Encoding,
    decoder: encoding_rs::Decoder,
    replaced: u64,
}

impl Transcoder {
    /// Input decoded per call, so that the output's reservation never holds much unused room.
    const STEP: usize = 1 << 20;

    pub(crate) fn new(encoding: &'static Encoding) -> Self {
        Transcoder { encoding, decoder: encoding.new_decoder_without_bom_handling(), replaced: 0 }
    }

    pub(crate) fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// Sequences replaced by U+FFFD so far.
    pub(crate) fn replaced(&self) -> u64 {
        self.replaced
    }

    /// Appends the text of `raw` to `out`; `last` ends the log (a character cut at its end is
    /// replaced).
    pub(crate) fn push(&mut self, raw: &[u8], last: bool, out: &mut String) {
        let mut steps = raw.chunks(Self::STEP).peekable();
        if steps.peek().is_none() {
            return self.decode(&[], last, out);
        }
        while let Some(step) = steps.next() {
            self.decode(step, last && steps.peek().is_none(), out);
        }
    }

    fn decode(&mut self, mut src: &[u8], last: bool, out: &mut String) {
        loop {
            out.reserve(self.decoder.max_utf8_buffer_length_without_replacement(src.len()).unwrap_or(src.len()));
            let (result, read) = self.decoder.decode_to_string_without_replacement(src, out, last);
            src = &src[read..];
            match result {
                DecoderResult::InputEmpty => return,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(..) => {
                    self.replaced += 1;
                    out.push(char::REPLACEMENT_CHARACTER);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = GBK.encode(text);
        assert!(!unmappable, "{text}");
        bytes.into_owned()
    }

    const LOG: &str = "2022-09-29 10:15:32,118 ERROR [runner-3] - 任务执行超时 task 10390847 ip=10.1.2.3\n";

    struct Case {
        name: &'static str,
        bytes: Vec<u8>,
        want: Detected,
    }

    #[test]
    fn detection() {
        // Each sample ends one byte into a character (two of three in UTF-8).
        let mut cut_utf8 = b"xy".to_vec();
        cut_utf8.extend("日志".repeat(SAMPLE_LEN / 6 + 1).as_bytes());
        assert!(std::str::from_utf8(&cut_utf8[..SAMPLE_LEN]).unwrap_err().error_len().is_none());
        let mut cut_gbk = gbk(&LOG.repeat(10));
        cut_gbk.resize(SAMPLE_LEN - 1, b'.');
        cut_gbk.extend(gbk("中文\n"));
        assert_eq!(&cut_gbk[SAMPLE_LEN - 1..SAMPLE_LEN + 1], &gbk("中")[..]);
        let mut damaged_utf8 = LOG.repeat(20).into_bytes();
        damaged_utf8[100] = 0xff;
        let binaryish: Vec<u8> = (0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        let cases = vec![
            Case {
                name: "ASCII",
                bytes: b"2022-09-29 10:15:32,118 ERROR send msg failed\n".to_vec(),
                want: Detected::Utf8,
            },
            Case { name: "UTF-8 Chinese", bytes: LOG.repeat(3).into_bytes(), want: Detected::Utf8 },
            Case { name: "empty", bytes: Vec::new(), want: Detected::Utf8 },
            Case { name: "GBK", bytes: gbk(LOG), want: Detected::Gbk },
            Case { name: "GBK, one character", bytes: gbk("2022-09-29 ERROR 发 x\n"), want: Detected::Gbk },
            Case { name: "UTF-8 cut at the sample's end", bytes: cut_utf8, want: Detected::Utf8 },
            Case { name: "GBK cut at the sample's end", bytes: cut_gbk, want: Detected::Gbk },
            Case { name: "UTF-8 with a damaged byte", bytes: damaged_utf8, want: Detected::Utf8 },
            Case {
                name: "0xff is not GBK",
                bytes: b"ERROR \xb7\xa2\xb2\xbc \xff x\n".to_vec(),
                want: Detected::Neither,
            },
            Case { name: "binary-ish", bytes: binaryish, want: Detected::Neither },
            Case { name: "a lone euro sign", bytes: b"price \x80 10\n".to_vec(), want: Detected::Neither },
        ];
        for case in &cases {
            assert_eq!(detect(&case.bytes), case.want, "{}", case.name);
        }
    }

    #[test]
    fn the_option_decides_first() {
        let ascii = b"send msg failed\n";
        assert_eq!(LogEncoding::Auto.transcodes(ascii), None);
        assert_eq!(LogEncoding::Gbk.transcodes(ascii), Some(GBK));
        assert_eq!(LogEncoding::Auto.transcodes(&gbk(LOG)), Some(GBK));
        assert_eq!(LogEncoding::Utf8.transcodes(&gbk(LOG)), None);
    }

    fn transcode(windows: &[&[u8]]) -> (String, u64) {
        let mut transcoder = Transcoder::new(GBK);
        let mut out = String::new();
        for (i, window) in windows.iter().enumerate() {
            transcoder.push(window, i + 1 == windows.len(), &mut out);
        }
        (out, transcoder.replaced())
    }

    #[test]
    fn transcoding_carries_characters_across_windows() {
        let bytes = gbk(&LOG.repeat(3));
        let (whole, replaced) = transcode(&[&bytes]);
        assert_eq!((whole.as_str(), replaced), (LOG.repeat(3).as_str(), 0));
        for at in 0..bytes.len() {
            assert_eq!(transcode(&[&bytes[..at], &bytes[at..]]).0, whole, "cut at {at}");
        }
    }

    #[test]
    fn bad_sequences_are_replaced_and_lines_kept() {
        // A lead byte before a line break, 0xff, and a lead byte at the very end.
        let (text, replaced) = transcode(&[b"a\xb7\nb\xff\r\n\xd6\xd0\n", b"c\xb7"]);
        assert_eq!((text.as_str(), replaced), ("a\u{fffd}\nb\u{fffd}\r\n中\nc\u{fffd}", 3));
        // A window of a log that ends with nothing still ends a cut character.
        assert_eq!(transcode(&[b"x\xb7", b""]), ("x\u{fffd}".to_string(), 1));
    }
}
