//! Text out of PDF files, with poppler's `pdftotext -layout` (best reading order), run as a
//! separate process under limits: a crafted PDF (a compressed stream that expands to
//! gigabytes, say) can keep a reader busy for minutes and take hundreds of megabytes, so
//! the process gets a wall-clock deadline, a CPU-time and an address-space limit, and at
//! most so much text is read from it; past any of them it is killed and the file refused
//! with the reason. The async variant kills the process when the caller goes away (a web
//! request whose client left).
//!
//! There is no in-process fallback: a reader inside protokol could not be stopped.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::ImportError;
use crate::process::{Ended, run_bounded};

/// Which extractor read a PDF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extractor {
    Pdftotext,
}

/// The limits a PDF reader runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PdfLimits {
    /// Wall-clock time (and CPU time) for one file.
    pub time: Duration,
    /// Address space of the reader process.
    pub memory_bytes: u64,
    /// Text read from one file; more is refused.
    pub text_bytes: usize,
    /// Pages of one file; a longer PDF is refused (only this many are ever read).
    pub pages: u32,
}

impl Default for PdfLimits {
    fn default() -> Self {
        Self {
            time: Duration::from_secs(60),
            memory_bytes: 1 << 30,
            text_bytes: 64 << 20,
            pages: 5_000,
        }
    }
}

impl PdfLimits {
    /// The defaults with another time limit.
    pub fn with_seconds(seconds: u64) -> Self {
        Self {
            time: Duration::from_secs(seconds.max(1)),
            ..Self::default()
        }
    }
}

fn pdftotext_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("pdftotext")
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
    })
}

/// The reader's command line: `pdftotext` under `ulimit` (address space in KiB, CPU time
/// in seconds), started by `sh` so that the limits apply to it alone.
fn command_line(path: &Path, limits: &PdfLimits) -> (String, Vec<std::ffi::OsString>) {
    let script = r#"ulimit -v "$1" && ulimit -t "$2" && shift 2 && exec "$@""#;
    let args = vec![
        "-c".into(),
        script.into(),
        "sh".into(),
        (limits.memory_bytes / 1024).to_string().into(),
        (limits.time.as_secs() + 1).to_string().into(),
        "pdftotext".into(),
        "-layout".into(),
        "-enc".into(),
        "UTF-8".into(),
        "-q".into(),
        // One page more than allowed, to tell a longer PDF.
        "-l".into(),
        (u64::from(limits.pages) + 1).to_string().into(),
        path.as_os_str().to_owned(),
        "-".into(),
    ];
    ("sh".to_string(), args)
}

/// Whether a PDF holds JavaScript (a `/JS` or `/JavaScript` name outside compressed
/// streams, where PDF writers put actions). An archive keeps documents without active
/// content: PDF/A, the archival form, forbids it.
pub(crate) fn has_javascript(bytes: &[u8]) -> bool {
    static JS: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"/J(?:avaScript|S)[\s/(<\[]").unwrap_or_else(|e| panic!("{e}"))
    });
    JS.is_match(bytes)
}

fn check_header(bytes: &[u8]) -> Result<(), ImportError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(ImportError::Pdf(
            "the file does not start with %PDF-: not a PDF".into(),
        ));
    }
    if has_javascript(bytes) {
        return Err(ImportError::Pdf(
            "the PDF contains JavaScript; an archive keeps documents without active content (PDF/A forbids it): save it as PDF/A and import that".into(),
        ));
    }
    if !pdftotext_available() {
        return Err(ImportError::Pdf(
            "pdftotext (Debian package poppler-utils) is not installed; it is needed to read PDF files".into(),
        ));
    }
    Ok(())
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

fn seconds(d: Duration) -> u64 {
    d.as_secs().max(1)
}

/// Turns how the reader ended into the text or the reason the file is refused.
fn interpret(ended: Ended, limits: &PdfLimits) -> Result<(String, Extractor), ImportError> {
    let (status, out, err) = match ended {
        Ended::TimedOut => {
            return Err(ImportError::Pdf(format!(
                "reading the PDF's text took longer than {} seconds; the file may be crafted \
                 to be slow (a stream that expands enormously); stopped",
                seconds(limits.time)
            )));
        }
        Ended::TooMuchOutput => {
            return Err(ImportError::Pdf(format!(
                "the PDF holds more than {} of text; stopped",
                size_text(limits.text_bytes as u64)
            )));
        }
        Ended::Exited(status, out, err) => (status, out, err),
    };
    if !status.success() {
        let why = err.lines().next().unwrap_or("").trim().to_string();
        let lower = err.to_lowercase();
        let limit_hit = status.code().is_none()
            || ["alloc", "memory", "map segment"]
                .iter()
                .any(|w| lower.contains(w));
        return Err(ImportError::Pdf(if limit_hit {
            format!(
                "reading the PDF's text needed more than the limits allow ({} seconds, {} of \
                 memory); the file may be crafted or damaged; stopped",
                seconds(limits.time),
                size_text(limits.memory_bytes)
            )
        } else if why.is_empty() {
            "the PDF is damaged or truncated (pdftotext could not read it)".into()
        } else {
            format!("the PDF is damaged or truncated: {why}")
        }));
    }
    // Word joiners that some PDF producers put before page numbers. (No copy of a large
    // text unless there is something to change.)
    let mut text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    if text.contains('\u{2060}') {
        text = text.replace('\u{2060}', "");
    }
    // pdftotext ends every page with a form feed.
    if text.matches('\u{000c}').count() > limits.pages as usize {
        return Err(ImportError::Pdf(format!(
            "the PDF has more than {} pages; a meeting record is shorter (is it an archive \
             of many documents?); not read",
            limits.pages
        )));
    }
    if text.chars().all(char::is_whitespace) {
        return Err(ImportError::NoTextLayer);
    }

    Ok((text, Extractor::Pdftotext))
}

/// The text of a PDF whose bytes are `bytes` (read from `path`), pages separated by form
/// feeds, under the default limits.
pub fn extract(path: &Path, bytes: &[u8]) -> Result<(String, Extractor), ImportError> {
    extract_with(path, bytes, &PdfLimits::default())
}

/// [`extract`] under `limits`, blocking the calling thread.
pub fn extract_with(
    path: &Path,
    bytes: &[u8],
    limits: &PdfLimits,
) -> Result<(String, Extractor), ImportError> {
    check_header(bytes)?;
    let (program, args) = command_line(path, limits);
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ImportError::Pdf(format!("cannot run pdftotext: {e}")))?;
    let ended = run_bounded(&mut child, limits.time, limits.text_bytes);
    if !matches!(ended, Ended::Exited(..)) {
        let _ = child.kill();
        let _ = child.wait();
    }
    interpret(ended, limits)
}

/// [`extract_with`] for async callers: the reader is killed if the returned future is
/// dropped (a web request whose client went away) as well as at the limits.
pub async fn extract_async(
    path: &Path,
    bytes_head: &[u8],
    limits: &PdfLimits,
) -> Result<(String, Extractor), ImportError> {
    use tokio::io::AsyncReadExt;
    check_header(bytes_head)?;
    let (program, args) = command_line(path, limits);
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| ImportError::Pdf(format!("cannot run pdftotext: {e}")))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(ImportError::Pdf("cannot read pdftotext's output".into()));
    };
    let cap = limits.text_bytes;
    let work = async {
        let mut out = Vec::new();
        let mut err = String::new();
        let mut stdout = stdout.take(cap as u64 + 1);
        let mut stderr = stderr.take(4096);
        let (read_out, _) = tokio::join!(
            stdout.read_to_end(&mut out),
            stderr.read_to_string(&mut err),
        );
        if read_out.is_ok() && out.len() > cap {
            return Ended::TooMuchOutput;
        }
        match child.wait().await {
            Ok(status) => Ended::Exited(status, out, err),
            Err(_) => Ended::TimedOut,
        }
    };
    let ended = tokio::time::timeout(limits.time, work)
        .await
        .unwrap_or(Ended::TimedOut);
    // On a limit the child is dropped here, which kills it (kill_on_drop).
    interpret(ended, limits)
}
