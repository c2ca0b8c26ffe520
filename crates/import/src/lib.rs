//! Bringing records into protokol.
//!
//! Today: `protokol.meeting/1` JSON files (one meeting, or a list of meetings, per file).
//! Each file is read, checked and stored in one transaction: a broken file stores nothing
//! and says what is wrong and where (file, JSON path, reason), while the other files of the
//! batch are still imported. Importing the same file again changes nothing.
//!
//! This crate reads files and calls the store; it neither renders nor serves anything.

mod files;
mod report;

use std::path::{Path, PathBuf};

use protokol_core::exchange::{DocumentError, parse_meetings};
use protokol_store::{Commit, Store, StoreError};

pub use files::{MAX_JSON_BYTES, collect_files};
pub use report::{FileReport, Format, MeetingReport, Summary, count};

/// Why one file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the file: {0}")]
    Read(#[from] std::io::Error),
    #[error("no such file or folder")]
    Missing,
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; a meeting document may be at most {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("the file is not UTF-8 text (invalid byte at offset {offset}); is it a binary file?")]
    NotText { offset: usize },
    #[error("unsupported file type: expected a protokol.meeting/1 .json file")]
    Unsupported,
    #[error("{0}")]
    Document(#[from] DocumentError),
    #[error("not stored: {0}")]
    Store(#[from] StoreError),
}

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Work everything out and report it, but store nothing.
    pub dry_run: bool,
    /// Who is importing, for the change log.
    pub actor: Option<String>,
}

/// Imports the given files one by one, calling `on_file` after each, and returns the report
/// of every file.
pub async fn import_files(
    store: &Store,
    files: &[PathBuf],
    options: &Options,
    mut on_file: impl FnMut(&FileReport),
) -> Vec<FileReport> {
    let mut reports = Vec::with_capacity(files.len());
    for path in files {
        let report = import_file(store, path, options).await;
        on_file(&report);
        reports.push(report);
    }
    reports
}

/// Imports one file.
pub async fn import_file(store: &Store, path: &Path, options: &Options) -> FileReport {
    let format = Format::of(path);
    let result = match format {
        Some(Format::MeetingJson) => import_json(store, path, options).await,
        None => Err(ImportError::Unsupported),
    };
    if let Err(e) = &result {
        tracing::debug!(file = %path.display(), error = %e, "file not imported");
    }
    FileReport {
        path: path.to_path_buf(),
        format,
        result,
    }
}

async fn import_json(
    store: &Store,
    path: &Path,
    options: &Options,
) -> Result<Vec<MeetingReport>, ImportError> {
    let text = files::read_text(path, MAX_JSON_BYTES)?;
    let meetings = parse_meetings(&text)?;
    let actor = options
        .actor
        .clone()
        .unwrap_or_else(|| format!("import:{}", path.display()));
    let commit = if options.dry_run {
        Commit::No
    } else {
        Commit::Yes
    };
    let saved = store.upsert_meetings(&meetings, &actor, commit).await?;
    Ok(meetings
        .iter()
        .zip(saved)
        .map(|(m, s)| MeetingReport::new(m, s))
        .collect())
}
