//! Reading a small file whole: the JSON reports `merge` and `--baseline` read, and the config
//! file. Unlike a bundle, such a file is named by the user to be read in one piece, so it must be
//! a regular file (a FIFO would block the run, `/dev/zero` would never end) and no larger than
//! the caller's limit; each refusal says why. Logs go through [`super::open_file`] instead.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

/// Why a file was not read whole.
#[derive(Debug, thiserror::Error)]
pub enum WholeFileError {
    /// A directory, FIFO, socket or device: `kind` says which.
    #[error("not a regular file ({kind})")]
    NotRegular { kind: &'static str },
    #[error("larger than {}", binary_size(*limit))]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The bytes of the regular file `path`, when it holds at most `limit` of them.
pub fn read_whole_file(path: &Path, limit: u64) -> Result<Vec<u8>, WholeFileError> {
    // Checked before opening: opening a FIFO waits for a writer.
    check(&std::fs::metadata(path)?, limit)?;
    let file = open_without_waiting(path)?;
    // Checked again on what was opened, in case the path changed in between.
    let metadata = file.metadata()?;
    check(&metadata, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // A file that grows while it is read (or a /proc file, whose size says 0) stops at the limit.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(WholeFileError::TooLarge { limit });
    }
    Ok(bytes)
}

fn check(metadata: &Metadata, limit: u64) -> Result<(), WholeFileError> {
    if !metadata.is_file() {
        return Err(WholeFileError::NotRegular { kind: kind(metadata) });
    }
    if metadata.len() > limit {
        return Err(WholeFileError::TooLarge { limit });
    }
    Ok(())
}

#[cfg(unix)]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK makes opening a FIFO return at once; reading a regular file ignores it.
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(unix)]
fn kind(metadata: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let file_type = metadata.file_type();
    match () {
        () if file_type.is_dir() => "a directory",
        () if file_type.is_fifo() => "a FIFO",
        () if file_type.is_socket() => "a socket",
        () if file_type.is_char_device() => "a character device",
        () if file_type.is_block_device() => "a block device",
        () => "not a file",
    }
}

#[cfg(not(unix))]
fn kind(metadata: &Metadata) -> &'static str {
    if metadata.is_dir() { "a directory" } else { "not a file" }
}

/// `1 GiB`, `1 MiB`, `4096 bytes`.
fn binary_size(bytes: u64) -> String {
    let units = [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)];
    units
        .iter()
        .find(|(_, shift)| bytes >= 1 << shift && bytes % (1 << shift) == 0)
        .map_or_else(|| format!("{bytes} bytes"), |(unit, shift)| format!("{} {unit}", bytes >> shift))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_file_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_whole_file(&path, 10).unwrap(), b"0123456789");
        let err = read_whole_file(&path, 9).unwrap_err();
        assert_eq!(err.to_string(), "larger than 9 bytes");
        // A sparse file: refused by its size, without reading it.
        std::fs::File::create(&path).unwrap().set_len((1 << 30) + 1).unwrap();
        assert_eq!(read_whole_file(&path, 1 << 30).unwrap_err().to_string(), "larger than 1 GiB");
    }

    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_whole_file(dir.path(), 1 << 20).unwrap_err().to_string(), "not a regular file (a directory)");
        #[cfg(unix)]
        {
            let err = read_whole_file(Path::new("/dev/zero"), 1 << 20).unwrap_err();
            assert_eq!(err.to_string(), "not a regular file (a character device)");
            let fifo = dir.path().join("fifo");
            assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
            assert_eq!(read_whole_file(&fifo, 1 << 20).unwrap_err().to_string(), "not a regular file (a FIFO)");
        }
        let missing = read_whole_file(&dir.path().join("missing"), 1).unwrap_err();
        assert!(matches!(missing, WholeFileError::Io(ref e) if e.kind() == std::io::ErrorKind::NotFound), "{missing}");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(binary_size(1 << 20), "1 MiB");
        assert_eq!(binary_size(3 << 30), "3 GiB");
        assert_eq!(binary_size(1000), "1000 bytes");
    }
}
