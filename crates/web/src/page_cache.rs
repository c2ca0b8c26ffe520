//! Public pages and documents as sent, kept in memory under a key that names the version of
//! the published record they were made from (a meeting's record and inbound links, or the
//! record's global version for lists). A key is never reused for other content, so a change
//! anywhere simply makes new keys — and several nodes never serve a stale page: each reads
//! the current version from the database first. Bounded by bytes; the oldest go first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// At most this many bytes of pages are kept.
const BUDGET: usize = 16 << 20;

/// A page or document as sent.
#[derive(Debug)]
pub struct Cached {
    pub content_type: &'static str,
    pub etag: String,
    pub bytes: Bytes,
}

impl Cached {
    pub fn response(&self) -> Response {
        let mut r = (
            StatusCode::OK,
            [(header::CONTENT_TYPE, self.content_type)],
            self.bytes.clone(),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            r.headers_mut().insert(header::ETAG, v);
        }
        r
    }
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<String, Arc<Cached>>,
    order: VecDeque<String>,
    bytes: usize,
}

#[derive(Clone, Debug, Default)]
pub struct PageCache {
    inner: Arc<Mutex<Inner>>,
}

impl PageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<Arc<Cached>> {
        self.lock().map.get(key).cloned()
    }

    /// Keeps `bytes` under `key`; the ETag is made from the key (it names the version).
    pub fn put(&self, key: String, content_type: &'static str, bytes: Bytes) -> Arc<Cached> {
        let etag = format!("\"{}\"", etag_of(&key));
        let page = Arc::new(Cached {
            content_type,
            etag,
            bytes,
        });
        let size = page.bytes.len();
        if size > BUDGET / 8 {
            return page;
        }
        let mut inner = self.lock();
        if inner.map.contains_key(&key) {
            return page;
        }
        while inner.bytes + size > BUDGET {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(p) = inner.map.remove(&old) {
                inner.bytes -= p.bytes.len();
            }
        }
        inner.bytes += size;
        inner.order.push_back(key.clone());
        inner.map.insert(key, page.clone());
        page
    }
}

/// A short, header-safe name for a key.
fn etag_of(key: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(key.as_bytes())
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_kept_within_the_budget_oldest_out_first() {
        let cache = PageCache::default();
        let big = Bytes::from(vec![b'x'; BUDGET / 10]);
        for n in 0..20 {
            cache.put(format!("k{n}"), "text/html", big.clone());
        }
        assert!(cache.lock().bytes <= BUDGET);
        assert!(cache.get("k0").is_none(), "the oldest went first");
        assert!(cache.get("k19").is_some());
        let a = cache.get("k19").unwrap();
        assert!(a.etag.starts_with('"') && a.etag.len() == 26);
        assert_ne!(cache.get("k18").unwrap().etag, a.etag);
    }
}
