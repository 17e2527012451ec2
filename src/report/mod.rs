//! The report stage: one [`Report`] built from a scan outcome (findings sorted, timestamps in
//! RFC 3339 with the logs' zone, remediation rendered with the evidence's values, log bytes
//! decoded for display), and one module per output format: `text`, `json` (and JSON Lines),
//! `timeline`, `markdown`, `html`, `junit`, `sarif` and `tickets`. `schema` embeds the JSON
//! report's schema; `redact` masks credentials in the report before any format writes it. `read`
//! loads JSON reports back, `merge` makes one report of many (`provenance` lists what it was made
//! of and refuses a report held twice), and `baseline` marks what is new or resolved since an
//! earlier report.

mod analyses;
mod baseline;
mod build;
mod chains;
mod escape;
mod html;
mod json;
mod junit;
mod markdown;
mod merge;
mod provenance;
mod read;
mod redact;
mod sarif;
mod schema;
mod text;
mod tickets;
mod timeline;

pub use analyses::{
    AlertPeriod, ClockOffsetReport, Coverage, ErrorRate, ErrorSeries, Exeurl, MinuteErrors, TaskReport,
};
pub use baseline::{Baseline, BaselineCounts, BaselineFinding, BaselineReport, BaselineState, Thresholds};
pub use build::{
    Evidence, Finding, InputSummary, MatchedLine, Report, ReportOptions, RulePackVersion, SCHEMA_VERSION, Summary,
    Tool, fingerprint,
};
pub use chains::{ChainReport, HopFault, HopReport};
pub use escape::{DecodedText, escape_for_terminal, escape_html};
pub use html::{HtmlOptions, write_html};
pub use json::{write_json, write_jsonl};
pub use junit::write_junit;
pub use markdown::write_markdown;
pub use merge::{MergeLimits, Merged, NamedReport};
pub use provenance::{MergeError, MergedReport};
pub use read::ReadError;
pub use sarif::{FINGERPRINT_KEY, SARIF_SCHEMA, write_sarif};
pub use schema::REPORT_SCHEMA;
pub use text::{TextStyle, transcoded_note, write_text};
pub use tickets::{Ticket, write_tickets};
pub use timeline::write_timeline;

/// The output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Jsonl,
    Timeline,
    Markdown,
    Html,
    Junit,
    Sarif,
    Tickets,
}
