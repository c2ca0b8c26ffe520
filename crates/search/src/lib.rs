//! Search over protokol's record: Danish analysis (stems, compounds, aa/å), an embedded
//! tantivy index per audience, queries with facets, snippets and suggestions.
//!
//! Two indexes, never mixed: the public index holds entries made from the public read
//! model only, so nothing closed can reach a public hit, count, facet, snippet, suggestion
//! or score; the internal index holds the meetings as stored, each entry marked with its
//! body, and is searched only for a reader's own bodies (everything else of such a reader's
//! search comes from the public index). See [`Search`].
//!
//! This crate knows nothing of the store: callers hand it meetings (see [`entries`]) and
//! keep it current. The index keeps no copy of the text: a search gives its hits' places
//! ([`Found::places`]), the caller reads their texts from the store and the search makes
//! the snippets ([`Found::finish`]).

pub mod analysis;
pub mod compounds;
mod conjunction;
pub mod counting;
mod directory;
pub mod entries;
pub mod index;
pub mod query;
pub mod search;

pub use compounds::Compounds;
pub use entries::{Entry, Part, Place, decision_kind, entries, entry_text};
pub use index::{Audience, FULL_BUILD_MB, IndexState, SearchIndex};
pub use query::{Filters, Request, Sort};
pub use search::{Facet, FacetValue, Found, Hit, Results, Search};

/// What can go wrong in search.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index folder {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the search index in {0} is in use by another protokol process (stop the server, or let it keep the index current itself)"
    )]
    Busy(String),
}

pub type Result<T> = std::result::Result<T, SearchError>;
