//! Message templates: an ERROR message with its variable parts masked (numbers, hex ids, IPs,
//! UUIDs, paths, quoted values), so that events that differ only in those values share one
//! template. Written into a reusable buffer: no allocation per event once warm.

use crate::event::parse_header;

/// Templates are cut at this many bytes of message.
const MAX_TEMPLATE: usize = 240;

/// Reusable template builder.
#[derive(Debug, Default)]
pub struct Template {
    buf: Vec<u8>,
}

impl Template {
    /// Builds the template of `message` (the header line after its timestamp and level).
    pub fn build(&mut self, message: &[u8]) -> &[u8] {
        self.buf.clear();
        let mut i = 0;
        let mut pending_space = false;
        while i < message.len() && self.buf.len() < MAX_TEMPLATE {
            let c = message[i];
            if c.is_ascii_whitespace() {
                pending_space = !self.buf.is_empty();
                i += 1;
                continue;
            }
            if pending_space {
                self.buf.push(b' ');
                pending_space = false;
            }
            if (c == b'"' || c == b'\'') && opens_quote(message, i) {
                if let Some(len) = message[i + 1..].iter().position(|&q| q == c) {
                    self.buf.extend_from_slice(b"<Q>");
                    i += len + 2;
                    continue;
                }
            }
            if is_delimiter(c) {
                self.buf.push(c);
                i += 1;
                continue;
            }
            let (mut end, mut seen) = (i, 0);
            while let Some(&b) = message.get(end) {
                let class = CLASSES[usize::from(b)];
                if class & (SPACE | DELIMITER) != 0 {
                    break;
                }
                seen |= class;
                end += 1;
            }
            let token = &message[i..end];
            // Most tokens are words: without a digit or a slash (nor a UUID's length), nothing
            // in them is masked.
            if seen & (DIGIT | SLASH) == 0 && token.len() != UUID_LEN {
                let room = MAX_TEMPLATE.saturating_sub(self.buf.len());
                self.buf.extend_from_slice(&token[..token.len().min(room)]);
            } else {
                self.push_token(token);
            }
            i = end;
        }
        // Cut at the bound, and never inside a UTF-8 sequence.
        let cut = super::findings::cut_point(&self.buf, MAX_TEMPLATE);
        self.buf.truncate(cut);
        &self.buf
    }

    fn push_token(&mut self, token: &[u8]) {
        if let Some(mask) = whole_token_mask(token) {
            self.buf.extend_from_slice(mask);
            return;
        }
        // Digits inside a word (thread-12, r1_2019...): each run becomes <N>. A token longer than
        // the room left is cut: a template never grows past its bound.
        let room = MAX_TEMPLATE.saturating_sub(self.buf.len());
        let mut in_digits = false;
        for &b in token.iter().take(room) {
            if b.is_ascii_digit() {
                if !in_digits {
                    self.buf.extend_from_slice(b"<N>");
                }
                in_digits = true;
            } else {
                in_digits = false;
                self.buf.push(b);
            }
        }
    }
}

/// Where the message of a header line starts: after the timestamp, the level word, and the
/// brackets, spaces and dashes around them. 0 when the line has no header.
pub fn message_start(line: &[u8]) -> usize {
    if parse_header(line).is_none() {
        return 0;
    }
    let mut i = usize::from(line.first() == Some(&b'['));
    i += 19;
    if matches!(line.get(i), Some(b',' | b'.')) {
        i += 1;
        while line.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let skip = |i: &mut usize, set: &[u8]| {
        while line.get(*i).is_some_and(|c| set.contains(c)) {
            *i += 1;
        }
    };
    skip(&mut i, b"] \t[");
    let word = line[i.min(line.len())..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if word > 0 && crate::event::Level::from_name(&line[i..i + word]).is_some() {
        i += word;
        skip(&mut i, b"] \t-:");
    }
    i.min(line.len())
}

/// What a byte is to the template builder: bits of [`CLASSES`].
const SPACE: u8 = 1;
const DELIMITER: u8 = 2;
const DIGIT: u8 = 4;
const SLASH: u8 = 8;

const UUID_LEN: usize = 36;

/// The class bits of each byte, so that a token is read in one pass.
static CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        classes[b] = if c.is_ascii_whitespace() {
            SPACE
        } else if is_delimiter(c) {
            DELIMITER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if c == b'/' {
            SLASH
        } else {
            0
        };
        b += 1;
    }
    classes
};

const fn is_delimiter(c: u8) -> bool {
    matches!(c, b'=' | b',' | b';' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'<' | b'>' | b'|' | b':' | b'"' | b'\'')
}

/// A quote opens a quoted value when it does not sit inside a word (`can't` is not a quote).
fn opens_quote(message: &[u8], at: usize) -> bool {
    at == 0 || !message[at - 1].is_ascii_alphanumeric()
}

fn whole_token_mask(token: &[u8]) -> Option<&'static [u8]> {
    if token.iter().all(u8::is_ascii_digit) {
        return Some(b"<N>");
    }
    if is_ipv4(token) {
        return Some(b"<IP>");
    }
    if is_uuid(token) {
        return Some(b"<UUID>");
    }
    if token.first() == Some(&b'/') || (token.contains(&b'/') && token.iter().filter(|&&b| b == b'/').count() >= 2) {
        return Some(b"<PATH>");
    }
    if is_hex_id(token) {
        return Some(b"<HEX>");
    }
    None
}

fn is_ipv4(token: &[u8]) -> bool {
    let (mut dots, mut run) = (0, 0);
    for &b in token {
        match b {
            b'.' if (1..=3).contains(&run) => {
                dots += 1;
                run = 0;
            }
            b'0'..=b'9' => run += 1,
            _ => return false,
        }
    }
    dots == 3 && (1..=3).contains(&run)
}

fn is_uuid(token: &[u8]) -> bool {
    token.len() == UUID_LEN
        && token
            .iter()
            .enumerate()
            .all(|(i, b)| if matches!(i, 8 | 13 | 18 | 23) { *b == b'-' } else { b.is_ascii_hexdigit() })
}

/// `0x7f3a...`, or 8+ hex digits with at least one digit and one letter (`5e8b2d7c1a2b`).
fn is_hex_id(token: &[u8]) -> bool {
    let body = token.strip_prefix(b"0x").unwrap_or(token);
    body.len() >= 8
        && body.iter().all(u8::is_ascii_hexdigit)
        && body.iter().any(u8::is_ascii_digit)
        && (token.starts_with(b"0x") || body.iter().any(u8::is_ascii_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(line: &str) -> String {
        let bytes = line.as_bytes();
        String::from_utf8(Template::default().build(&bytes[message_start(bytes)..]).to_vec()).unwrap()
    }

    proptest::proptest! {
        /// The builder copies a token without a digit or a slash as it is; that holds only if
        /// no mask applies to such a token, which this checks against the masking path.
        #[test]
        fn tokens_without_digits_or_slashes_are_never_masked(token in "[a-zA-Z._@#%*+-]{1,35}") {
            let mut template = Template::default();
            template.push_token(token.as_bytes());
            proptest::prop_assert_eq!(&template.buf[..], token.as_bytes());
        }
    }

    #[test]
    fn masks_variable_parts() {
        assert_eq!(
            template(
                "2022-09-29 10:15:32,118 ERROR [opsware-executor-12] - task 10390847 on 10.1.2.3:8000 failed, file /home/admin/x.log id=5e8b2d7c1a2b"
            ),
            "[opsware-executor-<N>] - task <N> on <IP>:<N> failed, file <PATH> id=<HEX>"
        );
        assert_eq!(
            template(
                "[2022-09-29 10:15:30.004] [ERROR] [worker-3] user 'bob' said \"hi there\" RequestId 5E8B2D7C-1A2B-4C3D-8E9F-0A1B2C3D4E5F"
            ),
            "[worker-<N>] user <Q> said <Q> RequestId <UUID>"
        );
        assert_eq!(template("2022-09-29 10:15:32,118 ERROR main   -   can't   start"), "main - can't start");
    }

    #[test]
    fn lines_that_differ_only_in_values_share_a_template() {
        let a = template(
            "2022-09-29 10:15:32,118 ERROR [pool-1-thread-3] - release r1_201905060583197 node 0000000012190487 failed at 10.1.2.3",
        );
        let b = template(
            "2022-09-30 23:01:02,999 ERROR [pool-7-thread-12] - release r1_201905060999999 node 0000000012190999 failed at 10.9.9.9",
        );
        assert_eq!(a, b);
        let c = template(
            "2022-09-30 23:01:02,999 ERROR [pool-7-thread-12] - release r1_201905060999999 node 0000000012190999 stuck at 10.9.9.9",
        );
        assert_ne!(a, c);
    }

    #[test]
    fn message_start_skips_timestamp_and_level() {
        let line = b"2022-09-29 10:15:32,118 ERROR [x] - boom";
        assert_eq!(&line[message_start(line)..], b"[x] - boom");
        assert_eq!(message_start(b"no header"), 0);
        let sofa = b"2021-03-14 12:19:55,934 ERROR main                             - SOFABoot";
        assert_eq!(&sofa[message_start(sofa)..], b"main                             - SOFABoot");
    }

    #[test]
    fn long_messages_are_cut() {
        let line = format!("2022-09-29 10:15:32,118 ERROR {}", "word ".repeat(200));
        assert!(template(&line).len() <= MAX_TEMPLATE);
        let one_token = format!("2022-09-29 10:15:32,118 ERROR x{}", "y".repeat(1_000_000));
        assert_eq!(template(&one_token).len(), MAX_TEMPLATE);
        let chinese = format!("2022-09-29 10:15:32,118 ERROR {}", "中".repeat(200));
        let cut = template(&chinese);
        assert!(cut.len() <= MAX_TEMPLATE && cut.chars().all(|c| c == '中'), "cut inside a character");
    }
}
