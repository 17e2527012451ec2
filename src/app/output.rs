//! Where `scan --output FILE` (and `--html FILE`) writes: a temporary file in FILE's directory, renamed over FILE
//! once the report is complete, so a reader (a CI job, a ticketing hook) sees the previous
//! report or the new one, never half of one. The temporary file is made before the scan starts,
//! so an output that cannot be written fails in milliseconds rather than after a long scan; when
//! the scan fails, the temporary file is removed and FILE is left as it was.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Why the report cannot go to the `--output` file.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OutputError {
    #[error("cannot write the report to {path}: {reason}")]
    Io { path: PathBuf, reason: io::Error },
    #[error("cannot write the report to {path}: it is a directory")]
    IsDirectory { path: PathBuf },
}

/// The report on its way to the `--output` file.
pub(crate) struct ReportFile {
    path: PathBuf,
    writer: BufWriter<NamedTempFile>,
}

impl ReportFile {
    /// Creates the temporary file beside `path`: this is where a missing directory, a path
    /// through a file, or a directory without write permission shows up.
    pub(crate) fn create(path: &Path) -> Result<ReportFile, OutputError> {
        if path.is_dir() {
            return Err(OutputError::IsDirectory { path: path.to_path_buf() });
        }
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        // Through `make_in` rather than `tempfile_in`, so that an error is the system's own
        // (its message names no temporary path) and the mode is a report's, not 0600.
        let file = tempfile::Builder::new()
            .prefix(".cas-triage-report.")
            .suffix(".tmp")
            .make_in(dir, create_new)
            .map_err(|reason| OutputError::Io { path: path.to_path_buf(), reason })?;
        Ok(ReportFile { path: path.to_path_buf(), writer: BufWriter::new(file) })
    }

    /// Puts the complete report in place: flushed, on disk, then renamed over the target (atomic
    /// within one directory).
    pub(crate) fn commit(self) -> Result<(), OutputError> {
        let io_error = |reason| OutputError::Io { path: self.path.clone(), reason };
        let file = self.writer.into_inner().map_err(|err| io_error(err.into_error()))?;
        file.as_file().sync_all().map_err(io_error)?;
        file.persist(&self.path).map_err(|err| io_error(err.error))?;
        Ok(())
    }
}

impl Write for ReportFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// A new file, readable as the umask allows (as a shell redirection would make it).
fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_appears_whole_and_nothing_else_remains() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        std::fs::write(&target, "the previous, longer report\n").unwrap();
        let mut report = ReportFile::create(&target).unwrap();
        report.write_all(b"{}\n").unwrap();
        report.flush().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"the previous, longer report\n", "not yet replaced");
        report.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"{}\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["report.json"], "no temporary file left");
        #[cfg(unix)]
        {
            // The mode a shell redirection gives (the umask's), not a temporary file's 0600.
            use std::os::unix::fs::PermissionsExt;
            let redirected = dir.path().join("redirected");
            std::fs::write(&redirected, "").unwrap();
            let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&target), mode(&redirected));
        }
    }

    #[test]
    fn an_abandoned_report_leaves_the_target_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        let mut report = ReportFile::create(&target).unwrap();
        report.write_all(b"half a rep").unwrap();
        drop(report);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn unusable_targets_are_named_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let cases = [
            (dir.path().join("missing/report.json"), "No such file or directory"),
            (file.join("report.json"), "Not a directory"),
            (dir.path().to_path_buf(), "it is a directory"),
        ];
        for (path, reason) in cases {
            let message = ReportFile::create(&path).err().unwrap().to_string();
            assert!(message.starts_with(&format!("cannot write the report to {}: ", path.display())), "{message}");
            if cfg!(unix) {
                assert!(message.contains(reason), "{message}");
            }
        }
    }
}
