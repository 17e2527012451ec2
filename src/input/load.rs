//! Reading units: maps or reads plain files, decompresses gzip, walks tar and zip archives
//! (nested ones too, to a depth limit) member by member in memory, and hands each readable file
//! to a sink as a [`Source`]. Nothing is extracted to disk. Whatever cannot be read whole becomes
//! a [`Skipped`] entry; what could be read of it is still delivered. A log in GBK is decoded to
//! UTF-8 as it is delivered (see `encoding`), and named in a [`Transcoded`] entry.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};

use encoding_rs::Encoding;
use flate2::read::MultiGzDecoder;

use super::content::{FileKind, Magic, kind_from_name, sniff};
use super::discover::{Location, Unit, UnitKind};
use super::encoding::{LogEncoding, Transcoder};
use super::identity::{Identity, infer};
use super::{BufferPool, Bytes, ReleasingReader, Skipped, Source, Transcoded, open_file};

/// Bytes read to tell what a file is: a tar header's magic sits at 257.
const HEAD_LEN: usize = 512;

/// A decompressed log larger than this (and a margin) is delivered in windows of about this size, each
/// starting at an event, so that memory holds a few windows rather than the whole log.
pub const WINDOW: usize = 16 << 20;

/// Limits and overrides for reading.
#[derive(Debug, Clone)]
pub struct InputOptions {
    /// Most bytes one decompressed stream, archive member or standard input may yield (counted
    /// before a log is decoded from GBK); also the most bytes of a decoded log one window holds.
    pub max_decompressed: u64,
    /// Size of the windows a large decompressed log is delivered in (`None`: whole).
    pub window: Option<usize>,
    /// How many archives or compressed streams may nest inside one another.
    pub max_depth: u32,
    /// How logs are decoded; `application.properties` files are always read as they are.
    pub encoding: LogEncoding,
    /// `--component` on a single file or standard input: its component, whatever its path says.
    pub component: Option<String>,
    /// `--host` on a single file or standard input: its host, whatever its path says. When the
    /// file is an archive, its members are many files: for them it is the fallback host.
    pub host: Option<String>,
    /// `--host` on directories, archives or several paths: the host of every file whose path
    /// (or whose archive's path) names none. A host the path names wins: a bundle of many hosts
    /// keeps them apart.
    pub fallback_host: Option<String>,
    /// Where the buffers of windows come from and go back to.
    pub buffers: BufferPool,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            max_decompressed: 2 << 30,
            window: Some(WINDOW),
            max_depth: 4,
            encoding: LogEncoding::Auto,
            component: None,
            host: None,
            fallback_host: None,
            buffers: BufferPool::default(),
        }
    }
}

/// What reading a unit yields, one item at a time.
#[derive(Debug)]
pub enum Loaded {
    Source(Source),
    Skipped(Skipped),
    /// An archive member whose name is not a log, properties file or archive.
    Ignored,
    /// A log that was decoded to UTF-8, after its sources.
    Transcoded(Transcoded),
}

/// Reads `unit`, calling `sink` for each source and each skip, in the order they are found.
pub fn load_unit(unit: &Unit, options: &InputOptions, sink: &mut dyn FnMut(Loaded)) {
    let mut loader = Loader { options, sink, member: 0 };
    loader.load(unit);
}

struct Loader<'a> {
    options: &'a InputOptions,
    sink: &'a mut dyn FnMut(Loaded),
    member: u32,
}

/// One file delivered as one source or as several (windows), in order.
struct Parts {
    path: String,
    archive: Option<String>,
    kind: FileKind,
    identity: Identity,
    member: u32,
    /// Lines of the sources delivered so far: the first line of the next one.
    lines: u64,
    /// A source was delivered: the next one continues the file.
    continued: bool,
}

impl Loader<'_> {
    fn load(&mut self, unit: &Unit) {
        let path = &unit.display;
        let disk = match &unit.location {
            Location::Stdin => {
                let (data, outcome) = read_limited(&mut std::io::stdin().lock(), self.options.max_decompressed);
                self.note_outcome(path, &outcome, data.len(), "standard input");
                self.deliver(path, None, FileKind::Log, Bytes::Owned(data), 0);
                return;
            }
            Location::Disk(disk) => disk,
        };
        match unit.kind {
            UnitKind::Plain(kind) | UnitKind::Gzip(kind) => match open_file(disk) {
                Ok(bytes) => self.deliver(path, None, kind, bytes, 0),
                Err(err) => self.skip(path.clone(), format!("cannot read: {err}")),
            },
            UnitKind::Tar { .. } | UnitKind::Zip => {
                if let Err(err) = self.load_archive_file(disk, path) {
                    self.skip(path.clone(), format!("cannot read: {err}"));
                }
            }
        }
    }

    /// An archive named on disk, read by what its first bytes say (not by its name): a tar or a
    /// gzip-compressed tar is streamed member by member; a zip is read through its directory;
    /// anything else (a log named `.tgz`, a gzip of one log) is delivered as bytes.
    fn load_archive_file(&mut self, disk: &std::path::Path, path: &str) -> std::io::Result<()> {
        let mut head = Vec::with_capacity(HEAD_LEN);
        File::open(disk)?.take(HEAD_LEN as u64).read_to_end(&mut head)?;
        match sniff(&head) {
            Magic::Tar => self.read_tar(BufReader::new(File::open(disk)?), path, 1),
            Magic::Zip => self.read_zip(BufReader::new(File::open(disk)?), path, 1),
            Magic::Gzip => {
                let mut decoder = MultiGzDecoder::new(BufReader::new(File::open(disk)?));
                let mut inner = Vec::with_capacity(HEAD_LEN);
                // A damaged stream shows up again, with its reason, when it is read below.
                let _ = (&mut decoder).take(HEAD_LEN as u64).read_to_end(&mut inner);
                let stream = Cursor::new(inner.clone()).chain(decoder);
                if sniff(&inner) == Magic::Tar {
                    self.read_tar(stream, path, 2);
                } else {
                    self.deliver_stream(path, None, FileKind::Log, &mut { stream }, 1);
                }
            }
            Magic::Text | Magic::Binary(_) => self.deliver(path, None, FileKind::Log, open_file(disk)?, 0),
        }
        Ok(())
    }

    /// Delivers bytes by what they turn out to be: gzip is decompressed, archives are opened,
    /// binary data is skipped, text becomes a source.
    fn deliver(&mut self, path: &str, archive: Option<&str>, kind: FileKind, bytes: Bytes, depth: u32) {
        let shown = shown_path(path, archive);
        let magic = sniff(&bytes);
        if matches!(magic, Magic::Gzip | Magic::Tar | Magic::Zip) && depth >= self.options.max_depth {
            self.skip(
                shown,
                format!("archives or compressed streams nested deeper than {} levels", self.options.max_depth),
            );
            return;
        }
        match magic {
            Magic::Gzip => {
                let mut decoder = MultiGzDecoder::new(ReleasingReader::new(&bytes));
                self.deliver_stream(path, archive, kind, &mut decoder, depth + 1)
            }
            Magic::Tar => self.read_tar(Cursor::new(&bytes[..]), &shown, depth + 1),
            Magic::Zip => self.read_zip(Cursor::new(&bytes[..]), &shown, depth + 1),
            Magic::Binary(what) => self.skip(shown, what.to_string()),
            Magic::Text => match self.transcoding(kind, &bytes) {
                Some(encoding) => self.deliver_transcoded(path, archive, kind, bytes, encoding),
                None => {
                    let mut parts = self.start_parts(path, archive, kind);
                    self.deliver_part(&mut parts, bytes, true);
                }
            },
        }
    }

    /// The encoding a log is decoded from (`None`: its bytes are scanned as they are).
    fn transcoding(&self, kind: FileKind, bytes: &[u8]) -> Option<&'static Encoding> {
        if kind == FileKind::Log { self.options.encoding.transcodes(bytes) } else { None }
    }

    /// Delivers a log decoded to UTF-8: whole when it is small (or windows are off), otherwise in
    /// windows cut at events as the scan's chunks are, each decoded as it is delivered, so that
    /// the decoded text never needs the log's whole size in memory (and the pages of a mapped
    /// file are given back window by window).
    fn deliver_transcoded(
        &mut self,
        path: &str,
        archive: Option<&str>,
        kind: FileKind,
        bytes: Bytes,
        from: &'static Encoding,
    ) {
        let mut parts = self.start_parts(path, archive, kind);
        let mut transcoder = Transcoder::new(from);
        let mut start = 0;
        loop {
            let end = self.transcoded_window_end(&bytes, start);
            let last = end == bytes.len();
            let text = self.transcode(&mut transcoder, &bytes[start..end], last, !(last && start == 0));
            bytes.release(start..end);
            self.deliver_part(&mut parts, text, last);
            if last {
                // The decoded windows are not the map: the loader says when it was cut short.
                if bytes.cut_short() {
                    self.skip(shown_path(path, archive), super::CUT_SHORT.to_string());
                }
                return self.note_transcoded(&parts, &transcoder);
            }
            start = end;
        }
    }

    /// Where the window of a log to transcode that starts at `start` ends: at the first event
    /// past a window's size, or at the end when the rest is less than two windows. An event
    /// that does not end grows the window up to `--max-decompressed` bytes, then is cut at a
    /// line start, so that a file without events cannot be held in memory whole.
    fn transcoded_window_end(&self, bytes: &[u8], start: usize) -> usize {
        let Some(window) = self.options.window else { return bytes.len() };
        if bytes.len() - start <= window.saturating_mul(2) {
            return bytes.len();
        }
        let longest = usize::try_from(self.options.max_decompressed).unwrap_or(usize::MAX).max(window * 2);
        let (from, bound) = (start + window, bytes.len().min(start.saturating_add(longest)));
        match crate::event::header_at_or_after(&bytes[..bound], from) {
            Some(cut) => cut,
            None if bound == bytes.len() => bound,
            None => memchr::memrchr(b'\n', &bytes[from..bound]).map_or(bound, |i| from + i + 1),
        }
    }

    /// `raw` decoded to UTF-8; `last`: the end of the log; `pooled`: a window, in a buffer of the
    /// pool.
    fn transcode(&self, transcoder: &mut Transcoder, raw: &[u8], last: bool, pooled: bool) -> Bytes {
        let room = raw.len() + raw.len() / 2;
        let mut text = if pooled {
            // The pool's buffers are empty, and so valid UTF-8.
            String::from_utf8(self.options.buffers.take(room)).unwrap_or_default()
        } else {
            String::with_capacity(room)
        };
        transcoder.push(raw, last, &mut text);
        if pooled { self.options.buffers.bytes(text.into_bytes()) } else { Bytes::Owned(text.into_bytes()) }
    }

    fn start_parts(&mut self, path: &str, archive: Option<&str>, kind: FileKind) -> Parts {
        let identity = self.identity(path, archive);
        let member = self.member;
        self.member += 1;
        Parts {
            path: path.to_string(),
            archive: archive.map(str::to_string),
            kind,
            identity,
            member,
            lines: 0,
            continued: false,
        }
    }

    /// Delivers the next source of a file; `last`: there is no other after it.
    fn deliver_part(&mut self, parts: &mut Parts, bytes: Bytes, last: bool) {
        let lines = if last { 0 } else { memchr::memchr_iter(b'\n', &bytes).count() as u64 };
        (self.sink)(Loaded::Source(Source {
            path: parts.path.clone(),
            archive: parts.archive.clone(),
            kind: parts.kind,
            identity: parts.identity.clone(),
            bytes,
            member: parts.member,
            first_line: parts.lines,
            continued: parts.continued,
        }));
        parts.lines += lines;
        parts.continued = true;
    }

    /// Delivers a decompressed stream (its contents at `depth`). A log larger than a window and
    /// its margin comes in windows, each starting at an event (as the scan's chunks do), while the
    /// stream is read: memory holds a few windows, not the whole log; a log in GBK (as its first
    /// window says) is decoded window by window. Anything else (an archive, a nested gzip, a
    /// small log) is read whole and delivered by what it is. The limit counts decompressed
    /// bytes, before any decoding.
    fn deliver_stream(&mut self, path: &str, archive: Option<&str>, kind: FileKind, stream: &mut dyn Read, depth: u32) {
        let shown = shown_path(path, archive);
        let limit = self.options.max_decompressed;
        let first = self.options.window.map_or(usize::MAX, |window| window + margin(window));
        let mut data = if first == usize::MAX { Vec::new() } else { self.options.buffers.take(first) };
        let mut state = fill(stream, &mut data, first, limit);
        let windowed = self.options.window.is_some() && kind == FileKind::Log && sniff(&data) == Magic::Text;
        if !windowed || !matches!(state, Filled::More) {
            if matches!(state, Filled::More) {
                let room = limit.saturating_sub(data.len() as u64);
                state = fill(stream, &mut data, usize::MAX, room);
            }
            self.note_outcome(&shown, &state, data.len(), "gzip stream");
            if data.capacity() > data.len().saturating_mul(2) {
                // A small log in a window's buffer: the buffer goes back to the pool, the log is
                // kept in one of its own size.
                let small = data.to_vec();
                drop(self.options.buffers.bytes(data));
                data = small;
            }
            if !data.is_empty() || matches!(state, Filled::End) {
                self.deliver(path, archive, kind, Bytes::Owned(data), depth);
            }
            return;
        }
        let window = self.options.window.unwrap_or(WINDOW);
        let margin = margin(window);
        let mut transcoder = self.transcoding(kind, &data).map(Transcoder::new);
        let mut parts = self.start_parts(path, archive, kind);
        let mut read = 0usize;
        loop {
            let last = !matches!(state, Filled::More);
            let cut = match state {
                Filled::More => crate::event::header_at_or_after(&data, window).filter(|cut| *cut < data.len()),
                _ => Some(data.len()),
            };
            if let Some(cut) = cut {
                // The bytes past the cut (most often less than the margin) start the next
                // window, in a buffer that will not need to grow.
                let mut next = self.options.buffers.take(window + margin);
                next.extend_from_slice(&data[cut..]);
                data.truncate(cut);
                let part = std::mem::replace(&mut data, next);
                read += part.len();
                let bytes = match transcoder.as_mut() {
                    Some(transcoder) => {
                        let text = self.transcode(transcoder, &part, last, true);
                        // The raw window's buffer goes back to the pool.
                        drop(self.options.buffers.bytes(part));
                        text
                    }
                    None => self.options.buffers.bytes(part),
                };
                self.deliver_part(&mut parts, bytes, false);
            }
            if last {
                if let Some(transcoder) = &transcoder {
                    self.note_transcoded(&parts, transcoder);
                }
                return self.note_outcome(&shown, &state, read, "gzip stream");
            }
            // Top up to a window and a margin, where the next event most likely starts; an event
            // longer than that grows the buffer until it ends.
            let want = (window + margin).max(data.len() + window);
            let room = limit.saturating_sub((read + data.len()) as u64);
            state = fill(stream, &mut data, want, room);
        }
    }

    fn read_tar<R: Read>(&mut self, reader: R, label: &str, depth: u32) {
        let mut tar = tar::Archive::new(reader);
        let entries = match tar.entries() {
            Ok(entries) => entries,
            Err(err) => return self.skip(label.to_string(), format!("not a readable tar archive: {err}")),
        };
        let mut members = 0usize;
        for entry in entries {
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let reason =
                        format!("damaged tar archive after {members} members ({err}); the members before were scanned");
                    return self.skip(label.to_string(), reason);
                }
            };
            members += 1;
            let name = member_name(&String::from_utf8_lossy(&entry.path_bytes()));
            let entry_type = entry.header().entry_type();
            if entry_type.is_dir() || entry_type.is_pax_global_extensions() || entry_type.is_pax_local_extensions() {
                continue;
            }
            let Some(named) = kind_from_name(&name) else {
                (self.sink)(Loaded::Ignored);
                continue;
            };
            if entry_type.is_symlink() || entry_type.is_hard_link() {
                self.skip(shown_path(&name, Some(label)), "link entry in the archive, not followed".into());
                continue;
            }
            if !(entry_type.is_file() || entry_type.is_contiguous() || entry_type.is_gnu_sparse()) {
                self.skip(shown_path(&name, Some(label)), format!("not a regular file entry ({entry_type:?})"));
                continue;
            }
            let (data, outcome) = read_limited(&mut entry, self.options.max_decompressed);
            self.note_outcome(&shown_path(&name, Some(label)), &outcome, data.len(), "archive member");
            self.deliver(&name, Some(label), file_kind(named), Bytes::Owned(data), depth);
            if matches!(outcome, Filled::Failed(_)) {
                return self.skip(
                    label.to_string(),
                    format!("tar stream broken after {members} members; the rest was not read"),
                );
            }
        }
    }

    fn read_zip<R: Read + Seek>(&mut self, reader: R, label: &str, depth: u32) {
        let mut zip = match zip::ZipArchive::new(reader) {
            Ok(zip) => zip,
            Err(err) => return self.skip(label.to_string(), format!("not a readable zip archive: {err}")),
        };
        for index in 0..zip.len() {
            let mut file = match zip.by_index(index) {
                Ok(file) => file,
                Err(err) => {
                    self.skip(format!("{label}!/#{index}"), format!("damaged zip member: {err}"));
                    continue;
                }
            };
            let name = member_name(&String::from_utf8_lossy(file.name_raw()));
            if file.is_dir() {
                continue;
            }
            let Some(named) = kind_from_name(&name) else {
                (self.sink)(Loaded::Ignored);
                continue;
            };
            if file.is_symlink() {
                self.skip(shown_path(&name, Some(label)), "link entry in the archive, not followed".into());
                continue;
            }
            let (data, outcome) = read_limited(&mut file, self.options.max_decompressed);
            drop(file);
            self.note_outcome(&shown_path(&name, Some(label)), &outcome, data.len(), "zip member");
            self.deliver(&name, Some(label), file_kind(named), Bytes::Owned(data), depth);
        }
    }

    /// Component and host from the member's path, else from the path of the archive that holds
    /// it (`10.12.3.4/home/admin/logs/x/logs.tar.gz` holding `common-error.log`), else the
    /// fallback host, else unknown; `--component` and `--host` on a single file override both
    /// (`--host` on a single archive is its members' fallback host).
    fn identity(&self, path: &str, archive: Option<&str>) -> Identity {
        let mut inferred = infer(path);
        if let Some(outer) = archive.map(infer) {
            if inferred.component == super::UNKNOWN {
                inferred.component = outer.component;
            }
            if inferred.host == super::UNKNOWN {
                inferred.host = outer.host;
            }
        }
        let (host, fallback) = match archive {
            None => (self.options.host.as_ref(), self.options.fallback_host.as_ref()),
            Some(_) => (None, self.options.host.as_ref().or(self.options.fallback_host.as_ref())),
        };
        if let Some(fallback) = fallback.filter(|_| inferred.host == super::UNKNOWN) {
            inferred.host = fallback.clone();
        }
        Identity {
            component: self.options.component.clone().unwrap_or(inferred.component),
            host: host.cloned().unwrap_or(inferred.host),
        }
    }

    /// Names a log that was decoded, once all its sources were delivered.
    fn note_transcoded(&mut self, parts: &Parts, transcoder: &Transcoder) {
        (self.sink)(Loaded::Transcoded(Transcoded {
            path: shown_path(&parts.path, parts.archive.as_deref()),
            encoding: transcoder.encoding().name().into(),
            replaced: transcoder.replaced(),
            report: None,
        }));
    }

    /// Records a skip when a read stopped early: over the limit, or on damaged data.
    fn note_outcome(&mut self, shown: &str, outcome: &Filled, read: usize, what: &str) {
        let reason = match outcome {
            Filled::More | Filled::End => return,
            Filled::OverLimit => format!(
                "{what} larger than the limit of {} bytes (--max-decompressed); only the first {read} bytes were scanned",
                self.options.max_decompressed
            ),
            Filled::Failed(err) => {
                format!("damaged {what} ({err}); the {read} bytes read before the damage were scanned")
            }
        };
        self.skip(shown.to_string(), reason);
    }

    fn skip(&mut self, path: String, reason: String) {
        (self.sink)(Loaded::Skipped(Skipped { path, reason, report: None }));
    }
}

fn file_kind(named: super::content::NameKind) -> FileKind {
    use super::content::NameKind;
    match named {
        NameKind::Text(kind) | NameKind::Gzip(kind) => kind,
        NameKind::Tar { .. } | NameKind::Zip => FileKind::Log,
    }
}

/// What a window's buffer holds past the window, where the next event most likely starts: the
/// bytes after the cut start the next window.
fn margin(window: usize) -> usize {
    (window / 16).max(1)
}

/// A member's path without a leading `./` or `/`.
fn member_name(raw: &str) -> String {
    let mut name = raw;
    loop {
        let trimmed = name.trim_start_matches('/').trim_start_matches("./");
        if trimmed == name {
            return name.to_string();
        }
        name = trimmed;
    }
}

/// How a path is shown when it lives inside an archive: `archive!/member`.
fn shown_path(path: &str, archive: Option<&str>) -> String {
    match archive {
        Some(archive) => format!("{archive}!/{path}"),
        None => path.to_string(),
    }
}

/// Reads at most `limit` bytes. The bytes read before an error are kept.
/// How reading part of a stream ended.
enum Filled {
    /// The buffer holds what was asked for; the stream may hold more.
    More,
    End,
    /// The stream holds more than the limit: the buffer was cut to it.
    OverLimit,
    Failed(std::io::Error),
}

/// Reads from `reader` until `buf` holds `want` bytes, the stream ends, or `limit` more bytes were
/// read (more than that is cut off and reported).
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize, limit: u64) -> Filled {
    let before = buf.len();
    let asked = (want.saturating_sub(before) as u64).min(limit.saturating_add(1));
    let result = reader.take(asked).read_to_end(buf);
    let got = (buf.len() - before) as u64;
    match result {
        Err(err) => Filled::Failed(err),
        Ok(_) if got > limit => {
            buf.truncate(before + usize::try_from(limit).unwrap_or(usize::MAX));
            Filled::OverLimit
        }
        Ok(_) if got < asked => Filled::End,
        Ok(_) => Filled::More,
    }
}

/// Reads a whole stream, at most `limit` bytes of it.
fn read_limited(reader: &mut dyn Read, limit: u64) -> (Vec<u8>, Filled) {
    let mut data = Vec::new();
    let outcome = fill(reader, &mut data, usize::MAX, limit);
    (data, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn deliver_bytes(bytes: Vec<u8>, options: &InputOptions) -> (Vec<(String, Vec<u8>)>, Vec<Skipped>) {
        let (mut sources, mut skipped) = (Vec::new(), Vec::new());
        let mut sink = |loaded| match loaded {
            Loaded::Source(s) => sources.push((s.path.clone(), s.bytes.to_vec())),
            Loaded::Skipped(s) => skipped.push(s),
            Loaded::Ignored | Loaded::Transcoded(_) => {}
        };
        let mut loader = Loader { options, sink: &mut sink, member: 0 };
        loader.deliver("x.log.gz", None, FileKind::Log, Bytes::Owned(bytes), 0);
        (sources, skipped)
    }

    #[test]
    fn gzip_is_decompressed() {
        let (sources, skipped) = deliver_bytes(gzip(b"line one\nline two\n"), &InputOptions::default());
        assert_eq!(sources, vec![("x.log.gz".to_string(), b"line one\nline two\n".to_vec())]);
        assert!(skipped.is_empty());
    }

    #[test]
    fn truncated_gzip_keeps_what_was_read() {
        let text = "2022-09-29 10:15:32,118 ERROR something\n".repeat(2000);
        let mut packed = gzip(text.as_bytes());
        packed.truncate(packed.len() / 2);
        let (sources, skipped) = deliver_bytes(packed, &InputOptions::default());
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].reason.starts_with("damaged gzip stream"), "{}", skipped[0].reason);
        assert_eq!(sources.len(), 1);
        assert!(!sources[0].1.is_empty() && text.as_bytes().starts_with(&sources[0].1));
    }

    /// A window: first line, continued, member, bytes.
    type Window = (u64, bool, u32, Vec<u8>);

    /// Every window of a large decompressed log.
    fn windows(bytes: Vec<u8>, options: &InputOptions) -> (Vec<Window>, Vec<Skipped>) {
        let (mut parts, mut skipped) = (Vec::new(), Vec::new());
        let mut sink = |loaded| match loaded {
            Loaded::Source(s) => parts.push((s.first_line, s.continued, s.member, s.bytes.to_vec())),
            Loaded::Skipped(s) => skipped.push(s),
            Loaded::Ignored | Loaded::Transcoded(_) => {}
        };
        let mut loader = Loader { options, sink: &mut sink, member: 0 };
        loader.deliver("x.log.gz", None, FileKind::Log, Bytes::Owned(bytes), 0);
        (parts, skipped)
    }

    fn events_log(events: usize) -> String {
        (0..events)
            .map(|i| {
                format!(
                    "2022-09-29 10:{:02}:{:02},118 ERROR [t] - event {i}\n\tat a.b(C.java:{i})\n",
                    i / 60 % 60,
                    i % 60
                )
            })
            .collect()
    }

    #[test]
    fn a_large_log_comes_in_windows_that_start_at_events() {
        let text = events_log(500);
        let options = InputOptions { window: Some(1000), ..InputOptions::default() };
        let (parts, skipped) = windows(gzip(text.as_bytes()), &options);
        assert!(skipped.is_empty());
        assert!(parts.len() > 10, "{} windows", parts.len());
        // Together the windows are the log; each after the first starts at an event, is marked
        // continued, and knows how many lines came before it. One member for all.
        let joined: Vec<u8> = parts.iter().flat_map(|p| p.3.clone()).collect();
        assert_eq!(joined, text.as_bytes());
        let mut lines = 0;
        for (i, (first_line, continued, member, bytes)) in parts.iter().enumerate() {
            assert_eq!((*first_line, *continued, *member), (lines, i > 0, 0));
            assert!(bytes.starts_with(b"2022-09-29 10:"), "window {i}");
            lines += memchr::memchr_iter(b'\n', bytes).count() as u64;
        }
        // Small logs and the events command take a log whole.
        assert_eq!(windows(gzip(b"2022-09-29 10:00:00,000 INFO x\n"), &options).0.len(), 1);
        let whole = InputOptions { window: None, ..InputOptions::default() };
        assert_eq!(windows(gzip(text.as_bytes()), &whole).0.len(), 1);
    }

    #[test]
    fn windows_stop_at_the_limit_and_at_damage() {
        let text = events_log(500);
        let options = InputOptions { window: Some(1000), max_decompressed: 5000, ..InputOptions::default() };
        let (parts, skipped) = windows(gzip(text.as_bytes()), &options);
        let joined: Vec<u8> = parts.iter().flat_map(|p| p.3.clone()).collect();
        assert_eq!(joined, &text.as_bytes()[..5000]);
        assert!(skipped[0].reason.contains("only the first 5000 bytes were scanned"), "{}", skipped[0].reason);
        let mut packed = gzip(text.as_bytes());
        packed.truncate(packed.len() / 2);
        let options = InputOptions { window: Some(1000), ..InputOptions::default() };
        let (parts, skipped) = windows(packed, &options);
        let joined: Vec<u8> = parts.iter().flat_map(|p| p.3.clone()).collect();
        assert!(parts.len() > 1 && !joined.is_empty() && text.as_bytes().starts_with(&joined));
        assert!(skipped[0].reason.starts_with("damaged gzip stream"), "{}", skipped[0].reason);
    }

    #[test]
    fn decompression_limit_stops_a_bomb() {
        let options = InputOptions { max_decompressed: 1000, ..InputOptions::default() };
        let (sources, skipped) = deliver_bytes(gzip(&vec![b'a'; 1_000_000]), &options);
        assert_eq!(sources[0].1.len(), 1000);
        assert!(skipped[0].reason.contains("--max-decompressed"));
    }

    #[test]
    fn nesting_is_limited() {
        let mut data = b"hello\n".to_vec();
        for _ in 0..6 {
            data = gzip(&data);
        }
        let (sources, skipped) = deliver_bytes(data, &InputOptions::default());
        assert!(sources.is_empty());
        assert!(skipped[0].reason.contains("nested deeper"));
    }

    /// What delivering `bytes` as `name` yields: windows, and the notes of decoded logs.
    fn decoded(name: &str, bytes: Vec<u8>, kind: FileKind, options: &InputOptions) -> (Vec<Window>, Vec<Transcoded>) {
        let (mut parts, mut notes) = (Vec::new(), Vec::new());
        let mut sink = |loaded| match loaded {
            Loaded::Source(s) => parts.push((s.first_line, s.continued, s.member, s.bytes.to_vec())),
            Loaded::Transcoded(t) => notes.push(t),
            Loaded::Skipped(s) => panic!("{s:?}"),
            Loaded::Ignored => {}
        };
        Loader { options, sink: &mut sink, member: 0 }.deliver(name, Some("b.tar"), kind, Bytes::Owned(bytes), 0);
        (parts, notes)
    }

    /// The log of `events_log` with Chinese in every event.
    fn chinese_log(events: usize) -> String {
        events_log(events).replace(" - event ", " - 任务执行超时 ")
    }

    /// A mapped GBK log truncated while it is decoded: decoded up to its new end, then named as
    /// cut short, as a scanned map would be.
    #[cfg(unix)]
    #[test]
    fn a_gbk_log_cut_short_while_decoded_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gbk.log");
        let line = gbk("2022-09-29 10:15:32,118 ERROR [x] - 任务执行超时\n");
        let text: Vec<u8> = line.iter().copied().cycle().take(super::super::MMAP_THRESHOLD as usize * 2).collect();
        std::fs::write(&path, &text).unwrap();
        let bytes = open_file(&path).unwrap();
        assert!(matches!(bytes, Bytes::Mapped(_)));
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(100_000).unwrap();
        let options = InputOptions { window: Some(1 << 20), ..InputOptions::default() };
        let mut skipped = Vec::new();
        let mut sink = |loaded| {
            if let Loaded::Skipped(s) = loaded {
                skipped.push(s);
            }
        };
        Loader { options: &options, sink: &mut sink, member: 0 }.deliver("gbk.log", None, FileKind::Log, bytes, 0);
        assert_eq!(skipped, [Skipped { path: "gbk.log".into(), reason: super::super::CUT_SHORT.into(), report: None }]);
    }

    /// A small decompressed log does not keep a window's buffer: it is copied into one of its own.
    #[test]
    fn a_small_decompressed_log_leaves_the_window_buffer_in_the_pool() {
        let options = InputOptions::default();
        let mut capacity = 0;
        let mut sink = |loaded| {
            if let Loaded::Source(s) = loaded {
                capacity = match &s.bytes {
                    Bytes::Owned(v) => v.capacity(),
                    _ => usize::MAX,
                };
            }
        };
        let small = gzip(b"2022-09-29 10:15:32,118 ERROR [x] - one line\n");
        Loader { options: &options, sink: &mut sink, member: 0 }.deliver(
            "x.log.gz",
            None,
            FileKind::Log,
            Bytes::Owned(small),
            0,
        );
        assert!(capacity < 1 << 10, "capacity {capacity}");
        assert!(options.buffers.take(0).capacity() >= WINDOW, "the window's buffer is back in the pool");
    }

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn a_gbk_log_is_decoded_whole_or_in_windows_from_any_source() {
        let text = chinese_log(300);
        let note = Transcoded { path: "b.tar!/x.log".into(), encoding: "GBK".into(), replaced: 0, report: None };
        let small = InputOptions { window: Some(1000), ..InputOptions::default() };
        for (bytes, what) in [(gbk(&text), "plain"), (gzip(&gbk(&text)), "gzip")] {
            for options in [&small, &InputOptions::default(), &InputOptions { window: None, ..InputOptions::default() }]
            {
                let (parts, notes) = decoded("x.log", bytes.clone(), FileKind::Log, options);
                let joined: Vec<u8> = parts.iter().flat_map(|p| p.3.clone()).collect();
                assert!(joined == text.as_bytes(), "{what} {:?}", options.window);
                assert_eq!(notes, std::slice::from_ref(&note), "{what}");
                assert_eq!(parts.len() > 10, options.window == Some(1000), "{what} {:?}", options.window);
                let mut lines = 0;
                for (i, (first_line, continued, member, bytes)) in parts.iter().enumerate() {
                    assert_eq!((*first_line, *continued, *member), (lines, i > 0, 0), "{what} window {i}");
                    assert!(bytes.starts_with(b"2022-09-29 10:"), "{what} window {i}");
                    lines += memchr::memchr_iter(b'\n', bytes).count() as u64;
                }
            }
        }
    }

    #[test]
    fn only_logs_are_decoded_and_only_when_asked() {
        let bytes = gbk(&chinese_log(3));
        let (parts, notes) =
            decoded("application.properties", bytes.clone(), FileKind::Properties, &InputOptions::default());
        assert_eq!((parts[0].3.clone(), notes.len()), (bytes.clone(), 0));
        let raw = InputOptions { encoding: LogEncoding::Utf8, ..InputOptions::default() };
        let (parts, notes) = decoded("x.log", bytes.clone(), FileKind::Log, &raw);
        assert_eq!((parts[0].3.clone(), notes.len()), (bytes, 0));
        // Forced: ASCII is decoded too (to itself), and named.
        let forced = InputOptions { encoding: LogEncoding::Gbk, ..InputOptions::default() };
        let (parts, notes) = decoded("x.log", b"send msg failed \xff\n".to_vec(), FileKind::Log, &forced);
        assert_eq!((parts[0].3.as_slice(), notes[0].replaced), ("send msg failed \u{fffd}\n".as_bytes(), 1));
    }

    #[test]
    fn a_decoded_window_without_events_stops_growing_at_the_limit() {
        // No line starts an event: windows are cut at line starts, at most the limit apart.
        let text = "无时间戳的一行日志 line\n".repeat(500);
        let options = InputOptions { window: Some(100), max_decompressed: 1000, ..InputOptions::default() };
        let (parts, _) = decoded("x.log", gbk(&text), FileKind::Log, &options);
        let joined: Vec<u8> = parts.iter().flat_map(|p| p.3.clone()).collect();
        assert!(joined == text.as_bytes());
        assert!(parts.len() > 10 && parts.iter().all(|p| p.3.len() <= 1500 && p.3.ends_with(b"\n")));
    }

    #[test]
    fn member_names_are_normalised() {
        assert_eq!(member_name("./bundle/a.log"), "bundle/a.log");
        assert_eq!(member_name("/abs/a.log"), "abs/a.log");
        assert_eq!(member_name("././a.log"), "a.log");
    }

    #[test]
    fn the_fallback_host_names_only_files_whose_path_names_none() {
        struct Case {
            path: &'static str,
            archive: Option<&'static str>,
            host: Option<&'static str>,
            fallback: Option<&'static str>,
            want: (&'static str, &'static str),
        }
        const LOGS: &str = "logs/acopswareexecutor/common-error.log";
        const HOSTED: &str = "b/10.0.0.1/home/admin/logs/acopswareexecutor/common-error.log";
        const CASES: &[Case] = &[
            Case { path: LOGS, archive: None, host: None, fallback: None, want: ("acopswareexecutor", "unknown") },
            Case { path: LOGS, archive: None, host: None, fallback: Some("hA"), want: ("acopswareexecutor", "hA") },
            Case {
                path: HOSTED,
                archive: None,
                host: None,
                fallback: Some("hA"),
                want: ("acopswareexecutor", "10.0.0.1"),
            },
            Case { path: HOSTED, archive: None, host: Some("hA"), fallback: None, want: ("acopswareexecutor", "hA") },
            Case {
                path: "common-error.log",
                archive: Some("10.0.0.2/acopswareexecutor/old.tar"),
                host: None,
                fallback: Some("hA"),
                want: ("acopswareexecutor", "10.0.0.2"),
            },
            Case {
                path: "common-error.log",
                archive: Some("old.tar"),
                host: None,
                fallback: Some("hA"),
                want: ("unknown", "hA"),
            },
            // A single archive named with --host: its members are many files, each its own host.
            Case {
                path: "common-error.log",
                archive: Some("old.tar"),
                host: Some("hA"),
                fallback: None,
                want: ("unknown", "hA"),
            },
            Case {
                path: HOSTED,
                archive: Some("old.tar"),
                host: Some("hA"),
                fallback: None,
                want: ("acopswareexecutor", "10.0.0.1"),
            },
        ];
        for case in CASES {
            let options = InputOptions {
                host: case.host.map(str::to_string),
                fallback_host: case.fallback.map(str::to_string),
                ..InputOptions::default()
            };
            let mut sink = |_| {};
            let loader = Loader { options: &options, sink: &mut sink, member: 0 };
            let got = loader.identity(case.path, case.archive);
            assert_eq!((got.component.as_str(), got.host.as_str()), case.want, "{} in {:?}", case.path, case.archive);
        }
    }
}
