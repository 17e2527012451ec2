//! Redaction: credentials that logs print (an Alibaba Cloud `AccessKeyId` or `AccessKeySecret`,
//! a request's `Signature` or `SecurityToken`, a password in a URL or after `password=`) are
//! masked in the report before any format writes it, because reports leave the machine in
//! tickets. `--no-redact` keeps them. The report is redacted as a whole, after it is built: every
//! format renders from it, so none can show what another masks.

use std::borrow::Cow;
use std::sync::LazyLock;

use base64::Engine;
use regex::bytes::{Captures, Regex};

use super::analyses::Exeurl;
use super::build::{Evidence, Report};

/// What a masked value becomes.
pub const MASK: &str = "***";

/// `name=value`, `name: value`, `"name":"value"` for a credential's name: the value is masked.
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)((?:access_?key_?(?:id|secret)|secret_?(?:key|access_?key)?|security_?token|sts_?token|signature|passw(?:or)?d|pwd)"?\s*[=:]\s*"?)(?-u:[^\s&"',;}\]<>])+"#,
    )
    .expect("the credential pattern compiles")
});

/// `scheme://user:password@host`: the password is masked.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:)(?-u:[^@\s/])+@").expect("the URL pattern compiles")
});

/// An Alibaba Cloud AccessKey id anywhere (`LTAI` and 12 to 30 letters or digits): kept to its
/// prefix, which tells what it was.
static ACCESS_KEY_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(LTAI)[0-9A-Za-z]{12,30}\b").expect("the key id pattern compiles"));

/// `bytes` with every credential masked (borrowed when there is none).
pub fn redact_bytes(bytes: &[u8]) -> Cow<'_, [u8]> {
    let mut text = Cow::Borrowed(bytes);
    // Each pattern's first group is kept, then the mask, then what the pattern ends with.
    for (regex, end) in [(&*NAMED, ""), (&*URL_PASSWORD, "@"), (&*ACCESS_KEY_ID, "")] {
        if regex.is_match(&text) {
            let replaced = regex
                .replace_all(&text, |caps: &Captures<'_>| [&caps[1], MASK.as_bytes(), end.as_bytes()].concat())
                .into_owned();
            text = Cow::Owned(replaced);
        }
    }
    text
}

/// `text` with every credential masked.
pub fn redact_str(text: &str) -> Cow<'_, str> {
    match redact_bytes(text.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        // Masks replace whole runs of bytes between ASCII delimiters: the text stays UTF-8.
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

fn redact_in_place(text: &mut String) {
    if let Cow::Owned(masked) = redact_str(text) {
        *text = masked;
    }
}

/// Masks the credentials of every text the report holds that comes from logs.
pub fn redact_report(report: &mut Report) {
    for finding in &mut report.findings {
        finding.evidence.iter_mut().for_each(redact_evidence);
        finding.remediation.iter_mut().for_each(redact_in_place);
    }
    for group in &mut report.unclassified {
        redact_in_place(&mut group.template);
        redact_evidence(&mut group.example);
    }
    report.exeurls.iter_mut().for_each(redact_exeurl);
    for task in &mut report.tasks {
        task.evidence.iter_mut().for_each(redact_evidence);
        if let Some(script) = &mut task.script {
            redact_in_place(script);
        }
    }
    for chain in &mut report.chains {
        for hop in &mut chain.hops {
            redact_evidence(&mut hop.evidence);
        }
    }
}

fn redact_evidence(evidence: &mut Evidence) {
    redact_in_place(&mut evidence.text);
    if let Some(encoded) = &mut evidence.text_base64 {
        let engine = base64::engine::general_purpose::STANDARD;
        if let Ok(raw) = engine.decode(encoded.as_bytes()) {
            if let Cow::Owned(masked) = redact_bytes(&raw) {
                *encoded = engine.encode(masked);
            }
        }
    }
    if let Some(matched) = &mut evidence.matched {
        redact_in_place(&mut matched.text);
    }
    evidence.fields.values_mut().for_each(redact_in_place);
}

fn redact_exeurl(exeurl: &mut Exeurl) {
    redact_in_place(&mut exeurl.command);
    redact_in_place(&mut exeurl.args);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        redact_str(text).into_owned()
    }

    #[test]
    fn credentials_are_masked_and_the_rest_kept() {
        assert_eq!(
            masked(
                "GET /?AccessKeyId=LTAI5tQ9xYz8aBcDeFgH1234&Signature=abc%2Bdef%3D&SignatureMethod=HMAC-SHA1 failed"
            ),
            "GET /?AccessKeyId=***&Signature=***&SignatureMethod=HMAC-SHA1 failed"
        );
        assert_eq!(masked("SecurityToken: CAIS8gF1q6Ft5B2yfSjIr5 expired"), "SecurityToken: *** expired");
        assert_eq!(masked(r#"{"password":"hunter2","user":"admin"}"#), r#"{"password":"***","user":"admin"}"#);
        assert_eq!(
            masked("jdbc connect mysql://app:s3cr3t@10.1.2.3:3306/db refused"),
            "jdbc connect mysql://app:***@10.1.2.3:3306/db refused"
        );
        assert_eq!(masked("key LTAI5tQ9xYz8aBcDeFgH1234 has no permission"), "key LTAI*** has no permission");
        assert_eq!(masked("access_key_secret = wJalrXUtnFEMI/K7MDENG"), "access_key_secret = ***");
        assert_eq!(masked("db.password=中文密码 next"), "db.password=*** next");
        // Nothing to mask: the text is borrowed, not copied.
        let plain = "dispatch task 10390847 to 10.1.2.3 failed: send msg failed, passwordless login";
        assert!(matches!(redact_str(plain), Cow::Borrowed(_)));
    }

    #[test]
    fn raw_bytes_are_masked_too() {
        let raw = b"\xb7\xa2\xb2\xbc password=abc\xff failed";
        assert_eq!(&*redact_bytes(raw), b"\xb7\xa2\xb2\xbc password=*** failed");
    }
}
