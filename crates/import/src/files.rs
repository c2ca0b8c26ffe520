//! Finding the files to import and reading them safely: size limits checked before
//! reading, binary files refused, text decoded as UTF-8 or (older exports) Windows-1252.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::ImportError;
use crate::report::{FileReport, Format};

/// The largest meeting JSON file accepted (64 MiB).
pub const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;
/// The largest text document accepted (64 MiB; a year of minutes is a few MB).
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;
/// The largest PDF accepted (300 MiB: agendas with scanned attachments are large).
pub const MAX_PDF_BYTES: u64 = 300 * 1024 * 1024;

/// A path left out of an import, and why (not an error: nothing was wrong with a file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: &'static str,
}

/// What [`collect_files`] found.
#[derive(Debug, Default)]
pub struct Collected {
    /// The files to import, each once.
    pub files: Vec<PathBuf>,
    /// Paths that do not exist or cannot be read, as failed reports.
    pub failed: Vec<FileReport>,
    /// Paths left out on purpose: symbolic links inside folders, files met twice.
    pub skipped: Vec<Skipped>,
}

/// Why a symbolic link inside a folder is not followed.
pub const LINK_NOT_FOLLOWED: &str = "a symbolic link inside the folder is not followed (it could lead out of the folder, back into it, or in a loop)";
/// Why a file is read only once.
pub const ALREADY_READ: &str = "the same file was met before (a hard link or a path named twice)";

/// Why a publication's HTML beside its XML is not read.
pub const RENDERING_OF_XML: &str =
    "the HTML rendering of the XML publication beside it (the XML is imported)";
/// Why a file in an export's attachment folder is not read as a meeting document.
pub const EXPORT_ATTACHMENT: &str =
    "an attachment file of the XML export beside its folder (stored with that publication)";

/// Inside folders, an ESDH export's own parts are not meeting documents of their own: the
/// HTML rendering of a publication beside its XML (same name), and the files in the
/// "Attachments"/"Enclosures" folder beside an XML file.
fn export_part(
    path: &Path,
    xml_stems: &HashSet<PathBuf>,
    xml_dirs: &HashSet<PathBuf>,
) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if matches!(ext.as_str(), "html" | "htm") && xml_stems.contains(&path.with_extension("")) {
        return Some(RENDERING_OF_XML);
    }
    let parent = path.parent()?;
    let folder = parent.file_name()?.to_str()?.to_ascii_lowercase();
    (matches!(folder.as_str(), "attachments" | "enclosures")
        && parent.parent().is_some_and(|p| xml_dirs.contains(p)))
    .then_some(EXPORT_ATTACHMENT)
}

/// The identity of a file on its device, so a file is read once however it is reached.
#[cfg(unix)]
fn identity(meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_meta: &fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Expands folders (recursively, in name order) into the importable files they hold; files
/// named directly are kept whatever their type, so that an unsupported one is reported.
/// Inside folders, symbolic links are never followed, and no file is read twice (hard
/// links, a file named twice). Paths that do not exist come back as failed reports.
pub fn collect_files(paths: &[PathBuf]) -> Collected {
    let mut out = Collected::default();
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    let mut keep = |out: &mut Collected, path: PathBuf, meta: &fs::Metadata| {
        if cfg!(unix) && !seen.insert(identity(meta)) {
            out.skipped.push(Skipped {
                path,
                reason: ALREADY_READ,
            });
        } else {
            out.files.push(path);
        }
    };
    for p in paths {
        // A path named on the command line is followed if it is a link: the user chose it.
        let meta = match fs::metadata(p) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.failed
                    .push(FileReport::failed(p, None, ImportError::Missing));
                continue;
            }
            Err(e) => {
                out.failed
                    .push(FileReport::failed(p, None, ImportError::Read(e)));
                continue;
            }
        };
        if !meta.is_dir() {
            keep(&mut out, p.clone(), &meta);
            continue;
        }
        let mut found = Vec::new();
        let walk = walkdir::WalkDir::new(p)
            .follow_links(false)
            .sort_by_file_name()
            .min_depth(1);
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().unwrap_or(p).to_path_buf();
                    let io = e
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("cannot be read"));
                    out.failed
                        .push(FileReport::failed(&path, None, ImportError::Read(io)));
                    continue;
                }
            };
            let kind = entry.file_type();
            if kind.is_symlink() {
                out.skipped.push(Skipped {
                    path: entry.into_path(),
                    reason: LINK_NOT_FOLLOWED,
                });
            } else if kind.is_file() && Format::of(entry.path()).is_some() {
                match entry.metadata() {
                    Ok(meta) => found.push((entry.into_path(), meta)),
                    Err(e) => {
                        let io = e
                            .into_io_error()
                            .unwrap_or_else(|| std::io::Error::other("cannot be read"));
                        out.failed.push(FileReport::failed(
                            entry.path(),
                            None,
                            ImportError::Read(io),
                        ));
                    }
                }
            }
        }
        let is_xml = |f: &Path| f.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml"));
        let xml_stems: HashSet<PathBuf> = found
            .iter()
            .filter(|(f, _)| is_xml(f))
            .map(|(f, _)| f.with_extension(""))
            .collect();
        let xml_dirs: HashSet<PathBuf> = found
            .iter()
            .filter(|(f, _)| is_xml(f))
            .filter_map(|(f, _)| f.parent().map(Path::to_path_buf))
            .collect();
        for (path, meta) in found {
            match export_part(&path, &xml_stems, &xml_dirs) {
                Some(reason) => out.skipped.push(Skipped { path, reason }),
                None => keep(&mut out, path, &meta),
            }
        }
    }
    out
}

/// Reads a file of at most `limit` bytes (checked before reading, and while reading in
/// case it grows).
pub(crate) fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ImportError> {
    let size = fs::metadata(path)?.len();
    if size > limit {
        return Err(ImportError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    Ok(bytes)
}

/// Decodes the bytes of a text file: UTF-8, or else Windows-1252 (which older Danish
/// exports use), refusing what looks binary (NUL bytes or many control characters).
pub(crate) fn decode_text(bytes: Vec<u8>) -> Result<String, ImportError> {
    let controls = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(ImportError::NotText { offset });
    }
    if controls * 100 > bytes.len() {
        let offset = bytes
            .iter()
            .position(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
            .unwrap_or(0);
        return Err(ImportError::NotText { offset });
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)),
        Err(e) => {
            let bytes = e.into_bytes();
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
            Ok(text.into_owned())
        }
    }
}

/// Reads a JSON file as UTF-8 text (JSON must be UTF-8).
pub(crate) fn read_json_text(path: &Path) -> Result<String, ImportError> {
    let bytes = read_bytes(path, MAX_JSON_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|e| ImportError::NotText {
        offset: e.utf8_error().valid_up_to(),
    })?;
    // Files saved by Windows tools often begin with a byte order mark, which JSON forbids.
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_text_is_decoded() {
        let bytes = b"Frav\xe6rende: Jan S\xf8rensen".to_vec();
        assert_eq!(decode_text(bytes).unwrap(), "Fraværende: Jan Sørensen");
    }

    #[test]
    fn binary_is_refused() {
        assert!(matches!(
            decode_text(vec![0x89, b'P', b'N', b'G', 0, 1, 2]),
            Err(ImportError::NotText { .. })
        ));
        assert!(matches!(
            decode_text(vec![1, 2, 3, 4, 5, b'a']),
            Err(ImportError::NotText { .. })
        ));
    }
}

#[cfg(all(test, unix))]
mod walk_tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn reasons(got: &Collected) -> Vec<(PathBuf, &'static str)> {
        got.skipped
            .iter()
            .map(|s| (s.path.clone(), s.reason))
            .collect()
    }

    #[test]
    fn links_inside_folders_are_not_followed_and_no_file_is_read_twice() {
        let root = tempfile::tempdir().unwrap();
        let d = root.path().join("d");
        let outside = root.path().join("outside");
        fs::create_dir_all(d.join("sub")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(d.join("a.json"), "{}").unwrap();
        fs::write(d.join("sub/c.txt"), "tekst").unwrap();
        fs::write(outside.join("secret.json"), "{}").unwrap();
        // Two links back to the folder (an endless walk if followed), one to a file in it,
        // one out of it, and a hard link.
        symlink(".", d.join("x")).unwrap();
        symlink("..", d.join("sub/y")).unwrap();
        symlink("a.json", d.join("z.json")).unwrap();
        symlink(&outside, d.join("out")).unwrap();
        fs::hard_link(d.join("a.json"), d.join("b.json")).unwrap();

        let got = collect_files(&[d.clone(), d.join("a.json")]);
        assert_eq!(got.files, vec![d.join("a.json"), d.join("sub/c.txt")]);
        assert!(got.failed.is_empty());
        let skipped = reasons(&got);
        assert_eq!(
            skipped,
            vec![
                (d.join("out"), LINK_NOT_FOLLOWED),
                (d.join("sub/y"), LINK_NOT_FOLLOWED),
                (d.join("x"), LINK_NOT_FOLLOWED),
                (d.join("z.json"), LINK_NOT_FOLLOWED),
                (d.join("b.json"), ALREADY_READ),
                (d.join("a.json"), ALREADY_READ),
            ]
        );
    }

    #[test]
    fn an_exports_html_rendering_and_attachment_folder_are_not_meeting_documents() {
        let root = tempfile::tempdir().unwrap();
        let d = root.path().join("2017-04-21 12.24.03");
        fs::create_dir_all(d.join("Attachments")).unwrap();
        fs::create_dir_all(root.path().join("other/Attachments")).unwrap();
        fs::write(d.join("p.xml"), "<Root/>").unwrap();
        fs::write(d.join("p.html"), "<html/>").unwrap();
        fs::write(d.join("q.html"), "<html/>").unwrap();
        fs::write(d.join("Attachments/1.PDF"), "%PDF").unwrap();
        // Without an XML beside it, an "Attachments" folder is an ordinary folder.
        fs::write(root.path().join("other/Attachments/referat.pdf"), "%PDF").unwrap();

        let got = collect_files(&[root.path().to_path_buf()]);
        assert_eq!(
            got.files,
            vec![
                d.join("p.xml"),
                d.join("q.html"),
                root.path().join("other/Attachments/referat.pdf")
            ]
        );
        let skipped = reasons(&got);
        assert_eq!(
            skipped,
            vec![
                (d.join("Attachments/1.PDF"), EXPORT_ATTACHMENT),
                (d.join("p.html"), RENDERING_OF_XML),
            ]
        );
    }
}
