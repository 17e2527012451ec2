//! Small pieces of markup the HTML report's sections share: escaped text, times in the logs'
//! zone, durations, evidence locations, severity badges and runbook steps with their commands.

use chrono::{DateTime, FixedOffset};

use crate::report::{Evidence, escape_html};
use crate::rules::Severity;

/// Text for element content or a double-quoted attribute value.
pub(super) fn esc(text: &str) -> String {
    escape_html(text)
}

/// An RFC 3339 time of the report.
pub(super) fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok()
}

/// A report time as a person reads it (`2022-09-29 10:15:32.118`, in the logs' zone, which the
/// page's header names), in a `<time>` element that keeps the full value.
pub(super) fn time(text: &str) -> String {
    match parse_time(text) {
        Some(t) => format!(r#"<time datetime="{}">{}</time>"#, esc(text), t.format("%Y-%m-%d %H:%M:%S%.3f")),
        None => esc(text),
    }
}

/// [`time`], or a dash for a missing time.
pub(super) fn maybe_time(text: Option<&str>) -> String {
    text.map_or_else(|| r#"<span class="muted">-</span>"#.to_string(), time)
}

/// `0.8 s`, `42 s`, `3 min 05 s`, `16 h 25 min`, `2 d 3 h`.
pub(super) fn duration(seconds: f64) -> String {
    if seconds < 10.0 {
        return format!("{seconds:.1} s");
    }
    let whole = seconds.round() as u64;
    match whole {
        0..60 => format!("{whole} s"),
        60..3600 => format!("{} min {:02} s", whole / 60, whole % 60),
        3600..86400 => format!("{} h {:02} min", whole / 3600, whole % 3600 / 60),
        _ => format!("{} d {} h", whole / 86400, whole % 86400 / 3600),
    }
}

/// Where evidence is: `archive!/path:line`, as code.
pub(super) fn location(e: &Evidence) -> String {
    let file = match &e.archive {
        Some(archive) => format!("{archive}!/{}", e.path),
        None => e.path.clone(),
    };
    format!(r#"<code class="loc">{}:{}</code>"#, esc(&file), e.line)
}

/// The severity as a coloured badge.
pub(super) fn severity_badge(severity: Severity) -> String {
    format!(r#"<span class="sev sev-{0}">{0}</span>"#, severity.as_str())
}

/// The colour of a severity, for the chart's markers (the same as the CSS badges').
pub(super) fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#a40e26",
        Severity::High => "#cf222e",
        Severity::Medium => "#bc4c00",
        Severity::Low => "#0969da",
        Severity::Info => "#6e7781",
    }
}

/// A runbook step: its `` `commands` `` become code, the rest stays text.
pub(super) fn runbook_step(step: &str) -> String {
    let mut html = String::new();
    let mut rest = step;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) if close > 0 => {
                html.push_str(&esc(&rest[..open]));
                html.push_str(&format!("<code>{}</code>", esc(&after[..close])));
                rest = &after[close + 1..];
            }
            _ => {
                html.push_str(&esc(&rest[..=open]));
                rest = after;
            }
        }
    }
    html.push_str(&esc(rest));
    html
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runbook_steps_keep_their_commands_as_code() {
        let cases = [
            ("Run `ps -fe | grep agent` on {host}.", "Run <code>ps -fe | grep agent</code> on {host}."),
            ("An odd ` backtick <b>", "An odd ` backtick &lt;b&gt;"),
            ("`<script>` here", "<code>&lt;script&gt;</code> here"),
            ("Empty `` span", "Empty `` span"),
        ];
        for (step, want) in cases {
            assert_eq!(runbook_step(step), want, "{step:?}");
        }
    }

    #[test]
    fn times_and_durations_read_well() {
        assert_eq!(
            time("2022-09-29T10:15:32.118+08:00"),
            r#"<time datetime="2022-09-29T10:15:32.118+08:00">2022-09-29 10:15:32.118</time>"#
        );
        assert_eq!(time("not <a> time"), "not &lt;a&gt; time");
        let cases = [(0.75, "0.8 s"), (42.4, "42 s"), (185.0, "3 min 05 s"), (59_100.0, "16 h 25 min")];
        for (seconds, want) in cases {
            assert_eq!(duration(seconds), want);
        }
        assert_eq!(duration(2.0 * 86400.0 + 3.0 * 3600.0), "2 d 3 h");
    }
}
