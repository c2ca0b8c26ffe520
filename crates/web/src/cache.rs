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

/// At most this many documents are kept; beyond it the cache starts afresh.
const CAPACITY: usize = 512;

#[derive(Clone, Debug, Default)]
pub struct RenderCache {
    entries: Arc<Mutex<HashMap<Key, Arc<Vec<u8>>>>>,
    renders: Arc<AtomicU64>,
}

impl RenderCache {
    /// The cached bytes for `key`, or those made by `render` (then kept).
    pub fn get_or_render<E>(
        &self,
        key: Key,
        render: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Arc<Vec<u8>>, E> {
        if let Some(hit) = self.lock().get(&key) {
            return Ok(hit.clone());
        }
        let bytes = Arc::new(render()?);
        self.renders.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.lock();
        entries.retain(|k, _| {
            k.meeting != key.meeting
                || (k.version == key.version && k.body_version == key.body_version)
        });
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, bytes.clone());
        Ok(bytes)
    }

    /// How many documents were laid out since start (for tests and diagnostics).
    pub fn renders(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<Vec<u8>>>> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
