//! The published record: a meeting's agenda or minutes, or a single-item extract, as HTML
//! and as PDF, in a public and an internal edition.
//!
//! Data flows one way: [`Document::build`] turns a stored meeting into a display model
//! (applying the access policy for the edition first), then [`html`] and [`pdf`] lay that
//! same model out. Neither layout reads the meeting itself, so both always show the same
//! content and neither can show more than the edition allows.

mod document;
pub mod html;
pub mod pdf;

pub use document::{
    AttachmentDoc, Block, DocKind, Document, DocumentError, Edition, ItemDoc, NextDoc,
    OverviewGroup, PlanDoc, Scope, SignatureDoc, SubPointDoc, blocks,
};

/// Source Sans 3 (SIL Open Font License), the typeface of every document: embedded in the
/// PDFs and served to browsers as WOFF2.
pub mod fonts {
    /// (file name, WOFF2 bytes) for the web.
    pub const WOFF2: [(&str, &[u8]); 4] = [
        (
            "SourceSans3-Regular.woff2",
            include_bytes!("../../../assets/fonts/SourceSans3-Regular.ttf.woff2"),
        ),
        (
            "SourceSans3-It.woff2",
            include_bytes!("../../../assets/fonts/SourceSans3-It.ttf.woff2"),
        ),
        (
            "SourceSans3-Semibold.woff2",
            include_bytes!("../../../assets/fonts/SourceSans3-Semibold.ttf.woff2"),
        ),
        (
            "SourceSans3-Bold.woff2",
            include_bytes!("../../../assets/fonts/SourceSans3-Bold.ttf.woff2"),
        ),
    ];

    /// The TrueType files typst embeds.
    pub(crate) const TTF: [&[u8]; 4] = [
        include_bytes!("../../../assets/fonts/SourceSans3-Regular.ttf"),
        include_bytes!("../../../assets/fonts/SourceSans3-It.ttf"),
        include_bytes!("../../../assets/fonts/SourceSans3-Semibold.ttf"),
        include_bytes!("../../../assets/fonts/SourceSans3-Bold.ttf"),
    ];
}
