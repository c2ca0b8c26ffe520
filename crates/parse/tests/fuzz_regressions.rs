//! Inputs that once made the parser panic (found by hand or by `cargo fuzz`), kept so they
//! never do again. Add a crashing input as a file in `tests/regressions/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

#[test]
fn no_kept_crashing_input_panics_the_parser() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // Every reader: the layout readers, the generic reader behind them, and the text of
        // the same bytes read as HTML.
        let html = std::panic::catch_unwind(|| protokol_parse::html::html_text(&text));
        assert!(html.is_ok(), "{} panics the HTML reader", path.display());
        if let Ok(html) = html {
            let result = std::panic::catch_unwind(|| protokol_parse::read_document(&html, "x"));
            assert!(
                result.is_ok(),
                "{} (as HTML) panics the reader",
                path.display()
            );
        }
        let result =
            std::panic::catch_unwind(|| protokol_parse::read_document(&text, "regression"));
        assert!(result.is_ok(), "{} panics the parser", path.display());
        if let Ok(Ok(parsed)) = result {
            assert!(
                protokol_core::validate_meeting(&parsed.meeting).is_empty(),
                "{}",
                path.display()
            );
        }
        n += 1;
    }
    assert!(n >= 1, "the regression folder holds the inputs");
}

/// The seed documents cut at every 97th character (a document truncated anywhere) never
/// panic a reader, and whatever is read is a valid meeting.
#[test]
fn truncated_documents_never_panic_a_reader() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/seeds");
    for entry in std::fs::read_dir(&seeds).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let cuts: Vec<usize> = (0..text.len())
            .step_by(97)
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for cut in cuts {
            let part = &text[..cut];
            let r = std::panic::catch_unwind(|| protokol_parse::read_document(part, "x"));
            assert!(r.is_ok(), "{} cut at {cut} panics", path.display());
            if let Ok(Ok(p)) = r {
                assert!(protokol_core::validate_meeting(&p.meeting).is_empty());
            }
        }
    }
}

#[test]
fn the_multibyte_title_case_still_reads_its_sub_point() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let text = std::fs::read_to_string(dir.join("multibyte-title-slice.txt")).unwrap();
    let p = protokol_parse::parse_document(&text, "x").unwrap();
    let sp = &p.meeting.items[0].schedule[0];
    assert_eq!(sp.title, "Dialogmøde med aftaleholdere");
    assert_eq!(sp.time.map(|t| t.to_string()).as_deref(), Some("09:30"));
}
