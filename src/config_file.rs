//! The config file: `cas-triage.toml` in the working directory, or the file `--config` names.
//! It holds defaults for the options of `scan` (and of `merge`, `exeurl`, `events`, `explain`,
//! `rules list` and `rules export` where they share them), one key per option, named as the
//! option without its dashes (`fail_on` for `--fail-on`). It is read strictly: an unknown key or
//! a bad value is an error naming the file and the key; so is a file that is not a regular file
//! or is larger than [`CONFIG_SIZE_LIMIT`]. The values are checked when the file is read and
//! written into the parsed command line where an option was not given ([`Given`]), so that
//! `config.rs` validates one command line whatever its values came from.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde::Deserialize;

use crate::cli::{
    ColorArg, Command, ConfigArgs, EncodingArg, FormatArg, Given, LangArg, MergeArgs, PackArgs, RulesCommand, ScanArgs,
    SeverityArg, parse_size,
};
use crate::config::parse_timezone;
use crate::input::{WholeFileError, read_whole_file};

/// The file read when `--config` is not given, in the working directory; a missing one is fine.
pub const DEFAULT_FILE: &str = "cas-triage.toml";

/// The largest config file read: a few hundred bytes make a full one.
pub const CONFIG_SIZE_LIMIT: u64 = 1 << 20;

/// Why a config file cannot be used. Each names the file, and the key where there is one.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    #[error("cannot read the config file {path}")]
    Read { path: PathBuf, source: WholeFileError },
    #[error("{path}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Toml { path: PathBuf, line: Option<usize>, message: String },
    #[error("{path}: {key} = {value}: {reason}")]
    Value { path: PathBuf, key: &'static str, value: String, reason: String },
}

/// Where a value of the effective configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The built-in default.
    Default,
    /// The config file.
    File,
    /// An option given on the command line.
    Flag,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File => "file",
            Source::Flag => "flag",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The keys of the file as written: every value optional, every other key an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileValues {
    format: Option<String>,
    fail_on: Option<String>,
    fail_on_new: Option<String>,
    strict: Option<bool>,
    color: Option<String>,
    lang: Option<String>,
    samples: Option<usize>,
    exeurls: Option<usize>,
    unclassified: Option<usize>,
    no_redact: Option<bool>,
    tz: Option<String>,
    encoding: Option<String>,
    max_decompressed: Option<SizeValue>,
    task_timeout: Option<u32>,
    skew_ratio: Option<f64>,
    task_lines: Option<usize>,
    rules: Option<PathBuf>,
    rules_add: Option<Vec<PathBuf>>,
    threads: Option<usize>,
    quiet: Option<bool>,
    stats: Option<bool>,
}

/// A size as `--max-decompressed` takes it (`"512MiB"`) or a number of bytes.
#[derive(Debug)]
enum SizeValue {
    Bytes(u64),
    Text(String),
}

impl<'de> Deserialize<'de> for SizeValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<SizeValue, D::Error> {
        deserializer.deserialize_any(SizeVisitor)
    }
}

/// Reads a [`SizeValue`], so that a wrong one is named for what it should be (an untagged enum
/// would only say that no variant matched).
struct SizeVisitor;

impl serde::de::Visitor<'_> for SizeVisitor {
    type Value = SizeValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a size like 512MiB or a number of bytes")
    }

    fn visit_u64<E: serde::de::Error>(self, bytes: u64) -> Result<SizeValue, E> {
        Ok(SizeValue::Bytes(bytes))
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<SizeValue, E> {
        u64::try_from(n).map(SizeValue::Bytes).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(n), &self))
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SizeValue, E> {
        Ok(SizeValue::Text(text.to_string()))
    }
}

/// A config file, read and checked: each value already of its option's type, paths resolved
/// against the file's directory.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    /// The file, as given (or [`DEFAULT_FILE`]).
    pub path: PathBuf,
    pub format: Option<FormatArg>,
    pub fail_on: Option<SeverityArg>,
    /// Applies when `--baseline` is given (a baseline is a file of one run, not a default).
    pub fail_on_new: Option<SeverityArg>,
    pub strict: Option<bool>,
    pub color: Option<ColorArg>,
    pub lang: Option<LangArg>,
    pub samples: Option<usize>,
    pub exeurls: Option<usize>,
    pub unclassified: Option<usize>,
    pub no_redact: Option<bool>,
    pub tz: Option<String>,
    pub encoding: Option<EncodingArg>,
    pub max_decompressed: Option<u64>,
    pub task_timeout: Option<u32>,
    pub skew_ratio: Option<f64>,
    pub task_lines: Option<usize>,
    pub rules: Option<PathBuf>,
    pub rules_add: Option<Vec<PathBuf>>,
    pub threads: Option<usize>,
    pub quiet: Option<bool>,
    pub stats: Option<bool>,
}

/// Which config file a command line reads, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// `--config FILE`, or `cas-triage.toml` found in the working directory.
    File(PathBuf),
    /// No `cas-triage.toml` in the working directory.
    Absent,
    /// `--no-config`.
    Disabled,
}

impl Located {
    /// The file `--config` names, else [`DEFAULT_FILE`] when the working directory has one.
    pub fn find(args: &ConfigArgs) -> Located {
        match &args.config {
            Some(path) => Located::File(path.clone()),
            None if args.no_config => Located::Disabled,
            None if Path::new(DEFAULT_FILE).is_file() => Located::File(PathBuf::from(DEFAULT_FILE)),
            None => Located::Absent,
        }
    }
}

impl ConfigFile {
    /// Reads the file of a command line: the one `--config` names (which must exist), else
    /// `cas-triage.toml` in the working directory when there is one and `command` has options
    /// it sets (so a broken file there does not stop `cas-triage man`).
    pub fn for_command(args: &ConfigArgs, command: &Command) -> Result<Option<ConfigFile>, ConfigFileError> {
        match Located::find(args) {
            Located::File(path) if args.config.is_some() || reads_config(command) => ConfigFile::read(&path).map(Some),
            _ => Ok(None),
        }
    }

    /// Reads and checks `path`.
    pub fn read(path: &Path) -> Result<ConfigFile, ConfigFileError> {
        let read_error = |source| ConfigFileError::Read { path: path.to_path_buf(), source };
        let bytes = read_whole_file(path, CONFIG_SIZE_LIMIT).map_err(read_error)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| read_error(std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8").into()))?;
        ConfigFile::parse(path, &text)
    }

    /// The keys set that change what a report shows or hides: the rule pack (`rules`,
    /// `rules_add`) and `no_redact = true`. A file found in the working directory that sets them
    /// is always named on standard error.
    pub fn sensitive_keys(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        if self.rules.is_some() {
            keys.push("rules");
        }
        if self.rules_add.as_ref().is_some_and(|dirs| !dirs.is_empty()) {
            keys.push("rules_add");
        }
        if self.no_redact == Some(true) {
            keys.push("no_redact");
        }
        keys
    }

    /// Checks `text`, the contents of `path`; relative paths in it are taken from `path`'s
    /// directory.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigFileError> {
        let values: FileValues = toml::from_str(text).map_err(|err| toml_error(path, text, &err))?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let bad = |key: &'static str, value: &dyn fmt::Display, reason: String| ConfigFileError::Value {
            path: path.to_path_buf(),
            key,
            value: value.to_string(),
            reason,
        };
        let at_least_one = |key: &'static str, n: Option<usize>| match n {
            Some(0) => Err(bad(key, &0, "must be at least 1".into())),
            n => Ok(n),
        };
        let max_decompressed = match values.max_decompressed {
            None => None,
            Some(SizeValue::Bytes(bytes)) => Some(bytes),
            Some(SizeValue::Text(text)) => {
                Some(parse_size(&text).map_err(|reason| bad("max_decompressed", &quoted(&text), reason))?)
            }
        };
        if let Some(tz) = &values.tz
            && parse_timezone(tz).is_none()
        {
            return Err(bad("tz", &quoted(tz), "expected an offset like +08:00, -05:30 or UTC".into()));
        }
        if values.task_timeout == Some(0) {
            return Err(bad("task_timeout", &0, "must be at least 1 (seconds)".into()));
        }
        if let Some(ratio) = values.skew_ratio
            && !(0.0..=1.0).contains(&ratio)
        {
            return Err(bad("skew_ratio", &ratio, "expected a ratio between 0 and 1".into()));
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            format: choice(path, "format", values.format)?,
            fail_on: choice(path, "fail_on", values.fail_on)?,
            fail_on_new: choice(path, "fail_on_new", values.fail_on_new)?,
            strict: values.strict,
            color: choice(path, "color", values.color)?,
            lang: choice(path, "lang", values.lang)?,
            samples: values.samples,
            exeurls: values.exeurls,
            unclassified: values.unclassified,
            no_redact: values.no_redact,
            tz: values.tz,
            encoding: choice(path, "encoding", values.encoding)?,
            max_decompressed,
            task_timeout: values.task_timeout,
            skew_ratio: values.skew_ratio,
            task_lines: at_least_one("task_lines", values.task_lines)?,
            rules: values.rules.map(|rules| dir.join(rules)),
            rules_add: values.rules_add.map(|dirs| dirs.into_iter().map(|d| dir.join(d)).collect()),
            threads: at_least_one("threads", values.threads)?,
            quiet: values.quiet,
            stats: values.stats,
        })
    }
}

/// Whether `command` has options a config file sets.
fn reads_config(command: &Command) -> bool {
    matches!(
        command,
        Command::Scan(_)
            | Command::Merge(_)
            | Command::Events(_)
            | Command::Exeurl(_)
            | Command::Explain(_)
            | Command::Rules { command: RulesCommand::List { .. } | RulesCommand::Export { .. } }
    )
}

/// Where each value of a command's configuration came from, by key; a key not listed is a
/// default.
#[derive(Debug, Clone, Default)]
pub struct Sources(Vec<(&'static str, Source)>);

impl Sources {
    pub fn of(&self, key: &str) -> Source {
        self.0.iter().find(|(k, _)| *k == key).map_or(Source::Default, |(_, source)| *source)
    }
}

/// Writes the file's values into `command`'s options that were not given on the command line;
/// returns where each value came from. Without a file, only the options given are noted.
pub fn apply(file: Option<&ConfigFile>, command: &mut Command, given: &Given) -> Sources {
    let empty = ConfigFile::default();
    let file = file.unwrap_or(&empty);
    let mut fill = Filler { given, sources: Sources::default() };
    match command {
        Command::Scan(args) => fill.scan(file, args),
        Command::Merge(args) => fill.merge(file, args),
        Command::Exeurl(args) => {
            fill.set("tz", &mut args.tz, file.tz.clone());
            fill.set("lang", &mut args.lang, file.lang);
            fill.negatable("no_redact", &mut args.no_redact, args.redact, file.no_redact);
        }
        Command::Events(args) => fill.set("encoding", &mut args.encoding, file.encoding),
        Command::Explain(args) => {
            fill.set("lang", &mut args.lang, file.lang);
            fill.pack(file, &mut args.pack);
        }
        Command::Rules { command: RulesCommand::List { pack, .. } | RulesCommand::Export { pack, .. } } => {
            fill.pack(file, pack)
        }
        _ => {}
    }
    fill.sources
}

/// Sets options from the file, noting where each value came from.
struct Filler<'a> {
    given: &'a Given,
    sources: Sources,
}

impl Filler<'_> {
    fn set<T>(&mut self, key: &'static str, slot: &mut T, value: Option<T>) {
        let source = match value {
            _ if self.given.contains(key) => Source::Flag,
            Some(value) => {
                *slot = value;
                Source::File
            }
            None => Source::Default,
        };
        self.sources.0.push((key, source));
    }

    /// Sets a boolean option that a flag of its own (`--redact` for `no_redact`) turns off.
    fn negatable(&mut self, key: &'static str, slot: &mut bool, negated: bool, value: Option<bool>) {
        if negated {
            *slot = false;
            self.sources.0.push((key, Source::Flag));
        } else {
            self.set(key, slot, value);
        }
    }

    fn pack(&mut self, file: &ConfigFile, pack: &mut PackArgs) {
        self.set("rules", &mut pack.rules, file.rules.clone().map(Some));
        self.set("rules_add", &mut pack.rules_add, file.rules_add.clone());
    }

    fn scan(&mut self, file: &ConfigFile, args: &mut ScanArgs) {
        self.set("format", &mut args.format, file.format.map(Some));
        self.set("fail_on", &mut args.fail_on, file.fail_on.map(Some));
        self.set("fail_on_new", &mut args.fail_on_new, file.fail_on_new.map(Some));
        self.negatable("strict", &mut args.strict, args.no_strict, file.strict);
        self.set("color", &mut args.color, file.color);
        self.set("lang", &mut args.lang, file.lang);
        self.set("samples", &mut args.samples, file.samples);
        self.set("exeurls", &mut args.exeurls, file.exeurls);
        self.set("unclassified", &mut args.unclassified, file.unclassified);
        self.negatable("no_redact", &mut args.no_redact, args.redact, file.no_redact);
        self.set("tz", &mut args.tz, file.tz.clone());
        self.set("encoding", &mut args.encoding, file.encoding);
        self.set("max_decompressed", &mut args.max_decompressed, file.max_decompressed);
        self.set("task_timeout", &mut args.task_timeout, file.task_timeout.map(Some));
        self.set("skew_ratio", &mut args.skew_ratio, file.skew_ratio.map(Some));
        self.set("task_lines", &mut args.task_lines, file.task_lines);
        self.pack(file, &mut args.pack);
        self.set("threads", &mut args.threads, file.threads.map(Some));
        self.set("quiet", &mut args.quiet, file.quiet);
        self.set("stats", &mut args.stats, file.stats);
    }

    /// The keys `merge` shares with `scan`.
    fn merge(&mut self, file: &ConfigFile, args: &mut MergeArgs) {
        self.set("format", &mut args.format, file.format.map(Some));
        self.set("fail_on", &mut args.fail_on, file.fail_on.map(Some));
        self.set("fail_on_new", &mut args.fail_on_new, file.fail_on_new.map(Some));
        self.set("color", &mut args.color, file.color);
        self.set("lang", &mut args.lang, file.lang);
        self.set("samples", &mut args.samples, file.samples);
        self.set("exeurls", &mut args.exeurls, file.exeurls);
        self.set("unclassified", &mut args.unclassified, file.unclassified);
        self.pack(file, &mut args.pack);
    }
}

/// A value of a `ValueEnum` option, spelled as on the command line (`utf-8`, `high`).
fn choice<T: ValueEnum>(path: &Path, key: &'static str, text: Option<String>) -> Result<Option<T>, ConfigFileError> {
    let Some(text) = text else { return Ok(None) };
    T::from_str(&text, false).map(Some).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        ConfigFileError::Value {
            path: path.to_path_buf(),
            key,
            value: quoted(&text),
            reason: format!("expected one of {}", names.join(", ")),
        }
    })
}

fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// A TOML or type error, with its line and key: `samples = "three"` is named by its key.
fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> ConfigFileError {
    let start = err.span().map(|span| span.start.min(text.len()));
    let line = start.map(|start| text[..start].matches('\n').count() + 1);
    let line_text = start.map(|start| {
        let begin = text[..start].rfind('\n').map_or(0, |i| i + 1);
        text[begin..].lines().next().unwrap_or("")
    });
    let key = line_text.and_then(|l| l.split_once('=')).map(|(key, _)| key.trim()).filter(|key| !key.is_empty());
    let message = err
        .message()
        .trim()
        .replace("unknown field", "unknown key")
        .replace("expected usize", "expected a whole number")
        .replace("expected u32", "expected a whole number")
        .replace("expected u64", "expected a whole number");
    let message = match key {
        Some(key) if !message.contains(&format!("`{key}`")) => format!("key {key}: {message}"),
        _ => message,
    };
    ConfigFileError::Toml { path: path.to_path_buf(), line, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, String> {
        ConfigFile::parse(Path::new("conf/cas-triage.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_every_key() {
        let file = parse(
            r#"
format = "json"
fail_on = "high"
fail_on_new = "medium"
strict = true
color = "never"
lang = "zh"
samples = 5
exeurls = 7
unclassified = 0
no_redact = true
tz = "UTC"
encoding = "utf-8"
max_decompressed = "512MiB"
task_timeout = 120
skew_ratio = 0.25
task_lines = 1000
rules = "site-rules"
rules_add = ["more", "/abs/other"]
threads = 2
quiet = true
stats = false
"#,
        )
        .unwrap();
        assert!(matches!(file.format, Some(FormatArg::Json)));
        assert!(matches!(file.fail_on, Some(SeverityArg::High)));
        assert!(matches!(file.fail_on_new, Some(SeverityArg::Medium)));
        assert!(matches!(file.encoding, Some(EncodingArg::Utf8)));
        assert_eq!(file.max_decompressed, Some(512 << 20));
        assert_eq!(file.rules, Some(PathBuf::from("conf/site-rules")));
        assert_eq!(file.rules_add, Some(vec![PathBuf::from("conf/more"), PathBuf::from("/abs/other")]));
        assert_eq!((file.samples, file.threads, file.task_timeout), (Some(5), Some(2), Some(120)));
    }

    #[test]
    fn sizes_may_be_bytes() {
        assert_eq!(parse("max_decompressed = 4096").unwrap().max_decompressed, Some(4096));
    }

    const BAD: &[(&str, &[&str])] = &[
        ("colour = \"never\"", &["conf/cas-triage.toml", "colour", "line 1"]),
        ("samples = \"three\"", &["conf/cas-triage.toml", "samples", "line 1"]),
        ("tz = \"CEST\"", &["conf/cas-triage.toml", "tz", "CEST", "+08:00"]),
        ("format = \"pdf\"", &["format", "pdf", "sarif"]),
        ("encoding = \"latin1\"", &["encoding", "gbk"]),
        ("max_decompressed = \"5 parsecs\"", &["max_decompressed", "parsecs"]),
        (
            "max_decompressed = -5",
            &["line 1", "max_decompressed", "-5", "expected a size like 512MiB or a number of bytes"],
        ),
        ("max_decompressed = 1.5", &["max_decompressed", "1.5", "expected a size like 512MiB or a number of bytes"]),
        ("threads = 0", &["threads", "at least 1"]),
        ("task_timeout = 0", &["task_timeout", "at least 1"]),
        ("skew_ratio = 1.5", &["skew_ratio", "between 0 and 1"]),
        ("[scan]\nformat = \"json\"", &["scan"]),
        ("format = ", &["conf/cas-triage.toml", "line 1"]),
    ];

    #[test]
    fn bad_files_name_file_key_and_reason() {
        for (text, words) in BAD {
            let err = parse(text).unwrap_err();
            for word in *words {
                assert!(err.contains(word), "{text:?}: {err:?} lacks {word:?}");
            }
        }
    }

    #[test]
    fn flags_win_over_the_file() {
        let file = parse("tz = \"UTC\"\nsamples = 9\nformat = \"sarif\"").unwrap();
        let mut cli =
            crate::cli::Cli::try_parse_args_from(["cas-triage", "scan", "--samples", "1", "--quiet", "x"]).unwrap();
        let sources = apply(Some(&file), &mut cli.command, &cli.given);
        let Command::Scan(args) = &cli.command else { panic!() };
        assert_eq!((args.tz.as_str(), args.samples), ("UTC", 1));
        assert!(matches!(args.format, Some(FormatArg::Sarif)));
        assert_eq!(sources.of("tz"), Source::File);
        assert_eq!(sources.of("samples"), Source::Flag);
        assert_eq!(sources.of("quiet"), Source::Flag);
        assert_eq!(sources.of("lang"), Source::Default);
    }

    #[test]
    fn redact_and_no_strict_win_over_the_file() {
        let file = parse("no_redact = true\nstrict = true").unwrap();
        assert_eq!(file.sensitive_keys(), ["no_redact"]);
        let cases: &[&[&str]] =
            &[&["cas-triage", "scan", "--redact", "--no-strict", "x"], &["cas-triage", "exeurl", "--redact", "x"]];
        for args in cases {
            let mut cli = crate::cli::Cli::try_parse_args_from(*args).unwrap();
            let sources = apply(Some(&file), &mut cli.command, &cli.given);
            let (no_redact, strict) = match &cli.command {
                Command::Scan(args) => (args.no_redact, args.strict),
                Command::Exeurl(args) => (args.no_redact, false),
                _ => unreachable!(),
            };
            assert!(!no_redact && !strict, "{args:?}");
            assert_eq!(sources.of("no_redact"), Source::Flag);
        }
    }
}
