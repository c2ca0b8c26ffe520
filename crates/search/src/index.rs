//! One tantivy index in a folder: its schema, writing a meeting's entries, and what it was
//! built from (schema version, word list, how far it follows the store's change outbox).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::indexer::UserOperation;
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::{self, Lexicon};
use crate::directory::IndexDirectory;
use crate::entries::Entry;
use crate::{Result, SearchError};

/// Moved on whenever the schema or the analysis changes: an index of another version is
/// rebuilt.
pub const SCHEMA_VERSION: u32 = 5;

/// Memory (MB) the index writer may fill before it writes a segment, in a full build with
/// the server stopped (`protokol reindex`, `bench search`). Taken only as an archive needs
/// it; at 1,000,000 entries this much makes two segments (one per indexing thread) and no
/// merges. Less makes more, smaller segments that are merged as the build goes: slower,
/// and a larger index until they are.
pub const FULL_BUILD_MB: usize = 2_600;

/// Who an index is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Built from the public read model only.
    Public,
    /// Built from meetings as stored; searched only for a reader's own bodies.
    Internal,
}

impl Audience {
    pub fn folder(&self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Internal => "internal",
        }
    }
}

/// The fields of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub meeting: Field,
    /// The item (or, for entries outside items, the place) an entry belongs to, as a
    /// number: results are collapsed to one per item by it.
    pub item_key: Field,
    pub body: Field,
    pub body_name: Field,
    pub body_slug: Field,
    pub day: Field,
    pub document: Field,
    pub item: Field,
    pub item_title: Field,
    pub part: Field,
    pub heading: Field,
    pub anchor: Field,
    pub attachment: Field,
    pub decision: Field,
    pub facets: Field,
    /// Which of its item's entries of its part the entry is (see [`Entry::nth`]). The
    /// text itself is not stored: the store has it, and snippets are made from there.
    pub nth: Field,
    pub parts: Field,
    pub exact: Field,
    pub ids: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analyzed = |name: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(name)
                .set_index_option(record)
                .set_fieldnorms(true),
        )
    };
    let fields = Fields {
        meeting: b.add_text_field("meeting", STRING | STORED),
        item_key: b.add_u64_field("item_key", FAST),
        body: b.add_text_field("body", STRING | STORED),
        body_name: b.add_text_field("body_name", STORED),
        body_slug: b.add_text_field("body_slug", STORED),
        day: b.add_i64_field("day", INDEXED | FAST | STORED),
        document: b.add_text_field("document", STORED),
        item: b.add_u64_field("item", STORED),
        item_title: b.add_text_field("item_title", STORED),
        part: b.add_text_field("part", STORED),
        heading: b.add_text_field("heading", STORED),
        anchor: b.add_text_field("anchor", STORED),
        attachment: b.add_u64_field("attachment", STORED),
        decision: b.add_text_field("decision", STORED),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        nth: b.add_u64_field("nth", STORED),
        // Stems, compounds whole and by parts and pairs of parts: no positions (a pair
        // of parts is one term, so a compound needs no phrase; quoted phrases run on
        // `exact`).
        parts: b.add_text_field(
            "parts",
            analyzed(analysis::PARTS, IndexRecordOption::WithFreqs),
        ),
        exact: b.add_text_field(
            "exact",
            analyzed(analysis::EXACT, IndexRecordOption::WithFreqsAndPositions),
        ),
        ids: b.add_text_field(
            "ids",
            analyzed(analysis::IDENTIFIER, IndexRecordOption::Basic),
        ),
    };
    (b.build(), fields)
}

/// Stored text compressed with zstd (about a third smaller than lz4 on Danish prose).
fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(Default::default()),
        ..Default::default()
    }
}

/// The number entries of one item share (the first 8 bytes of a SHA-256); an unnumbered
/// item is told apart by its title.
pub fn item_key(meeting: &str, item: Option<u32>, title: &str) -> u64 {
    let mut h = Sha256::new();
    h.update(meeting.as_bytes());
    h.update([0]);
    match item {
        Some(n) => h.update(n.to_le_bytes()),
        None => h.update(title.as_bytes()),
    }
    let d = h.finalize();
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// A date as the `day` field keeps it: 20250312.
pub fn day_number(d: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// What an index folder was built from, kept beside it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexState {
    pub schema: u32,
    pub lexicon: String,
    /// Everything in the store's change outbox up to here is in the index.
    pub watermark: i64,
    /// Whether a full build finished (a build stopped halfway leaves this false).
    pub complete: bool,
}

/// One index.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    pub(crate) fields: Fields,
    dir: Option<PathBuf>,
    pub audience: Audience,
    writer_memory: usize,
    pub(crate) lexicon: Arc<Lexicon>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("audience", &self.audience)
            .field("dir", &self.dir)
            .finish()
    }
}

const STATE_FILE: &str = "protokol-search.json";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl SearchIndex {
    /// The index in `dir`, opened if it is of this version and built with this word list,
    /// else created empty (the caller then builds it: see [`SearchIndex::state`]).
    pub fn open(dir: &Path, audience: Audience, lexicon: Arc<Lexicon>) -> Result<Self> {
        let state = read_state(dir);
        let current = state.as_ref().is_some_and(|s| {
            s.schema == SCHEMA_VERSION && s.lexicon == lexicon.compounds.fingerprint()
        });
        let index = match mapped(dir).and_then(Index::open) {
            Ok(index) if current => index,
            _ => {
                if dir.exists() {
                    tracing::info!(
                        "search index in {} is missing, of an older version or built with another word list: building it anew",
                        dir.display()
                    );
                    std::fs::remove_dir_all(dir).map_err(io(dir))?;
                }
                std::fs::create_dir_all(dir).map_err(io(dir))?;
                let (schema, _) = schema();
                let index = Index::builder()
                    .schema(schema)
                    .settings(settings())
                    .open_or_create(mapped(dir)?)?;
                write_state(
                    dir,
                    &IndexState {
                        schema: SCHEMA_VERSION,
                        lexicon: lexicon.compounds.fingerprint().to_string(),
                        watermark: 0,
                        complete: false,
                    },
                )?;
                index
            }
        };
        Self::with_index(index, Some(dir.to_path_buf()), audience, lexicon)
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory(audience: Audience, lexicon: Arc<Lexicon>) -> Result<Self> {
        let (schema, _) = schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_ram()?;
        Self::with_index(index, None, audience, lexicon)
    }

    fn with_index(
        index: Index,
        dir: Option<PathBuf>,
        audience: Audience,
        lexicon: Arc<Lexicon>,
    ) -> Result<Self> {
        for (name, analyzer) in analysis::analyzers(&lexicon) {
            index.tokenizers().register(name, analyzer);
        }
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            dir,
            audience,
            writer_memory: 30_000_000,
            lexicon,
        })
    }

    /// Memory the writer may use before it writes a segment (more is faster for a full
    /// build).
    pub fn set_writer_memory(&mut self, bytes: usize) {
        // tantivy takes 15 MB to 4 GB per indexing thread (two above 100 MB).
        self.writer_memory = bytes.clamp(15_000_000, 8_000_000_000);
    }

    /// What the index was built from (`None` for an index in memory).
    pub fn state(&self) -> Option<IndexState> {
        self.dir.as_deref().and_then(read_state)
    }

    /// Records what the index was built from (after a commit).
    pub fn set_state(&self, state: &IndexState) -> Result<()> {
        match &self.dir {
            Some(dir) => write_state(dir, state),
            None => Ok(()),
        }
    }

    fn with_writer<T>(&self, f: impl FnOnce(&mut IndexWriter) -> Result<T>) -> Result<T> {
        let mut guard = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            let threads = if self.writer_memory > 100_000_000 {
                2
            } else {
                1
            };
            let writer = self
                .index
                .writer_with_num_threads(threads, self.writer_memory)
                .map_err(|e| match e {
                    tantivy::TantivyError::LockFailure(..) => SearchError::Busy(
                        self.dir
                            .as_deref()
                            .map(|d| d.display().to_string())
                            .unwrap_or_default(),
                    ),
                    e => e.into(),
                })?;
            *guard = Some(writer);
        }
        match guard.as_mut() {
            Some(w) => f(w),
            None => unreachable!("the writer was just set"),
        }
    }

    /// Replaces what the index holds of the meeting `id` with `entries` (none: the meeting
    /// is gone or not searchable for this audience). Seen by searches after [`commit`].
    ///
    /// [`commit`]: SearchIndex::commit
    pub fn replace_meeting(&self, id: &str, entries: &[Entry]) -> Result<()> {
        // One batch: the indexing threads are woken once per meeting, not per entry.
        let mut batch = Vec::with_capacity(entries.len() + 1);
        batch.push(UserOperation::Delete(Term::from_field_text(
            self.fields.meeting,
            id,
        )));
        batch.extend(entries.iter().map(|e| UserOperation::Add(self.document(e))));
        self.with_writer(|w| {
            w.run(batch)?;
            Ok(())
        })
    }

    /// Removes everything (before a full build).
    pub fn clear(&self) -> Result<()> {
        self.with_writer(|w| {
            w.delete_all_documents()?;
            Ok(())
        })
    }

    /// Makes the changes so far durable and visible to searches.
    pub fn commit(&self) -> Result<()> {
        self.with_writer(|w| {
            w.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Merges segments and waits for the merges (after a full build).
    pub fn finish_build(&self) -> Result<()> {
        let mut guard = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(w) = guard.take() {
            w.wait_merging_threads()?;
        }
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// How many entries the index holds.
    pub fn entries(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// How many segments the index has, and what its bytes are spent on, largest first:
    /// the stored documents, and per field its term dictionary, postings and positions
    /// (fast fields and field norms together).
    pub fn space_by_part(&self) -> Result<(usize, Vec<(String, u64)>)> {
        let usage = self
            .reader
            .searcher()
            .space_usage()
            .map_err(|source| SearchError::Io {
                path: self
                    .dir
                    .as_ref()
                    .map_or_else(|| "(in memory)".into(), |d| d.display().to_string()),
                source,
            })?;
        let mut parts: std::collections::BTreeMap<String, u64> = Default::default();
        for seg in usage.segments() {
            let mut add = |name: String, bytes: u64| *parts.entry(name).or_default() += bytes;
            add("stored documents".into(), seg.store().total().get_bytes());
            for (what, per) in [
                ("terms", seg.termdict()),
                ("postings", seg.postings()),
                ("positions", seg.positions()),
            ] {
                for f in per.fields() {
                    add(
                        format!("{what} of {}", f.field_name()),
                        f.total().get_bytes(),
                    );
                }
            }
            add(
                "fast fields and norms".into(),
                seg.fast_fields().total().get_bytes() + seg.fieldnorms().total().get_bytes(),
            );
        }
        let mut parts: Vec<(String, u64)> = parts.into_iter().filter(|(_, b)| *b > 0).collect();
        parts.sort_by_key(|(_, b)| std::cmp::Reverse(*b));
        Ok((usage.segments().len(), parts))
    }

    /// Bytes the index takes on disk (0 in memory).
    pub fn size_on_disk(&self) -> u64 {
        let Some(dir) = &self.dir else { return 0 };
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }

    fn document(&self, e: &Entry) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.meeting, &e.meeting_id);
        d.add_u64(f.item_key, item_key(&e.meeting_id, e.item, &e.item_title));
        d.add_text(f.body, &e.body_code);
        d.add_text(f.body_name, &e.body_name);
        d.add_text(f.body_slug, &e.body_slug);
        d.add_i64(f.day, day_number(e.date));
        d.add_text(f.document, e.document);
        if let Some(n) = e.item {
            d.add_u64(f.item, u64::from(n));
        }
        d.add_text(f.item_title, &e.item_title);
        d.add_text(f.part, e.part.key());
        d.add_text(f.heading, &e.heading);
        d.add_text(f.anchor, &e.anchor);
        if let Some(a) = e.attachment {
            d.add_u64(f.attachment, u64::from(a));
        }
        if let Some(k) = e.decision {
            d.add_text(f.decision, k);
        }
        for facet in crate::search::facets_of(e) {
            d.add_facet(f.facets, facet);
        }
        d.add_u64(f.nth, u64::from(e.nth));
        // The item's title is searched with every part of the item, so "budget
        // godkendt" finds the decision of the item titled "Budget 2026".
        let searched = if e.item_title.is_empty() || e.part == crate::Part::Title {
            e.text.clone()
        } else {
            format!("{}\n{}", e.item_title, e.text)
        };
        d.add_text(f.parts, &searched);
        d.add_text(f.exact, &searched);
        let mut ids = analysis::identifiers(&e.text);
        ids.extend(e.identifiers.iter().map(|i| i.trim().to_lowercase()));
        ids.sort();
        ids.dedup();
        for i in ids {
            d.add_text(f.ids, &i);
        }
        d
    }
}

/// The index files in `dir` (see [`IndexDirectory`]).
fn mapped(dir: &Path) -> tantivy::Result<IndexDirectory> {
    IndexDirectory::open(dir).map_err(tantivy::TantivyError::from)
}

fn read_state(dir: &Path) -> Option<IndexState> {
    let text = std::fs::read_to_string(dir.join(STATE_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_state(dir: &Path, state: &IndexState) -> Result<()> {
    let path = dir.join(STATE_FILE);
    let tmp = dir.join(format!("{STATE_FILE}.tmp"));
    let json = serde_json::to_vec_pretty(state).unwrap_or_default();
    std::fs::write(&tmp, json).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(())
}
