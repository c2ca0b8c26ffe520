//! PDF text extraction under limits: a crafted PDF that would keep the reader busy for
//! minutes is stopped at the time limit, too much text or too little memory is refused with
//! the reason, and a reader whose caller went away (a web request whose client left) is
//! killed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use protokol_import::{PdfLimits, extract_pdf_text_async, extract_pdf_text_with};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name)
}

fn pdftotext_installed() -> bool {
    let ok = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "pdftotext (poppler-utils) is missing and CI is set"
        );
        eprintln!("SKIPPED: pdftotext is not installed");
    }
    ok
}

/// The PIDs of processes whose command line mentions `needle`.
fn processes_with(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let zombie = stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
        if !zombie && String::from_utf8_lossy(&cmdline).contains(needle) {
            found.push(pid);
        }
    }
    found
}

fn copy_to(dir: &Path, name: &str, from: &Path) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(from, &p).unwrap();
    p
}

#[test]
fn a_pdf_that_expands_without_end_is_stopped_at_the_time_limit() {
    if !pdftotext_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = copy_to(dir.path(), "slow.pdf", &data("hostile/slow-stream.pdf"));
    let bytes = std::fs::read(&path).unwrap();
    let limits = PdfLimits {
        time: Duration::from_secs(2),
        ..PdfLimits::default()
    };
    let started = Instant::now();
    let err = extract_pdf_text_with(&path, &bytes, &limits).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("took longer than 2 seconds"), "{msg}");
    // Not a timing threshold: the unlimited reader would run for minutes.
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(
        processes_with(&path.display().to_string()).is_empty(),
        "the reader was killed"
    );
}

#[test]
fn too_much_text_and_too_little_memory_are_refused_with_the_reason() {
    if !pdftotext_installed() {
        return;
    }
    let path = data("seeds-pdf/001_9e1715f7c52341eb.pdf");
    let bytes = std::fs::read(&path).unwrap();
    let (text, _) = extract_pdf_text_with(&path, &bytes, &PdfLimits::default()).unwrap();
    assert!(
        text.contains("Direktionen"),
        "the limits let ordinary files through"
    );

    let small_text = PdfLimits {
        text_bytes: 100,
        ..PdfLimits::default()
    };
    let msg = extract_pdf_text_with(&path, &bytes, &small_text)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("more than 100 bytes of text"), "{msg}");

    let small_memory = PdfLimits {
        memory_bytes: 16 << 20,
        ..PdfLimits::default()
    };
    let msg = extract_pdf_text_with(&path, &bytes, &small_memory)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("needed more than the limits allow"), "{msg}");
    assert!(msg.contains("16 MB of memory"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_whose_caller_went_away_is_killed() {
    if !pdftotext_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = copy_to(dir.path(), "left.pdf", &data("hostile/slow-stream.pdf"));
    let needle = path.display().to_string();
    let head = std::fs::read(&path).unwrap();
    let task = {
        let path = path.clone();
        tokio::spawn(
            async move { extract_pdf_text_async(&path, &head, &PdfLimits::default()).await },
        )
    };
    // Wait until the reader runs, then drop the request.
    let mut seen = false;
    for _ in 0..200 {
        if !processes_with(&needle).is_empty() {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(seen, "the reader started");
    task.abort();
    let _ = task.await;
    let mut gone = false;
    for _ in 0..200 {
        if processes_with(&needle).is_empty() {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(gone, "the reader was killed when its caller went away");
}
