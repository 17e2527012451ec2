//! Bundle discovery: turns the paths on the command line into [`Unit`]s (a file to read, a
//! compressed file, an archive, standard input), in a deterministic order. Directories are walked
//! recursively without following symbolic links; files whose names are not logs, properties or
//! archives are counted as ignored.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::content::{FileKind, NameKind, kind_from_name};
use super::{InputError, Skipped};

/// Where a unit's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Disk(PathBuf),
    Stdin,
}

/// How to read a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// Read as it is (content sniffing still finds gzip or archives under other names).
    Plain(FileKind),
    Gzip(FileKind),
    Tar {
        gzip: bool,
    },
    Zip,
}

/// One thing to read: a file on disk or standard input.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The path shown in reports: for a file found in a directory, the directory's name and the
    /// path below it; for a file named on the command line, that path; `<stdin>` for input.
    pub display: String,
    pub location: Location,
    pub kind: UnitKind,
    /// Size on disk, for progress (0 for standard input).
    pub size: u64,
}

/// Everything the command line names.
#[derive(Debug, Default)]
pub struct Discovery {
    pub units: Vec<Unit>,
    pub skipped: Vec<Skipped>,
    /// Files found in directories whose names are not logs, properties or archives.
    pub ignored: u64,
}

/// Resolves the command-line paths. `-` is standard input. A path that does not exist is an
/// error (the command line is wrong); everything else that goes wrong is a [`Skipped`] entry.
pub fn discover(paths: &[PathBuf]) -> Result<Discovery, InputError> {
    let mut found = Discovery::default();
    for path in paths {
        if path.as_os_str() == "-" {
            found.units.push(Unit {
                display: "<stdin>".into(),
                location: Location::Stdin,
                kind: UnitKind::Plain(FileKind::Log),
                size: 0,
            });
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => InputError::NotFound { path: path.clone() },
            _ => InputError::Unreadable { path: path.clone(), reason: source },
        })?;
        if meta.is_dir() {
            walk_dir(path, &mut found);
        } else {
            let display = path.to_string_lossy().into_owned();
            let kind = match kind_from_name(&display) {
                Some(named) => unit_kind(named),
                None => UnitKind::Plain(FileKind::Log),
            };
            found.units.push(Unit { display, location: Location::Disk(path.clone()), kind, size: meta.len() });
        }
    }
    Ok(found)
}

fn unit_kind(named: NameKind) -> UnitKind {
    match named {
        NameKind::Text(kind) => UnitKind::Plain(kind),
        NameKind::Gzip(kind) => UnitKind::Gzip(kind),
        NameKind::Tar { gzip } => UnitKind::Tar { gzip },
        NameKind::Zip => UnitKind::Zip,
    }
}

fn walk_dir(root: &Path, found: &mut Discovery) {
    let root_name = root_display_name(root);
    for entry in WalkDir::new(root).follow_links(false).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                let reason = err.io_error().map_or_else(|| err.to_string(), |io| io.to_string());
                found.skipped.push(Skipped { path, reason: format!("cannot read: {reason}"), report: None });
                continue;
            }
        };
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let display = if rel.as_os_str().is_empty() {
            root_name.clone()
        } else {
            format!("{root_name}/{}", rel.to_string_lossy())
        };
        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        let Some(named) = kind_from_name(&display) else {
            found.ignored += 1;
            continue;
        };
        if file_type.is_symlink() {
            found.skipped.push(Skipped { path: display, reason: "symbolic link, not followed".into(), report: None });
            continue;
        }
        if !file_type.is_file() {
            found.skipped.push(Skipped {
                path: display,
                reason: "not a regular file (device, socket or pipe)".into(),
                report: None,
            });
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        found.units.push(Unit {
            display,
            location: Location::Disk(entry.path().to_path_buf()),
            kind: unit_kind(named),
            size,
        });
    }
}

/// The name a directory is shown under: its last component, or the name of what `.` or `..`
/// resolve to.
fn root_display_name(root: &Path) -> String {
    let named = root.file_name().filter(|n| *n != "." && *n != "..");
    match named {
        Some(name) => name.to_string_lossy().into_owned(),
        None => std::fs::canonicalize(root)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| root.display().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_in_name_order_and_ignores_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("bundle");
        std::fs::create_dir_all(root.join("h2/home/admin/logs/acopswareexecutor")).unwrap();
        std::fs::create_dir_all(root.join("h1")).unwrap();
        std::fs::write(root.join("h2/home/admin/logs/acopswareexecutor/common-error.log"), "x").unwrap();
        std::fs::write(root.join("h1/staragent_core.log.1"), "x").unwrap();
        std::fs::write(root.join("h1/notes.txt"), "x").unwrap();
        let found = discover(&[root]).unwrap();
        let names: Vec<_> = found.units.iter().map(|u| u.display.as_str()).collect();
        assert_eq!(
            names,
            ["bundle/h1/staragent_core.log.1", "bundle/h2/home/admin/logs/acopswareexecutor/common-error.log"]
        );
        assert_eq!(found.ignored, 1);
    }

    #[test]
    fn missing_path_is_an_error() {
        let err = discover(&[PathBuf::from("/no/such/bundle")]).unwrap_err();
        assert!(matches!(err, InputError::NotFound { .. }));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_listed_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("escape.log")).unwrap();
        let found = discover(&[dir.path().to_path_buf()]).unwrap();
        assert!(found.units.is_empty());
        assert_eq!(found.skipped.len(), 1);
        assert!(found.skipped[0].reason.contains("symbolic link"));
    }
}
