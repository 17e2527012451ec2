//! Where the bytes of a source live: a memory map of a large file on disk (guarded against
//! truncation by `guard`), or an owned buffer (small files, decompressed data, archive members,
//! standard input). The crate's `unsafe` lives here (the memory map and the release of its
//! pages) and in `guard` (the SIGBUS handler).

use std::sync::{Arc, Mutex};
use std::{fs::File, io::Read, ops::Deref, ops::Range, path::Path};

use memmap2::Mmap;

/// Files at least this large are memory-mapped; smaller ones are read, which is cheaper than
/// setting up and tearing down a mapping.
pub const MMAP_THRESHOLD: u64 = 4 << 20;

/// The bytes of one source.
#[derive(Debug)]
pub enum Bytes {
    Mapped(MappedFile),
    Owned(Vec<u8>),
    /// A window of a decompressed log, in a buffer that goes back to its pool when dropped.
    Pooled(Pooled),
}

/// A memory-mapped file, guarded against truncation while mapped (see `input::guard`).
#[derive(Debug)]
pub struct MappedFile {
    // Declared first, so dropped first: the range is unregistered before it is unmapped.
    #[cfg(unix)]
    guard: super::guard::Registration,
    map: Mmap,
}

/// Buffers that held windows of decompressed logs, kept for the next windows: a buffer that
/// was written once has its pages mapped, while a new one costs a page fault and the zeroing
/// of every page as it is first written.
#[derive(Debug, Clone, Default)]
pub struct BufferPool(Arc<Mutex<Vec<Vec<u8>>>>);

impl BufferPool {
    /// Buffers kept at most; windows in flight are bounded by the scan, and these few cycle.
    const KEPT: usize = 2;

    /// An empty buffer with room for `capacity` bytes, reused when the pool has one.
    pub fn take(&self, capacity: usize) -> Vec<u8> {
        let reused = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        match reused {
            Some(mut buf) => {
                buf.reserve(capacity);
                buf
            }
            None => Vec::with_capacity(capacity),
        }
    }

    /// Bytes in a buffer from [`BufferPool::take`], given back to the pool when dropped.
    pub fn bytes(&self, buf: Vec<u8>) -> Bytes {
        Bytes::Pooled(Pooled { buf, pool: self.clone() })
    }

    fn give(&self, mut buf: Vec<u8>) {
        buf.clear();
        let mut kept = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if kept.len() < Self::KEPT {
            kept.push(buf);
        }
    }
}

/// See [`Bytes::Pooled`].
#[derive(Debug)]
pub struct Pooled {
    buf: Vec<u8>,
    pool: BufferPool,
}

impl Drop for Pooled {
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.buf));
    }
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(mapped) => &mapped.map,
            Bytes::Owned(vec) => vec,
            Bytes::Pooled(pooled) => &pooled.buf,
        }
    }
}

/// Reads `bytes` from the start, releasing what it has read (see [`Bytes::release`]) every
/// `STEP` (1 MiB): a decompressor reading a mapped `.gz` file would otherwise keep
/// every compressed page it read resident until the file is done (26 MiB for a large rotated
/// log, per thread).
pub struct ReleasingReader<'a> {
    bytes: &'a Bytes,
    at: usize,
    released: usize,
}

impl<'a> ReleasingReader<'a> {
    const STEP: usize = 1 << 20;

    pub fn new(bytes: &'a Bytes) -> ReleasingReader<'a> {
        ReleasingReader { bytes, at: 0, released: 0 }
    }
}

impl Read for ReleasingReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        let n = rest.len().min(out.len());
        out[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        if self.at - self.released >= Self::STEP {
            self.bytes.release(self.released..self.at);
            self.released = self.at;
        }
        Ok(n)
    }
}

/// Mapped pages are released in whole units of this size, a multiple of every common page size.
const RELEASE_ALIGN: usize = 64 << 10;

impl Bytes {
    /// Tells the system the bytes of `range` were scanned and will not be read again: a mapped
    /// file's pages in it leave this process's resident memory (the page cache keeps them, and
    /// reading them again would fault them back in from the file). Owned bytes stay as they are.
    /// Without this, every page of a large file stays resident until its map is dropped, and
    /// a scan's memory grows with the size of the files in flight.
    pub fn release(&self, range: Range<usize>) {
        #[cfg(unix)]
        if let Bytes::Mapped(MappedFile { map, .. }) = self {
            let start = range.start.div_ceil(RELEASE_ALIGN) * RELEASE_ALIGN;
            let end = if range.end >= map.len() { map.len() } else { range.end / RELEASE_ALIGN * RELEASE_ALIGN };
            if start < end {
                // SAFETY: the map is read-only and private, and never written: after
                // MADV_DONTNEED its pages read back the file's bytes, the same as before (or,
                // past the end of a file cut short, the guard's zeros). The range lies inside
                // the map, and the caller has finished with it; ranges another thread still
                // reads are outside it (whole units only, rounded inwards).
                let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
            }
        }
        #[cfg(not(unix))]
        let _ = range;
    }

    /// Whether the file was cut short while it was mapped (another process truncated it): the
    /// bytes past its new end were read as zeros.
    pub fn cut_short(&self) -> bool {
        match self {
            #[cfg(unix)]
            Bytes::Mapped(mapped) => mapped.guard.cut_short(),
            _ => false,
        }
    }
}

/// Why a mapped file that shrank while it was read is listed as partly read.
pub const CUT_SHORT: &str = "the file shrank while it was scanned (another process truncated it, as log rotation does): \
    the bytes past its new end read as zeros and matched nothing; the bytes before were scanned";

/// Opens a file for scanning: mapped when large, read otherwise, and read when it cannot be
/// mapped and guarded.
pub fn open_file(path: &Path) -> std::io::Result<Bytes> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len >= MMAP_THRESHOLD {
        if let Some(mapped) = map_guarded(&file) {
            return Ok(Bytes::Mapped(mapped));
        }
    }
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut buf)?;
    Ok(Bytes::Owned(buf))
}

/// Maps a file, with its range registered with the truncation guard. Appended bytes are not
/// seen (the map has the length the file had); a truncation makes the missing pages zeros.
#[cfg(unix)]
fn map_guarded(file: &File) -> Option<MappedFile> {
    // SAFETY: the map is read-only and private to this process. Another process may change the
    // file while we scan: a write changes what we read, which is acceptable for logs; a
    // truncation makes the pages past the new end fault, and the guard registered below turns
    // each such fault into a page of zeros, for as long as the map lives.
    let map = unsafe { Mmap::map(file) }.ok()?;
    let guard = super::guard::Registration::new(map.as_ptr(), map.len())?;
    let _ = map.advise(memmap2::Advice::Sequential);
    Some(MappedFile { guard, map })
}

/// Without a guard, files are read rather than mapped.
#[cfg(not(unix))]
fn map_guarded(_file: &File) -> Option<MappedFile> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[cfg(unix)]
    #[test]
    fn a_mapped_file_cut_short_reads_zeros_past_its_new_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("live.log");
        let text: Vec<u8> = (0..(MMAP_THRESHOLD as usize * 2)).map(|i| b'a' + (i % 23) as u8).collect();
        std::fs::write(&path, &text).unwrap();
        let bytes = open_file(&path).unwrap();
        assert!(matches!(bytes, Bytes::Mapped(_)));
        assert!(!bytes.cut_short());
        // Another process rotates the log: truncated, then written again from the start.
        let keep = 100_000;
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(keep as u64).unwrap();
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"appended").unwrap();
        // Every byte can still be read: the first ones as they were, the page that holds the new
        // end as the file now has it, the pages past it as zeros.
        assert_eq!(bytes[..keep], text[..keep]);
        assert!(bytes[keep.next_multiple_of(RELEASE_ALIGN)..].iter().all(|&b| b == 0));
        assert_eq!(bytes.len(), text.len(), "the map keeps the length the file had");
        assert!(bytes.cut_short());
        // Released pages fault again, and read zeros again.
        bytes.release(0..bytes.len());
        assert!(bytes[text.len() - 10..].iter().all(|&b| b == 0));
        drop(bytes);
        // A new map of the file sees it as it now is.
        let again = open_file(&path).unwrap();
        assert!(!again.cut_short() && again.ends_with(b"appended"));
    }

    #[test]
    fn a_window_buffer_goes_back_to_its_pool_and_is_reused() {
        let pool = BufferPool::default();
        let mut buf = pool.take(1000);
        buf.extend_from_slice(b"first window");
        let address = buf.as_ptr();
        let bytes = pool.bytes(buf);
        assert_eq!(&bytes[..], b"first window");
        drop(bytes);
        let reused = pool.take(10);
        assert!(reused.is_empty() && reused.capacity() >= 1000 && reused.as_ptr() == address);
        // The pool keeps only a few buffers.
        for _ in 0..10 {
            drop(pool.bytes(vec![0; 8]));
        }
        assert_eq!(pool.0.lock().unwrap().len(), BufferPool::KEPT);
    }

    #[test]
    fn released_pages_read_back_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let text: Vec<u8> = (0..(MMAP_THRESHOLD as usize + 100_003)).map(|i| b'a' + (i % 23) as u8).collect();
        std::fs::write(&path, &text).unwrap();
        let bytes = open_file(&path).unwrap();
        assert!(matches!(bytes, Bytes::Mapped(_)) || cfg!(not(unix)));
        // Odd bounds: only whole units inside are released; the last partial one at the end.
        bytes.release(1_000..3 * RELEASE_ALIGN + 17);
        bytes.release(2 * RELEASE_ALIGN..text.len());
        assert!(bytes[..] == text[..]);
        let owned = Bytes::Owned(text.clone());
        owned.release(0..text.len());
        assert!(owned[..] == text[..]);
    }

    /// A decompressor reads a mapped `.gz` file through a releasing reader: it gets every byte,
    /// in reads of any size, and what it has read is released as it goes.
    #[test]
    fn a_releasing_reader_reads_every_byte_and_releases_what_it_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log.gz");
        let text: Vec<u8> = (0..(MMAP_THRESHOLD as usize * 2 + 12_345)).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &text).unwrap();
        let bytes = open_file(&path).unwrap();
        let mut reader = ReleasingReader::new(&bytes);
        let mut read = Vec::new();
        let mut buf = vec![0u8; 70_001];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            read.extend_from_slice(&buf[..n]);
        }
        assert!(read == text, "every byte, in order");
        assert!(reader.released > text.len() - ReleasingReader::STEP, "released up to {}", reader.released);
        assert!(bytes[..] == text[..], "released pages read back the same");
    }
}
