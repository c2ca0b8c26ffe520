//! Word documents (.docx): a whole one is read with its headings; the real truncated
//! minutes in `../shared/corpus/broken` (its zip directory missing) are recovered with a
//! warning, closed item included; a zip without Word text is refused. On SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use protokol_import::{FileReport, Options, import_files};
use protokol_store::Store;
use protokol_testkit::{Kind, fresh, store_tests};

async fn import(store: &Store, files: &[PathBuf]) -> Vec<FileReport> {
    let mut reports = Vec::new();
    import_files(store, files, &Options::default(), |r| reports.push(r)).await;
    reports
}

fn docx(path: &Path, entries: &[(&str, &str)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, text) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap();
}

fn paragraph(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

async fn word_documents_are_read_and_damaged_ones_recovered(kind: Kind) {
    let store = fresh(kind).await;
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("referat.docx");
    let body: String = [
        "Referat",
        "Kultur- og Fritidsudvalget",
        "Mødedato: Tirsdag den 3. marts 2026",
        "Mødetidspunkt: 17:00",
        "Punkt 1: Godkendelse af dagsorden",
        "Beslutning",
        "Godkendt.",
        "Punkt 2: Tilskud til foreninger",
        "Indstilling",
        "At tilskuddet bevilges.",
        "Beslutning",
        "Tiltrådt.",
    ]
    .iter()
    .map(|t| paragraph(t))
    .collect();
    docx(
        &whole,
        &[
            ("[Content_Types].xml", "<Types/>"),
            (
                "word/document.xml",
                &format!("<w:document><w:body>{body}</w:body></w:document>"),
            ),
        ],
    );
    let not_word = dir.path().join("andet.docx");
    docx(&not_word, &[("readme.txt", "hej")]);
    let mut files = vec![whole, not_word];
    let broken = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/broken/glostrup-2025-11-19-oekonomiudvalget-truncated.docx");
    let have_broken = broken.exists();
    if have_broken {
        files.push(broken);
    } else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "../shared/corpus/broken is missing and CI=true"
        );
    }
    let reports = import(&store, &files).await;
    assert!(reports[0].is_ok(), "{}", reports[0].line());
    let (m, _) = store
        .meeting_on(&"KFU".parse().unwrap(), "2026-03-03".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.start.map(|t| t.to_string()).as_deref(), Some("17:00"));
    assert_eq!(m.items.len(), 2);
    assert_eq!(
        m.items[1].recommendation.as_deref(),
        Some("At tilskuddet bevilges.")
    );
    assert_eq!(m.items[1].decision.as_deref(), Some("Tiltrådt."));
    assert!(
        reports[1].line().contains("no word/document.xml"),
        "{}",
        reports[1].line()
    );

    if have_broken {
        let r = &reports[2];
        assert!(r.is_ok(), "{}", r.line());
        assert!(r.details().iter().any(|d| d.contains("damaged")));
        assert_eq!(
            r.details()[0],
            "found: date, time, place, 9 members, 4 items, sections, decisions; not found: attachments",
            "the coverage line"
        );
        let (m, _) = store
            .meeting_on(&"ØK".parse().unwrap(), "2025-11-19".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.body.name, "Økonomiudvalget");
        assert_eq!(m.location.as_deref(), Some("Teams"));
        assert_eq!(m.items.len(), 4);
        assert_eq!(m.items[0].case_number.as_deref(), Some("25/23642"));
        assert!(m.items[3].access.is_closed(), "(FOR LUKKEDE DØRE)");
        assert!(!m.items[0].access.is_closed());
    }
}

store_tests!(word_documents_are_read_and_damaged_ones_recovered);
