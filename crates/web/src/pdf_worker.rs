//! Where PDFs are laid out. In the server they are laid out by a worker process (the
//! `protokol` binary's hidden `render-worker` command): typst needs about 100 MB for its
//! first document, which a worker gives back when it exits, so the serving process stays
//! small. PDFs are kept per version of the published record, so a worker runs once per
//! document and version. Tests and tools lay out in process.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use protokol_render::{Document, pdf};

/// How long one document may take in a worker.
const WORKER_TIME: Duration = Duration::from_secs(120);

/// How PDFs are laid out.
#[derive(Clone, Debug, Default)]
pub enum PdfLayout {
    /// In this process.
    #[default]
    InProcess,
    /// By `<program> render-worker`, reading the document on stdin, writing the PDF.
    Worker(PathBuf),
}

impl PdfLayout {
    /// The PDF of `document` (blocking: call from a blocking thread).
    pub fn render(&self, document: &Document) -> Result<Vec<u8>, String> {
        match self {
            Self::InProcess => pdf::render(document).map_err(|e| e.to_string()),
            Self::Worker(program) => {
                let input = pdf::worker_input(document).map_err(|e| e.to_string())?;
                run_worker(program, &input)
            }
        }
    }
}

/// The most a worker may write (a PDF of a very long meeting is a few MB).
const WORKER_OUTPUT: usize = 256 << 20;

fn run_worker(program: &PathBuf, input: &[u8]) -> Result<Vec<u8>, String> {
    use protokol_import::process::{Ended, run_bounded};
    let mut child = Command::new(program)
        .arg("render-worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the PDF worker {}: {e}", program.display()))?;
    // Write the input from another thread, so a worker that writes before it has read
    // everything cannot block both sides.
    let mut stdin = child.stdin.take().ok_or("the PDF worker has no input")?;
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let ended = run_bounded(&mut child, WORKER_TIME, WORKER_OUTPUT);
    let _ = writer.join();
    match ended {
        Ended::Exited(status, out, _) if status.success() && out.starts_with(b"%PDF-") => Ok(out),
        Ended::Exited(status, _, err) if !status.success() => Err(format!(
            "the PDF worker failed ({status}): {}",
            err.lines().last().unwrap_or("").trim()
        )),
        Ended::Exited(..) => Err("the PDF worker wrote no PDF".into()),
        Ended::TimedOut => Err(format!(
            "the PDF worker took longer than {} seconds; stopped",
            WORKER_TIME.as_secs()
        )),
        Ended::TooMuchOutput => Err("the PDF worker wrote more than a PDF can be; stopped".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_that_cannot_start_or_fails_gives_a_reason() {
        let missing = PdfLayout::Worker(PathBuf::from("/nonexistent/protokol"));
        let meeting = protokol_testkit::council_meeting();
        let doc = Document::build(
            &meeting,
            &protokol_core::BodySettings::default(),
            protokol_render::Edition::Public,
            protokol_render::DocKind::Agenda,
            protokol_render::Scope::Meeting,
        )
        .unwrap();
        let err = missing.render(&doc).unwrap_err();
        assert!(err.contains("cannot start the PDF worker"), "{err}");
        // `false` exits with failure without reading its input.
        let failing = PdfLayout::Worker(PathBuf::from("false"));
        let err = failing.render(&doc).unwrap_err();
        assert!(err.contains("failed"), "{err}");
    }
}
