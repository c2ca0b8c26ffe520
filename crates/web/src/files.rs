//! Stored files as response bodies.

/// A stored file as a response body, read from the store one chunk at a time as the client
/// takes it (so a large file is never held in memory whole).
pub(crate) fn body(store: protokol_store::Store, sha256: String) -> axum::body::Body {
    let chunks = futures_util::stream::unfold(Some(0i64), move |next| {
        let (store, sha256) = (store.clone(), sha256.clone());
        async move {
            let seq = next?;
            match store.file_chunk(&sha256, seq).await {
                Ok(Some(bytes)) => Some((Ok(bytes), Some(seq + 1))),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %e, "a stored file could not be read");
                    Some((Err(std::io::Error::other("stored file unreadable")), None))
                }
            }
        }
    });
    axum::body::Body::from_stream(chunks)
}

/// Files up to this size are kept in memory once read (content-addressed, so never stale).
pub(crate) const SMALL_FILE: i64 = 1 << 20;

/// A stored file whole, for a small one.
pub(crate) async fn read_all(
    store: &protokol_store::Store,
    sha256: &str,
) -> Result<axum::body::Bytes, protokol_store::StoreError> {
    let mut out = Vec::new();
    let mut seq = 0;
    while let Some(chunk) = store.file_chunk(sha256, seq).await? {
        out.extend_from_slice(&chunk);
        seq += 1;
    }
    Ok(out.into())
}
