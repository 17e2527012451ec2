//! From command-line arguments to a validated configuration: resolves defaults that depend on
//! the terminal, parses the zone, loads and compiles the rule pack, reads the `--baseline` report.
//! Errors here are usage errors (exit status 2).

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::FixedOffset;

use crate::cli::{ColorArg, EncodingArg, FormatArg, LangArg, MergeArgs, PackArgs, ScanArgs, SeverityArg};
use crate::event::Timestamp;
use crate::input::{InputOptions, LogEncoding};
use crate::report::{Baseline, Format, ReadError, Thresholds};
use crate::rules::{Lang, RuleError, RulePack, Severity};
use crate::scan::{DEFAULT_CHUNK_SIZE, ScanOptions};

/// Why the command line cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--tz {0:?}: expected an offset like +08:00, -05:30 or UTC")]
    BadZone(String),
    #[error("--threads must be at least 1")]
    NoThreads,
    #[error("--component applies to a single file or standard input, not to {0}")]
    ComponentNeedsOneFile(String),
    #[error("--chunk-size must be at least 1 byte")]
    NoChunk,
    #[error("{0} {1:?}: expected a time like \"2022-09-29 10:00:00\" or a duration like 2h, 30m, 1d")]
    BadTime(&'static str, String),
    #[error("--since {0:?} is after --until {1:?}: the window would hold nothing")]
    EmptyWindow(String, String),
    #[error("--html and --output both name {0}: give the HTML report a file of its own")]
    SameOutput(PathBuf),
    #[error(transparent)]
    Rules(#[from] RuleError),
    // Not a source: the message holds the reason, which would show twice.
    #[error("--baseline {0}")]
    Baseline(ReadError),
}

/// Everything `scan` needs, validated.
#[derive(Debug)]
pub struct ScanConfig {
    pub paths: Vec<PathBuf>,
    /// `--output`: the file the report replaces (`None`: standard output).
    pub output: Option<PathBuf>,
    /// `--html`: the file the HTML report replaces, besides the main output.
    pub html: Option<PathBuf>,
    pub format: Format,
    /// `--fail-on` and `--fail-on-new`.
    pub thresholds: Thresholds,
    /// `--baseline`, read and checked before the scan.
    pub baseline: Option<Baseline>,
    pub threads: Option<usize>,
    pub timezone: FixedOffset,
    pub lang: Lang,
    /// Mask credentials in the report (not `--no-redact`).
    pub redact: bool,
    pub color: bool,
    pub unclassified: usize,
    pub progress: bool,
    /// `--stats`: print volume, time and memory to standard error.
    pub stats: bool,
    /// `--strict`: a skipped or partly read file makes the exit status 2.
    pub strict: bool,
    pub options: ScanOptions,
    /// The validated pack; compiled once the size of the input is known.
    pub pack: RulePack,
}

impl ScanConfig {
    pub fn from_args(args: ScanArgs) -> Result<ScanConfig, ConfigError> {
        // The format and colours suit where the report goes: a file is not a terminal.
        let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
        let timezone = parse_timezone(&args.tz).ok_or_else(|| ConfigError::BadZone(args.tz.clone()))?;
        if args.threads == Some(0) {
            return Err(ConfigError::NoThreads);
        }
        let single = args.paths.len() == 1 && !args.paths[0].is_dir();
        if args.component.is_some() && !single {
            let what = if args.paths.len() > 1 {
                "several paths".to_string()
            } else {
                format!("the directory {}", args.paths[0].display())
            };
            return Err(ConfigError::ComponentNeedsOneFile(what));
        }
        // One file is that host's; in a directory or several paths, a file's own path may name
        // another host (a bundle of many), which wins.
        let (host, fallback_host) = if single { (args.host, None) } else { (None, args.host) };
        let chunk_size = match args.chunk_size {
            Some(0) => return Err(ConfigError::NoChunk),
            Some(size) => usize::try_from(size).unwrap_or(usize::MAX),
            None => DEFAULT_CHUNK_SIZE,
        };
        let format = format(args.format, to_terminal);
        let color = color(args.color, to_terminal);
        let baseline = args.baseline.as_deref().map(Baseline::read).transpose().map_err(ConfigError::Baseline)?;
        let mut pack = load_pack(&args.pack)?;
        pack.set_task_timing(args.task_timeout, args.skew_ratio);
        let since = args
            .since
            .as_deref()
            .map(|t| parse_time(t, timezone).ok_or(ConfigError::BadTime("--since", t.into())))
            .transpose()?;
        let until = args
            .until
            .as_deref()
            .map(|t| parse_time(t, timezone).ok_or(ConfigError::BadTime("--until", t.into())))
            .transpose()?;
        if let (Some(from), Some(to)) = (since, until)
            && from > to
        {
            return Err(ConfigError::EmptyWindow(args.since.unwrap_or_default(), args.until.unwrap_or_default()));
        }
        if let (Some(html), Some(output)) = (&args.html, &args.output)
            && same_file(html, output)
        {
            return Err(ConfigError::SameOutput(html.clone()));
        }
        Ok(ScanConfig {
            paths: args.paths,
            output: args.output,
            html: args.html,
            format,
            thresholds: Thresholds { fail_on: args.fail_on.map(severity), fail_on_new: args.fail_on_new.map(severity) },
            baseline,
            threads: args.threads,
            timezone,
            lang: lang(args.lang),
            redact: !args.no_redact,
            color,
            unclassified: args.unclassified,
            progress: !args.quiet && std::io::stderr().is_terminal(),
            stats: args.stats,
            strict: args.strict,
            options: ScanOptions {
                samples: args.samples,
                exeurls_per_host: Some(args.exeurls),
                chunk_size,
                since,
                until,
                task_lines: args.task_lines,
                input: InputOptions {
                    max_decompressed: args.max_decompressed,
                    encoding: log_encoding(args.encoding),
                    component: args.component,
                    host,
                    fallback_host,
                    ..InputOptions::default()
                },
            },
            pack,
        })
    }
}

/// Everything `merge` needs, validated.
#[derive(Debug)]
pub struct MergeConfig {
    /// The reports to merge, in the order given.
    pub reports: Vec<PathBuf>,
    pub output: Option<PathBuf>,
    pub format: Format,
    pub thresholds: Thresholds,
    pub baseline: Option<Baseline>,
    pub samples: usize,
    /// `--exeurls`: exeurls kept per host, the newest.
    pub exeurls_per_host: usize,
    pub color: bool,
    pub unclassified: usize,
    pub lang: Lang,
    /// The pack whose rules `--format sarif` describes.
    pub pack: RulePack,
}

impl MergeConfig {
    pub fn from_args(args: MergeArgs) -> Result<MergeConfig, ConfigError> {
        let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
        let baseline = args.baseline.as_deref().map(Baseline::read).transpose().map_err(ConfigError::Baseline)?;
        Ok(MergeConfig {
            reports: args.reports,
            output: args.output,
            format: format(args.format, to_terminal),
            thresholds: Thresholds { fail_on: args.fail_on.map(severity), fail_on_new: args.fail_on_new.map(severity) },
            baseline,
            samples: args.samples,
            exeurls_per_host: args.exeurls,
            color: color(args.color, to_terminal),
            unclassified: args.unclassified,
            lang: lang(args.lang),
            pack: load_pack(&args.pack)?,
        })
    }
}

/// The format asked for, or the one that suits where the report goes: text for a person at a
/// terminal, JSON for a pipe or a file.
fn format(arg: Option<FormatArg>, to_terminal: bool) -> Format {
    match arg {
        Some(FormatArg::Text) => Format::Text,
        Some(FormatArg::Json) => Format::Json,
        Some(FormatArg::Jsonl) => Format::Jsonl,
        Some(FormatArg::Timeline) => Format::Timeline,
        Some(FormatArg::Markdown) => Format::Markdown,
        Some(FormatArg::Html) => Format::Html,
        Some(FormatArg::Junit) => Format::Junit,
        Some(FormatArg::Sarif) => Format::Sarif,
        Some(FormatArg::Tickets) => Format::Tickets,
        None if to_terminal => Format::Text,
        None => Format::Json,
    }
}

/// Colour when asked, or on a terminal; never when `NO_COLOR` is set.
fn color(arg: ColorArg, to_terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color
        && match arg {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => to_terminal,
        }
}

/// Whether two output paths name one file: the same path, or, for files that exist, the same
/// file after links are resolved.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// The built-in pack, or the one `--rules` names, plus every `--rules-add` directory.
pub fn load_pack(args: &PackArgs) -> Result<RulePack, RuleError> {
    let mut pack = match &args.rules {
        Some(dir) => RulePack::from_dir(dir)?,
        None => RulePack::embedded()?,
    };
    for dir in &args.rules_add {
        pack.extend(RulePack::from_dir(dir)?)?;
    }
    Ok(pack)
}

fn severity(arg: SeverityArg) -> Severity {
    match arg {
        SeverityArg::Critical => Severity::Critical,
        SeverityArg::High => Severity::High,
        SeverityArg::Medium => Severity::Medium,
        SeverityArg::Low => Severity::Low,
        SeverityArg::Info => Severity::Info,
    }
}

pub fn log_encoding(arg: EncodingArg) -> LogEncoding {
    match arg {
        EncodingArg::Auto => LogEncoding::Auto,
        EncodingArg::Utf8 => LogEncoding::Utf8,
        EncodingArg::Gbk => LogEncoding::Gbk,
    }
}

fn lang(arg: LangArg) -> Lang {
    match arg {
        LangArg::En => Lang::En,
        LangArg::Zh => Lang::Zh,
    }
}

/// A `--since`/`--until` value in the logs' local time: a timestamp as the logs write them
/// (seconds optional), or a duration back from now (`90s`, `30m`, `2h`, `1d`).
pub fn parse_time(text: &str, zone: FixedOffset) -> Option<Timestamp> {
    let text = text.trim();
    let units = [("s", 1_000i64), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];
    for (unit, millis) in units {
        if let Some(count) = text.strip_suffix(unit).and_then(|n| n.parse::<i64>().ok()) {
            let now_local = chrono::Utc::now().timestamp_millis() + i64::from(zone.local_minus_utc()) * 1000;
            return Some(Timestamp::from_local_millis(now_local - count.checked_mul(millis)?));
        }
    }
    let full = if text.len() == 16 { format!("{text}:00") } else { text.to_string() };
    crate::event::parse_header(full.as_bytes()).map(|h| h.timestamp)
}

/// `+08:00`, `-0530`, `+8`, `UTC`, `Z`.
pub fn parse_timezone(text: &str) -> Option<FixedOffset> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("utc") || text.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let hours: i32 = hours.parse().ok().filter(|h: &i32| (0..=14).contains(h) && hours.len() <= 2)?;
    let minutes: i32 = minutes.parse().ok().filter(|m: &i32| (0..60).contains(m))?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let zone = parse_timezone("+08:00").unwrap();
        let exact = parse_time("2022-09-29 10:16:00", zone).unwrap();
        assert_eq!(exact, Timestamp::from_parts(2022, 9, 29, 10, 16, 0, 0).unwrap());
        assert_eq!(parse_time("2022-09-29 10:16", zone), Some(exact));
        let now_local = chrono::Utc::now().timestamp_millis() + 8 * 3_600_000;
        let two_hours = parse_time("2h", zone).unwrap().local_millis();
        assert!((now_local - 2 * 3_600_000 - two_hours).abs() < 5_000);
        for bad in ["yesterday", "2h30", "2022-13-01 00:00:00", ""] {
            assert_eq!(parse_time(bad, zone), None, "{bad}");
        }
    }

    #[test]
    fn zones() {
        assert_eq!(parse_timezone("+08:00").map(|z| z.local_minus_utc()), Some(8 * 3600));
        assert_eq!(parse_timezone("-0530").map(|z| z.local_minus_utc()), Some(-(5 * 3600 + 1800)));
        assert_eq!(parse_timezone("+8").map(|z| z.local_minus_utc()), Some(8 * 3600));
        assert_eq!(parse_timezone("UTC").map(|z| z.local_minus_utc()), Some(0));
        for bad in ["", "08:00", "+25:00", "+08:75", "Asia/Shanghai", "+123"] {
            assert_eq!(parse_timezone(bad), None, "{bad}");
        }
    }
}
