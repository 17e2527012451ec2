//! HTML: the postmortem report a person opens from a ticket. One self-contained file: its CSS
//! inline, its chart server-side-rendered SVG, no script, no font, no image, no link that leaves
//! the page, and a Content-Security-Policy that would block the browser from fetching anything
//! should some text ever try. Reads the [`Report`](super::Report): the header (bundle, scan time,
//! tool, span of the logs, counts, skipped files), a chart of errors per minute per component
//! with the alert thresholds and the findings marked on it, the findings with their evidence and
//! runbooks, then the tasks, heartbeat gaps, commands run, configuration files, unclassified
//! errors and the logs read.
//!
//! Log text can hold anything: every text from the report is written through
//! [`escape_html`](super::escape_html) (controls shown as in the text report, markup characters
//! as character references), inside elements or double-quoted attributes only.

mod axis;
mod chart;
mod lists;
mod markers;
mod markup;
mod page;

pub use page::{HtmlOptions, write_html};
