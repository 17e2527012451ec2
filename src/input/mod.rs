//! The input stage: finds the files of a bundle (directories, single files, `.tar`, `.tar.gz`,
//! `.zip`, rotated `.gz`, standard input), reads or maps their bytes, and names each one's
//! component and host. Output is a stream of [`Source`]s for `scan`, plus a [`Skipped`] entry for
//! everything that could not be read whole, with the reason, and a [`Transcoded`] entry for every
//! log that was decoded from GBK to UTF-8 before it was scanned. Besides, [`read_whole_file`] reads
//! the small files a user names to be read in one piece (reports, the config file), bounded.

mod bytes;
mod content;
mod discover;
mod encoding;
#[cfg(unix)]
mod guard;
mod identity;
mod load;
mod whole;

pub(crate) use bytes::ReleasingReader;
pub use bytes::{BufferPool, Bytes, CUT_SHORT, MMAP_THRESHOLD, open_file};
pub use content::{FileKind, kind_from_name};
pub use discover::{Discovery, Location, Unit, UnitKind, discover};
pub use encoding::LogEncoding;
pub use identity::{Identity, UNKNOWN, infer, known_components};
pub use load::{InputOptions, Loaded, load_unit};
pub use whole::{WholeFileError, read_whole_file};

use std::borrow::Cow;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One file's bytes, ready to scan.
#[derive(Debug)]
pub struct Source {
    /// Path inside the bundle (for an archive member, the member's path).
    pub path: String,
    /// The archive the source was read from, when it was.
    pub archive: Option<String>,
    pub kind: FileKind,
    pub identity: Identity,
    pub bytes: Bytes,
    /// Position among the sources of its unit (0 for a plain file), for deterministic order.
    pub member: u32,
    /// Lines of the file before these bytes: a large decompressed log comes in windows, each
    /// a source of its own (0 for the first window and for every other source).
    pub first_line: u64,
    /// A window after the first: the same file, not counted again.
    pub continued: bool,
}

/// A file, archive member or part of one that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
    /// In a merged report: the report this entry comes from. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

/// A log that was not UTF-8 and was decoded to UTF-8 before it was scanned: its evidence is
/// shown decoded, not as the bytes of the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Transcoded {
    /// As in [`Skipped`]: an archive member is `ARCHIVE!/MEMBER`.
    pub path: String,
    /// The encoding it was read in, e.g. `GBK`.
    pub encoding: Cow<'static, str>,
    /// Byte sequences not valid in that encoding, shown as U+FFFD.
    pub replaced: u64,
    /// In a merged report: the report this entry comes from. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

/// Input that cannot be used at all: the command line names something that is not there.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    // The reason is part of the message, not a source: the message is printed with its
    // sources, and the reason would show twice.
    #[error("{path}: {reason}")]
    Unreadable { path: PathBuf, reason: std::io::Error },
}
