//! `cas-triage scan --print-config`: the configuration a scan would run with, as a config file
//! (TOML that `--config` reads back), each value followed by where it came from: `default`,
//! `file` or `flag`. Nothing is scanned; the rule pack is loaded, as a scan would, for the
//! task timing it sets and to check the rule directories. Rule directories are printed absolute:
//! a config file's relative paths are taken from its own directory, so the printed file reads
//! back the same wherever it is saved.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::ValueEnum;
use toml::Value;

use crate::cli::{ConfigArgs, ScanArgs};
use crate::config::{load_pack, parse_timezone};
use crate::config_file::{DEFAULT_FILE, Located, Source, Sources};

/// One key of the configuration: its value (`None`: not set, `unset` says what happens then).
struct Entry {
    key: &'static str,
    value: Option<Value>,
    unset: &'static str,
    note: Option<&'static str>,
    /// The value is the rule pack's, not an option's.
    from_pack: bool,
}

pub(super) fn scan(
    args: &ScanArgs,
    sources: &Sources,
    config: &ConfigArgs,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    if parse_timezone(&args.tz).is_none() {
        return Err(anyhow!("--tz {:?}: expected an offset like +08:00, -05:30 or UTC", args.tz));
    }
    let pack = load_pack(&args.pack)?;
    let pack_tasks = pack.rules().iter().find_map(|rule| rule.tasks);
    let entries = [
        entry("format", args.format.map(name), "text when standard output is a terminal, json otherwise"),
        entry("fail_on", args.fail_on.map(name), "no finding changes the exit status"),
        entry("fail_on_new", args.fail_on_new.map(name), "with --baseline, no new finding changes the exit status"),
        entry("strict", Some(args.strict), ""),
        entry("color", Some(name(args.color)), ""),
        entry("lang", Some(name(args.lang)), ""),
        entry("samples", Some(count(args.samples)), ""),
        entry("exeurls", Some(count(args.exeurls)), ""),
        entry("unclassified", Some(count(args.unclassified)), ""),
        entry("no_redact", Some(args.no_redact), ""),
        entry("tz", Some(args.tz.clone()), ""),
        entry("encoding", Some(name(args.encoding)), ""),
        entry("max_decompressed", Some(size(args.max_decompressed)), ""),
        pack_default(
            entry("task_timeout", args.task_timeout.or(pack_tasks.map(|t| t.timeout_seconds)).map(i64::from), ""),
            args.task_timeout.is_none(),
        ),
        pack_default(
            entry("skew_ratio", args.skew_ratio.or(pack_tasks.map(|t| t.skew_ratio)), ""),
            args.skew_ratio.is_none(),
        ),
        entry("task_lines", Some(count(args.task_lines)), ""),
        entry("rules", args.pack.rules.as_deref().map(path), "the rule pack built into cas-triage"),
        entry("rules_add", Some(Value::Array(args.pack.rules_add.iter().map(|d| path(d).into()).collect())), ""),
        entry("threads", args.threads.map(count), "one worker thread per core"),
        entry("quiet", Some(args.quiet), ""),
        entry("stats", Some(args.stats), ""),
    ];
    let file = match Located::find(config) {
        Located::File(file) => file.display().to_string(),
        Located::Absent => format!("none (no ./{DEFAULT_FILE})"),
        Located::Disabled => "none (--no-config)".to_string(),
    };
    writeln!(out, "# The configuration of `cas-triage scan`: the built-in defaults, then the config file, then")?;
    writeln!(out, "# the options given. Each value says where it came from; --config FILE reads this back.")?;
    writeln!(out, "# config file: {file}")?;
    let lines: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            let source = sources.of(e.key);
            let note = if e.value.is_none() { Some(e.unset) } else { e.note };
            let comment = match note {
                Some(note) if source == Source::Default => format!("{source}: {note}"),
                _ => source.to_string(),
            };
            match &e.value {
                // The rule pack's value is shown, not set: read back, the file would pin it
                // where a later pack may change it.
                Some(value) if e.from_pack && source == Source::Default => (format!("# {} = {value}", e.key), comment),
                Some(value) => (format!("{} = {value}", e.key), comment),
                None => (format!("# {} (not set)", e.key), comment),
            }
        })
        .collect();
    let width = lines.iter().map(|(setting, _)| setting.chars().count()).max().unwrap_or(0);
    for (setting, source) in lines {
        writeln!(out, "{setting:<width$}  # {source}")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn entry<T: Into<Value>>(key: &'static str, value: Option<T>, unset: &'static str) -> Entry {
    Entry { key, value: value.map(Into::into), unset, note: None, from_pack: false }
}

/// Task timing left to the rule pack: the pack's value, and a note saying so.
fn pack_default(entry: Entry, from_pack: bool) -> Entry {
    let note = from_pack.then_some("the rule pack's");
    Entry { note, unset: "the rule pack sets none", from_pack, ..entry }
}

/// The name an option's value has on the command line (`utf-8`, `high`).
fn name<T: ValueEnum>(value: T) -> String {
    value.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default()
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `path` made absolute against the working directory (as it is, if that cannot be known).
fn path(path: &Path) -> String {
    std::path::absolute(path).as_deref().unwrap_or(path).to_string_lossy().into_owned()
}

/// A byte count as `--max-decompressed` takes it: `2GiB`, `512MiB`, or bytes.
fn size(bytes: u64) -> String {
    let units = [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)];
    units
        .iter()
        .find(|(_, shift)| bytes >= 1 << shift && bytes % (1 << shift) == 0)
        .map_or_else(|| bytes.to_string(), |(unit, shift)| format!("{}{unit}", bytes >> shift))
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_back() {
        for (bytes, text) in [(2 << 30, "2GiB"), (512 << 20, "512MiB"), (1000, "1000"), (3 << 40, "3TiB")] {
            assert_eq!(size(bytes), text);
            assert_eq!(crate::cli::parse_size(text), Ok(bytes));
        }
    }
}
