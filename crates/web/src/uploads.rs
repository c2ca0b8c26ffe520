//! Attachments uploaded in the workspace: number, title, open or closed, document and
//! journal number, and the file. The file must be a PDF or a plain-text file of at most
//! [`MAX_UPLOAD_BYTES`]; its text is extracted and stored with it (for search and for
//! readers), its bytes are stored once per content. A refused upload stores nothing and
//! says why next to the field.

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use protokol_core::{Access, Attachment, AttachmentFile};
use protokol_store::{FileToStore, StoreError};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::WebError;
use crate::visitor::Visitor;
use crate::workspace::{ItemView, check_form, find_item, item_page, meeting_for, see_other};

/// The largest file accepted (25 MiB).
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

/// The file of an upload, written to a temporary file as it arrived.
struct Received {
    tmp: tempfile::NamedTempFile,
    sha256: String,
    size: usize,
    /// The first bytes, to tell the type by.
    head: Vec<u8>,
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    csrf: String,
    version: String,
    number: String,
    title: String,
    closed: bool,
    doc_id: String,
    journal: String,
    file_name: String,
    file: Option<Received>,
    too_large: bool,
}

async fn text_of(field: Field<'_>) -> Result<String, MultipartError> {
    field.text().await
}

/// How many of a file's first bytes are kept to tell its type.
const HEAD_BYTES: usize = 8 * 1024;

fn unreadable<E>(_: E) -> WebError {
    WebError::BadRequest("Formularen kunne ikke læses.")
}

/// Writes the file field to a temporary file as it arrives, hashing it on the way; stops at
/// [`MAX_UPLOAD_BYTES`] (then `None`: too large, nothing kept).
async fn receive(mut field: Field<'_>) -> Result<Option<Received>, WebError> {
    use tokio::io::AsyncWriteExt;
    let tmp = tempfile::NamedTempFile::new().map_err(|e| {
        tracing::error!(error = %e, "cannot create a temporary file for an upload");
        WebError::Render("temporary file".into())
    })?;
    let mut out = tokio::fs::File::from_std(tmp.as_file().try_clone().map_err(unreadable)?);
    let mut hasher = Sha256::new();
    let mut size = 0usize;
    let mut head = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                size += chunk.len();
                if size > MAX_UPLOAD_BYTES {
                    return Ok(None);
                }
                if head.len() < HEAD_BYTES {
                    let take = (HEAD_BYTES - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                }
                hasher.update(&chunk);
                out.write_all(&chunk).await.map_err(unreadable)?;
            }
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(None),
            Err(_) => return Err(WebError::BadRequest("Formularen kunne ikke læses.")),
        }
    }
    out.flush().await.map_err(unreadable)?;
    Ok(Some(Received {
        tmp,
        sha256: hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        size,
        head,
    }))
}

/// Reads the form; the file goes to a temporary file, never whole into memory.
async fn read(mut multipart: Multipart) -> Result<Upload, WebError> {
    let mut u = Upload::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                u.too_large = true;
                break;
            }
            Err(_) => return Err(WebError::BadRequest("Formularen kunne ikke læses.")),
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "fil" => {
                u.file_name = field.file_name().unwrap_or("").to_string();
                match receive(field).await? {
                    Some(r) => u.file = Some(r),
                    None => {
                        u.too_large = true;
                        break;
                    }
                }
            }
            other => {
                let value = text_of(field)
                    .await
                    .map_err(|_| WebError::BadRequest("Formularen kunne ikke læses."))?;
                match other {
                    "csrf" => u.csrf = value,
                    "version" => u.version = value,
                    "nummer" => u.number = value,
                    "titel" => u.title = value.trim().to_string(),
                    "adgang" => u.closed = value == "lukket",
                    "dok_nr" => u.doc_id = value.trim().to_string(),
                    "j_nr" => u.journal = value.trim().to_string(),
                    _ => {}
                }
            }
        }
    }
    Ok(u)
}

/// `text` without surrounding white space (in place: extracted texts can be megabytes), or
/// `None` when nothing is left.
fn trimmed(mut text: String) -> Option<String> {
    let end = text.trim_end().len();
    text.truncate(end);
    let start = text.len() - text.trim_start().len();
    text.drain(..start);
    (!text.is_empty()).then_some(text)
}

/// The file's type and text, or why it cannot be used. A PDF's text is read by a separate
/// process under limits, stopped if this request goes away.
async fn understand(
    name: &str,
    file: Option<&Received>,
    limits: &protokol_import::PdfLimits,
) -> Result<(String, Option<String>), String> {
    let Some(file) = file.filter(|f| f.size > 0) else {
        return Err("Vælg en fil.".into());
    };
    if file.head.starts_with(b"%PDF-") {
        return match protokol_import::extract_pdf_text_async(file.tmp.path(), &file.head, limits)
            .await
        {
            Ok((t, _)) => Ok(("application/pdf".into(), trimmed(t))),
            Err(why) => {
                tracing::info!(file = %name, %why, "uploaded PDF refused");
                Err("PDF-filen er beskadiget eller kan ikke læses. Gem den igen som PDF, og prøv en gang til.".into())
            }
        };
    }
    let is_text_name = name.to_lowercase().ends_with(".txt");
    let refused = || "Filtypen kan ikke bruges her. Vedhæft en PDF-fil eller en tekstfil (.txt).";
    if !is_text_name {
        return Err(refused().into());
    }
    let bytes = tokio::fs::read(file.tmp.path())
        .await
        .map_err(|_| refused().to_string())?;
    match String::from_utf8(bytes) {
        Ok(t) if !t.contains('\0') => Ok(("text/plain; charset=utf-8".into(), trimmed(t))),
        _ => Err(refused().into()),
    }
}

/// `POST /arbejde/{body}/{date}/punkt/{id}/bilag`.
pub async fn add_attachment(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((body, date, id)): Path<(String, String, String)>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let (m, mv, body, actor) = meeting_for(&state, &visitor, &body, &date).await?;
    let upload = read(multipart).await?;
    // A form cut off by the size limit may have lost its token: a too-large file is
    // answered with its own message either way, and nothing is stored.
    if !upload.too_large {
        check_form(&visitor, &headers, &upload.csrf)?;
    }
    let item = find_item(&m, &id)?;
    let item_id = item.id.ok_or(WebError::NotFound)?;
    let current_version = state
        .store
        .item_version(item_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let number = upload.number.trim().parse::<u32>().ok().filter(|n| *n > 0);
    match number {
        None => errors.push((
            "bilag_nummer",
            "Skriv bilagets nummer som et helt tal, fx 3.".into(),
        )),
        Some(n) if item.attachments.iter().any(|a| a.number == n) => errors.push((
            "bilag_nummer",
            format!("Punktet har allerede et bilag nr. {n}."),
        )),
        _ => {}
    }
    use protokol_core::limits::{NAME_CHARS, TITLE_CHARS};
    if upload.title.is_empty() {
        errors.push(("bilag_titel", "Skriv bilagets titel.".into()));
    } else if let Some(why) = crate::form_fields::too_long(&upload.title, TITLE_CHARS) {
        errors.push(("bilag_titel", why));
    }
    for value in [&upload.doc_id, &upload.journal] {
        if let Some(why) = crate::form_fields::too_long(value, NAME_CHARS) {
            errors.push(("bilag_dok", why));
        }
    }
    let understood = if upload.too_large {
        Err(format!(
            "Filen er for stor. Den må højst fylde {} MB.",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ))
    } else {
        understand(&upload.file_name, upload.file.as_ref(), &state.pdf_limits).await
    };
    let (media_type, text) = match understood {
        Ok(x) => x,
        Err(why) => {
            errors.push(("bilag_fil", why));
            (String::new(), None)
        }
    };
    let view = |errors: Vec<(&'static str, String)>, status| {
        item_page(
            &visitor,
            ItemView::plain(&body, (&m, mv), (&item, current_version), errors),
            status,
        )
    };
    let received = match upload.file.as_ref() {
        Some(r) if errors.is_empty() => r,
        _ => return view(errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let sha256 = received.sha256.clone();
    // A document number names one document: it may not be given to a different file.
    if !upload.doc_id.is_empty()
        && let Some(Some(known)) = state.store.document_file_hash(&upload.doc_id).await?
        && known != sha256
    {
        return view(
            vec![(
                "bilag_dok",
                format!(
                    "Dok.nr. {} hører allerede til en anden fil. Ret nummeret, eller vedhæft den samme fil.",
                    upload.doc_id
                ),
            )],
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let version: i64 = upload
        .version
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("Formularen mangler punktets version."))?;
    let mut edited = item.clone();
    edited.attachments.push(Attachment {
        id: None,
        number: number.unwrap_or(1),
        title: upload.title.clone(),
        access: if upload.closed {
            Access::Closed
        } else {
            Access::Open
        },
        doc_id: Some(upload.doc_id.clone()).filter(|s| !s.is_empty()),
        journal: Some(upload.journal.clone()).filter(|s| !s.is_empty()),
        file: Some(AttachmentFile {
            name: upload
                .file_name
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or("fil")
                .to_string(),
            media_type,
            sha256: Some(sha256.clone()),
            text: text.map(Into::into),
        }),
    });
    edited.attachments.sort_by_key(|a| a.number);
    let meeting_id = m.id.ok_or(WebError::NotFound)?;
    match state
        .store
        .update_item_with_file(
            meeting_id,
            &edited,
            version,
            FileToStore {
                sha256: &sha256,
                path: received.tmp.path(),
            },
            &actor,
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/arbejde/{}/{}/punkt/{item_id}",
            protokol_core::danish::slug(&body.name),
            m.date.format("%Y-%m-%d")
        ))),
        Err(StoreError::Conflict { .. }) => view(
            vec![(
                "bilag_fil",
                "Punktet er ændret af en anden, siden du åbnede det. Bilaget er ikke gemt; vælg filen igen.".into(),
            )],
            StatusCode::CONFLICT,
        ),
        Err(StoreError::Rejected(why)) => {
            tracing::info!(%why, "attachment refused");
            view(
                vec![("bilag_fil", "Bilaget kunne ikke gemmes, fordi punktet ikke kan ændres.".into())],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}
