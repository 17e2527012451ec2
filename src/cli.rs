//! The command line, as clap derive types with their help and examples, and the parse that
//! notes which options were given (so that `config_file.rs` fills only the others from
//! `cas-triage.toml`). `config.rs` turns these into a validated configuration; nothing past it
//! depends on clap.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// The version `--version` shows: the program's, and the id of the rule pack built into it (a
/// digest of its files) with how many files it has.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (embedded rule pack ",
    env!("CAS_TRIAGE_PACK_ID"),
    ", ",
    env!("CAS_TRIAGE_PACK_FILES"),
    " files)"
);

/// Finds the documented faults of the SOFAStack CAS platform in collected log bundles, with
/// evidence and the runbook's next steps.
#[derive(Debug, Parser)]
#[command(name = "cas-triage", version = VERSION, about, propagate_version = true, after_help = examples::CLI)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The options given on the command line, which a config file does not override.
    #[arg(skip)]
    pub given: Given,
}

impl Cli {
    /// Parses the process's arguments like [`Parser::try_parse`], and notes which options were
    /// given on the command line ([`Cli::given`]).
    pub fn try_parse_args() -> Result<Cli, clap::Error> {
        Cli::try_parse_args_from(std::env::args_os())
    }

    /// Parses `args` (the program name first) like [`Parser::try_parse_from`], noting which
    /// options were given.
    pub fn try_parse_args_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        cli.given = Given::from_matches(&matches);
        Ok(cli)
    }
}

/// The options of the command that were given on the command line, by id (the field name:
/// `tz`, `fail_on`, `rules_add`), as opposed to left at their defaults: a config file sets
/// only the others, so a flag always wins over the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given(BTreeSet<String>);

impl Given {
    /// The options given to the innermost subcommand (global options included).
    pub fn from_matches(matches: &ArgMatches) -> Given {
        let mut matches = matches;
        while let Some((_, sub)) = matches.subcommand() {
            matches = sub;
        }
        let given = matches
            .ids()
            .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
            .map(|id| id.as_str().to_string())
            .collect();
        Given(given)
    }

    /// Whether the option `id` was given on the command line.
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(id)
    }
}

/// Where defaults come from: `cas-triage.toml` in the working directory, or `--config FILE`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Read defaults from FILE (TOML) instead of ./cas-triage.toml; options given on the command
    /// line override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore ./cas-triage.toml: every option has its built-in default.
    #[arg(long, global = true, conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan log bundles (directories, files, .tar, .tar.gz, .zip, .gz, - for stdin) for faults.
    #[command(after_help = examples::SCAN)]
    Scan(Box<ScanArgs>),
    /// Merge the JSON reports of scans made on many hosts into one report.
    #[command(after_help = examples::MERGE)]
    Merge(MergeArgs),
    /// Show how logs are assembled into events (what rules are matched against).
    #[command(after_help = examples::EVENTS)]
    Events(EventsArgs),
    /// The commands agents ran (every exeurl, cmd:// stripped), newest first per host: the
    /// manual's `tail -100 staragent_core.log | grep exeurl`, across the whole bundle.
    #[command(after_help = examples::EXEURL)]
    Exeurl(ExeurlArgs),
    /// What a fault is, how it is recognised, and what the runbook says to do.
    #[command(after_help = examples::EXPLAIN)]
    Explain(ExplainArgs),
    /// Inspect and test rule packs.
    #[command(after_help = examples::RULES)]
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print the JSON Schema of the report that `scan --format json` writes.
    #[command(after_help = examples::SCHEMA)]
    Schema,
    /// Print a shell completion script: `cas-triage completions bash > /etc/bash_completion.d/cas-triage`.
    #[command(after_help = examples::COMPLETIONS)]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum, value_name = "SHELL")]
        shell: ShellArg,
    },
    /// Print the manual page (roff): `cas-triage man | man -l -`.
    #[command(after_help = examples::MAN)]
    Man,
}

#[derive(Debug, Args)]
pub struct PackArgs {
    /// Load the rule pack from DIR (every *.toml in it) instead of the built-in pack.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Add the rules in DIR to the pack (repeatable).
    #[arg(long = "rules-add", value_name = "DIR")]
    pub rules_add: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Bundles to scan: directories, log files, archives, or - for standard input.
    #[arg(value_name = "PATH", required_unless_present = "print_config")]
    pub paths: Vec<PathBuf>,

    /// Print the effective configuration (built-in defaults, then the config file, then the
    /// options given) as TOML, each value with where it came from, and exit without scanning.
    #[arg(long)]
    pub print_config: bool,

    /// Output format [default: text on a terminal, json otherwise (a pipe, a file, --output)].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// Write the report to FILE instead of standard output. FILE is replaced only once the
    /// report is complete (written beside it, then renamed), so a reader never sees half a
    /// report; a directory that is missing or not writable is an error before the scan starts.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write the HTML report to FILE, whatever --format is (replaced only once complete, as
    /// with --output): one self-contained page to attach to a ticket.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Exit with status 1 when a finding is at or above this severity. In `--format junit`, the
    /// findings at or above it are the failing test cases (without it, every finding fails).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,

    /// A JSON report an earlier `scan --format json` (or `merge`) wrote: each finding is marked
    /// `new` or `recurring` by its fingerprint, and the baseline's findings that are gone are
    /// listed as resolved. A baseline that cannot be read is an error before the scan starts.
    #[arg(long, value_name = "PREVIOUS.json")]
    pub baseline: Option<PathBuf>,

    /// With --baseline: exit with status 1 when a finding new since the baseline is at or above
    /// this severity. Either threshold reached (--fail-on for any finding, --fail-on-new for new
    /// ones) gives status 1.
    #[arg(long, value_enum, value_name = "SEVERITY", requires = "baseline")]
    pub fail_on_new: Option<SeverityArg>,

    /// Exit with status 2 when any file or archive member was skipped or only partly read (the
    /// report is written all the same): for CI runs that must not pass on a partial scan.
    #[arg(long)]
    pub strict: bool,

    /// Do not exit with status 2 for a file skipped or partly read: turns off `strict = true` of
    /// a config file.
    #[arg(long, conflicts_with = "strict")]
    pub no_strict: bool,

    /// Evidence items kept per finding.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub samples: usize,

    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Zone the logs' timestamps are in, e.g. +08:00, -05:00, UTC.
    #[arg(long, value_name = "OFFSET", default_value = "+08:00", allow_hyphen_values = true)]
    pub tz: String,

    /// Component (app) of the input, when it is a single file or standard input.
    #[arg(long, value_name = "NAME")]
    pub component: Option<String>,

    /// Host of the input: of a single file or standard input, whatever its path says; of the
    /// files in directories and archives, those whose path names no host (a path's own host
    /// wins). On each host: `--host "$(hostname)" /home/admin/logs`.
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,

    /// Language of the remediation steps.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,

    /// Keep credentials in the report. By default an AccessKeyId or AccessKeySecret, a Signature
    /// or SecurityToken, a password in a URL or after `password=` are shown as `***`.
    #[arg(long)]
    pub no_redact: bool,

    /// Mask credentials, as by default: turns off `no_redact = true` of a config file.
    #[arg(long, conflicts_with = "no_redact")]
    pub redact: bool,

    /// Most bytes one decompressed stream or archive member may yield (e.g. 512MiB, 2GiB).
    #[arg(long, value_name = "SIZE", default_value = "2GiB", value_parser = parse_size)]
    pub max_decompressed: u64,

    /// Encoding of the logs: auto reads a log as GBK when its first 64 KiB are not UTF-8 but
    /// GBK; utf-8 scans the bytes as they are; gbk decodes every log as GBK. A decoded log is
    /// listed in the report. application.properties files are always checked as they are.
    #[arg(long, value_enum, value_name = "ENCODING", default_value_t = EncodingArg::Auto)]
    pub encoding: EncodingArg,

    /// Only events from this time on: `2022-09-29 10:00:00` (in the --tz zone) or a duration
    /// back from now, such as `2h`, `30m`, `1d`.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Only events up to this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Task timeout in seconds [default: the rule pack's, 90].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..))]
    pub task_timeout: Option<u32>,

    /// A timed-out task that took less than this share of the timeout suggests clocks that
    /// disagree [default: the rule pack's, 0.5].
    #[arg(long, value_name = "RATIO", value_parser = parse_ratio)]
    pub skew_ratio: Option<f64>,

    /// Task start and end lines kept for pairing, the newest: memory grows with it (about 250
    /// bytes a line while scanning); older lines are counted in `summary.task_lines_dropped`.
    #[arg(long, value_name = "N", default_value_t = crate::analyze::Facts::TASK_LINES,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub task_lines: usize,

    /// Exeurls (commands agents ran) kept per host in the report, the newest; `cas-triage exeurl`
    /// lists them all.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub exeurls: usize,

    /// Unclassified error templates shown in the text report (0 hides them; JSON has all).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub unclassified: usize,

    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Print what was read and what it cost to standard error: files, bytes, events, wall time
    /// per phase, throughput, peak memory.
    #[arg(long)]
    pub stats: bool,

    /// Size of the chunks large files are cut into for parallel scanning.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, hide = true)]
    pub chunk_size: Option<u64>,

    #[command(flatten)]
    pub pack: PackArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports written by `scan --format json` (or by `merge`).
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,

    /// Output format [default: text on a terminal, json otherwise (a pipe, a file, --output)].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// Write the merged report to FILE instead of standard output (replaced only once complete).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with status 1 when a merged finding is at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,

    /// A JSON report to compare with, as for `scan --baseline`.
    #[arg(long, value_name = "PREVIOUS.json")]
    pub baseline: Option<PathBuf>,

    /// With --baseline: exit with status 1 when a new finding is at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY", requires = "baseline")]
    pub fail_on_new: Option<SeverityArg>,

    /// Evidence items kept per merged finding, the earliest.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub samples: usize,

    /// Exeurls (commands agents ran) kept per host in the merged report, the newest, as in a
    /// scan: two reports may hold one host.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub exeurls: usize,

    /// Unclassified error templates shown in the text report (0 hides them; JSON has all).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub unclassified: usize,

    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Language of the rule descriptions in `--format sarif` (findings keep the language of their
    /// reports).
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,

    #[command(flatten)]
    pub pack: PackArgs,
}

#[derive(Debug, Args)]
pub struct ExeurlArgs {
    /// Bundles to read: directories, files, archives, or - for standard input.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Only this host.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Only the newest N commands of each host.
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormatArg::Text)]
    pub format: ListFormatArg,
    /// Zone the logs' timestamps are in.
    #[arg(long, value_name = "OFFSET", default_value = "+08:00", allow_hyphen_values = true)]
    pub tz: String,
    /// Language of the step names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Keep credentials (passwords, access keys) in the commands shown.
    #[arg(long)]
    pub no_redact: bool,
    /// Mask credentials, as by default: turns off `no_redact = true` of a config file.
    #[arg(long, conflicts_with = "no_redact")]
    pub redact: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A fault id, e.g. dispatch.send-msg-failed (`cas-triage rules list` shows them all).
    #[arg(value_name = "FAULT_ID")]
    pub fault: String,
    /// Language of the description and the runbook.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    #[command(flatten)]
    pub pack: PackArgs,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Logs or bundles to read.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Only one line per file: lines, events, events with a timestamp, stack frames.
    #[arg(long)]
    pub count: bool,
    /// Output format: text, or JSON Lines with `json`.
    #[arg(long, value_enum, default_value_t = ListFormatArg::Text)]
    pub format: ListFormatArg,
    /// Encoding of the logs, as for `scan`.
    #[arg(long, value_enum, value_name = "ENCODING", default_value_t = EncodingArg::Auto)]
    pub encoding: EncodingArg,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules of the pack.
    #[command(after_help = examples::RULES_LIST)]
    List {
        #[arg(long, value_enum, default_value_t = ListFormatArg::Text)]
        format: ListFormatArg,
        #[command(flatten)]
        pack: PackArgs,
    },
    /// Check a rule pack for every problem at once (errors and warnings, with file and line);
    /// exit 1 on any error.
    #[command(after_help = examples::RULES_LINT)]
    Lint {
        /// The rule-pack directory.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Run every rule's examples; exit 1 if any fails.
    #[command(after_help = examples::RULES_TEST)]
    Test {
        /// A rule-pack directory [default: the built-in pack].
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write the pack's line rules in another rule language into DIR (created if missing), for
    /// the log platforms where the logs already are; the rules that cannot be expressed are
    /// listed, with the reason, on standard output and in DIR/UNSUPPORTED.md.
    #[command(after_help = examples::RULES_EXPORT)]
    Export {
        /// The rule language.
        #[arg(long, value_enum)]
        format: ExportFormatArg,
        /// The date the exported rules carry (YYYY-MM-DD) [default: today in UTC, or the day of
        /// SOURCE_DATE_EPOCH when it is set].
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// The directory to write into. Files an earlier export wrote there are replaced, or
        /// removed when their rule is gone; other files are left alone.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        #[command(flatten)]
        pack: PackArgs,
    },
}

/// A rule language `rules export` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormatArg {
    /// Sigma rules (sigmahq.io): one YAML file per rule and component, for Elasticsearch, Loki,
    /// Splunk and the other targets of sigma-cli and pySigma.
    Sigma,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// For a person at a terminal.
    Text,
    /// One JSON document (`cas-triage schema` prints its schema).
    Json,
    /// One JSON record per line: findings, then the rest, then a summary.
    Jsonl,
    /// One chronological list of findings' evidence and failed tasks across hosts.
    Timeline,
    /// A ticket body or CI job summary: a summary table, then each finding with its evidence and
    /// runbook.
    Markdown,
    /// A postmortem page for a browser, one self-contained file (no script, nothing fetched): a
    /// chart of errors per minute with the alert thresholds and findings marked, the findings with
    /// evidence and runbooks, tasks, heartbeat gaps, commands run, configuration files.
    Html,
    /// JUnit XML for CI servers: one test case per finding, failing at or above --fail-on.
    Junit,
    /// SARIF 2.1.0 for code-scanning views: the log file and line of each finding.
    Sarif,
    /// A JSON array of tickets, one per finding: title, markdown body, severity, labels,
    /// fingerprint.
    Tickets,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormatArg {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EncodingArg {
    /// GBK when a log's first 64 KiB are GBK and not UTF-8.
    Auto,
    /// The bytes as they are; what is not UTF-8 is shown escaped.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// Every log decoded as GBK (GB18030).
    Gbk,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// The "Examples:" each command's `--help` ends with: real commands, most on the example bundle
/// of `fixtures/` (run them from the source tree). A test checks that every command has some
/// and that each parses.
pub mod examples {
    pub const CLI: &str = "\
Examples:
  # the faults of the example bundle, for a person at a terminal
  cas-triage scan fixtures/bundle
  # a JSON report for a program; exit 1 when a finding is high or critical
  cas-triage scan --format json --fail-on high -o report.json fixtures/bundle.tar.gz
  # what a fault is and what to do about it
  cas-triage explain dispatch.send-msg-failed
  # the defaults a scan would use (./cas-triage.toml, then the options)
  cas-triage scan --print-config";

    pub const SCAN: &str = "\
Examples:
  # the faults of the example bundle (text on a terminal, JSON in a pipe)
  cas-triage scan fixtures/bundle
  # a JSON report written whole or not at all; exit 1 on a high or critical finding
  cas-triage scan --format json --fail-on high -o report.json fixtures/bundle.tar.gz
  # one hour of the logs, the remediation in Chinese
  cas-triage scan --since '2022-09-29 10:00' --until '2022-09-29 11:00' --lang zh fixtures/bundle
  # the effective configuration (cas-triage.toml, then flags), without scanning
  cas-triage scan --config ci/cas-triage.toml --print-config";

    pub const MERGE: &str = "\
Examples:
  # first, on every host, each scan writes its own report in place, naming the host (the paths
  # below /home/admin/logs name none):
  #   cas-triage scan --format json --host \"$(hostname)\" -o /tmp/cas-triage.$(hostname).json \\
  #     /home/admin/logs
  # then the collected reports are read as one
  cas-triage merge --format markdown --fail-on high reports/*.json
  # what is new since yesterday's merged report
  cas-triage merge --baseline yesterday.json --fail-on-new high -o today.json reports/*.json

Findings of the same fault, component and host (the same fingerprint) become one: counts summed,
first and last seen widened, the earliest evidence kept. Totals are summed; skipped files name the
report they come from. Reports from other versions or rule packs are merged with a warning. A
report given twice, or beside a merged report that lists it, is refused: it would count twice.";

    pub const EVENTS: &str = "\
Examples:
  # each event of a log: file:line, lines, timestamp, level, first line
  cas-triage events fixtures/bundle/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log
  # one count per file: lines, events, timestamped events, stack frames
  cas-triage events --count fixtures/bundle
  # the events as JSON Lines, for jq
  cas-triage events --format json fixtures/bundle.zip";

    pub const EXEURL: &str = "\
Examples:
  # every command the agents ran, newest first per host
  cas-triage exeurl fixtures/bundle
  # the manual's `tail -100 staragent_core.log | grep exeurl` for one host
  cas-triage exeurl --host app-host-7 --last 100 fixtures/bundle.tar.gz
  # as JSON, the step names in Chinese
  cas-triage exeurl --format json --lang zh fixtures/bundle";

    pub const EXPLAIN: &str = "\
Examples:
  # what the fault is, how it is recognised, the runbook
  cas-triage explain dispatch.send-msg-failed
  # the same in Chinese
  cas-triage explain --lang zh release.stuck
  # a fault of a site pack added to the built-in one
  cas-triage explain --rules-add site-rules/ site.disk-full";

    pub const RULES: &str = "\
Examples:
  cas-triage rules list
  cas-triage rules test
  cas-triage rules lint site-rules/
  cas-triage rules export --format sigma sigma-rules/";

    pub const RULES_LIST: &str = "\
Examples:
  # the built-in pack: id, severity, manual section, signatures, examples, title
  cas-triage rules list
  # the built-in pack and a site pack, as JSON
  cas-triage rules list --format json --rules-add site-rules/";

    pub const RULES_LINT: &str = "\
Examples:
  # every problem of a pack at once, with file and line
  cas-triage rules lint site-rules/
  # the built-in pack, from the source tree
  cas-triage rules lint rules/";

    pub const RULES_TEST: &str = "\
Examples:
  # the examples of the built-in pack
  cas-triage rules test
  # the examples of a site pack
  cas-triage rules test site-rules/";

    pub const RULES_EXPORT: &str = "\
Examples:
  # the line rules as Sigma rules, then LogQL with sigma-cli (`sigma convert -t loki sigma-rules/`)
  cas-triage rules export --format sigma sigma-rules/
  # a reproducible export: the rules carry a fixed date
  cas-triage rules export --format sigma --date 2025-06-30 sigma-rules/";

    pub const SCHEMA: &str = "\
Examples:
  # the schema of the JSON report of this version, for a validator
  cas-triage schema > report.schema.json
  # the fields of the report's top level
  cas-triage schema | jq '.properties | keys'";

    pub const COMPLETIONS: &str = "\
Examples:
  cas-triage completions bash > /etc/bash_completion.d/cas-triage
  cas-triage completions zsh > \"${fpath[1]}/_cas-triage\"
  cas-triage completions fish > ~/.config/fish/completions/cas-triage.fish";

    pub const MAN: &str = "\
Examples:
  # read it now
  cas-triage man | man -l -
  # install it
  cas-triage man > /usr/local/share/man/man1/cas-triage.1";
}

/// A number between 0 and 1.
pub fn parse_ratio(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(ratio) if (0.0..=1.0).contains(&ratio) => Ok(ratio),
        _ => Err(format!("{text:?} is not a ratio between 0 and 1")),
    }
}

/// Parses `123`, `64KiB`, `512MiB`, `2GiB`, `1G`, `10MB` into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let value: u64 = digits.parse().map_err(|_| format!("{text:?} is not a size (try 512MiB or 2GiB)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "kb" => 1_000,
        "m" | "mib" => 1 << 20,
        "mb" => 1_000_000,
        "g" | "gib" => 1 << 30,
        "gb" => 1_000_000_000,
        "t" | "tib" => 1 << 40,
        "tb" => 1_000_000_000_000,
        other => return Err(format!("unknown size unit {other:?} (use KiB, MiB, GiB, KB, MB, GB)")),
    };
    value.checked_mul(factor).ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("99999999999999999999T").is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
