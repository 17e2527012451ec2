//! The event stage: turns raw log bytes into [`Record`]s (multi-line events with a timestamp and
//! a level) and splits large buffers into chunks that never cut an event.

mod records;
mod timestamp;

pub(crate) use records::trim_cr;
pub use records::{Record, Records, chunk_ranges};
pub use timestamp::{Header, Level, Timestamp, parse_header};
