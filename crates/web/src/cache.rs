//! Rendered documents kept in memory, so serving a meeting page or its PDF does not lay it
//! out again on every request. The key holds the meeting's row version and its body's
//! settings version (the settings decide what the public sees, e.g. closed attachment
//! titles): an edited meeting or body gets new keys, and the entries of older versions are
//! dropped when a new one is stored.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use protokol_render::{DocKind, Edition, Scope};

/// What was rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Html,
    Pdf,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// "DIR/2023-09-06".
    pub meeting: String,
    pub version: i64,
    /// The published edition rendered (0: the meeting as stored).
    pub published: i64,
    /// The body's settings version.
    pub body_version: i64,
    pub kind: DocKind,
    pub scope: Scope,
    pub format: Format,
    pub edition: Edition,
}

/// At most this many documents are kept; beyond it the cache starts afresh. (Public
/// documents are kept in the database; this serves insiders' documents and single flight.)
const CAPACITY: usize = 64;

/// One document's place in the cache: filled once, by the first request that asks for it;
/// the others wait on its lock instead of laying the same document out again.
type Slot = Arc<Mutex<Option<Arc<Vec<u8>>>>>;

#[derive(Clone, Debug, Default)]
pub struct RenderCache {
    entries: Arc<Mutex<HashMap<Key, Slot>>>,
    renders: Arc<AtomicU64>,
}

impl RenderCache {
    /// The cached bytes for `key`, or those made by `render` (then kept). Concurrent calls
    /// for the same key render once (single flight): the first renders, the rest wait for
    /// it. Call from a blocking thread: waiting and rendering block.
    pub fn get_or_render<E>(
        &self,
        key: Key,
        render: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Arc<Vec<u8>>, E> {
        let slot = {
            let mut entries = self.lock();
            if let Some(slot) = entries.get(&key) {
                slot.clone()
            } else {
                // A new version of a meeting: drop the slots of its older versions.
                entries.retain(|k, _| {
                    k.meeting != key.meeting
                        || (k.version == key.version && k.body_version == key.body_version)
                });
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
                let slot = Slot::default();
                entries.insert(key, slot.clone());
                slot
            }
        };
        // A panic while rendering leaves the slot empty: the next request tries again.
        let mut filled = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bytes) = filled.as_ref() {
            return Ok(bytes.clone());
        }
        let bytes = Arc::new(render()?);
        self.renders.fetch_add(1, Ordering::Relaxed);
        *filled = Some(bytes.clone());
        Ok(bytes)
    }

    /// How many documents were laid out since start (for tests and diagnostics).
    pub fn renders(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key {
            meeting: "DIR/2023-09-06".into(),
            version: 1,
            published: 0,
            body_version: 1,
            kind: DocKind::Minutes,
            scope: Scope::Meeting,
            format: Format::Pdf,
            edition: Edition::Public,
        }
    }

    #[test]
    fn concurrent_requests_for_one_document_render_it_once() {
        let cache = RenderCache::default();
        let calls = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (cache, calls) = (cache.clone(), calls.clone());
                std::thread::spawn(move || {
                    cache
                        .get_or_render(key(), || {
                            calls.fetch_add(1, Ordering::SeqCst);
                            // Long enough that the others arrive while it renders.
                            std::thread::sleep(std::time::Duration::from_millis(200));
                            Ok::<_, String>(b"%PDF-".to_vec())
                        })
                        .map(|b| b.len())
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), Ok(5));
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "one layout for sixteen requests"
        );
        assert_eq!(cache.renders(), 1);
    }

    #[test]
    fn a_failed_render_is_tried_again_by_the_next_request() {
        let cache = RenderCache::default();
        let failed: Result<_, String> = cache.get_or_render(key(), || Err("typst".into()));
        assert!(failed.is_err());
        let ok = cache.get_or_render(key(), || Ok::<_, String>(vec![1, 2, 3]));
        assert_eq!(ok.unwrap().as_slice(), &[1, 2, 3]);
    }
}
