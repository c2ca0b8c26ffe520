//! Finding the files to import and reading them safely.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::ImportError;
use crate::report::{FileReport, Format};

/// The largest meeting JSON file accepted (64 MiB): far above any real meeting, far below
/// what would strain memory.
pub const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;

/// Expands folders (recursively, in name order) into the importable files they hold; files
/// named directly are kept whatever their type, so that an unsupported one is reported.
/// Paths that do not exist come back as failed reports.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileReport>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files, &mut missing);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            missing.push(FileReport {
                path: p.clone(),
                format: None,
                result: Err(ImportError::Missing),
            });
        }
    }
    (files, missing)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<FileReport>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(FileReport {
                path: dir.to_path_buf(),
                format: None,
                result: Err(ImportError::Read(e)),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, files, errors);
        } else if Format::of(&p).is_some() {
            files.push(p);
        }
    }
}

/// Reads a file as UTF-8 text, refusing empty files, files over `limit` bytes (before
/// reading them) and bytes that are not UTF-8.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, ImportError> {
    let size = fs::metadata(path)?.len();
    if size > limit {
        return Err(ImportError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // Read at most limit + 1 bytes, in case the file grows while we read it.
    fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    String::from_utf8(bytes).map_err(|e| ImportError::NotText {
        offset: e.utf8_error().valid_up_to(),
    })
}
