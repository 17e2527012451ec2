//! The chart of errors over time, as inline SVG rendered here (it needs no script): the report's
//! `error_rate` series over the span of the logs. Top: errors per minute of each component's
//! error log on each host, one line each. Below, when the rule pack has the error-rate rule: the
//! errors in the rule's window ending at each minute, as the monitoring evaluates them, with the
//! rule's thresholds drawn and the alerting periods shaded (a log scale, so that a threshold of
//! 100 and a handful of errors both read). Above both: each finding at its first time, a marker
//! with its number and fault id, a tooltip, and a link to its card. A legend and a table of the
//! series follow the SVG, so the numbers can also be read without the picture.
//!
//! Spans longer than a day are drawn in buckets of several minutes (each bucket the sum of its
//! minutes above, the largest window below), so the drawing stays small whatever the span.

use std::collections::BTreeMap;

use chrono::{FixedOffset, TimeZone};

use super::axis::{
    Axis, DETAIL_MINUTES, LEFT, PLOT, RIGHT, Series, Tick, WIDTH, linear_ticks, log_ticks, minute, time_ticks,
};
use super::markers::{LANE_ROW, Markers};
use super::markup::{esc, parse_time, plural};
use crate::report::Report;

/// Height of each panel's plot area.
const PANEL: f64 = 170.0;
/// Space above a panel for its title.
const TITLE: f64 = 26.0;
/// Space below the last panel for the time labels.
const AXIS: f64 = 50.0;
/// The most series drawn (those with alerts first, then the most errors); the table lists all.
const MAX_SERIES: usize = 10;
/// The most points with a tooltip; past it, the lines alone are drawn.
const MAX_POINTS: usize = 3000;
/// Tableau 10, its yellow and grey darkened to read on white.
const PALETTE: [&str; MAX_SERIES] =
    ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#b6992d", "#b07aa1", "#ff9da7", "#9c755f", "#79706e"];

pub(super) fn section(report: &Report, html: &mut String) {
    html.push_str("<section id=\"chart\">\n<h2>Errors over time</h2>\n");
    let Some(axis) = Axis::of(report) else {
        html.push_str("<p class=\"empty\">No timestamp was read: there is nothing to draw.</p>\n</section>\n");
        return;
    };
    let window = report.error_rate.window_minutes.map(i64::from);
    let series = |axis: &Axis| -> Vec<Series<'_>> {
        report.error_rate.series.iter().map(|series| Series::of(series, axis, window)).collect()
    };
    let all = series(&axis);
    let drawn = drawn(&all);
    html.push_str("<figure class=\"chart\" id=\"chart-overview\">\n");
    let detail = Axis::detail(report, &axis);
    let unlabelled = detail.as_ref().map(|detail| (detail.start, detail.end()));
    svg(report, &Plot::new(&axis, &all, &drawn), window, ("overview", unlabelled), html);
    legend(&all, &drawn, html);
    caption(report, &axis, window, html);
    html.push_str("</figure>\n");
    if let Some(detail) = detail {
        html.push_str(&format!(
            "<h3>Closer: {} to {}, the {} hours with the most findings</h3>\n<figure class=\"chart\" \
             id=\"chart-detail\">\n",
            detail.local(detail.start).format("%Y-%m-%d %H:%M"),
            detail.local(detail.end()).format("%H:%M"),
            DETAIL_MINUTES / 60,
        ));
        let closer = series(&detail);
        svg(report, &Plot::new(&detail, &closer, &drawn), window, ("detail", None), html);
        html.push_str("</figure>\n");
    }
    table(report, &all, &drawn, window, html);
    html.push_str("</section>\n");
}

/// Indices of the series drawn, in report order, each with its colour: those with alerts first,
/// then those with the most errors.
fn drawn(all: &[Series<'_>]) -> Vec<(usize, &'static str)> {
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|&i| (all[i].series.alerts.is_empty(), std::cmp::Reverse(all[i].series.errors), i));
    order.truncate(MAX_SERIES);
    order.sort_unstable();
    order.into_iter().enumerate().map(|(n, i)| (i, PALETTE[n])).collect()
}

/// What one SVG draws: the series on an axis, those drawn with their colours, the time ticks.
struct Plot<'a> {
    axis: &'a Axis,
    all: &'a [Series<'a>],
    drawn: &'a [(usize, &'static str)],
    ticks: Vec<Tick>,
}

impl<'a> Plot<'a> {
    fn new(axis: &'a Axis, all: &'a [Series<'a>], drawn: &'a [(usize, &'static str)]) -> Plot<'a> {
        Plot { axis, all, drawn, ticks: time_ticks(axis) }
    }

    /// The drawn series, each with its colour.
    fn drawn(&self) -> impl Iterator<Item = (&Series<'a>, &'static str)> + '_ {
        self.drawn.iter().map(|&(i, color)| (&self.all[i], color))
    }
}

/// One chart: the markers' rows, the errors per minute, the errors per window with the thresholds
/// (when the pack has the error-rate rule), the time labels. `id` names it; inside `unlabelled`
/// (minutes), which a closer chart shows, markers are badges alone.
fn svg(
    report: &Report,
    plot: &Plot<'_>,
    window: Option<i64>,
    (id, unlabelled): (&str, Option<(i64, i64)>),
    html: &mut String,
) {
    let axis = plot.axis;
    let markers = Markers::place(&report.findings, axis, unlabelled);
    let top = markers.rows as f64 * LANE_ROW + 6.0 + TITLE;
    let bottom = window.map(|_| top + PANEL + TITLE);
    let height = bottom.unwrap_or(top) + PANEL + AXIS;
    html.push_str(&format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-labelledby=\"chart-{id}-title\" data-bucket-minutes=\"{}\">\n<title id=\"chart-{id}-title\">\
         Errors per {} of each component's error log, with the alert thresholds and the findings</title>\n",
        axis.bucket,
        axis.unit()
    ));
    counts_panel(plot, top, html);
    if let (Some(bottom), Some(window)) = (bottom, window) {
        windows_panel(plot, bottom, window, html);
    }
    let last = bottom.unwrap_or(top) + PANEL;
    time_labels(html, axis, &plot.ticks, last);
    markers.draw(html, last);
    html.push_str("</svg>\n");
}

/// The errors per bucket, on a linear scale: a line per series, a point with a tooltip per
/// bucket with errors (while there are not too many).
fn counts_panel(plot: &Plot<'_>, top: f64, html: &mut String) {
    let axis = plot.axis;
    let most = plot.drawn().flat_map(|(s, _)| s.counts.iter().copied()).max().unwrap_or(0);
    let (max, values) = linear_ticks(most);
    let y = |v: u64| top + PANEL - v as f64 / max as f64 * PANEL;
    panel(html, top, &format!("Errors per {}", axis.unit()), &plot.ticks, &values, &y);
    alert_bands(html, plot, top);
    let points: usize = plot.drawn().map(|(s, _)| s.counts.iter().filter(|c| **c > 0).count()).sum();
    for (s, color) in plot.drawn() {
        html.push_str(&format!(
            "<g class=\"series\" data-component=\"{}\" data-host=\"{}\" data-errors=\"{}\" stroke=\"{color}\" \
             fill=\"{color}\">\n<path class=\"line\" fill=\"none\" d=\"{}\" />\n",
            esc(&s.series.component),
            esc(&s.series.host),
            s.series.errors,
            path(axis, &s.counts, &y)
        ));
        for (b, &count) in s.counts.iter().enumerate().filter(|(_, c)| **c > 0 && points <= MAX_POINTS) {
            let from = axis.start + b as i64 * axis.bucket;
            let mut when = axis.local(from).format("%Y-%m-%d %H:%M").to_string();
            if axis.bucket > 1 {
                when.push_str(&format!(" to {}", axis.local(from + axis.bucket).format("%H:%M")));
            }
            html.push_str(&format!(
                "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" data-minute=\"{}\" data-count=\"{count}\">\
                 <title>{when}: {count} error{} ({})</title></circle>\n",
                axis.bucket_x(b),
                y(count),
                axis.local(from).format("%Y-%m-%dT%H:%M"),
                plural(count as usize),
                esc(&s.label()),
            ));
        }
        html.push_str("</g>\n");
    }
}

/// The errors in the window ending at each minute, on a log scale, with the thresholds of the
/// drawn series.
fn windows_panel(plot: &Plot<'_>, top: f64, window: i64, html: &mut String) {
    let mut thresholds: BTreeMap<u64, Vec<&Series<'_>>> = BTreeMap::new();
    for (s, _) in plot.drawn() {
        if let Some(threshold) = s.series.threshold {
            thresholds.entry(threshold).or_default().push(s);
        }
    }
    let most = plot.drawn().flat_map(|(s, _)| s.windows.iter().copied()).max().unwrap_or(0);
    let highest = thresholds.keys().next_back().copied().unwrap_or(0);
    let (max, values) = log_ticks(most.max(highest.saturating_add(1)));
    let scale = |v: u64| (1.0 + v as f64).log10() / (1.0 + max as f64).log10();
    let y = |v: u64| top + PANEL - scale(v) * PANEL;
    let title = format!("Errors in the last {window} minutes, as the alerts count them (log scale)");
    panel(html, top, &title, &plot.ticks, &values, &y);
    alert_bands(html, plot, top);
    for (threshold, series) in &thresholds {
        let names: Vec<String> = series.iter().map(|s| s.label()).collect();
        let who = match series.len() {
            ..=3 => series.iter().map(|s| s.series.component.as_str()).collect::<Vec<_>>().join(", "),
            n => format!("{n} series"),
        };
        html.push_str(&format!(
            "<g class=\"threshold\" data-threshold=\"{threshold}\" data-window=\"{window}\">\
             <title>An alert fires when more than {threshold} errors fall in {window} minutes: {}</title>\
             <line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" />\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">alert above {threshold} in {window} min: \
             {}</text></g>\n",
            esc(&names.join("; ")),
            WIDTH - RIGHT,
            WIDTH - RIGHT - 4.0,
            y(*threshold) - 4.0,
            esc(&who),
            y = y(*threshold),
        ));
    }
    for (s, color) in plot.drawn() {
        html.push_str(&format!(
            "<g class=\"series-window\" data-component=\"{}\" data-host=\"{}\" data-peak=\"{}\" stroke=\"{color}\">\
             <path class=\"line\" fill=\"none\" d=\"{}\" /></g>\n",
            esc(&s.series.component),
            esc(&s.series.host),
            s.peak_window,
            path(plot.axis, &s.windows, &y)
        ));
    }
}

/// A panel's frame: its title, horizontal grid lines with value labels, vertical grid lines at
/// the time ticks.
fn panel(html: &mut String, top: f64, title: &str, ticks: &[Tick], values: &[u64], y: &dyn Fn(u64) -> f64) {
    html.push_str(&format!(
        "<g class=\"panel\"><text class=\"panel-title\" x=\"{LEFT}\" y=\"{:.1}\">{}</text>\n",
        top - 8.0,
        esc(title)
    ));
    for tick in ticks {
        let x = tick.x;
        html.push_str(&format!(
            "<line class=\"grid\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top:.1}\" y2=\"{:.1}\" />\n",
            top + PANEL
        ));
    }
    for &value in values {
        let y = y(value);
        html.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" />\
             <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{value}</text>\n",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        ));
    }
    html.push_str(&format!(
        "<rect class=\"frame\" x=\"{LEFT}\" y=\"{top:.1}\" width=\"{PLOT}\" height=\"{PANEL}\" fill=\"none\" /></g>\n"
    ));
}

/// The alerting periods of the drawn series, shaded in their colour.
fn alert_bands(html: &mut String, plot: &Plot<'_>, top: f64) {
    for (s, color) in plot.drawn() {
        for alert in &s.series.alerts {
            let (Some(start), Some(end)) = (parse_time(&alert.start), parse_time(&alert.end)) else { continue };
            let x0 = plot.axis.x(minute(&start)).clamp(LEFT, WIDTH - RIGHT);
            let x1 = plot.axis.x(minute(&end)).clamp(LEFT, WIDTH - RIGHT);
            html.push_str(&format!(
                "<rect class=\"alert\" x=\"{x0:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{PANEL}\" \
                 fill=\"{color}\">\
                 <title>{}: alerting from {} to {}, at most {} errors in a window (threshold {})</title></rect>\n",
                (x1 - x0).max(1.0),
                esc(&s.label()),
                start.format("%Y-%m-%d %H:%M"),
                end.format("%H:%M"),
                alert.peak,
                s.series.threshold.map_or("-".to_string(), |t| t.to_string()),
            ));
        }
    }
}

/// A line through the middle of each bucket, leaving out points inside flat runs.
fn path(axis: &Axis, values: &[u64], y: &dyn Fn(u64) -> f64) -> String {
    let mut d = String::new();
    for (i, &value) in values.iter().enumerate() {
        let flat = i > 0 && i + 1 < values.len() && values[i - 1] == value && values[i + 1] == value;
        if flat {
            continue;
        }
        d.push_str(&format!("{}{:.1},{:.1}", if d.is_empty() { "M" } else { " L" }, axis.bucket_x(i), y(value)));
    }
    d
}

fn time_labels(html: &mut String, axis: &Axis, ticks: &[Tick], bottom: f64) {
    html.push_str("<g class=\"time-axis\">\n");
    for tick in ticks {
        html.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            tick.x,
            bottom + 16.0,
            tick.time
        ));
        if let Some(date) = &tick.date {
            html.push_str(&format!(
                "<text class=\"date\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{date}</text>\n",
                tick.x,
                bottom + 30.0
            ));
        }
    }
    html.push_str(&format!(
        "<text class=\"axis-title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">time (UTC{})</text>\n</g>\n",
        WIDTH - RIGHT,
        bottom + 46.0,
        axis.zone
    ));
}

fn legend(all: &[Series<'_>], drawn: &[(usize, &'static str)], html: &mut String) {
    if drawn.is_empty() {
        return;
    }
    html.push_str("<ul class=\"legend\">\n");
    for &(i, color) in drawn {
        let s = &all[i];
        let threshold = s.series.threshold.map_or(String::new(), |t| format!(", alerts above {t}"));
        html.push_str(&format!(
            "<li><span class=\"swatch\" style=\"background:{color}\">\
             </span>{} <span class=\"muted\">on {}: {} error{}{threshold}</span></li>\n",
            esc(&s.series.component),
            esc(&s.series.host),
            s.series.errors,
            plural(s.series.errors as usize),
        ));
    }
    html.push_str("</ul>\n");
}

fn caption(report: &Report, axis: &Axis, window: Option<i64>, html: &mut String) {
    let mut text = format!(
        "Errors per {} of each service's <code>common-error.log</code> (ERROR and FATAL events, one line per \
         component and host), {} to {}.",
        axis.unit(),
        axis.local(axis.start).format("%Y-%m-%d %H:%M"),
        axis.local(axis.end()).format("%Y-%m-%d %H:%M"),
    );
    if let Some(window) = window {
        text.push_str(&format!(
            " Below, the errors in the {window} minutes before each minute, as the monitoring counts them every \
             minute: dashed lines are the rule pack's alert thresholds, shaded bands the alerting periods."
        ));
    }
    let dated = report.findings.iter().filter(|f| f.first_seen.is_some()).count();
    if dated > 0 {
        text.push_str(
            " Markers: each finding at its first time, numbered as in the findings table (hover for details, \
             click for the finding).",
        );
    }
    if report.error_rate.series.is_empty() {
        text.push_str(" No error log with errors was read.");
    }
    html.push_str(&format!("<figcaption>{text}</figcaption>\n"));
}

fn table(report: &Report, all: &[Series<'_>], drawn: &[(usize, &'static str)], window: Option<i64>, html: &mut String) {
    if all.is_empty() {
        return;
    }
    let hidden = all.len() - drawn.len();
    if hidden > 0 {
        html.push_str(&format!(
            "<p class=\"muted\">{hidden} more series with fewer errors are not drawn; they are in the table.</p>\n"
        ));
    }
    let window_head = window.map_or(String::new(), |w| format!("<th class=\"num\">Most in {w} min</th>"));
    html.push_str(&format!(
        "<table class=\"series\">\n<thead><tr><th></th><th>Component</th><th>Host</th><th class=\"num\">Errors</th>\
         <th>Busiest minute</th>{window_head}<th class=\"num\">Alert threshold</th><th>Alerting periods</th>\
         </tr></thead>\n<tbody>\n"
    ));
    for (i, s) in all.iter().enumerate() {
        let swatch = drawn
            .iter()
            .find(|(d, _)| *d == i)
            .map_or(String::new(), |(_, color)| format!("<span class=\"swatch\" style=\"background:{color}\"></span>"));
        let busiest = s.busiest.map_or("-".to_string(), |(m, count)| {
            let zone = report.input.timezone.parse::<FixedOffset>().ok();
            let local = zone.and_then(|z| z.timestamp_opt(m * 60, 0).single());
            let when = local.map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string());
            format!("{when} ({count})")
        });
        let peak = window.map_or(String::new(), |_| format!("<td class=\"num\">{}</td>", s.peak_window));
        let alerts: Vec<String> = s
            .series
            .alerts
            .iter()
            .map(|a| {
                let (start, end) = (parse_time(&a.start), parse_time(&a.end));
                match (start, end) {
                    (Some(start), Some(end)) => {
                        format!("{} → {} (peak {})", start.format("%Y-%m-%d %H:%M"), end.format("%H:%M"), a.peak)
                    }
                    _ => format!("{} → {} (peak {})", esc(&a.start), esc(&a.end), a.peak),
                }
            })
            .collect();
        let class = if s.series.alerts.is_empty() { "" } else { " class=\"alerting\"" };
        html.push_str(&format!(
            "<tr{class}><td>{swatch}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{busiest}</td>{peak}\
             <td class=\"num\">{}</td><td>{}</td></tr>\n",
            esc(&s.series.component),
            esc(&s.series.host),
            s.series.errors,
            s.series.threshold.map_or("-".to_string(), |t| t.to_string()),
            if alerts.is_empty() { "<span class=\"muted\">none</span>".to_string() } else { alerts.join("<br />") },
        ));
    }
    html.push_str("</tbody>\n</table>\n");
}
