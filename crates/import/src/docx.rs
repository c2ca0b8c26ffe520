//! Word documents (.docx) of agendas and minutes, read as text with their headings, then
//! understood like any published document.
//!
//! A .docx is a zip file whose `word/document.xml` holds the text. When the zip's directory
//! at its end is missing (a truncated file), the entries are read one by one from the
//! start, which recovers the text whenever `word/document.xml` itself is whole — and the
//! report says the file was damaged. The XML is read by a tolerant scanner (paragraphs,
//! text runs, tabs, line breaks, heading styles), so that a cut-off document still gives
//! the text before the cut.

use std::io::{Cursor, Read};
use std::sync::LazyLock;

use regex::Regex;

use crate::ImportError;

/// The most `word/document.xml` may unpack to (256 MiB).
const MAX_DOCUMENT_XML: u64 = 256 * 1024 * 1024;

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<(/?)w:(p|t|tab|br|cr|pStyle)\b([^>]*?)(/?)>"#).unwrap_or_else(|e| panic!("{e}"))
});
static STYLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"w:val="([^"]*)""#).unwrap_or_else(|e| panic!("{e}")));

fn bounded(mut r: impl Read, name: &str) -> Result<Vec<u8>, ImportError> {
    let mut out = Vec::new();
    (&mut r)
        .take(MAX_DOCUMENT_XML + 1)
        .read_to_end(&mut out)
        .map_err(|e| ImportError::Docx(format!("{name} cannot be unpacked: {e}")))?;
    if out.len() as u64 > MAX_DOCUMENT_XML {
        return Err(ImportError::Docx(format!(
            "{name} unpacks to more than {MAX_DOCUMENT_XML} bytes"
        )));
    }
    Ok(out)
}

/// The text of a .docx (its bytes, read once by the caller) and whether it had to be
/// recovered from a damaged file.
pub(crate) fn read(bytes: &[u8]) -> Result<(String, bool), ImportError> {
    const PART: &str = "word/document.xml";
    let (xml, recovered) = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(mut archive) => {
            let entry = archive.by_name(PART).map_err(|_| {
                ImportError::Docx("not a Word document: it has no word/document.xml".into())
            })?;
            (bounded(entry, PART)?, false)
        }
        Err(_) => {
            // No central directory: read the entries from the start.
            let mut reader = Cursor::new(bytes);
            let mut found = None;
            for _ in 0..10_000 {
                match zip::read::read_zipfile_from_stream(&mut reader) {
                    Ok(Some(entry)) => {
                        if entry.name().is_ok_and(|n| n == PART) {
                            found = Some(bounded(entry, PART)?);
                            break;
                        }
                    }
                    Ok(None) | Err(_) => break,
                }
            }
            let xml = found.ok_or_else(|| {
                ImportError::Docx(
                    "the Word file is damaged (not a readable zip) and its text (word/document.xml) cannot be recovered"
                        .into(),
                )
            })?;
            (xml, true)
        }
    };
    let xml = String::from_utf8_lossy(&xml);
    Ok((text_of(&xml), recovered))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of `word/document.xml`: one paragraph per `w:p` (blank line between), headings
/// as paragraphs of their own, tabs as spaces, line breaks kept.
pub(crate) fn text_of(xml: &str) -> String {
    let mut out = String::new();
    let mut para = String::new();
    let mut in_text = false;
    let mut last = 0;
    for c in TAG.captures_iter(xml) {
        let Some(m) = c.get(0) else { continue };
        if in_text {
            para.push_str(&unescape(&xml[last..m.start()]));
        }
        last = m.end();
        let closing = &c[1] == "/";
        let self_closing = &c[4] == "/";
        match &c[2] {
            "t" => in_text = !closing && !self_closing,
            "tab" if !closing => para.push(' '),
            "br" | "cr" if !closing => para.push('\n'),
            "pStyle" => {
                let heading = STYLE.captures(&c[3]).is_some_and(|s| {
                    let v = s[1].to_lowercase();
                    v.contains("heading") || v.contains("overskrift") || v == "title"
                });
                if heading && !para.trim().is_empty() {
                    // A heading style met inside a paragraph with text: keep them apart.
                    para.push('\n');
                }
            }
            "p" if closing || self_closing => {
                let p = para.trim();
                if !p.is_empty() {
                    if !out.is_empty() {
                        out.push_str("\n\n");
                    }
                    out.push_str(p);
                }
                para.clear();
                in_text = false;
            }
            _ => {}
        }
    }
    if in_text {
        para.push_str(&unescape(&xml[last..]));
    }
    let p = para.trim();
    if !p.is_empty() {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_runs_tabs_and_entities() {
        let xml = r#"<w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Referat</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Mødedato: </w:t></w:r><w:r><w:tab/><w:t>19. november 2025</w:t></w:r></w:p>
<w:p><w:r><w:t>A &amp; B</w:t><w:br/><w:t>ny linje</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>afbrudt tek"#;
        assert_eq!(
            text_of(xml),
            "Referat\n\nMødedato:  19. november 2025\n\nA & B\nny linje\n\nafbrudt tek"
        );
    }
}
