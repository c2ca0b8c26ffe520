//! Documents behind attachments. One document (one document number, or one file) is stored
//! once, however many meetings it is attached to.

use protokol_core::{Attachment, AttachmentFile, Meeting};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::Result;
use crate::codec::now;

/// Which document an attachment refers to, or `None` when it names neither a document
/// number nor a file.
fn identity(a: &Attachment) -> Option<String> {
    if let Some(no) = a.doc_id.as_deref().filter(|s| !s.trim().is_empty()) {
        return Some(format!("no:{}", no.trim()));
    }
    let file = a.file.as_ref()?;
    if let Some(hash) = file.sha256.as_deref().filter(|s| !s.is_empty()) {
        return Some(format!("sha256:{}", hash.to_ascii_lowercase()));
    }
    let mut h = Sha256::new();
    h.update(file.name.as_bytes());
    h.update([0]);
    h.update(file.media_type.as_bytes());
    h.update([0]);
    h.update(file.text.as_deref().unwrap_or("").as_bytes());
    Some(format!("content:{:x}", h.finalize()))
}

/// Finds or creates the document for an attachment and returns its row id. A file given now
/// is stored on the document (replacing an earlier one); a reference without a file leaves
/// a known file in place.
pub(crate) async fn resolve(conn: &mut AnyConnection, a: &Attachment) -> Result<Option<String>> {
    let Some(identity) = identity(a) else {
        return Ok(None);
    };
    let existing = sqlx::query("SELECT id FROM documents WHERE identity = $1")
        .bind(&identity)
        .fetch_optional(&mut *conn)
        .await?;
    let file = a.file.as_ref();
    if let Some(row) = existing {
        let id: String = row.try_get("id")?;
        if let Some(f) = file {
            // Only when something differs: saving an item must not rewrite the (possibly
            // megabytes of) text of every attachment it has.
            sqlx::query(
                "UPDATE documents SET file_name = $1, media_type = $2, sha256 = $3, file_text = $4,
                 updated_at = $5 WHERE id = $6 AND (file_name IS DISTINCT FROM $1
                 OR media_type IS DISTINCT FROM $2 OR sha256 IS DISTINCT FROM $3
                 OR file_text IS DISTINCT FROM $4)",
            )
            .bind(f.name.as_str())
            .bind(f.media_type.as_str())
            .bind(f.sha256.as_deref())
            .bind(f.text.as_deref())
            .bind(now())
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        }
        return Ok(Some(id));
    }
    let id = protokol_core::DocumentId::new().to_string();
    let ts = now();
    sqlx::query(
        "INSERT INTO documents (id, identity, doc_no, file_name, media_type, sha256, file_text,
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(&identity)
    .bind(a.doc_id.as_deref().map(str::trim))
    .bind(file.map(|f| f.name.as_str()))
    .bind(file.map(|f| f.media_type.as_str()))
    .bind(file.and_then(|f| f.sha256.as_deref()))
    .bind(file.and_then(|f| f.text.as_deref()))
    .bind(ts)
    .execute(&mut *conn)
    .await?;
    Ok(Some(id))
}

/// The document row ids of many attachments at once (one query to find the known ones, one
/// insert for the new ones); files given replace known files.
pub(crate) async fn resolve_all(
    conn: &mut AnyConnection,
    atts: &[&Attachment],
) -> Result<Vec<Option<String>>> {
    let identities: Vec<Option<String>> = atts.iter().map(|a| identity(a)).collect();
    let mut known: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let wanted: Vec<&String> = identities.iter().flatten().collect();
    for chunk in wanted.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, identity FROM documents WHERE identity IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            known.insert(r.try_get("identity")?, r.try_get("id")?);
        }
    }
    let mut out = Vec::with_capacity(atts.len());
    let mut new_rows = crate::bulk::Rows::new(
        "documents",
        &[
            "id",
            "identity",
            "doc_no",
            "file_name",
            "media_type",
            "sha256",
            "file_text",
            "created_at",
            "updated_at",
        ],
    );
    let ts = now();
    let mut new_here: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (a, ident) in atts.iter().zip(identities) {
        let Some(ident) = ident else {
            out.push(None);
            continue;
        };
        if let Some(id) = known.get(&ident) {
            // A document stored before may get its file now; one first met in this batch
            // (the same file attached twice) is not written yet and needs nothing.
            if a.file.is_some() && !new_here.contains(&ident) {
                resolve(conn, a).await?; // updates the known document's file
            }
            out.push(Some(id.clone()));
            continue;
        }
        let id = protokol_core::DocumentId::new().to_string();
        let file = a.file.as_ref();
        new_rows.push(vec![
            id.clone().into(),
            ident.clone().into(),
            a.doc_id.as_deref().map(str::trim).into(),
            file.map(|f| f.name.as_str()).into(),
            file.map(|f| f.media_type.as_str()).into(),
            file.and_then(|f| f.sha256.as_deref()).into(),
            file.and_then(|f| f.text.as_deref()).into(),
            ts.as_str().into(),
            ts.as_str().into(),
        ]);
        new_here.insert(ident.clone());
        known.insert(ident, id.clone());
        out.push(Some(id));
    }
    new_rows.flush(conn).await?;
    Ok(out)
}

/// Gives every attachment of `m` that names a stored document but no file the file the
/// document already has, which is what the meeting reads back as once stored.
pub(crate) async fn fill_known_files(conn: &mut AnyConnection, m: &mut Meeting) -> Result<()> {
    for item in &mut m.items {
        for a in &mut item.attachments {
            if a.file.is_some() {
                continue;
            }
            let Some(identity) = identity(a) else {
                continue;
            };
            let row = sqlx::query(
                "SELECT file_name, media_type, sha256, file_text FROM documents WHERE identity = $1",
            )
            .bind(&identity)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(r) = row {
                let name: Option<String> = r.try_get("file_name")?;
                let media_type: Option<String> = r.try_get("media_type")?;
                if let (Some(name), Some(media_type)) = (name, media_type) {
                    a.file = Some(AttachmentFile {
                        name,
                        media_type,
                        sha256: r.try_get("sha256")?,
                        text: r.try_get("file_text")?,
                    });
                }
            }
        }
    }
    Ok(())
}
