//! Log bytes at the edge: lossy UTF-8 decoding for JSON (with the raw bytes kept as base64 when
//! decoding changed them), escaping of control characters and escape sequences before text
//! reaches a terminal, and escaping of markup before text reaches an HTML page.

use base64::Engine;
use serde::Serialize;

/// Log text decoded for a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedText {
    pub text: String,
    /// True when the bytes were not UTF-8 and some were replaced by U+FFFD.
    pub lossy: bool,
    /// The raw bytes, base64, when `lossy`.
    pub base64: Option<String>,
}

impl DecodedText {
    pub fn decode(bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(text) => DecodedText { text: text.to_string(), lossy: false, base64: None },
            Err(_) => DecodedText {
                text: String::from_utf8_lossy(bytes).into_owned(),
                lossy: true,
                base64: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
            },
        }
    }
}

/// Makes `text` safe to print: control characters (ESC included), DEL, C1 controls and the
/// Unicode bidirectional overrides are shown as `\x1b` or `\u{202e}`; tabs stay.
pub fn escape_for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push(c),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (0x80..0xa0).contains(&(c as u32)) || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Makes `text` safe inside HTML (element content or a quoted attribute value, in HTML or SVG):
/// controls shown as [`escape_for_terminal`] shows them, then `&`, `<`, `>`, `"` and `'` as
/// character references, so log text can neither open an element nor end the one it is in.
pub fn escape_html(text: &str) -> String {
    let shown = escape_for_terminal(text);
    let mut out = String::with_capacity(shown.len() + shown.len() / 8);
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // U+FFFE, U+FFFF and the like: no XML document may hold them, and the page is one.
            c if !is_xml_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The characters XML 1.0 allows in a document (its `Char` production).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xa | 0xd | 0x20..=0xd7ff | 0xe000..=0xfffd | 0x10000..=0x10ffff)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c as u32, 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape_for_terminal("a\x1b[31mred\x07\tb"), "a\\x1b[31mred\\x07\tb");
        assert_eq!(escape_for_terminal("x\u{202e}y\u{9b}z"), "x\\u{202e}y\\u{9b}z");
        assert_eq!(escape_for_terminal("发布单 ok"), "发布单 ok");
        assert_eq!(escape_for_terminal("cr\rlf\n"), "cr\\x0dlf\\x0a");
    }

    #[test]
    fn escapes_markup_and_controls_for_html() {
        let cases = [
            ("plain 发布单", "plain 发布单"),
            ("</pre><script>alert(1)</script>", "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
            (r#"a="b" c='d' &amp;"#, "a=&quot;b&quot; c=&#39;d&#39; &amp;amp;"),
            ("nul\0esc\x1b[31m\u{202e}", "nul\\x00esc\\x1b[31m\\u{202e}"),
            ("]]> <!-- -->", "]]&gt; &lt;!-- --&gt;"),
            ("not XML \u{fffe}\u{ffff} end", "not XML \\u{fffe}\\u{ffff} end"),
        ];
        for (text, want) in cases {
            assert_eq!(escape_html(text), want, "{text:?}");
        }
    }

    #[test]
    fn decoding_keeps_raw_bytes_when_lossy() {
        let clean = DecodedText::decode("ok 中文".as_bytes());
        assert!(!clean.lossy && clean.base64.is_none());
        let raw = b"name=\xb2\xe2";
        let lossy = DecodedText::decode(raw);
        assert!(lossy.lossy);
        assert_eq!(lossy.text, "name=\u{fffd}\u{fffd}");
        let back = base64::engine::general_purpose::STANDARD.decode(lossy.base64.unwrap()).unwrap();
        assert_eq!(back, raw);
    }
}
