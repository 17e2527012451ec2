//! The HTML document: its head (the Content-Security-Policy, the inline stylesheet), the header
//! that says what was scanned, when and by what, the table of contents, the findings table and
//! one card per finding. The chart and the other sections come from `chart` and `lists`.

use std::io::{self, Write};

use chrono::{DateTime, FixedOffset};

use super::markup::{duration, esc, location, maybe_time, parse_time, plural, runbook_step, severity_badge, time};
use super::{chart, lists};
use crate::report::text::{counted_noun, human_bytes};
use crate::report::{Evidence, Finding, Report};
use crate::rules::Lang;

/// What the HTML report shows besides the [`Report`].
#[derive(Debug, Clone)]
pub struct HtmlOptions {
    /// When the scan ran, shown in the header.
    pub scanned_at: DateTime<FixedOffset>,
    /// Whether credentials were masked in the report (not `--no-redact`); `None` when it is not
    /// known (a merged report: each scan masked them or not).
    pub redacted: Option<bool>,
    /// The language of the runbooks (`--lang`); `None` when it is not known (a merged report).
    pub runbooks: Option<Lang>,
}

/// Everything the page may load: nothing but its own inline styles and `data:` images. Should a
/// text ever smuggle a reference to elsewhere past the escaping, the browser refuses to fetch it.
pub(super) const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = include_str!("report.css");

pub fn write_html(report: &Report, options: &HtmlOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut html = String::with_capacity(64 * 1024);
    head(report, &mut html);
    html.push_str("<body>\n<main>\n");
    header(report, options, &mut html);
    contents(report, &mut html);
    chart::section(report, &mut html);
    findings(report, options, &mut html);
    lists::tasks(report, &mut html);
    lists::chains(report, &mut html);
    lists::heartbeat_gaps(report, &mut html);
    lists::exeurls(report, &mut html);
    lists::config_files(report, &mut html);
    lists::unclassified(report, &mut html);
    lists::coverage(report, &mut html);
    footer(report, options, &mut html);
    html.push_str("</main>\n</body>\n</html>\n");
    out.write_all(html.as_bytes())
}

fn head(report: &Report, html: &mut String) {
    let paths = report.input.paths.join(", ");
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
    html.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />\n",
        esc(CONTENT_SECURITY_POLICY)
    ));
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    html.push_str(&format!(
        "<meta name=\"generator\" content=\"{} {}\" />\n",
        esc(&report.tool.name),
        esc(&report.tool.version)
    ));
    // A page without an icon makes some browsers ask the server for /favicon.ico.
    html.push_str("<link rel=\"icon\" href=\"data:,\" />\n");
    html.push_str(&format!("<title>cas-triage: {} — {}</title>\n", esc(&verdict(report)), esc(&paths)));
    html.push_str("<style>\n");
    html.push_str(STYLE);
    html.push_str("</style>\n</head>\n");
}

/// `20 findings (12 high, 8 medium)` or `no documented fault found`.
fn verdict(report: &Report) -> String {
    if report.findings.is_empty() {
        return "no documented fault found".to_string();
    }
    let counts: Vec<String> =
        report.summary.by_severity.iter().rev().filter(|(_, n)| **n > 0).map(|(sev, n)| format!("{n} {sev}")).collect();
    format!("{} finding{} ({})", report.findings.len(), plural(report.findings.len()), counts.join(", "))
}

/// The earliest and latest timestamps of the logs read.
pub(super) fn log_span(report: &Report) -> Option<(&str, &str)> {
    let logs = &report.coverage.logs;
    let first = logs.iter().filter_map(|l| l.first_seen.as_deref()).min_by_key(|t| parse_time(t))?;
    let last = logs.iter().filter_map(|l| l.last_seen.as_deref()).max_by_key(|t| parse_time(t))?;
    Some((first, last))
}

fn header(report: &Report, options: &HtmlOptions, html: &mut String) {
    html.push_str("<header class=\"top\">\n<p class=\"kicker\">cas-triage postmortem report</p>\n");
    let chips: String = report
        .summary
        .by_severity
        .iter()
        .rev()
        .filter(|(_, n)| **n > 0)
        .map(|(sev, n)| format!(" <span class=\"sev sev-{}\">{n} {}</span>", sev.as_str(), sev.as_str()))
        .collect();
    let headline = if report.findings.is_empty() {
        "No documented fault found".to_string()
    } else {
        format!("{} finding{}", report.findings.len(), plural(report.findings.len()))
    };
    html.push_str(&format!("<h1>{}<span class=\"chips\">{chips}</span></h1>\n", esc(&headline)));
    facts(report, options, html);
    notices(report, html);
    html.push_str("</header>\n");
}

/// What was scanned, when, by what, and what was read and found.
fn facts(report: &Report, options: &HtmlOptions, html: &mut String) {
    let input = &report.input;
    html.push_str("<dl class=\"meta\">\n");
    let paths: Vec<String> = input.paths.iter().map(|p| format!("<code>{}</code>", esc(p))).collect();
    meta(html, "Bundle", &paths.join(" "));
    meta(
        html,
        "Scanned",
        &format!(
            "<time datetime=\"{}\">{}</time>",
            options.scanned_at.to_rfc3339(),
            options.scanned_at.format("%Y-%m-%d %H:%M:%S (UTC%:z)")
        ),
    );
    meta(html, "Tool", &format!("{} {}", esc(&report.tool.name), esc(&report.tool.version)));
    let span = match log_span(report) {
        Some((first, last)) => {
            let length = match (parse_time(first), parse_time(last)) {
                (Some(a), Some(b)) => format!(" ({})", duration((b - a).num_milliseconds() as f64 / 1000.0)),
                _ => String::new(),
            };
            format!("{} → {}{length}", time(first), time(last))
        }
        None => "no timestamp read".to_string(),
    };
    meta(html, "Logs span", &span);
    meta(html, "Times", &format!("in the logs' zone, UTC{}", esc(&input.timezone)));
    if input.since.is_some() || input.until.is_some() {
        let window = format!(
            "only events from {} to {}",
            input.since.as_deref().map_or("the start".to_string(), time),
            input.until.as_deref().map_or("the end".to_string(), time)
        );
        meta(html, "Window", &window);
    }
    meta(
        html,
        "Read",
        &format!(
            "{} file{}, {}, {} events, {} lines{}",
            input.files,
            plural(input.files as usize),
            human_bytes(input.bytes),
            input.events,
            input.lines,
            if input.ignored > 0 { format!("; {} other files ignored", input.ignored) } else { String::new() }
        ),
    );
    let summary = &report.summary;
    meta(
        html,
        "Found",
        &format!(
            "{} finding{} over {} matched events; {} unclassified error{}; {} task{} seen; {} command{} run",
            summary.findings,
            plural(summary.findings),
            summary.matches,
            summary.unclassified_events,
            plural(summary.unclassified_events as usize),
            summary.tasks_seen,
            plural(summary.tasks_seen),
            summary.exeurls_seen,
            plural(summary.exeurls_seen as usize),
        ),
    );
    html.push_str("</dl>\n");
}

/// The files skipped or partly read, and those decoded from GBK.
fn notices(report: &Report, html: &mut String) {
    let input = &report.input;
    if !input.skipped.is_empty() {
        html.push_str(&format!(
            "<section class=\"notice warn\" id=\"skipped\">\n<h2>Skipped or partly read ({})</h2>\n\
             <p>Faults in what was not read cannot show below.</p>\n<ul>\n",
            input.skipped.len()
        ));
        for s in &input.skipped {
            html.push_str(&format!("<li><code>{}</code>: {}</li>\n", esc(&s.path), esc(&s.reason)));
        }
        html.push_str("</ul>\n</section>\n");
    }
    if !input.transcoded.is_empty() {
        html.push_str(&format!(
            "<section class=\"notice\" id=\"transcoded\">\n<h2>Read as GBK ({})</h2>\n\
             <p>These logs were not UTF-8: their evidence is shown decoded.</p>\n<ul>\n",
            input.transcoded.len()
        ));
        for t in &input.transcoded {
            let replaced = match t.replaced {
                0 => String::new(),
                n => format!(" ({n} byte sequence{} not {} shown as U+FFFD)", plural(n as usize), esc(&t.encoding)),
            };
            html.push_str(&format!("<li><code>{}</code>: read as {}{replaced}</li>\n", esc(&t.path), esc(&t.encoding)));
        }
        html.push_str("</ul>\n</section>\n");
    }
}

fn meta(html: &mut String, name: &str, value: &str) {
    html.push_str(&format!("<div><dt>{name}</dt><dd>{value}</dd></div>\n"));
}

fn contents(report: &Report, html: &mut String) {
    let mut links = vec![("chart", "Errors over time"), ("findings", "Findings")];
    links.extend([
        ("tasks", "Tasks"),
        ("chains", "Release chains"),
        ("heartbeats", "Heartbeat gaps"),
        ("exeurls", "Commands run"),
        ("config", "Configuration files"),
    ]);
    if !report.unclassified.is_empty() {
        links.push(("unclassified", "Unclassified errors"));
    }
    links.push(("coverage", "Logs read"));
    html.push_str("<nav class=\"toc\" aria-label=\"Contents\">\n<ul>\n");
    for (id, name) in links {
        html.push_str(&format!("<li><a href=\"#{id}\">{name}</a></li>\n"));
    }
    html.push_str("</ul>\n</nav>\n");
}

fn findings(report: &Report, options: &HtmlOptions, html: &mut String) {
    html.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if report.findings.is_empty() {
        html.push_str("<p class=\"empty\">No documented fault found in what was read.</p>\n</section>\n");
        return;
    }
    html.push_str(
        "<table class=\"findings\">\n<thead><tr><th class=\"num\">#</th><th>Severity</th><th>Fault</th><th>Title</th>\
         <th>Component</th><th>Host</th><th class=\"num\">Count</th><th>First seen</th><th>Last seen</th></tr>\
         </thead>\n<tbody>\n",
    );
    for (i, f) in report.findings.iter().enumerate() {
        html.push_str(&format!(
            "<tr class=\"sev-row-{sev}\"><td class=\"num\">{n}</td><td>{badge}</td>\
             <td><a href=\"#finding-{n}\"><code>{fault}</code></a></td><td class=\"wrap\">{title}</td>\
             <td>{component}</td>\
             <td>{host}</td><td class=\"num\">{count}</td><td>{first}</td><td>{last}</td></tr>\n",
            sev = f.severity.as_str(),
            n = i + 1,
            badge = severity_badge(f.severity),
            fault = esc(&f.fault),
            title = esc(&f.title),
            component = esc(&f.component),
            host = esc(&f.host),
            count = f.count,
            first = maybe_time(f.first_seen.as_deref()),
            last = maybe_time(f.last_seen.as_deref()),
        ));
    }
    html.push_str("</tbody>\n</table>\n");
    for (i, f) in report.findings.iter().enumerate() {
        finding_card(report, options, i, f, html);
    }
    html.push_str("</section>\n");
}

fn finding_card(report: &Report, options: &HtmlOptions, index: usize, f: &Finding, html: &mut String) {
    html.push_str(&format!(
        "<article class=\"finding sev-card-{}\" id=\"finding-{}\">\n<h3>\
         <span class=\"num\">#{}</span> {} <code class=\"fault\">{}</code> {}</h3>\n",
        f.severity.as_str(),
        index + 1,
        index + 1,
        severity_badge(f.severity),
        esc(&f.fault),
        esc(&f.title)
    ));
    let span = match (&f.first_seen, &f.last_seen) {
        (Some(first), Some(last)) if first == last => format!(", at {}", time(first)),
        (Some(first), Some(last)) => format!(", {} → {}", time(first), time(last)),
        _ => String::new(),
    };
    html.push_str(&format!(
        "<p class=\"where\"><b>{}</b> on host <b>{}</b>: {} {}{}{span} · manual §{} · fingerprint \
         <code>{}</code></p>\n",
        esc(&f.component),
        esc(&f.host),
        f.count,
        counted_noun(f),
        plural(f.count as usize),
        esc(&f.section),
        esc(&f.fingerprint)
    ));
    let root = f.caused_by.as_deref().and_then(|fp| report.findings.iter().position(|r| r.fingerprint == fp));
    if let Some(r) = root {
        let root = &report.findings[r];
        html.push_str(&format!(
            "<p class=\"cause\">Probably follows from <a href=\"#finding-{}\"><code>{}</code></a> on {}, host {}: \
             it failed first in {} (inferred from the order of events).</p>\n",
            r + 1,
            esc(&root.fault),
            esc(&root.component),
            esc(&root.host),
            esc(f.caused_by_chain.as_deref().unwrap_or("the same chain"))
        ));
    }
    if !f.evidence.is_empty() {
        html.push_str("<h4>Evidence</h4>\n");
        for e in &f.evidence {
            evidence(report, e, html);
        }
        if f.count as usize > f.evidence.len() {
            html.push_str(&format!(
                "<p class=\"muted\">… and {} more (<code>--samples N</code> keeps more)</p>\n",
                f.count as usize - f.evidence.len()
            ));
        }
    }
    if !f.remediation.is_empty() {
        html.push_str("<h4>What to do</h4>\n<ol class=\"runbook\">\n");
        for step in &f.remediation {
            // The page speaks English; runbook steps in Chinese (`--lang zh`) say so, for the
            // fonts and line breaking a browser picks and for screen readers.
            let lang = if options.runbooks == Some(Lang::Zh) { " lang=\"zh\"" } else { "" };
            html.push_str(&format!("<li{lang}>{}</li>\n", runbook_step(step)));
        }
        html.push_str("</ol>\n");
    }
    html.push_str("</article>\n");
}

/// One evidence item: where and when, its lines in a block, its fields.
pub(super) fn evidence(report: &Report, e: &Evidence, html: &mut String) {
    html.push_str("<div class=\"evidence\">\n<div class=\"ev-head\">");
    html.push_str(&location(e));
    if let Some(timestamp) = &e.timestamp {
        html.push_str(&format!(" {}", time(timestamp)));
    }
    let file = match &e.archive {
        Some(archive) => format!("{archive}!/{}", e.path),
        None => e.path.clone(),
    };
    if let Some(t) = report.input.transcoded.iter().find(|t| t.path == file) {
        html.push_str(&format!(" <span class=\"muted\">(read as {}, shown decoded)</span>", esc(&t.encoding)));
    }
    html.push_str("</div>\n<pre>");
    html.push_str(&esc(&e.text));
    if e.text_truncated {
        html.push_str(" <span class=\"muted\">[…]</span>");
    }
    if let Some(m) = &e.matched {
        html.push_str(&format!("\n<span class=\"muted\">line {}:</span> {}", m.line, esc(&m.text)));
        if m.text_truncated {
            html.push_str(" <span class=\"muted\">[…]</span>");
        }
    }
    html.push_str("</pre>\n");
    if !e.fields.is_empty() {
        html.push_str("<ul class=\"fields\">");
        for (name, value) in &e.fields {
            html.push_str(&format!("<li><code>{}={}</code></li>", esc(name), esc(value)));
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</div>\n");
}

fn footer(report: &Report, options: &HtmlOptions, html: &mut String) {
    let redaction = match options.redacted {
        Some(true) => {
            "Credentials found in log text (access keys, signatures, tokens, passwords) are shown as <code>***</code>."
        }
        Some(false) => {
            "<strong>Credentials are not masked</strong> (<code>--no-redact</code>): handle this file as a secret."
        }
        None => {
            "Merged from reports of several scans: credentials are masked where each scan masked them (the default), \
             not where one ran with <code>--no-redact</code>."
        }
    };
    html.push_str(&format!(
        "<footer>\n<p>Written by {} {}. {redaction} This page is one self-contained file: it loads nothing from \
         anywhere.</p>\n</footer>\n",
        esc(&report.tool.name),
        esc(&report.tool.version)
    ));
}
