//! Finding the files to import and reading them safely: size limits checked before
//! reading, binary files refused, text decoded as UTF-8 or (older exports) Windows-1252.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::ImportError;
use crate::report::{FileReport, Format};

/// The largest meeting JSON file accepted (64 MiB).
pub const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;
/// The largest text document accepted (64 MiB; a year of minutes is a few MB).
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;
/// The largest PDF accepted (300 MiB: agendas with scanned attachments are large).
pub const MAX_PDF_BYTES: u64 = 300 * 1024 * 1024;

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
            missing.push(FileReport::failed(p, None, ImportError::Missing));
        }
    }
    (files, missing)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<FileReport>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(FileReport::failed(dir, None, ImportError::Read(e)));
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

/// Reads a file of at most `limit` bytes (checked before reading, and while reading in
/// case it grows).
pub(crate) fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ImportError> {
    let size = fs::metadata(path)?.len();
    if size > limit {
        return Err(ImportError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
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
    Ok(bytes)
}

/// Decodes the bytes of a text file: UTF-8, or else Windows-1252 (which older Danish
/// exports use), refusing what looks binary (NUL bytes or many control characters).
pub(crate) fn decode_text(bytes: Vec<u8>) -> Result<String, ImportError> {
    let controls = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(ImportError::NotText { offset });
    }
    if controls * 100 > bytes.len() {
        let offset = bytes
            .iter()
            .position(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
            .unwrap_or(0);
        return Err(ImportError::NotText { offset });
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)),
        Err(e) => {
            let bytes = e.into_bytes();
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
            Ok(text.into_owned())
        }
    }
}

/// Reads a JSON file as UTF-8 text (JSON must be UTF-8).
pub(crate) fn read_json_text(path: &Path) -> Result<String, ImportError> {
    let bytes = read_bytes(path, MAX_JSON_BYTES)?;
    String::from_utf8(bytes).map_err(|e| ImportError::NotText {
        offset: e.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_text_is_decoded() {
        let bytes = b"Frav\xe6rende: Jan S\xf8rensen".to_vec();
        assert_eq!(decode_text(bytes).unwrap(), "Fraværende: Jan Sørensen");
    }

    #[test]
    fn binary_is_refused() {
        assert!(matches!(
            decode_text(vec![0x89, b'P', b'N', b'G', 0, 1, 2]),
            Err(ImportError::NotText { .. })
        ));
        assert!(matches!(
            decode_text(vec![1, 2, 3, 4, 5, b'a']),
            Err(ImportError::NotText { .. })
        ));
    }
}
