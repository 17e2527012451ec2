//! The chart's scales: the time axis over the span of the logs (in minutes, or in buckets of
//! several minutes past a day), each error series counted into its buckets with the errors of the
//! alerts' window ending in each, and the round values the axes are labelled with.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, TimeZone};

use super::markup::{parse_time, plural};
use crate::report::{ErrorSeries, Report};

pub(super) const WIDTH: f64 = 1200.0;
/// Room left of the plots for the values, right of them for nothing.
pub(super) const LEFT: f64 = 60.0;
pub(super) const RIGHT: f64 = 20.0;
pub(super) const PLOT: f64 = WIDTH - LEFT - RIGHT;
/// The most buckets across the span: a day in minutes.
const MAX_BUCKETS: i64 = 1440;
/// The span of the closer chart drawn under a long one, and its margin before the first finding.
pub(super) const DETAIL_MINUTES: i64 = 120;
const DETAIL_MARGIN: i64 = 10;
/// Bucket sizes and time-label steps, in minutes.
const STEPS: [i64; 15] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 43200];

/// The time axis: the span of the logs in buckets of `bucket` minutes (minutes since 1970, UTC).
pub(super) struct Axis {
    pub(super) start: i64,
    buckets: i64,
    pub(super) bucket: i64,
    pub(super) zone: FixedOffset,
}

impl Axis {
    /// The span of everything the report dates (logs, errors, alerts, findings), inside the
    /// `--since`/`--until` window.
    pub(super) fn of(report: &Report) -> Option<Axis> {
        let mut times: Vec<DateTime<FixedOffset>> = Vec::new();
        let mut add = |text: Option<&str>| times.extend(text.and_then(parse_time));
        for log in &report.coverage.logs {
            add(log.first_seen.as_deref());
            add(log.last_seen.as_deref());
        }
        for series in &report.error_rate.series {
            series.minutes.iter().for_each(|m| add(Some(&m.start)));
            series.alerts.iter().for_each(|a| add(Some(&a.end)));
        }
        for finding in &report.findings {
            add(finding.first_seen.as_deref());
            add(finding.last_seen.as_deref());
        }
        let zone = times.first().map(|t| *t.offset())?;
        let mut low = times.iter().map(|t| minute(t).floor() as i64).min()?;
        let mut high = times.iter().map(|t| minute(t).floor() as i64 + 1).max()?;
        if let Some(since) = report.input.since.as_deref().and_then(parse_time) {
            low = low.max(minute(&since).floor() as i64);
        }
        if let Some(until) = report.input.until.as_deref().and_then(parse_time) {
            high = high.min(minute(&until).floor() as i64 + 1);
        }
        if high <= low {
            return None;
        }
        // At least half an hour, centred on what there is.
        if high - low < 30 {
            low -= (30 - (high - low)) / 2;
            high = low + 30;
        }
        Some(Axis::over(low, high, zone))
    }

    /// The [`DETAIL_MINUTES`] of `overview` with the most findings' first times, when the
    /// overview is much longer and they hold at least two.
    pub(super) fn detail(report: &Report, overview: &Axis) -> Option<Axis> {
        if overview.end() - overview.start <= 3 * DETAIL_MINUTES / 2 {
            return None;
        }
        let mut firsts: Vec<f64> = report
            .findings
            .iter()
            .filter_map(|f| f.first_seen.as_deref().and_then(parse_time))
            .map(|t| minute(&t))
            .filter(|m| (overview.start as f64..overview.end() as f64).contains(m))
            .collect();
        firsts.sort_by(f64::total_cmp);
        // A margin before the first and after the last of them.
        let inner = (DETAIL_MINUTES - 2 * DETAIL_MARGIN) as f64;
        let (count, first) = firsts
            .iter()
            .enumerate()
            .map(|(i, from)| (firsts[i..].iter().take_while(|m| **m < from + inner).count(), *from))
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))?;
        if count < 2 {
            return None;
        }
        let start = first.floor() as i64 - DETAIL_MARGIN;
        Some(Axis::over(start, start + DETAIL_MINUTES, overview.zone))
    }

    /// From `low` to `high` in the largest round buckets that keep at most [`MAX_BUCKETS`].
    pub(super) fn over(low: i64, high: i64, zone: FixedOffset) -> Axis {
        let span = high - low;
        let bucket = STEPS.iter().copied().find(|step| ceil_div(span, *step) <= MAX_BUCKETS);
        let bucket = bucket.unwrap_or_else(|| 1440 * ceil_div(span, 1440 * MAX_BUCKETS));
        // Buckets start on round local times.
        let offset = i64::from(zone.local_minus_utc()) / 60;
        let start = (low + offset).div_euclid(bucket) * bucket - offset;
        Axis { start, buckets: ceil_div(high - start, bucket), bucket, zone }
    }

    pub(super) fn end(&self) -> i64 {
        self.start + self.buckets * self.bucket
    }

    /// The x of a time, in minutes since 1970.
    pub(super) fn x(&self, minute: f64) -> f64 {
        LEFT + (minute - self.start as f64) / (self.end() - self.start) as f64 * PLOT
    }

    /// The x of the middle of bucket `i`.
    pub(super) fn bucket_x(&self, i: usize) -> f64 {
        self.x(self.start as f64 + (i as f64 + 0.5) * self.bucket as f64)
    }

    fn bucket_of(&self, minute: i64) -> Option<usize> {
        (self.start..self.end()).contains(&minute).then(|| ((minute - self.start) / self.bucket) as usize)
    }

    pub(super) fn local(&self, minute: i64) -> DateTime<FixedOffset> {
        self.zone.timestamp_opt(minute * 60, 0).single().unwrap_or_else(|| self.zone.timestamp_opt(0, 0).unwrap())
    }

    /// `errors per minute` or `errors per 5 minutes`.
    pub(super) fn unit(&self) -> String {
        match self.bucket {
            1 => "minute".to_string(),
            b if b % 1440 == 0 => format!("{} day{}", b / 1440, plural((b / 1440) as usize)),
            b if b % 60 == 0 => format!("{} hour{}", b / 60, plural((b / 60) as usize)),
            b => format!("{b} minutes"),
        }
    }
}

/// `a / b` rounded up, for a positive `b`.
fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1).div_euclid(b)
}

/// Minutes since 1970 (UTC), with the fraction.
pub(super) fn minute(t: &DateTime<FixedOffset>) -> f64 {
    t.timestamp_millis() as f64 / 60_000.0
}

/// One series, in the axis' buckets.
pub(super) struct Series<'a> {
    pub(super) series: &'a ErrorSeries,
    /// Errors per bucket.
    pub(super) counts: Vec<u64>,
    /// The most errors a window ending in each bucket held.
    pub(super) windows: Vec<u64>,
    /// The most errors one window held, over the whole log.
    pub(super) peak_window: u64,
    /// The minute with the most errors (the earliest of equals), and its errors.
    pub(super) busiest: Option<(i64, u64)>,
}

impl<'a> Series<'a> {
    pub(super) fn of(series: &'a ErrorSeries, axis: &Axis, window: Option<i64>) -> Series<'a> {
        let minutes: Vec<(i64, u64)> = series
            .minutes
            .iter()
            .filter_map(|m| parse_time(&m.start).map(|t| (minute(&t).floor() as i64, m.count)))
            .collect();
        let mut counts = vec![0u64; axis.buckets as usize];
        for &(m, count) in &minutes {
            if let Some(i) = axis.bucket_of(m) {
                // Saturating: counts read back from a report may be anything.
                counts[i] = counts[i].saturating_add(count);
            }
        }
        let mut windows = vec![0; axis.buckets as usize];
        let mut peak_window = 0;
        if let Some(window) = window {
            let steps = window_steps(&minutes, window);
            for (i, &(from, value)) in steps.iter().enumerate() {
                peak_window = peak_window.max(value);
                let to = steps.get(i + 1).map_or(from + 1, |next| next.0);
                if value == 0 {
                    continue;
                }
                let first = axis.bucket_of(from.max(axis.start));
                let last = axis.bucket_of((to - 1).min(axis.end() - 1));
                if let (Some(first), Some(last)) = (first, last) {
                    for bucket in &mut windows[first..=last] {
                        *bucket = (*bucket).max(value);
                    }
                }
            }
        }
        let busiest = minutes.iter().copied().max_by_key(|&(m, count)| (count, std::cmp::Reverse(m)));
        Series { series, counts, windows, peak_window, busiest }
    }

    pub(super) fn label(&self) -> String {
        format!("{} on {}", self.series.component, self.series.host)
    }
}

/// The errors of the windows of `window` minutes ending at each minute boundary, as steps: from
/// each `(minute, errors)` on, until the next step, a window ending there holds `errors`.
fn window_steps(minutes: &[(i64, u64)], window: i64) -> Vec<(i64, u64)> {
    // A window ending at `end` holds the minutes from `end - window` to just before `end`.
    let mut changes: BTreeMap<i64, i128> = BTreeMap::new();
    for &(m, count) in minutes {
        *changes.entry(m.saturating_add(1)).or_default() += i128::from(count);
        *changes.entry(m.saturating_add(1).saturating_add(window)).or_default() -= i128::from(count);
    }
    let mut value: i128 = 0;
    changes
        .into_iter()
        .map(|(at, delta)| {
            value += delta;
            (at, u64::try_from(value).unwrap_or(0))
        })
        .collect()
}

/// A linear scale from 0: its top and its labelled values (steps of 1, 2 or 5 times a power of
/// ten, about four of them).
pub(super) fn linear_ticks(most: u64) -> (u64, Vec<u64>) {
    let most = most.max(1);
    let mut step = 1;
    'search: for power in (0..19).map(|p| 10u64.saturating_pow(p)) {
        for factor in [1, 2, 5] {
            step = power.saturating_mul(factor);
            if most.div_ceil(step) <= 4 {
                break 'search;
            }
        }
    }
    let top = most.div_ceil(step).saturating_mul(step);
    (top, (0..=top / step).map(|i| i.saturating_mul(step)).collect())
}

/// A log scale from 0: its top (1, 2 or 5 times a power of ten, at least `most`) and its
/// labelled values (every 1, 2 and 5 up to three decades, the powers of ten past that).
pub(super) fn log_ticks(most: u64) -> (u64, Vec<u64>) {
    let mut candidates = vec![0];
    for power in (0..19).map(|p| 10u64.saturating_pow(p)) {
        candidates.extend([power, power.saturating_mul(2), power.saturating_mul(5)]);
    }
    let top = candidates.iter().copied().find(|c| *c >= most).unwrap_or(u64::MAX);
    let decades = (top as f64).log10();
    let ticks = candidates
        .into_iter()
        .take_while(|c| *c <= top)
        .filter(|c| decades <= 3.0 || *c == 0 || c.to_string().starts_with('1') || *c == top)
        .collect();
    (top, ticks)
}

/// A time label on the axis.
pub(super) struct Tick {
    pub(super) x: f64,
    pub(super) time: String,
    /// The date, under the first label and wherever the day changes.
    pub(super) date: Option<String>,
}

/// Labels on round local times, at most about ten.
pub(super) fn time_ticks(axis: &Axis) -> Vec<Tick> {
    let span = axis.end() - axis.start;
    let step = STEPS.iter().copied().find(|s| span / s <= 10).unwrap_or_else(|| 43200 * (span / 43200 / 10 + 1));
    let offset = i64::from(axis.zone.local_minus_utc()) / 60;
    let mut at = (axis.start + offset + step - 1).div_euclid(step) * step - offset;
    let mut ticks = Vec::new();
    let mut last_date: Option<chrono::NaiveDate> = None;
    while at <= axis.end() {
        let local = axis.local(at);
        let date = local.date_naive();
        // The year when it is new (the first label, or a span over years), else the day.
        let label = match last_date {
            Some(previous) if previous == date => None,
            Some(previous) if previous.year() == date.year() => Some(local.format("%m-%d").to_string()),
            _ => Some(local.format("%Y-%m-%d").to_string()),
        };
        last_date = Some(date);
        ticks.push(Tick { x: axis.x(at as f64), time: local.format("%H:%M").to_string(), date: label });
        at += step;
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_year_whenever_it_changes() {
        let zone = FixedOffset::east_opt(8 * 3600).unwrap();
        let (start, end) = (at("1970-01-01 08:00"), at("2022-09-29 10:00"));
        let ticks = time_ticks(&Axis::over(start, end, zone));
        let dates: Vec<&str> = ticks.iter().filter_map(|t| t.date.as_deref()).collect();
        assert!(dates.len() > 3, "{dates:?}");
        let years: Vec<&str> = dates.iter().map(|d| &d[..4]).collect();
        assert!(dates.iter().all(|d| d.len() == 10), "every label over years holds its year: {dates:?}");
        assert!(years.windows(2).all(|w| w[0] < w[1]), "{years:?}");
    }

    #[test]
    fn windows_hold_the_minutes_before_them() {
        // Minutes 100 (5 errors) and 102 (6): windows of 5 ending at 101..=105 hold minute 100,
        // those ending at 103..=107 minute 102.
        let steps = window_steps(&[(100, 5), (102, 6)], 5);
        assert_eq!(steps, [(101, 5), (103, 11), (106, 6), (108, 0)]);
    }

    #[test]
    fn scales_have_round_ticks() {
        assert_eq!(linear_ticks(0), (1, vec![0, 1]));
        assert_eq!(linear_ticks(4), (4, vec![0, 1, 2, 3, 4]));
        assert_eq!(linear_ticks(7), (8, vec![0, 2, 4, 6, 8]));
        assert_eq!(linear_ticks(130), (150, vec![0, 50, 100, 150]));
        assert_eq!(log_ticks(101), (200, vec![0, 1, 2, 5, 10, 20, 50, 100, 200]));
        assert_eq!(log_ticks(30_000), (50_000, vec![0, 1, 10, 100, 1000, 10_000, 50_000]));
    }

    /// Minutes since 1970 of a local time in +08:00.
    fn at(text: &str) -> i64 {
        minute(&parse_time(&format!("{text}:00.000+08:00")).unwrap()) as i64
    }

    #[test]
    fn buckets_grow_with_the_span_and_start_on_round_local_times() {
        let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
        struct Case {
            low: &'static str,
            high: &'static str,
            bucket: i64,
            start: &'static str,
        }
        let cases = [
            Case { low: "2022-09-28T22:01", high: "2022-09-29T14:27", bucket: 1, start: "2022-09-28 22:01" },
            Case { low: "2022-09-27T10:03", high: "2022-09-29T12:01", bucket: 5, start: "2022-09-27 10:00" },
            Case { low: "2022-09-01T07:31", high: "2022-09-29T12:00", bucket: 30, start: "2022-09-01 07:30" },
            // Half a century (a log with a zero timestamp): 30 days a bucket.
            Case { low: "1970-01-01T08:00", high: "2022-09-29T12:00", bucket: 43200, start: "1970-01-01 00:00" },
            Case { low: "1970-01-01T08:00", high: "2222-09-29T12:00", bucket: 1440 * 65, start: "1970-01-01 00:00" },
        ];
        for case in cases {
            let axis = Axis::over(at(case.low), at(case.high), east8);
            assert_eq!(axis.bucket, case.bucket, "{}", case.low);
            assert!(axis.buckets <= MAX_BUCKETS && axis.end() >= at(case.high), "{}", case.low);
            let start = axis.local(axis.start).format("%Y-%m-%d %H:%M").to_string();
            assert!(start.starts_with(case.start), "{start}");
        }
    }

    #[test]
    fn time_labels_are_round_and_dated_when_the_day_changes() {
        let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
        let axis = Axis::over(at("2022-09-28T22:01"), at("2022-09-29T14:27"), east8);
        let ticks = time_ticks(&axis);
        let labels: Vec<(String, Option<String>)> = ticks.iter().map(|t| (t.time.clone(), t.date.clone())).collect();
        let first = ("00:00".to_string(), Some("2022-09-29".to_string()));
        assert_eq!(labels[0], first);
        let times: Vec<&str> = labels.iter().map(|(time, _)| time.as_str()).collect();
        assert_eq!(times, ["00:00", "02:00", "04:00", "06:00", "08:00", "10:00", "12:00", "14:00"]);
        assert!(labels[1..].iter().all(|(_, date)| date.is_none()));
        assert!(ticks.windows(2).all(|pair| pair[0].x < pair[1].x));
        let days = Axis::over(at("2022-09-27T10:03"), at("2022-09-29T12:01"), east8);
        let labels: Vec<String> =
            time_ticks(&days).into_iter().map(|t| format!("{} {}", t.date.unwrap_or_default(), t.time)).collect();
        let expected = [
            "2022-09-27 12:00",
            " 18:00",
            "09-28 00:00",
            " 06:00",
            " 12:00",
            " 18:00",
            "09-29 00:00",
            " 06:00",
            " 12:00",
        ];
        assert_eq!(labels, expected);
    }
}
