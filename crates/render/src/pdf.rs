//! PDF layout of a [`Document`] with typst used as a library: A4, embedded Source Sans 3,
//! running header, "Side x af y", a table of contents with page numbers, headings as
//! bookmarks, Danish as the document language and tagged PDF/UA-1 output.
//!
//! The typst template (`templates/document.typ`) reads the document as JSON from a virtual
//! file; fonts and the standard library are built once per process.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::document::Document;
use crate::fonts;

const TEMPLATE: &str = include_str!("../templates/document.typ");

/// Why a PDF could not be made. The message names typst's own diagnostics; it never holds
/// document text beyond what the template itself reports.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("could not lay out the document: {0}")]
    Layout(String),
    #[error("could not write the PDF: {0}")]
    Export(String),
    #[error("could not serialise the document for layout: {0}")]
    Data(#[from] serde_json::Error),
}

struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    data: FileId,
    source: Source,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = fonts::TTF
        .iter()
        .filter_map(|bytes| Font::new(Bytes::new(*bytes), 0))
        .collect();
    let id = |p: &str| {
        VirtualPath::new(p)
            .map(|v| RootedPath::new(VirtualRoot::Project, v).intern())
            .unwrap_or_else(|e| panic!("virtual path {p}: {e:?}"))
    };
    let main = id("/main.typ");
    Shared {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        main,
        data: id("/data.json"),
        source: Source::new(main, TEMPLATE.to_string()),
    }
});

/// One compilation: the shared template and fonts, and this document's data.
struct DocWorld {
    shared: &'static Shared,
    data: Bytes,
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.shared.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.shared.main {
            Ok(self.shared.source.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.data {
            Ok(self.data.clone())
        } else if id == self.shared.main {
            Ok(Bytes::from_string(self.shared.source.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Documents never print "today": the same meeting renders to the same PDF.
        None
    }
}

fn describe(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Lays out `doc` and writes it as PDF/UA-1 (tagged, Danish, with bookmarks).
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    render_counted(doc).map(|(pdf, _)| pdf)
}

/// [`render`], also returning the number of pages.
pub fn render_counted(doc: &Document) -> Result<(Vec<u8>, usize), PdfError> {
    render_data(serde_json::to_vec(doc)?, &ident(doc))
}

/// The PDF's identifier: the same document gives the same PDF.
fn ident(doc: &Document) -> String {
    format!(
        "protokol/{}/{}/{}",
        doc.file_stem(),
        doc.extract,
        doc.items.first().and_then(|i| i.number).unwrap_or(0)
    )
}

/// What a render worker process is given for `doc` (see [`render_worker_input`]): the
/// document as the layout reads it, and the PDF's identifier.
pub fn worker_input(doc: &Document) -> Result<Vec<u8>, PdfError> {
    Ok(serde_json::to_vec(&serde_json::json!({
        "ident": ident(doc),
        "document": doc,
    }))?)
}

/// Lays out what [`worker_input`] wrote (in a worker process, so that typst's memory is
/// never held by the server); the PDF and its number of pages.
pub fn render_worker_input(input: &[u8]) -> Result<(Vec<u8>, usize), PdfError> {
    let v: serde_json::Value = serde_json::from_slice(input)?;
    let ident = v
        .get("ident")
        .and_then(|i| i.as_str())
        .ok_or_else(|| PdfError::Layout("the worker input names no \"ident\"".into()))?
        .to_string();
    let document = v
        .get("document")
        .ok_or_else(|| PdfError::Layout("the worker input holds no \"document\"".into()))?;
    render_data(serde_json::to_vec(document)?, &ident)
}

/// Lays out a document given as the JSON the layout reads.
fn render_data(data: Vec<u8>, ident: &str) -> Result<(Vec<u8>, usize), PdfError> {
    let world = DocWorld {
        shared: &SHARED,
        data: Bytes::new(data),
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    for w in &compiled.warnings {
        tracing::debug!(warning = %w.message, "typst");
    }
    let paged = compiled
        .output
        .map_err(|diags| PdfError::Layout(describe(&diags)))?;
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some("protokol".to_string())),
        standards: PdfStandards::new(&[PdfStandard::Ua_1])
            .map_err(|e| PdfError::Export(e.message().to_string()))?,
        ..PdfOptions::default()
    };
    let pdf =
        typst_pdf::pdf(&paged, &options).map_err(|diags| PdfError::Export(describe(&diags)))?;
    // typst memoises layouts across compilations; keep that cache bounded in a long-running
    // server.
    comemo::evict(1);
    Ok((pdf, paged.pages().len()))
}

/// Forgets typst's memoised layouts, so the next [`render`] lays everything out afresh (the
/// fonts stay loaded). For benchmarks that must not time a memo hit.
pub fn forget_layouts() {
    comemo::evict(1);
}
