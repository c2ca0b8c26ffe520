//! HTML layout of a [`Document`]: a fragment the web embeds in its pages, and a standalone
//! file (`protokol render --format html`) with its own stylesheet.

use askama::Template;

use crate::document::Document;

/// The stylesheet of the document fragment; pages that embed it include this.
pub const DOCUMENT_CSS: &str = include_str!("../templates/document.css");

#[derive(Template)]
#[template(path = "document.html")]
struct Fragment<'a> {
    doc: &'a Document,
    links: bool,
}

#[derive(Template)]
#[template(path = "standalone.html")]
struct Standalone<'a> {
    doc: &'a Document,
    css: &'a str,
    fragment: &'a str,
}

/// The document as an `<article>` for embedding. With `links`, item titles link to the item
/// pages and open attachments with a file link to their download (web addresses).
pub fn fragment(doc: &Document, links: bool) -> Result<String, askama::Error> {
    Fragment { doc, links }.render()
}

/// The document as a complete HTML file (lang="da", inline stylesheet, no outside links).
pub fn standalone(doc: &Document) -> Result<String, askama::Error> {
    let fragment = fragment(doc, false)?;
    Standalone {
        doc,
        css: DOCUMENT_CSS,
        fragment: &fragment,
    }
    .render()
}
