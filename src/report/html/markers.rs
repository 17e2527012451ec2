//! The findings on the chart: a marker at each finding's first time, a numbered badge in its
//! severity's colour with the fault id beside it, a tooltip and a link to the finding's card,
//! placed in rows above the panels so that no two labels overlap.

use super::axis::{Axis, LEFT, RIGHT, WIDTH, minute};
use super::markup::{esc, parse_time, severity_color};
use crate::report::Finding;

/// Height of a row of markers.
pub(super) const LANE_ROW: f64 = 18.0;
/// Rows of markers with their fault id beside them; past those, badges alone.
const LABELLED_ROWS: usize = 12;
const MAX_LANE_ROWS: usize = 16;

/// The findings at their first time, in rows above the panels so that labels do not overlap.
pub(super) struct Markers<'a> {
    placed: Vec<Marker<'a>>,
    pub(super) rows: usize,
}

struct Marker<'a> {
    /// Its number: the finding's row in the findings table.
    number: usize,
    finding: &'a Finding,
    x: f64,
    row: usize,
    /// Whether the fault id is written beside the badge, and if so, whether left of it (near the
    /// right edge); without room, the badge alone.
    label: Option<bool>,
}

impl<'a> Markers<'a> {
    /// Places a marker per dated finding: with its fault id beside it where there is room in
    /// the first [`LABELLED_ROWS`] rows, the badge alone otherwise (its number leads to the
    /// table, its tooltip names the fault), in a row of its own while there may be more. Inside
    /// `unlabelled` (minutes), which a closer chart shows, badges only.
    pub(super) fn place(findings: &'a [Finding], axis: &Axis, unlabelled: Option<(i64, i64)>) -> Markers<'a> {
        let mut wanted: Vec<(usize, &Finding, f64, bool)> = findings
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let first = minute(&f.first_seen.as_deref().and_then(parse_time)?);
                let x = axis.x(first);
                let labelled = unlabelled.is_none_or(|(from, to)| !(from as f64..to as f64).contains(&first));
                (LEFT..=WIDTH - RIGHT).contains(&x).then_some((i + 1, f, x, labelled))
            })
            .collect();
        wanted.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
        let mut rows: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut placed = Vec::new();
        let free =
            |row: &Vec<(f64, f64)>, span: (f64, f64)| row.iter().all(|(a, b)| span.1 + 4.0 < *a || *b + 4.0 < span.0);
        for (number, finding, x, may_label) in wanted {
            // A badge of radius 7, then the fault id in 11px monospace (about 6.7px a letter).
            let width = 14.0 + finding.fault.chars().count() as f64 * 6.7;
            let label_left = x + width > WIDTH - RIGHT;
            let labelled = if label_left { (x - width, x + 8.0) } else { (x - 8.0, x + width) };
            let badge = (x - 8.0, x + 8.0);
            let with_label = may_label
                .then(|| (0..LABELLED_ROWS).find(|r| rows.get(*r).is_none_or(|row| free(row, labelled))))
                .flatten();
            let (row, span) = match with_label {
                Some(row) => (row, labelled),
                None => match rows.iter().position(|row| free(row, badge)) {
                    Some(row) => (row, badge),
                    None if rows.len() < MAX_LANE_ROWS => (rows.len(), badge),
                    // Crowded past every row: overlapping, in turn.
                    None => (number % rows.len(), badge),
                },
            };
            if row == rows.len() {
                rows.push(Vec::new());
            }
            rows[row].push(span);
            placed.push(Marker { number, finding, x, row, label: with_label.map(|_| label_left) });
        }
        Markers { rows: rows.len().max(1), placed }
    }

    pub(super) fn draw(&self, html: &mut String, bottom: f64) {
        html.push_str("<g class=\"markers\">\n");
        for m in &self.placed {
            let f = m.finding;
            let color = severity_color(f.severity);
            let y = 10.0 + m.row as f64 * LANE_ROW;
            let label = match m.label {
                Some(left) => {
                    let (x, anchor) = if left { (m.x - 10.0, "end") } else { (m.x + 10.0, "start") };
                    format!(
                        "<text class=\"label\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                        y + 4.0,
                        esc(&f.fault)
                    )
                }
                None => String::new(),
            };
            html.push_str(&format!(
                "<a href=\"#finding-{n}\"><g class=\"marker\" data-fault=\"{fault}\" data-first-seen=\"{first}\">\
                 <title>#{n} {fault} ({severity}): {title}. {component} on {host}, first at {first}</title>\
                 <line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{y1:.1}\" y2=\"{bottom:.1}\" stroke=\"{color}\" />\
                 <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"7\" fill=\"{color}\" />\
                 <text class=\"badge\" x=\"{x:.1}\" y=\"{by:.1}\" text-anchor=\"middle\">{n}</text>{label}</g></a>\n",
                n = m.number,
                fault = esc(&f.fault),
                first = esc(f.first_seen.as_deref().unwrap_or_default()),
                severity = f.severity.as_str(),
                title = esc(&f.title),
                component = esc(&f.component),
                host = esc(&f.host),
                x = m.x,
                y1 = y + 7.0,
                by = y + 3.0,
            ));
        }
        html.push_str("</g>\n");
    }
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;
    use crate::rules::Severity;

    fn finding(fault: &str, first_seen: &str) -> Finding {
        Finding {
            fault: fault.to_string(),
            kind: "lines".into(),
            title: "t".to_string(),
            severity: Severity::High,
            section: "1".to_string(),
            component: "c".to_string(),
            host: "h".to_string(),
            count: 1,
            first_seen: Some(first_seen.to_string()),
            last_seen: Some(first_seen.to_string()),
            fingerprint: String::new(),
            caused_by: None,
            caused_by_chain: None,
            remediation: Vec::new(),
            evidence: Vec::new(),
            baseline_state: None,
        }
    }

    #[test]
    fn labels_never_overlap_and_crowds_become_badges() {
        let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
        let start = minute(&parse_time("2022-09-29T10:00:00.000+08:00").unwrap()) as i64;
        let axis = Axis::over(start, start + 120, east8);
        // Twenty at one time, then a few spread out, the last near the right edge.
        let mut findings: Vec<Finding> =
            (0..20).map(|i| finding(&format!("fault.number-{i}"), "2022-09-29T10:15:00.000+08:00")).collect();
        for (i, time) in ["10:40", "11:05", "11:30", "11:58"].iter().enumerate() {
            findings.push(finding(&format!("spread.out-{i}"), &format!("2022-09-29T{time}:00.000+08:00")));
        }
        let markers = Markers::place(&findings, &axis, None);
        assert_eq!(markers.placed.len(), findings.len());
        assert!(markers.rows <= MAX_LANE_ROWS);
        let labelled = markers.placed.iter().filter(|m| m.label.is_some()).count();
        assert_eq!(labelled, LABELLED_ROWS + 4, "a row each in the crowd while labels fit, then every other one");
        let last = markers.placed.iter().find(|m| m.finding.fault == "spread.out-3").unwrap();
        assert_eq!(last.label, Some(true), "near the right edge, the label goes left");
        // Inside a span a closer chart shows, badges only.
        let window = Some((start, start + 30));
        let markers = Markers::place(&findings, &axis, window);
        assert!(markers.placed.iter().filter(|m| m.finding.fault.starts_with("fault.")).all(|m| m.label.is_none()));
        assert!(markers.placed.iter().filter(|m| m.finding.fault.starts_with("spread.")).all(|m| m.label.is_some()));
    }
}
