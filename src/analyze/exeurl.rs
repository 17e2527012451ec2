//! `exeurl` fields of the agent log (manual 2.6.5): "remove the leading `cmd://` from the exeurl
//! field; the rest is the script that was executed". Reads the field whatever the line's shape
//! (`exeurl=cmd://...`, `"exeurl":"cmd://..."`, `exeurl: cmd://...`) and splits the command into
//! script and arguments.

/// One command an agent ran, as its log line names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The command without `cmd://`.
    pub command: String,
    /// Its first word: the script.
    pub script: String,
    /// The rest.
    pub args: String,
}

const FIELD: &[u8] = b"exeurl";
const SCHEME: &[u8] = b"cmd://";
/// The scheme as a JSON writer may escape it.
const SCHEME_ESCAPED: &[u8] = br"cmd:\/\/";

/// The command of the `exeurl` field that starts at `at` (the offset of `exeurl` in `line`).
/// `None` when the field is not followed by a `cmd://` value.
pub fn parse_exeurl(line: &[u8], at: usize) -> Option<Command> {
    let value = command_value(line, at)?;
    let quoted = value.1;
    let value = value.0;
    let end = if quoted { quoted_end(value) } else { unquoted_end(value) };
    let command = String::from_utf8_lossy(&value[..end]).trim().replace("\\/", "/");
    if command.is_empty() {
        return None;
    }
    let (script, args) = match command.split_once(char::is_whitespace) {
        Some((script, args)) => (script.to_string(), args.trim().to_string()),
        None => (command.clone(), String::new()),
    };
    Some(Command { command, script, args })
}

/// Whether the `exeurl` at `at` holds a `cmd://` command: the cheap test made for every
/// occurrence, before the few kept are parsed.
pub fn is_command(line: &[u8], at: usize) -> bool {
    command_value(line, at).is_some_and(|(value, _)| value.first().is_some_and(|b| !matches!(b, b'"' | b'\n' | b'\r')))
}

/// The bytes after `cmd://` of the field at `at`, and whether the value is quoted.
fn command_value(line: &[u8], at: usize) -> Option<(&[u8], bool)> {
    let mut i = at + FIELD.len();
    let quoted_key = line.get(i) == Some(&b'"');
    if quoted_key {
        i += 1;
    }
    while line.get(i).is_some_and(|b| matches!(b, b' ' | b'\t' | b'=' | b':')) {
        i += 1;
    }
    let quoted = line.get(i) == Some(&b'"');
    if quoted {
        i += 1;
    }
    let rest = line.get(i..)?;
    let starts = |scheme: &[u8]| rest.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme));
    let value = if starts(SCHEME) {
        &rest[SCHEME.len()..]
    } else if starts(SCHEME_ESCAPED) {
        &rest[SCHEME_ESCAPED.len()..]
    } else {
        return None;
    };
    Some((value, quoted))
}

/// Where a JSON string value ends: the first `"` not escaped by `\`.
fn quoted_end(value: &[u8]) -> usize {
    let mut i = 0;
    while i < value.len() {
        match value[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    value.len()
}

/// Where an unquoted value ends: the end of the line, or the next field of the log line
/// (a space, then a bare `key=` such as ` timeout=90`), or a `,`/`;` before such a field.
fn unquoted_end(value: &[u8]) -> usize {
    let line_end = value.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(value.len());
    let value = &value[..line_end];
    let mut i = 0;
    while i < value.len() {
        if value[i] == b' ' && starts_field(&value[i + 1..]) {
            let mut end = i;
            while end > 0 && matches!(value[end - 1], b',' | b';' | b' ') {
                end -= 1;
            }
            return end;
        }
        i += 1;
    }
    value.len()
}

/// `key=` with a key of letters, digits and `_` that starts with a letter: a log field, not an
/// argument (arguments start with `-` or are values).
fn starts_field(text: &[u8]) -> bool {
    let key = text.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
    key > 0 && text[0].is_ascii_alphabetic() && text.get(key) == Some(&b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Option<(String, String, String)> {
        let at = line.find("exeurl")?;
        parse_exeurl(line.as_bytes(), at).map(|c| (c.command, c.script, c.args))
    }

    /// A line, and the command, script and arguments it names.
    type Case = (&'static str, Option<(&'static str, &'static str, &'static str)>);

    #[test]
    fn shapes_of_the_field() {
        let cases: &[Case] = &[
            (
                "[2022-09-29 10:15:30.004] [INFO] [worker-3] recv task jobId=10390847 exeurl=cmd:///home/admin/bin/deploy_v2.py --app foo --version 1.2.3 timeout=90",
                Some((
                    "/home/admin/bin/deploy_v2.py --app foo --version 1.2.3",
                    "/home/admin/bin/deploy_v2.py",
                    "--app foo --version 1.2.3",
                )),
            ),
            (
                r#"2022-09-29 10:15:30,004 INFO job 10390847 {"exeurl":"cmd:///home/admin/bin/batch_download.py -u http://oss/x.tgz","timeout":90}"#,
                Some((
                    "/home/admin/bin/batch_download.py -u http://oss/x.tgz",
                    "/home/admin/bin/batch_download.py",
                    "-u http://oss/x.tgz",
                )),
            ),
            (
                "x exeurl: cmd:///home/admin/bin/checkapp_v2.py",
                Some(("/home/admin/bin/checkapp_v2.py", "/home/admin/bin/checkapp_v2.py", "")),
            ),
            (
                r#"{"exeurl" : "cmd:\/\/\/home\/admin\/bin\/init_env_v2.py \"a b\""}"#,
                Some((r#"/home/admin/bin/init_env_v2.py \"a b\""#, "/home/admin/bin/init_env_v2.py", r#"\"a b\""#)),
            ),
            ("exeurl=cmd://sh -c 'echo hi', status=ok", Some(("sh -c 'echo hi'", "sh", "-c 'echo hi'"))),
            ("exeurl=http://other/x", None),
            ("exeurl=cmd://", None),
            ("exeurl", None),
        ];
        for (line, want) in cases {
            let want = want.map(|(c, s, a)| (c.to_string(), s.to_string(), a.to_string()));
            assert_eq!(parse(line), want, "{line}");
        }
    }
}
