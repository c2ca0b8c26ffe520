//! Reading published agendas and minutes into protokol meetings.
//!
//! Input is the text of a document (extracted from PDF by the import crate, or a text
//! export); output is a [`protokol_core::Meeting`] with every fact the document states, the
//! layout that was recognised and warnings for lines that could not be placed. The rules
//! are written for the family of Danish municipal documents, not for particular files:
//! - full documents (DAGSORDEN, REFERAT, BESLUTNINGSPROTOKOL, BESLUTNINGSREFERAT) with a
//!   front page (Sted, Dato, Start kl., Slut kl., Medlemmer, Fraværende), a table of
//!   contents, numbered items, an attachment overview and a signature page;
//! - single-item extracts with a running page header ("Direktionen 06-09-2023").
//!
//! This crate does no I/O and never panics on any input (it is fuzzed).

pub mod attachments;
pub mod bodies;
pub mod dates;
mod document;
pub mod edoc_xml;
pub mod facts;
pub mod firstagenda;
pub mod front;
pub mod html;
pub mod loose;
pub mod publication_xml;
pub mod rebreak;
pub mod schedule;
pub mod sections;
pub mod stated;
pub mod system;
pub mod text;
mod xml;

use protokol_core::Meeting;
pub use serde_free::Layout;

pub use document::parse_document;
pub use firstagenda::{looks_like_firstagenda, parse_firstagenda};
pub use loose::{Confidence, parse_loosely};

/// A pattern written in the code (a mistake in it is a bug found by the first test).
pub(crate) fn re(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{e}"))
}

/// A line of the input the parser could not place, with its line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

mod serde_free {
    /// The layout a document was recognised as.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Layout {
        /// A complete agenda or minutes with a front page.
        FullDocument,
        /// One item, with a running page header naming the body and date.
        ItemExtract,
        /// FirstAgenda's publication JSON.
        FirstAgendaJson,
        /// A layout no reader knows, read by the generic reader.
        Generic,
        /// An ESDH publishing export in the `<Publication>` XML family.
        PublicationXml,
        /// An eDoc (Fujitsu) publishing export's XML.
        EdocXml,
    }

    impl Layout {
        pub fn as_str(&self) -> &'static str {
            match self {
                Self::FullDocument => "full_document",
                Self::ItemExtract => "item_extract",
                Self::FirstAgendaJson => "firstagenda_json",
                Self::Generic => "generic",
                Self::PublicationXml => "publication_xml",
                Self::EdocXml => "edoc_xml",
            }
        }

        /// The publishing system a structured source's shape belongs to.
        pub fn system(&self) -> Option<crate::system::System> {
            use crate::system::System;
            match self {
                Self::FirstAgendaJson => Some(System::FirstAgenda),
                Self::EdocXml => Some(System::Edoc),
                _ => None,
            }
        }
    }
}

/// What a document was understood to say.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub meeting: Meeting,
    pub layout: Layout,
    pub warnings: Vec<Warning>,
    /// How sure the reader is: high for a recognised layout.
    pub confidence: Confidence,
    /// The publishing system that produced the source, where it could be told.
    pub system: Option<system::System>,
}

/// Item numbers must be unique: a repeated number is dropped with a warning.
pub(crate) fn unnumber_repeats(items: &mut [protokol_core::Item], warnings: &mut Vec<Warning>) {
    let mut numbers = std::collections::HashSet::new();
    for item in items {
        if let Some(n) = item.number
            && !numbers.insert(n)
        {
            warnings.push(Warning {
                line: 0,
                message: format!("item number {n} appears twice; the second item keeps no number"),
            });
            item.number = None;
        }
    }
}

/// The last step of every reader: the meeting names its source and must be valid.
pub(crate) fn finish(
    mut meeting: Meeting,
    source: &str,
    layout: Layout,
    warnings: Vec<Warning>,
    confidence: Confidence,
) -> Result<Parsed, ParseError> {
    meeting.sources = vec![source.to_string()];
    if let Some(problem) = protokol_core::validate_meeting(&meeting).into_iter().next() {
        return Err(ParseError::Invalid {
            line: 0,
            reason: problem.to_string(),
        });
    }
    Ok(Parsed {
        meeting,
        layout,
        warnings,
        confidence,
        system: layout.system(),
    })
}

/// Reads a published agenda or minutes: by the reader of its layout when one recognises
/// it, else by the generic reader ([`loose`]), which imports whatever structure it can find
/// in a document that names a body and a date. `Err` only for what is not a meeting record
/// (or a date that does not exist).
/// A text that lost its line breaks has them put back first ([`rebreak`]).
pub fn read_document(raw: &str, source: &str) -> Result<Parsed, ParseError> {
    let text = rebreak::restore_breaks(raw);
    match parse_document(&text, source) {
        Ok(p) => Ok(p),
        Err(ParseError::NotAMeeting | ParseError::NoDate { .. } | ParseError::NoItems) => {
            loose::parse_loosely(&text, source)
        }
        Err(e) => Err(e),
    }
}

/// Why a text could not be read as a meeting document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the document has no text")]
    Empty,
    #[error(
        "not a meeting document: no body (such as \"Økonomiudvalget\" or \"Byrådet\") and meeting date found near its start"
    )]
    NotAMeeting,
    #[error("line {line}: the meeting date {text:?} does not exist")]
    BadDate { line: usize, text: String },
    #[error("line {line}: no meeting date found on the front page")]
    NoDate { line: usize },
    #[error(
        "no agenda items found (an item is a title followed by \"Åben sag\" or \"Lukket sag\")"
    )]
    NoItems,
    #[error("line {line}: {reason}")]
    Invalid { line: usize, reason: String },
    /// A structured source that lacks what a meeting needs.
    #[error("{0}")]
    Source(String),
}
