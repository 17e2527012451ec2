//! The event stage: turns raw log bytes into [`Record`]s (multi-line events with a timestamp and
//! a level) and splits large buffers into chunks that never cut an event.

mod records;
mod timestamp;

pub use records::{Record, Records, chunk_ranges};
pub(crate) use records::{header_at_or_after, trim_cr};
pub use timestamp::{Header, HeaderParser, Level, Timestamp, parse_header};
