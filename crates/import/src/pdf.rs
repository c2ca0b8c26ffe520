//! Text out of PDF files: poppler's `pdftotext -layout` (best reading order) when it is
//! installed, the pure-Rust `pdf-extract` otherwise.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use crate::ImportError;

/// Which extractor read a PDF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extractor {
    Pdftotext,
    PdfExtract,
}

fn pdftotext_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("pdftotext")
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
    })
}

/// The text of a PDF whose bytes are `bytes` (read from `path`), pages separated by form
/// feeds.
pub fn extract(path: &Path, bytes: &[u8]) -> Result<(String, Extractor), ImportError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(ImportError::Pdf(
            "the file does not start with %PDF-: not a PDF".into(),
        ));
    }
    let (text, extractor) = if pdftotext_available() {
        let out = Command::new("pdftotext")
            .args(["-layout", "-enc", "UTF-8", "-q"])
            .arg(path)
            .arg("-")
            .output()
            .map_err(|e| ImportError::Pdf(format!("cannot run pdftotext: {e}")))?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            let why = why.lines().next().unwrap_or("").trim();
            return Err(ImportError::Pdf(if why.is_empty() {
                "the PDF is damaged or truncated (pdftotext could not read it)".into()
            } else {
                format!("the PDF is damaged or truncated: {why}")
            }));
        }
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            Extractor::Pdftotext,
        )
    } else {
        let owned = bytes.to_vec();
        // pdf-extract can panic on malformed files; a panic must not take the import down.
        let result = std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem(&owned));
        match result {
            Ok(Ok(t)) => (t, Extractor::PdfExtract),
            Ok(Err(e)) => {
                return Err(ImportError::Pdf(format!(
                    "the PDF is damaged or truncated: {e}"
                )));
            }
            Err(_) => return Err(ImportError::Pdf("the PDF is damaged or truncated".into())),
        }
    };
    // Word joiners that some PDF producers put before page numbers.
    let text = text.replace('\u{2060}', "");
    if text.chars().all(|c| c.is_whitespace()) {
        return Err(ImportError::NoTextLayer);
    }
    Ok((text, extractor))
}
