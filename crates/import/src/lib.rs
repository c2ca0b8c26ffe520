//! Bringing records into protokol.
//!
//! Reads `protokol.meeting/1` JSON (one meeting or a list per file) and published agendas
//! and minutes as text or PDF (understood by `protokol-parse`). Files are read and parsed in
//! parallel, a chunk at a time so memory does not grow with the archive, then stored one by
//! one, each file in one transaction: a broken file stores nothing and says what is wrong
//! and where (file, line or JSON path, reason), while the other files are still imported.
//! Documents about the same meeting are merged (see [`merge`]); importing the same files
//! again changes nothing.
//!
//! This crate reads files and calls the store; it neither renders nor serves anything.

mod docx;
mod files;
pub mod merge;
mod pdf;
pub mod process;
mod publication;
mod report;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use protokol_core::Meeting;
use protokol_core::exchange::{DocumentError, parse_meetings};
use protokol_parse::html::html_text;
use protokol_parse::system::{self, System};
use protokol_parse::{
    Confidence, ParseError, Parsed, looks_like_firstagenda, parse_firstagenda, read_document,
};
use protokol_store::{Commit, FileToStore, Session, SourceDocument, Store, StoreError};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

pub use files::{
    ALREADY_READ, Collected, LINK_NOT_FOLLOWED, MAX_JSON_BYTES, MAX_PDF_BYTES, MAX_TEXT_BYTES,
    Skipped, collect_files,
};
pub use pdf::{
    Extractor, PdfLimits, extract as extract_pdf_text, extract_async as extract_pdf_text_async,
    extract_with as extract_pdf_text_with,
};
pub use publication::ZipLimits;
pub use report::{
    Coverage, FileReport, Format, LineWarning, MeetingReport, Summary, Timings, count, printable,
};

/// Why one file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the file: {0}")]
    Read(#[from] std::io::Error),
    #[error("no such file or folder")]
    Missing,
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; a file of this type may be at most {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("the file is not text (a binary byte at offset {offset}); is it a binary file?")]
    NotText { offset: usize },
    #[error(
        "unsupported file type: expected .json (protokol.meeting/1 or FirstAgenda), .txt, .pdf, .html, .docx, or an ESDH export (.xml or .zip)"
    )]
    Unsupported,
    #[error("{0}")]
    Document(#[from] DocumentError),
    #[error("{0}")]
    Parse(#[from] ParseError),
    #[error("{0}")]
    Pdf(String),
    #[error("the PDF has no text layer (a scanned image?); run OCR on it first")]
    NoTextLayer,
    #[error("not stored: {0}")]
    Store(#[from] StoreError),
    #[error(
        "refused by --strict: no known layout; the generic reader's confidence is {}",
        .0.as_str()
    )]
    Uncertain(Confidence),
    #[error(
        "an XML file that is not a publishing export the importer knows (<Publication> XML or an eDoc export)"
    )]
    UnknownXml,
    #[error("{0}")]
    Zip(String),
    #[error("{0}")]
    Docx(String),
}

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Work everything out and report it, but store nothing.
    pub dry_run: bool,
    /// Who is importing, for the change log.
    pub actor: Option<String>,
    /// The limits PDF text extraction runs under.
    pub pdf: PdfLimits,
    /// What a zip file may unpack to.
    pub zip: ZipLimits,
    /// Refuse documents that only the generic reader could read (below high confidence)
    /// instead of importing what it found.
    pub strict: bool,
}

/// What a batch did: its totals, the files' timings added up, and the wall-clock time of
/// its two stages. The per-file reports go to the caller as they are made, so nothing here
/// grows with the number of files.
#[derive(Debug, Default)]
pub struct Run {
    pub summary: Summary,
    /// Every file's time by stage, added up.
    pub timings: Timings,
    /// Reading, text extraction and parsing (in parallel).
    pub parse_wall: Duration,
    /// Storing (one transaction per chunk, a savepoint per file).
    pub store_wall: Duration,
}

enum Content {
    Json(Vec<Meeting>),
    Document {
        parsed: Box<Parsed>,
        sha256: String,
        /// Attachment files to store with the meeting (from an ESDH export).
        files: Vec<publication::FileOnDisk>,
        /// The source's name where it is not the file's name (see `publication::Export`).
        source_name: Option<String>,
        /// The unpacked zip the files are in, removed once they are stored.
        unpacked: Option<tempfile::TempDir>,
    },
}

impl Content {
    /// A read document without files of its own.
    fn document(parsed: Parsed, sha256: String) -> Self {
        Self::Document {
            parsed: Box::new(parsed),
            sha256,
            files: Vec::new(),
            source_name: None,
            unpacked: None,
        }
    }
}

struct Prepared {
    path: PathBuf,
    format: Option<Format>,
    bytes: u64,
    timings: Timings,
    content: Result<Content, ImportError>,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The text of a document read by the readers; with `strict`, what only the generic reader
/// could partly read is refused. The producing system is the one `trace` (the file's
/// metadata or markup) names, else the one its text shows.
fn understand(
    text: &str,
    path: &Path,
    strict: bool,
    trace: Option<System>,
) -> Result<Parsed, ImportError> {
    let mut parsed = read_document(text, &file_name(path))?;
    if strict && parsed.confidence < Confidence::High {
        return Err(ImportError::Uncertain(parsed.confidence));
    }
    parsed.system = trace.or_else(|| system::from_text(text));
    Ok(parsed)
}

/// Reads and understands one file (no store involved): CPU work, run in parallel.
fn prepare(path: &Path, options: &Options) -> Prepared {
    let (pdf_limits, strict) = (&options.pdf, options.strict);
    let format = Format::of(path);
    let mut timings = Timings::default();
    let mut bytes = 0;
    let content = (|| {
        let format = format.ok_or(ImportError::Unsupported)?;
        let t = Instant::now();
        match format {
            Format::Json => {
                let text = files::read_json_text(path)?;
                bytes = text.len() as u64;
                timings.read = t.elapsed();
                let t = Instant::now();
                if looks_like_firstagenda(&text) {
                    let sha256 = format!("{:x}", Sha256::digest(text.as_bytes()));
                    let parsed = parse_firstagenda(&text, &file_name(path))?;
                    timings.parse = t.elapsed();
                    return Ok(Content::document(parsed, sha256));
                }
                let meetings = parse_meetings(&text)?;
                timings.parse = t.elapsed();
                Ok(Content::Json(meetings))
            }
            Format::Docx => {
                let raw = files::read_bytes(path, files::MAX_PDF_BYTES)?;
                bytes = raw.len() as u64;
                let sha256 = format!("{:x}", Sha256::digest(&raw));
                timings.read = t.elapsed();
                let t = Instant::now();
                let (text, recovered) = docx::read(&raw)?;
                timings.extract = t.elapsed();
                let t = Instant::now();
                let mut parsed = understand(&text, path, strict, None)?;
                if recovered {
                    parsed.warnings.push(protokol_parse::Warning {
                        line: 0,
                        message: "the Word file is damaged (its zip directory is missing); the text was recovered from its entries".into(),
                    });
                }
                timings.parse = t.elapsed();
                Ok(Content::document(parsed, sha256))
            }
            Format::Text | Format::Pdf | Format::Html => {
                let limit = if format == Format::Pdf {
                    files::MAX_PDF_BYTES
                } else {
                    files::MAX_TEXT_BYTES
                };
                let raw = files::read_bytes(path, limit)?;
                bytes = raw.len() as u64;
                let sha256 = format!("{:x}", Sha256::digest(&raw));
                timings.read = t.elapsed();
                let t = Instant::now();
                let (text, trace) = match format {
                    Format::Pdf => {
                        let trace = system::from_metadata(&system::pdf_metadata(&raw));
                        (pdf::extract_with(path, &raw, pdf_limits)?.0, trace)
                    }
                    // A page saved from a municipal portal: its text, headings as paragraphs.
                    Format::Html => {
                        let html = files::decode_text(raw)?;
                        (html_text(&html), system::from_html(&html))
                    }
                    _ => (files::decode_text(raw)?, None),
                };
                timings.extract = t.elapsed();
                let t = Instant::now();
                let parsed = understand(&text, path, strict, trace)?;
                timings.parse = t.elapsed();
                Ok(Content::document(parsed, sha256))
            }
            Format::Xml | Format::Zip => {
                let export = if format == Format::Zip {
                    publication::read_zip(path, pdf_limits, &options.zip)?
                } else {
                    publication::read_xml(path, pdf_limits)?
                };
                bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                timings.parse = t.elapsed();
                Ok(Content::Document {
                    parsed: Box::new(export.parsed),
                    sha256: export.sha256,
                    files: export.files,
                    source_name: export.source_name,
                    unpacked: export.unpacked,
                })
            }
        }
    })();
    Prepared {
        path: path.to_path_buf(),
        format,
        bytes,
        timings,
        content,
    }
}

/// How many files are read and parsed together before they are stored.
pub const CHUNK: usize = 256;

/// Imports the given files and hands each file's report to `on_file` once its chunk is
/// committed (or rolled back), in the order of `files`; returns the totals.
pub async fn import_files(
    store: &Store,
    files: &[PathBuf],
    options: &Options,
    mut on_file: impl FnMut(FileReport),
) -> Run {
    let mut run = Run::default();
    for (batch, chunk) in files.chunks(CHUNK).enumerate() {
        let mut reports: Vec<FileReport> = Vec::with_capacity(chunk.len());
        let owned: Vec<PathBuf> = chunk.to_vec();
        let t = Instant::now();
        let prepare_options = options.clone();
        let prepared = tokio::task::spawn_blocking(move || {
            owned
                .par_iter()
                .map(|p| prepare(p, &prepare_options))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        run.parse_wall += t.elapsed();
        tracing::debug!(
            batch,
            files = chunk.len(),
            "batch read; storing it in one transaction"
        );
        let t = Instant::now();
        // One transaction per chunk, one savepoint per file.
        let commit = if options.dry_run {
            Commit::No
        } else {
            Commit::Yes
        };
        match store.session(commit).await {
            Ok(mut session) => {
                for p in prepared {
                    reports.push(store_prepared(&mut session, p, options).await);
                }
                if let Err(e) = session.finish().await {
                    // The chunk's commit failed: none of its files are stored.
                    let why = e.to_string();
                    for r in &mut reports {
                        if r.is_ok() {
                            r.result = Err(ImportError::Store(StoreError::Rejected(format!(
                                "the batch could not be committed: {why}"
                            ))));
                        }
                    }
                }
            }
            Err(e) => {
                let why = e.to_string();
                for p in prepared {
                    reports.push(FileReport::failed(
                        &p.path,
                        p.format,
                        ImportError::Store(StoreError::Rejected(why.clone())),
                    ));
                }
            }
        }
        run.store_wall += t.elapsed();
        tracing::debug!(batch, elapsed = ?t.elapsed(), "batch stored");
        for r in reports {
            run.summary.add(&r);
            run.timings += r.timings;
            on_file(r);
        }
    }
    run
}

/// Imports one file.
pub async fn import_file(store: &Store, path: &Path, options: &Options) -> FileReport {
    let commit = if options.dry_run {
        Commit::No
    } else {
        Commit::Yes
    };
    let p = prepare(path, options);
    let mut session = match store.session(commit).await {
        Ok(s) => s,
        Err(e) => return FileReport::failed(path, p.format, ImportError::Store(e)),
    };
    let mut report = store_prepared(&mut session, p, options).await;
    if let Err(e) = session.finish().await
        && report.is_ok()
    {
        report.result = Err(ImportError::Store(e));
    }
    report
}

async fn store_prepared(session: &mut Session, p: Prepared, options: &Options) -> FileReport {
    let actor = options
        .actor
        .clone()
        .unwrap_or_else(|| format!("import:{}", p.path.display()));
    let mut timings = p.timings;
    let mut layout = None;
    let mut system = None;
    let mut line_warnings = Vec::new();
    let t = Instant::now();
    let result = match p.content {
        Err(e) => Err(e),
        Ok(Content::Json(meetings)) => {
            layout = Some("protokol.meeting/1".to_string());
            session
                .upsert_meetings(&meetings, &actor)
                .await
                .map(|saved| {
                    meetings
                        .iter()
                        .zip(saved)
                        .map(|(m, s)| MeetingReport::new(m, s, Vec::new()))
                        .collect()
                })
                .map_err(ImportError::from)
        }
        Ok(Content::Document {
            parsed,
            sha256,
            files,
            source_name,
            unpacked,
        }) => {
            layout = Some(match parsed.confidence {
                Confidence::High => parsed.layout.as_str().to_string(),
                c => format!("{}, confidence {}", parsed.layout.as_str(), c.as_str()),
            });
            system = parsed.system.map(|s| s.as_str().to_string());
            line_warnings = parsed
                .warnings
                .iter()
                .map(|w| LineWarning {
                    line: w.line,
                    message: w.message.clone(),
                })
                .collect();
            let source = SourceDocument {
                name: source_name.unwrap_or_else(|| file_name(&p.path)),
                sha256,
                layout: parsed.layout.as_str().to_string(),
                meeting: parsed.meeting,
            };
            let fallback = source.meeting.clone();
            let mut disagreements = Vec::new();
            let to_store: Vec<FileToStore> = files
                .iter()
                .map(|f| FileToStore {
                    sha256: &f.sha256,
                    path: &f.path,
                })
                .collect();
            let result = session
                .import_source_with_files(source, &to_store, &actor, |all| {
                    match merge::merge(all) {
                        Some((m, d)) => {
                            disagreements = d;
                            m
                        }
                        None => fallback,
                    }
                })
                .await
                .map(|(saved, merged)| vec![MeetingReport::new(&merged, saved, disagreements)])
                .map_err(ImportError::from);
            drop(unpacked);
            result
        }
    };
    timings.store = t.elapsed();
    if let Err(e) = &result {
        tracing::debug!(file = %p.path.display(), error = %e, "file not imported");
    }
    FileReport {
        path: p.path,
        format: p.format,
        layout,
        system,
        bytes: p.bytes,
        result,
        line_warnings,
        timings,
    }
}
