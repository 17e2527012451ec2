//! The HTML report's sections after the findings, each a table read from the [`Report`]: task
//! timings (clock-skew suspects highlighted) and clock offsets, the release chains across services
//! (the first failure highlighted), agents' heartbeat gaps, the
//! commands agents ran, the `application.properties` files as the checks read them, the errors no
//! rule knows, and the logs read (with those the manual expects and the bundle lacks).

use super::markup::{duration, esc, location, maybe_time, plural};
use super::page::evidence;
use crate::report::Report;

pub(super) fn tasks(report: &Report, html: &mut String) {
    html.push_str("<section id=\"tasks\">\n<h2>Tasks</h2>\n");
    let seen = report.summary.tasks_seen;
    let listed = report.tasks.len();
    html.push_str(&format!(
        "<p>{seen} task{} seen (start and end paired by task id); the {listed} that did not succeed are listed. \
         A task that timed out well under the timeout suggests clocks that disagree: such rows are marked.</p>\n",
        plural(seen)
    ));
    if report.summary.task_lines_dropped > 0 {
        html.push_str(&format!(
            "<p class=\"notice warn\">The oldest {} task lines were not kept (<code>--task-lines</code>): \
             timings come from the newest lines.</p>\n",
            report.summary.task_lines_dropped
        ));
    }
    if !report.tasks.is_empty() {
        html.push_str(
            "<table class=\"tasks\">\n<thead><tr><th>Task</th><th>Host</th><th>Component</th><th>Step</th>\
             <th>Start</th><th>End</th><th class=\"num\">Duration</th><th>Outcome</th><th>Clock</th></tr>\
             </thead>\n<tbody>\n",
        );
        for task in &report.tasks {
            let step = match (&task.step, &task.script) {
                (Some(step), Some(script)) => format!("{}<br /><code>{}</code>", esc(step), esc(script)),
                (Some(step), None) => esc(step),
                (None, Some(script)) => format!("<code>{}</code>", esc(script)),
                (None, None) => "<span class=\"muted\">-</span>".to_string(),
            };
            let elapsed = match (task.elapsed_s, task.elapsed_source.as_deref()) {
                (Some(s), Some("logged cost")) => format!("{} <span class=\"muted\">(logged)</span>", duration(s)),
                (Some(s), _) => duration(s),
                (None, _) => "<span class=\"muted\">-</span>".to_string(),
            };
            let (class, clock) = if task.clock_skew_suspected {
                (" class=\"skew\"", "<span class=\"flag\">clock skew suspected</span>")
            } else {
                ("", "")
            };
            html.push_str(&format!(
                "<tr{class}><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"wrap\">{step}</td>\
                 <td>{}</td><td>{}</td>\
                 <td class=\"num\">{elapsed}</td><td><span class=\"outcome outcome-{}\">{}</span></td>\
                 <td>{clock}</td></tr>\n",
                esc(&task.task_id),
                esc(&task.host),
                esc(&task.component),
                maybe_time(task.start.as_deref()),
                maybe_time(task.end.as_deref()),
                class_name(&task.outcome),
                esc(&task.outcome),
            ));
        }
        html.push_str("</tbody>\n</table>\n");
    }
    if !report.clock_offsets.is_empty() {
        html.push_str(
            "<h3>Clock offsets</h3>\n<table>\n<thead><tr><th>Host</th><th>Reference host</th>\
             <th class=\"num\">Offset</th><th class=\"num\">Tasks compared</th></tr></thead>\n<tbody>\n",
        );
        for offset in &report.clock_offsets {
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{:+.3} s</td><td class=\"num\">{}</td></tr>\n",
                esc(&offset.host),
                esc(&offset.reference_host),
                offset.offset_s,
                offset.pairs
            ));
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("</section>\n");
}

/// `text` as a part of a class name: its ASCII letters, digits and dashes (a task's outcome is
/// `failed` or `timeout` as a scan writes it, but anything in a report read back).
fn class_name(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

/// The gaps of the heartbeat findings: the evidence of an analysis finding that has a gap's
/// start and end.
pub(super) fn heartbeat_gaps(report: &Report, html: &mut String) {
    html.push_str("<section id=\"heartbeats\">\n<h2>Heartbeat gaps</h2>\n");
    let gaps: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == "analysis")
        .flat_map(|f| f.evidence.iter().map(move |e| (f, e)))
        .filter(|(_, e)| e.fields.contains_key("gap_start") && e.fields.contains_key("gap_end"))
        .collect();
    if gaps.is_empty() {
        html.push_str("<p class=\"empty\">No agent went without a heartbeat for longer than the limit.</p>\n");
        html.push_str("</section>\n");
        return;
    }
    html.push_str(
        "<table>\n<thead><tr><th>Agent host</th><th>Component</th><th>Last heartbeat</th><th>Next heartbeat</th>\
         <th class=\"num\">Gap</th><th class=\"num\">Limit</th><th>Where</th></tr></thead>\n<tbody>\n",
    );
    for (f, e) in &gaps {
        let field = |name: &str| e.fields.get(name).map(String::as_str);
        let seconds = |name: &str| field(name).and_then(|s| s.parse::<f64>().ok()).map_or("-".to_string(), duration);
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"wrap\"><code class=\"loc\">{}</code> → {}</td></tr>\n",
            esc(&f.host),
            esc(&f.component),
            maybe_time(field("gap_start")),
            maybe_time(field("gap_end")),
            seconds("gap_seconds"),
            seconds("max_gap_seconds"),
            esc(field("previous_heartbeat").unwrap_or("-")),
            location(e),
        ));
    }
    html.push_str("</tbody>\n</table>\n");
    let total: u64 = report
        .findings
        .iter()
        .filter(|f| f.evidence.iter().any(|e| e.fields.contains_key("gap_start")))
        .map(|f| f.count)
        .sum();
    if total as usize > gaps.len() {
        html.push_str(&format!(
            "<p class=\"muted\">{total} gaps in all; the first of each agent are listed (<code>--samples \
             N</code>).</p>\n"
        ));
    }
    html.push_str("</section>\n");
}

/// Release orders and tasks followed across services: one table per chain, its events in time
/// order, the first failing one marked, each fault linked to its finding's card.
pub(super) fn chains(report: &Report, html: &mut String) {
    html.push_str("<section id=\"chains\">\n<h2>Release chains</h2>\n");
    if report.chains.is_empty() {
        html.push_str(
            "<p class=\"empty\">No release order or task was followed across services to a failure.</p>\n</section>\n",
        );
        return;
    }
    let seen = report.summary.chains_seen;
    html.push_str(&format!(
        "<p>Events that name the same release order or task, across services and hosts, in time order: {} of \
         {seen} chain{} with a failure. The first failing event of each is marked; what follows it probably \
         follows from it (inferred from the order of events).</p>\n",
        report.chains.len(),
        plural(seen)
    ));
    let card = |fingerprint: &str| report.findings.iter().position(|f| f.fingerprint == fingerprint);
    for chain in &report.chains {
        html.push_str(&format!(
            "<h3 class=\"chain\"><code>{}</code> <span class=\"muted\">{}</span></h3>\n",
            esc(&chain.id),
            chain.components.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" → ")
        ));
        html.push_str(
            "<table class=\"chain\">\n<thead><tr><th>Time</th><th>Component</th><th>Host</th><th>Task</th>\
             <th>Faults</th><th>Event</th></tr></thead>\n<tbody>\n",
        );
        for (i, hop) in chain.hops.iter().enumerate() {
            let first = chain.first_failure == Some(i);
            let class = if first { " class=\"problem\"" } else { "" };
            let task = match (&hop.task_id, &hop.task, &hop.outcome) {
                (Some(id), Some(role), Some(outcome)) => {
                    format!("<code>{}</code> {} <span class=\"outcome\">{}</span>", esc(id), esc(role), esc(outcome))
                }
                (Some(id), Some(role), None) => format!("<code>{}</code> {}", esc(id), esc(role)),
                (Some(id), None, _) => format!("<code>{}</code>", esc(id)),
                (None, ..) => "<span class=\"muted\">-</span>".to_string(),
            };
            let faults: Vec<String> = hop
                .faults
                .iter()
                .map(|f| match card(&f.fingerprint) {
                    Some(n) => format!("<a href=\"#finding-{}\"><code>{}</code></a>", n + 1, esc(&f.fault)),
                    None => format!("<code>{}</code>", esc(&f.fault)),
                })
                .collect();
            let marker = if first { "<span class=\"flag\">first failure</span> " } else { "" };
            html.push_str(&format!(
                "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{task}</td><td>{marker}{}</td>\
                 <td class=\"wrap\">{}<br /><code>{}</code></td></tr>\n",
                maybe_time(hop.evidence.timestamp.as_deref()),
                esc(&hop.component),
                esc(&hop.host),
                faults.join(" "),
                location(&hop.evidence),
                esc(hop.evidence.text.lines().next().unwrap_or("")),
            ));
        }
        html.push_str("</tbody>\n</table>\n");
        if chain.hops_total > chain.hops.len() {
            html.push_str(&format!(
                "<p class=\"muted\">{} more events of this chain are in the JSON report's count only.</p>\n",
                chain.hops_total - chain.hops.len()
            ));
        }
    }
    html.push_str("</section>\n");
}

pub(super) fn exeurls(report: &Report, html: &mut String) {
    html.push_str("<section id=\"exeurls\">\n<h2>Commands run by agents</h2>\n");
    if report.exeurls.is_empty() {
        html.push_str("<p class=\"empty\">No agent log with an <code>exeurl</code> was read.</p>\n</section>\n");
        return;
    }
    let seen = report.summary.exeurls_seen;
    html.push_str(&format!(
        "<p>The <code>exeurl</code> of each task an agent received, by host, newest first: {} of {seen} read.</p>\n",
        report.exeurls.len()
    ));
    html.push_str(
        "<table class=\"exeurls\">\n<thead><tr><th>Host</th><th>Time</th><th>Step</th><th>Command</th><th>Task</th>\
         <th>Where</th></tr></thead>\n<tbody>\n",
    );
    for e in &report.exeurls {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"wrap\">{}</td><td class=\"wrap\"><code>{}</code></td>\
             <td>{}</td><td><code class=\"loc\">{}:{}</code></td></tr>\n",
            esc(&e.host),
            maybe_time(e.timestamp.as_deref()),
            esc(&e.step),
            esc(&e.command),
            e.task_id.as_deref().map_or("-".to_string(), |t| format!("<code>{}</code>", esc(t))),
            esc(&e.path),
            e.line,
        ));
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

pub(super) fn config_files(report: &Report, html: &mut String) {
    html.push_str("<section id=\"config\">\n<h2>Configuration files</h2>\n");
    if report.config_files.is_empty() {
        html.push_str("<p class=\"empty\">No <code>application.properties</code> was read.</p>\n</section>\n");
        return;
    }
    let checks: Vec<(usize, &crate::report::Finding)> =
        report.findings.iter().enumerate().filter(|(_, f)| f.kind == "file-check").collect();
    if !checks.is_empty() {
        html.push_str("<p>Findings of the file checks: ");
        let links: Vec<String> = checks
            .iter()
            .map(|(i, f)| {
                format!("<a href=\"#finding-{}\"><code>{}</code></a> on {}", i + 1, esc(&f.fault), esc(&f.host))
            })
            .collect();
        html.push_str(&links.join(", "));
        html.push_str(".</p>\n");
    }
    html.push_str(
        "<table class=\"config\">\n<thead><tr><th>Host</th><th>File</th><th class=\"num\">Lines</th>\
         <th>Line endings</th><th>Encoding</th><th>Empty keys</th></tr></thead>\n<tbody>\n",
    );
    for file in &report.config_files {
        let mut problems = 0;
        let endings = if file.crlf_lines > 0 {
            problems += 1;
            let first = file.first_crlf_line.map_or(String::new(), |l| format!(", first at line {l}"));
            format!(
                "<span class=\"bad\">CRLF on {} line{}{first}</span>",
                file.crlf_lines,
                plural(file.crlf_lines as usize)
            )
        } else {
            "LF".to_string()
        };
        let mut encoding = Vec::new();
        if let Some(at) = file.not_utf8_at {
            problems += 1;
            let gbk = match file.decodes_as_gbk {
                Some(true) => ", reads as GBK",
                Some(false) => ", not GBK either",
                None => "",
            };
            encoding.push(format!("<span class=\"bad\">not UTF-8 at byte {at}{gbk}</span>"));
        }
        if file.bom {
            problems += 1;
            encoding.push("<span class=\"bad\">starts with a BOM</span>".to_string());
        }
        if encoding.is_empty() {
            encoding.push("UTF-8".to_string());
        }
        let empty = if file.empty_keys.is_empty() {
            "<span class=\"muted\">none</span>".to_string()
        } else {
            problems += 1;
            let keys: Vec<String> =
                file.empty_keys.iter().map(|k| format!("<code>{}</code> (line {})", esc(&k.key), k.line)).collect();
            format!("<span class=\"bad\">{}</span>", keys.join(", "))
        };
        let class = if problems > 0 { " class=\"problem\"" } else { "" };
        let path = match &file.archive {
            Some(archive) => format!("{archive}!/{}", file.path),
            None => file.path.clone(),
        };
        html.push_str(&format!(
            "<tr{class}><td>{}</td><td class=\"wrap\"><code class=\"loc\">{}</code></td>\
             <td class=\"num\">{}</td><td>{endings}</td>\
             <td>{}</td><td class=\"wrap\">{empty}</td></tr>\n",
            esc(&file.host),
            esc(&path),
            file.lines,
            encoding.join("; "),
        ));
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

/// The unclassified groups a page lists, the most frequent: a bundle of thousands of hosts has
/// tens of thousands, megabytes of page no one reads; the JSON report has them all.
pub(super) const UNCLASSIFIED_SHOWN: usize = 100;

pub(super) fn unclassified(report: &Report, html: &mut String) {
    if report.unclassified.is_empty() {
        return;
    }
    let summary = &report.summary;
    html.push_str(&format!(
        "<section id=\"unclassified\">\n<h2>Unclassified errors</h2>\n<p>{} ERROR event{} no rule knows, \
         grouped by message template (numbers, ids, addresses and quoted values masked), most frequent first.{}</p>\n",
        summary.unclassified_events,
        plural(summary.unclassified_events as usize),
        if summary.unclassified_overflow > 0 {
            format!(" {} were not grouped: too many distinct templates.", summary.unclassified_overflow)
        } else {
            String::new()
        }
    ));
    html.push_str(
        "<table class=\"unclassified\">\n<thead><tr><th class=\"num\">Count</th><th>Component</th><th>Host</th>\
         <th>Template and first example</th><th>First seen</th><th>Last seen</th></tr></thead>\n<tbody>\n",
    );
    for group in report.unclassified.iter().take(UNCLASSIFIED_SHOWN) {
        let mut example = String::new();
        evidence(report, &group.example, &mut example);
        html.push_str(&format!(
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"wrap\"><code class=\"template\">{}</code>\
             <details><summary>example</summary>{example}</details></td><td>{}</td><td>{}</td></tr>\n",
            group.count,
            esc(&group.component),
            esc(&group.host),
            esc(&group.template),
            maybe_time(group.first_seen.as_deref()),
            maybe_time(group.last_seen.as_deref()),
        ));
    }
    html.push_str("</tbody>\n</table>\n");
    if report.unclassified.len() > UNCLASSIFIED_SHOWN {
        html.push_str(&format!(
            "<p class=\"muted\">The {UNCLASSIFIED_SHOWN} most frequent of {} templates; the JSON report lists them all.</p>\n",
            report.unclassified.len()
        ));
    }
    html.push_str("</section>\n");
}

pub(super) fn coverage(report: &Report, html: &mut String) {
    let coverage = &report.coverage;
    html.push_str("<section id=\"coverage\">\n<h2>Logs read</h2>\n");
    if !coverage.missing.is_empty() {
        html.push_str(
            "<div class=\"notice warn\">\n<p>The manual expects these logs, and the bundle lacks them: \
             faults that would show there cannot be ruled out.</p>\n<ul>\n",
        );
        for missing in &coverage.missing {
            html.push_str(&format!(
                "<li><code>{}</code> of {} on {}</li>\n",
                esc(&missing.expected),
                esc(&missing.component),
                esc(&missing.host)
            ));
        }
        html.push_str("</ul>\n</div>\n");
    }
    for log in &coverage.uncovered {
        html.push_str(&format!(
            "<p class=\"notice\">{} on {} is {} the window: {}.</p>\n",
            esc(&log.component),
            esc(&log.host),
            if log.overlap == "outside" { "outside" } else { "only partly in" },
            esc(&log.reason)
        ));
    }
    if coverage.logs.is_empty() {
        html.push_str("<p class=\"empty\">No log was read.</p>\n</section>\n");
        return;
    }
    html.push_str(
        "<table class=\"coverage\">\n<thead><tr><th>Component</th><th>Host</th><th>Files</th><th>First event</th>\
         <th>Last event</th><th class=\"num\">Events</th></tr></thead>\n<tbody>\n",
    );
    for log in &coverage.logs {
        let files: Vec<String> = log.files.iter().map(|f| format!("<code class=\"loc\">{}</code>", esc(f))).collect();
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"wrap\">{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td></tr>\n",
            esc(&log.component),
            esc(&log.host),
            files.join("<br />"),
            maybe_time(log.first_seen.as_deref()),
            maybe_time(log.last_seen.as_deref()),
            log.events
        ));
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}
