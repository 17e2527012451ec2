//! Where the bytes of a source live: a memory map of a large file on disk, or an owned buffer
//! (small files, decompressed data, archive members, standard input). The single `unsafe` of the
//! crate, the memory map, lives here.

use std::{fs::File, io::Read, ops::Deref, path::Path};

use memmap2::Mmap;

/// Files at least this large are memory-mapped; smaller ones are read, which is cheaper than
/// setting up and tearing down a mapping.
pub const MMAP_THRESHOLD: u64 = 4 << 20;

/// The bytes of one source.
#[derive(Debug)]
pub enum Bytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Owned(vec) => vec,
        }
    }
}

/// Opens a file for scanning: mapped when large, read otherwise, and read when mapping fails.
pub fn open_file(path: &Path) -> std::io::Result<Bytes> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len >= MMAP_THRESHOLD {
        // SAFETY: the map is read-only and private to this process. Its contents may change if
        // another process writes the file while we scan; that only changes what we read, which
        // is acceptable for logs. A file truncated underneath the map would fault on access
        // (SIGBUS); bundles are collected copies, not live logs, and the hazard is documented in
        // the README.
        if let Ok(map) = unsafe { Mmap::map(&file) } {
            #[cfg(unix)]
            let _ = map.advise(memmap2::Advice::Sequential);
            return Ok(Bytes::Mapped(map));
        }
    }
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut buf)?;
    Ok(Bytes::Owned(buf))
}
