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
        let result =
            std::panic::catch_unwind(|| protokol_parse::parse_document(&text, "regression"));
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

#[test]
fn the_multibyte_title_case_still_reads_its_sub_point() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let text = std::fs::read_to_string(dir.join("multibyte-title-slice.txt")).unwrap();
    let p = protokol_parse::parse_document(&text, "x").unwrap();
    let sp = &p.meeting.items[0].schedule[0];
    assert_eq!(sp.title, "Dialogmøde med aftaleholdere");
    assert_eq!(sp.time.map(|t| t.to_string()).as_deref(), Some("09:30"));
}
