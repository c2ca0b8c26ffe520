//! ESDH publishing exports: a `<Publication>` XML file or an eDoc (Fujitsu) export's XML,
//! with the attachment files it names, as a folder or as a zip file. The XML is read by `protokol-parse`; here the enclosure
//! files are found (names compared in Unicode NFC and without case, as exports made on a
//! Mac store decomposed names), read under the same limits as imported PDFs, their text
//! extracted, and handed on to be stored with the meeting.
//!
//! A zip file is unpacked into a temporary folder first, entry by entry under limits
//! (entries, sizes, names that would leave the folder, macOS resource forks skipped).

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use protokol_core::AttachmentFile;
use protokol_parse::edoc_xml::{looks_like_edoc_xml, parse_edoc_xml};
use protokol_parse::publication_xml::{
    Publication, looks_like_publication_xml, parse_publication_xml,
};
use protokol_parse::{Parsed, Warning};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::files::{MAX_JSON_BYTES, MAX_PDF_BYTES, decode_text, read_bytes};
use crate::{ImportError, PdfLimits, pdf};

/// What a zip file may hold: entries, bytes of one unpacked file, bytes unpacked in all.
/// Sizes are counted while unpacking (a zip's own figures can lie).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZipLimits {
    pub entries: usize,
    pub file_bytes: u64,
    pub total_bytes: u64,
}

impl Default for ZipLimits {
    /// 10,000 entries, 300 MiB a file (as a PDF), 2 GiB in all.
    fn default() -> Self {
        Self {
            entries: 10_000,
            file_bytes: MAX_PDF_BYTES,
            total_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// A file to store with the meeting (content-addressed).
#[derive(Debug)]
pub(crate) struct FileOnDisk {
    pub sha256: String,
    pub path: PathBuf,
}

/// A publication read with its files.
pub(crate) struct Export {
    pub parsed: Parsed,
    /// SHA-256 of the XML: the source document's identity.
    pub sha256: String,
    pub files: Vec<FileOnDisk>,
    /// The name the source is kept under, where it is not the file's name: an eDoc
    /// publication is named by the time it was published ("2017-04-21 12.24.03/<id>.xml",
    /// from its folder), so that the newest publication of a meeting sorts last.
    pub source_name: Option<String>,
    /// The unpacked zip, kept until the files are stored.
    pub unpacked: Option<tempfile::TempDir>,
}

fn nfc(s: &str) -> String {
    s.nfc().collect::<String>().to_lowercase()
}

fn media_type(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc" => "application/msword",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "msg" => "application/vnd.ms-outlook",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

/// `relative` under `base`, with each part matched in NFC and without case.
///
/// A folder's names are listed once per publication (`listings`): an export of many
/// publications in one folder is not listed again for every attachment.
fn find(
    base: &Path,
    relative: &str,
    listings: &mut std::collections::HashMap<PathBuf, Vec<(String, PathBuf)>>,
) -> Option<PathBuf> {
    let mut at = base.to_path_buf();
    for part in relative.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if part == ".." {
            return None;
        }
        let direct = at.join(part);
        if direct.exists() {
            at = direct;
            continue;
        }
        let want = nfc(part);
        let listing = listings.entry(at.clone()).or_insert_with(|| {
            fs::read_dir(&at)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| (nfc(&e.file_name().to_string_lossy()), e.path()))
                        .collect()
                })
                .unwrap_or_default()
        });
        at = listing.iter().find(|(n, _)| *n == want)?.1.clone();
    }
    at.is_file().then_some(at)
}

/// Whether an XML text is an export the importer reads.
fn known_export(xml: &str) -> bool {
    looks_like_publication_xml(xml) || looks_like_edoc_xml(xml)
}

/// "2017-04-21 12.24.03": an eDoc export's folder of one publishing.
fn publishing_time(folder: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(folder, "%Y-%m-%d %H.%M.%S").is_ok()
}

/// Reads an export's XML file (`<Publication>` or eDoc) and the files it names beside it.
pub(crate) fn read_xml(path: &Path, limits: &PdfLimits) -> Result<Export, ImportError> {
    let bytes = read_bytes(path, MAX_JSON_BYTES)?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let text = decode_text(bytes)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut source_name = None;
    let publication: Publication = if looks_like_publication_xml(text) {
        parse_publication_xml(text, &name)?
    } else if looks_like_edoc_xml(text) {
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .map(|f| f.to_string_lossy().into_owned())
            .filter(|f| publishing_time(f));
        source_name = folder.map(|f| format!("{f}/{name}"));
        parse_edoc_xml(text, source_name.as_deref().unwrap_or(&name))?
    } else {
        return Err(ImportError::UnknownXml);
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut parsed = publication.parsed;
    let files = attach(&mut parsed, &publication.enclosures, base, limits);
    Ok(Export {
        parsed,
        sha256,
        files,
        source_name,
        unpacked: None,
    })
}

/// Stores the enclosures' files on the meeting's attachments; returns the files to store.
fn attach(
    parsed: &mut Parsed,
    enclosures: &[protokol_parse::publication_xml::Enclosure],
    base: &Path,
    limits: &PdfLimits,
) -> Vec<FileOnDisk> {
    let mut listings = std::collections::HashMap::new();
    let mut files = Vec::new();
    for e in enclosures {
        let candidates = [
            Some(e.path.clone()),
            e.file_name.clone(),
            e.file_name.as_ref().map(|f| format!("Enclosures/{f}")),
        ];
        let found = candidates
            .iter()
            .flatten()
            .find_map(|c| find(base, c, &mut listings));
        let item_no = parsed.meeting.items[e.item]
            .number
            .map_or(e.item + 1, |n| n as usize);
        let Some(path) = found else {
            parsed.warnings.push(Warning {
                line: 0,
                message: format!(
                    "item {item_no}: the file {:?} of attachment {} is not in the export",
                    e.path,
                    e.attachment + 1
                ),
            });
            continue;
        };
        let bytes = match read_bytes(&path, MAX_PDF_BYTES) {
            Ok(b) => b,
            Err(err) => {
                parsed.warnings.push(Warning {
                    line: 0,
                    message: format!("item {item_no}: attachment file {:?}: {err}", e.path),
                });
                continue;
            }
        };
        if pdf::has_javascript(&bytes) {
            parsed.warnings.push(Warning {
                line: 0,
                message: format!(
                    "item {item_no}: attachment file {:?} not stored: the PDF contains JavaScript",
                    e.path
                ),
            });
            continue;
        }
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        let name = e.file_name.clone().unwrap_or_else(|| {
            path.file_name()
                .map(|n| n.to_string_lossy().nfc().collect())
                .unwrap_or_default()
        });
        let media = media_type(&path.to_string_lossy());
        let text = match media {
            "application/pdf" => match pdf::extract_with(&path, &bytes, limits) {
                Ok((t, _)) => Some(t),
                Err(err) => {
                    parsed.warnings.push(Warning {
                        line: 0,
                        message: format!(
                            "item {item_no}: the text of attachment file {name:?} was not read: {err}"
                        ),
                    });
                    None
                }
            },
            "text/plain" => decode_text(bytes).ok(),
            _ => None,
        };
        let attachment = &mut parsed.meeting.items[e.item].attachments[e.attachment];
        attachment.file = Some(AttachmentFile {
            name,
            media_type: media.to_string(),
            sha256: Some(sha256.clone()),
            text: text.map(Arc::from),
        });
        files.push(FileOnDisk { sha256, path });
    }
    files
}

/// Unpacks a zip file into a temporary folder, under limits.
fn unpack(path: &Path, limits: &ZipLimits) -> Result<tempfile::TempDir, ImportError> {
    let damaged = |e: zip::result::ZipError| {
        ImportError::Zip(format!("not a zip file, or a damaged one: {e}"))
    };
    let file = fs::File::open(path)?;
    let mut archive = zip::ZipArchive::new(file).map_err(damaged)?;
    if archive.len() > limits.entries {
        return Err(ImportError::Zip(format!(
            "the zip file holds {} entries; at most {} are read",
            archive.len(),
            limits.entries
        )));
    }
    let dir = tempfile::tempdir()?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(damaged)?;
        // A link could point anywhere, and a name that is absolute or climbs out with ".."
        // aims outside the folder: an export has neither, so the zip is refused.
        let raw = entry.name().map_err(damaged)?.replace('\\', "/");
        if entry.is_symlink() {
            return Err(ImportError::Zip(format!(
                "the zip entry {raw:?} is a symbolic link; a zip file with links is refused"
            )));
        }
        let absolute = raw.starts_with('/') || raw.as_bytes().get(1) == Some(&b':');
        let climbs = raw.split('/').any(|part| part == "..");
        let name = match entry.enclosed_name() {
            Some(name) if !absolute && !climbs => name,
            _ => {
                return Err(ImportError::Zip(format!(
                    "the zip entry {raw:?} names a path outside the zip's folder (absolute or \
                     with \"..\"); a zip file with such names is refused"
                )));
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name: PathBuf = name
            .components()
            .map(|c| c.as_os_str().to_string_lossy().nfc().collect::<String>())
            .collect();
        let skip = name.components().any(|c| {
            let c = c.as_os_str().to_string_lossy();
            c == "__MACOSX" || c.starts_with("._")
        });
        if skip {
            continue;
        }
        let target = dir.path().join(&name);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        // Sizes in the zip can lie: the copy itself is bounded.
        let room = limits
            .total_bytes
            .saturating_sub(total)
            .min(limits.file_bytes)
            + 1;
        let mut out = fs::File::create(&target)?;
        let copied = std::io::copy(&mut (&mut entry).take(room), &mut out)
            .map_err(|e| ImportError::Zip(format!("{}: {e}", name.display())))?;
        out.flush()?;
        if copied >= room {
            return Err(ImportError::Zip(format!(
                "{} unpacks to more than the import accepts ({} bytes for one file, {} in all): a zip bomb?",
                name.display(),
                limits.file_bytes,
                limits.total_bytes
            )));
        }
        total += copied;
    }
    Ok(dir)
}

/// Reads a zip file holding a `<Publication>` export with its enclosures.
pub(crate) fn read_zip(
    path: &Path,
    limits: &PdfLimits,
    zip_limits: &ZipLimits,
) -> Result<Export, ImportError> {
    let dir = unpack(path, zip_limits)?;
    let xmls: Vec<PathBuf> = walkdir::WalkDir::new(dir.path())
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")))
        .collect();
    // The first export XML is read; an XML that is not one (or not text) is passed over.
    let mut read: Option<(&PathBuf, Export)> = None;
    let mut more = 0;
    for xml in &xmls {
        if read.is_some() {
            let export = read_bytes(xml, MAX_JSON_BYTES)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .is_some_and(|t| known_export(t.trim_start_matches('\u{feff}')));
            more += usize::from(export);
            continue;
        }
        match read_xml(xml, limits) {
            Ok(export) => read = Some((xml, export)),
            Err(
                ImportError::UnknownXml
                | ImportError::NotText { .. }
                | ImportError::TooLarge { .. },
            ) => {}
            Err(e) => return Err(e),
        }
    }
    let Some((xml, mut export)) = read else {
        return Err(ImportError::Zip(
            "the zip file holds no ESDH export XML (<Publication> or eDoc)".into(),
        ));
    };
    if more > 0 {
        export.parsed.warnings.push(Warning {
            line: 0,
            message: format!(
                "the zip file holds {more} more publications; only {} was read",
                xml.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ),
        });
    }
    export.unpacked = Some(dir);
    Ok(export)
}
