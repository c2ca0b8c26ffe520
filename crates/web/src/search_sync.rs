//! The search indexes of this node, built from the store and kept current by following the
//! store's search outbox.
//!
//! The public index is made only from the public read model (the public record and public
//! attachments' texts); the internal index from meetings as stored. Each node has its own
//! indexes in its data folder and follows the outbox on its own, so a change made on any
//! node reaches every node's search within about a second.
//!
//! Outbox sequence numbers can commit out of order on PostgreSQL: a transaction holding
//! number 7 may commit after the one holding 8. The follower therefore indexes every row it
//! has not seen yet, but moves its watermark (where it restarts from) past a missing number
//! only once that number appears, or after [`HOLE_PATIENCE`], when the transaction that held
//! it must have rolled back.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use protokol_core::Meeting;
use protokol_search::analysis::Lexicon;
use protokol_search::{
    Audience, Entry, IndexState, Place, Request, Results, Search, SearchIndex, entries, entry_text,
};
use protokol_store::Store;
use tokio::sync::Mutex;

/// How long a missing outbox number may hold back the watermark.
pub const HOLE_PATIENCE: Duration = Duration::from_secs(120);
/// How often the follower looks at the outbox.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(400);
/// Outbox rows older than this are pruned (a node away longer rebuilds).
const OUTBOX_KEEP_DAYS: i64 = 7;
/// How many outbox numbers before a full build's start the follower looks back over for
/// changes that were not yet committed when the build read the store.
const BUILD_LOOKBACK: i64 = 1_000;
/// Meetings per transaction of the index during a full build.
const BUILD_BATCH: usize = 200;

/// Where the follower is in the outbox.
#[derive(Debug, Default)]
struct Follow {
    watermark: i64,
    seen: BTreeSet<i64>,
    holes: BTreeMap<i64, Instant>,
    last_prune: Option<Instant>,
}

/// This node's search.
#[derive(Debug)]
pub struct SearchService {
    pub search: Search,
    /// False while a full build runs (results may be incomplete).
    ready: AtomicBool,
    follow: Mutex<Follow>,
}

/// A meeting as each index should hold it.
struct Indexable {
    id: String,
    public: Option<Meeting>,
    internal: Option<Meeting>,
}

async fn load(store: &Store, id: &str) -> Result<Indexable, protokol_store::StoreError> {
    Ok(Indexable {
        id: id.to_string(),
        public: store.public_searchable(id).await?,
        internal: store.stored_searchable(id).await?,
    })
}

/// A hit's meeting as its reader may see it, with its searchable entries.
type MeetingEntries = (Meeting, Vec<Entry>);

/// The text at each place, as the store holds it now (`None` where it is gone): each
/// meeting read, and its entries made, once.
pub async fn hit_texts(store: &Store, places: &[Place]) -> SyncResult<Vec<Option<String>>> {
    // The public hits' meetings in one query.
    let public: Vec<&str> = places
        .iter()
        .filter(|p| p.audience == Audience::Public)
        .map(|p| p.meeting_id.as_str())
        .collect();
    let mut public = store.public_record_meetings(&public).await?;
    let mut meetings: HashMap<(&str, Audience), Option<MeetingEntries>> = HashMap::new();
    let mut out = Vec::with_capacity(places.len());
    for p in places {
        let key = (p.meeting_id.as_str(), p.audience);
        if let std::collections::hash_map::Entry::Vacant(slot) = meetings.entry(key) {
            let meeting = match p.audience {
                Audience::Public => public.remove(&p.meeting_id),
                Audience::Internal => store.stored_searchable(&p.meeting_id).await?,
            };
            slot.insert(meeting.map(|m| {
                let list = entries(&m, &p.meeting_id, &|_, _| None);
                (m, list)
            }));
        }
        let Some(Some((m, list))) = meetings.get(&key) else {
            out.push(None);
            continue;
        };
        let text = match (p.audience, p.item, p.attachment) {
            // The public record keeps its attachments' texts apart.
            (Audience::Public, Some(item), Some(number)) => {
                match store
                    .public_attachment_text(&p.meeting_id, item, number)
                    .await?
                {
                    Some(t) => entry_text(m, p, Some(&t)),
                    None => None,
                }
            }
            _ => list.iter().find(|e| p.is_of(e)).map(|e| e.text.clone()),
        };
        out.push(text);
    }
    Ok(out)
}

/// What can stop indexing.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] protokol_store::StoreError),
    #[error(transparent)]
    Search(#[from] protokol_search::SearchError),
    #[error("indexing task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub type SyncResult<T> = Result<T, SyncError>;

impl SearchService {
    /// The indexes in `dir` (`public/` and `internal/`), opened as they are: see
    /// [`SearchService::needs_build`].
    pub fn open(dir: &Path, lexicon: Arc<Lexicon>) -> SyncResult<Self> {
        let public =
            SearchIndex::open(&dir.join("public"), Audience::Public, Arc::clone(&lexicon))?;
        let internal = SearchIndex::open(&dir.join("internal"), Audience::Internal, lexicon)?;
        let watermark = public.state().map_or(0, |s| s.watermark);
        Ok(Self {
            search: Search {
                public,
                internal: Some(internal),
            },
            ready: AtomicBool::new(true),
            follow: Mutex::new(Follow {
                watermark,
                ..Follow::default()
            }),
        })
    }

    /// The memory each index's writer may fill before it writes a segment (a full build
    /// with the server stopped may use much more than the server's own default).
    pub fn with_writer_memory(mut self, bytes: usize) -> Self {
        self.search.public.set_writer_memory(bytes);
        if let Some(internal) = self.search.internal.as_mut() {
            internal.set_writer_memory(bytes);
        }
        self
    }

    /// Indexes in memory (tests).
    pub fn in_memory(lexicon: Arc<Lexicon>) -> SyncResult<Self> {
        Ok(Self {
            search: Search {
                public: SearchIndex::in_memory(Audience::Public, Arc::clone(&lexicon))?,
                internal: Some(SearchIndex::in_memory(Audience::Internal, lexicon)?),
            },
            ready: AtomicBool::new(true),
            follow: Mutex::new(Follow::default()),
        })
    }

    /// A search with its snippets, as the public (`bodies` empty) or as a member or
    /// secretary of `bodies`. The indexes do not keep the text: each hit's text is taken
    /// from the store as it is now, a public hit's from the public record and an internal
    /// hit's from the meeting as stored (a hit whose place the store no longer holds is
    /// left out). Bounded: one page of hits, at most one meeting read per hit.
    pub async fn search(
        self: &Arc<Self>,
        store: &Store,
        request: Request,
        bodies: Vec<String>,
    ) -> SyncResult<Results> {
        let this = Arc::clone(self);
        let found =
            tokio::task::spawn_blocking(move || this.search.find(&request, &bodies)).await??;
        let places: Vec<Place> = found.places().cloned().collect();
        let texts = hit_texts(store, &places).await?;
        Ok(tokio::task::spawn_blocking(move || found.finish(texts)).await?)
    }

    /// Whether a full build is running.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    fn indexes(&self) -> impl Iterator<Item = &SearchIndex> {
        std::iter::once(&self.search.public).chain(self.search.internal.iter())
    }

    /// Whether the indexes must be built from the store: new, of an older version, stopped
    /// halfway through a build, or behind what the outbox still holds.
    pub async fn needs_build(&self, store: &Store) -> SyncResult<bool> {
        let (lo, _) = store.search_outbox_span().await?;
        let states: Vec<Option<IndexState>> = self.indexes().map(SearchIndex::state).collect();
        Ok(states.iter().any(|s| match s {
            // In memory: nothing kept, build.
            None => true,
            Some(s) => !s.complete || (lo > 0 && s.watermark < lo - 1),
        }))
    }

    fn apply(&self, batch: &[Indexable]) -> SyncResult<()> {
        for m in batch {
            let public = m
                .public
                .as_ref()
                .map(|p| entries(p, &m.id, &|_, _| None))
                .unwrap_or_default();
            self.search.public.replace_meeting(&m.id, &public)?;
            if let Some(internal) = &self.search.internal {
                let stored = m
                    .internal
                    .as_ref()
                    .map(|s| entries(s, &m.id, &|_, _| None))
                    .unwrap_or_default();
                internal.replace_meeting(&m.id, &stored)?;
            }
        }
        Ok(())
    }

    fn commit(&self, watermark: Option<i64>, complete: Option<bool>) -> SyncResult<()> {
        for index in self.indexes() {
            index.commit()?;
            if let Some(mut state) = index.state() {
                if let Some(w) = watermark {
                    state.watermark = w;
                }
                if let Some(c) = complete {
                    state.complete = c;
                }
                index.set_state(&state)?;
            }
        }
        Ok(())
    }

    /// Builds both indexes from the store; `progress` hears (done, total) meetings.
    /// Changes made meanwhile are picked up by the follower afterwards (from the outbox
    /// position read before the build started).
    pub async fn rebuild(
        self: &Arc<Self>,
        store: &Store,
        mut progress: impl FnMut(u64, u64),
    ) -> SyncResult<u64> {
        self.ready.store(false, Ordering::Relaxed);
        let (_, start) = store.search_outbox_span().await?;
        // What was committed when the build began is read by the build; a number below
        // `start` that is missing now may belong to a transaction still running, whose
        // change the build will not see: the follower waits for those.
        let low = (start - BUILD_LOOKBACK).max(0);
        let committed: BTreeSet<i64> = store
            .search_outbox_after(low, BUILD_LOOKBACK + 1)
            .await?
            .into_iter()
            .map(|r| r.seq)
            .filter(|s| *s <= start)
            .collect();
        let total = store.meeting_total().await?;
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || -> SyncResult<()> {
            for index in this.indexes() {
                index.clear()?;
            }
            this.commit(Some(0), Some(false))
        })
        .await??;
        let mut after = String::new();
        let mut done = 0;
        loop {
            let ids = store.meeting_ids_after(&after, BUILD_BATCH as i64).await?;
            let Some(last) = ids.last() else { break };
            after = last.clone();
            let mut batch = Vec::with_capacity(ids.len());
            for id in &ids {
                batch.push(load(store, id).await?);
            }
            done += batch.len() as u64;
            let this = Arc::clone(self);
            tokio::task::spawn_blocking(move || this.apply(&batch)).await??;
            progress(done, total);
        }
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || -> SyncResult<()> {
            this.commit(Some(low), Some(true))?;
            for index in this.indexes() {
                index.finish_build()?;
            }
            Ok(())
        })
        .await??;
        {
            let mut f = self.follow.lock().await;
            *f = Follow {
                watermark: low,
                seen: committed,
                ..Follow::default()
            };
        }
        self.ready.store(true, Ordering::Relaxed);
        Ok(done)
    }

    /// Indexes what the outbox holds that this node has not indexed; returns how many
    /// meetings were indexed again.
    pub async fn follow_once(self: &Arc<Self>, store: &Store) -> SyncResult<usize> {
        let mut f = self.follow.lock().await;
        let rows = store.search_outbox_after(f.watermark, 10_000).await?;
        let mut ids = HashSet::new();
        let mut newest = f.watermark;
        for r in &rows {
            if f.seen.insert(r.seq) {
                ids.insert(r.meeting_id.clone());
            }
            newest = newest.max(r.seq);
        }
        let now = Instant::now();
        if newest - f.watermark <= 100_000 {
            for s in (f.watermark + 1)..=newest {
                if !f.seen.contains(&s) {
                    f.holes.entry(s).or_insert(now);
                }
            }
        }
        loop {
            let next = f.watermark + 1;
            // Passed once seen, or once missing for longer than a transaction can run.
            let given_up = f
                .holes
                .get(&next)
                .is_some_and(|since| now.duration_since(*since) >= HOLE_PATIENCE);
            if !(f.seen.remove(&next) || given_up) {
                break;
            }
            f.holes.remove(&next);
            f.watermark = next;
        }
        let watermark = f.watermark;
        if f.last_prune
            .is_none_or(|t| now.duration_since(t) > Duration::from_secs(3600))
        {
            f.last_prune = Some(now);
            let before = (chrono::Utc::now() - chrono::Duration::days(OUTBOX_KEEP_DAYS))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            if let Err(e) = store.prune_search_outbox(&before).await {
                tracing::warn!("cannot prune the search outbox: {e}");
            }
        }
        drop(f);
        if ids.is_empty() && rows.is_empty() {
            return Ok(0);
        }
        let mut batch = Vec::with_capacity(ids.len());
        for id in &ids {
            batch.push(load(store, id).await?);
        }
        let n = batch.len();
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || -> SyncResult<()> {
            this.apply(&batch)?;
            this.commit(Some(watermark), None)
        })
        .await??;
        if n > 0 {
            tracing::debug!("search: indexed {n} changed meetings (outbox at {watermark})");
        }
        Ok(n)
    }

    /// Builds the indexes if they need it, then follows the outbox for as long as the
    /// program runs. The site serves meanwhile; search says while it is incomplete.
    pub fn spawn(self: Arc<Self>, store: Store) {
        tokio::spawn(async move {
            match self.needs_build(&store).await {
                Ok(true) => {
                    tracing::info!("building the search indexes from the store");
                    let started = Instant::now();
                    match self.rebuild(&store, |_, _| {}).await {
                        Ok(n) => tracing::info!(
                            "search indexes built: {n} meetings in {:.1} s",
                            started.elapsed().as_secs_f64()
                        ),
                        Err(e) => tracing::error!("cannot build the search indexes: {e}"),
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::error!("cannot read the search outbox: {e}"),
            }
            loop {
                if let Err(e) = self.follow_once(&store).await {
                    tracing::warn!("search: cannot follow the outbox: {e}");
                }
                tokio::time::sleep(FOLLOW_EVERY).await;
            }
        });
    }
}
