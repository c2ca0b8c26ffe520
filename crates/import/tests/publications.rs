//! ESDH publishing exports (`<Publication>` XML with enclosures, zipped): the three real
//! exports in `../shared/corpus/publication-xml` import with their fields, sub-items,
//! closed items, drafts and attachment files (stored, text extracted); closed parts stay
//! out of the public view; importing again changes nothing; damaged and hostile zip files
//! are refused with a reason and store nothing. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use protokol_core::exchange::to_json;
use protokol_core::{BodySettings, MeetingKind, MeetingStatus, Viewer};
use protokol_import::{FileReport, Options, collect_files, import_files};
use protokol_store::{SaveOutcome, Store};
use protokol_testkit::{Kind, fresh, store_tests};

fn corpus() -> Option<PathBuf> {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/publication-xml");
    if p.is_dir() {
        return Some(p);
    }
    let in_ci = protokol_testkit::in_ci();
    assert!(
        !in_ci,
        "../shared/corpus/publication-xml is missing and CI=true"
    );
    eprintln!("SKIPPED: ../shared/corpus/publication-xml not found beside the checkout");
    None
}

async fn import(store: &Store, paths: &[PathBuf]) -> Vec<FileReport> {
    let files = collect_files(paths).files;
    let mut reports = Vec::new();
    import_files(store, &files, &Options::default(), |r| reports.push(r)).await;
    reports
}

async fn the_three_publication_exports_import_with_their_files(kind: Kind) {
    let Some(dir) = corpus() else { return };
    let store = fresh(kind).await;
    let reports = import(&store, std::slice::from_ref(&dir)).await;
    assert_eq!(reports.len(), 3);
    for r in &reports {
        assert!(r.is_ok(), "{}", r.line());
        assert_eq!(r.layout.as_deref(), Some("publication_xml"));
    }

    // Ballerup: a final agenda with fields under their own captions and one enclosure.
    let (m, _) = store
        .meeting_on(&"KIU".parse().unwrap(), "2013-05-15".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.body.name, "KMB IT-udvalget");
    assert_eq!(m.start.map(|t| t.to_string()).as_deref(), Some("16:30"));
    assert_eq!(m.end.map(|t| t.to_string()).as_deref(), Some("18:00"));
    assert_eq!(
        m.location.as_deref(),
        Some("Mødecenter A, Lokale 3 på Ballerup Rådhus")
    );
    assert_eq!(m.kind, MeetingKind::Agenda);
    assert_eq!(m.items.len(), 5);
    assert_eq!(m.items[4].title, "Status på eDagsorden");
    let it = &m.items[1];
    let headings: Vec<&str> = it.sections.iter().map(|s| s.heading.as_str()).collect();
    assert!(headings.contains(&"Sammendrag") && headings.contains(&"Baggrund"));
    assert!(it.case.is_some() && it.economy.is_some() && it.recommendation.is_some());
    let a = &m.items[2].attachments[0];
    assert_eq!(
        a.title,
        "Brev fra KL til Kommunalbestyrelsen vedr Monopolbrud"
    );
    let file = a.file.as_ref().expect("the enclosure's file is stored");
    assert_eq!(file.media_type, "application/pdf");
    let sha = file.sha256.as_deref().unwrap();
    assert_eq!(store.file_size(sha).await.unwrap(), Some(94198));
    assert!(
        file.text
            .as_deref()
            .is_some_and(|t| t.split_whitespace().count() > 20),
        "the PDF's text is extracted"
    );

    // Region Hovedstaden: a draft, with decisions and fourteen enclosures.
    let (m, _) = store
        .meeting_on(&"FU".parse().unwrap(), "2012-09-25".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.body.name, "Forretningsudvalget");
    assert_eq!(
        m.status,
        Some(MeetingStatus::Planned),
        "a draft stays a draft"
    );
    assert_eq!(m.kind, MeetingKind::Minutes);
    assert!(m.items[0].decision.is_some());
    assert_eq!(
        m.items.iter().map(|i| i.attachments.len()).sum::<usize>(),
        14
    );
    assert!(
        m.items[0].attachments[0]
            .file
            .as_ref()
            .is_some_and(|f| f.name.ends_with(".pdf") && !f.name.contains('\\')),
        "a Windows path in FileName gives the file's own name"
    );

    // Aarhus: numbered sub-items, a closed item with a closed enclosure.
    let (m, _) = store
        .meeting_on(&"M".parse().unwrap(), "2016-10-06".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.body.name, "Mødesystemgruppen");
    let first = &m.items[0];
    assert_eq!(first.title, "First Agenda");
    let subs: Vec<&str> = first.schedule.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(subs.len(), 4);
    assert_eq!(subs[0], "Status siden sidst");
    let closed = m
        .items
        .iter()
        .find(|i| i.access.is_closed())
        .expect("the closed part");
    assert!(closed.attachments.iter().all(|a| a.access.is_closed()));
    let public = to_json(&m.visible_to(&Viewer::Public, &BodySettings::default()));
    assert!(
        !public.contains("Åbent og Lukket"),
        "closed enclosure title"
    );
    assert!(!public.contains("Lukket referat"), "closed item's caption");

    // Again: nothing changes.
    let again = import(&store, &[dir]).await;
    assert!(again.iter().all(|r| {
        r.result
            .as_ref()
            .is_ok_and(|ms| ms.iter().all(|m| m.outcome == SaveOutcome::Unchanged))
    }));
}

fn zip_with(path: &Path, entries: &[(&str, &[u8])]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

async fn damaged_and_hostile_zip_files_are_refused(kind: Kind) {
    let store = fresh(kind).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let garbage = d.join("garbage.zip");
    std::fs::write(&garbage, b"PK\x03\x04 this is not really a zip").unwrap();
    let escaping = d.join("escaping.zip");
    zip_with(
        &escaping,
        &[(
            "../../publication.xml",
            b"<Publication><Agendas/></Publication>".as_slice(),
        )],
    );
    let empty = d.join("empty.zip");
    zip_with(
        &empty,
        &[("readme.txt", b"Ingen publikation her.".as_slice())],
    );
    let reports = import(&store, &[garbage, escaping, empty]).await;
    let lines: Vec<String> = reports.iter().map(FileReport::line).collect();
    assert!(lines[0].contains("not a zip file"), "{}", lines[0]);
    assert!(
        lines[1].contains("outside the zip's folder"),
        "a name leaving the folder is refused: {}",
        lines[1]
    );
    assert!(lines[2].contains("no ESDH export XML"), "{}", lines[2]);
    assert!(!d.parent().unwrap().join("publication.xml").exists());
    assert_eq!(store.meeting_count().await.unwrap(), 0);
}

/// The minutes Aarhus attached to its export, a PDF in a layout of its own (labels in a
/// column, members one a line below "Deltagere:", items "1 First Agenda" with sub-items
/// "1.1 …" and numbered lists inside), imported alone: the generic reader finds the body,
/// date, time, place, members and the three items.
async fn the_aarhus_minutes_pdf_reads_alone(kind: Kind) {
    let Some(dir) = corpus() else { return };
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_err()
    {
        let in_ci = protokol_testkit::in_ci();
        assert!(!in_ci, "pdftotext (poppler-utils) is missing and CI=true");
        return;
    }
    let zip = dir.join("aarhus-2016-10-06-moedesystemgruppen-Archive.zip");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("referat.pdf");
    for i in 0..archive.len() {
        let mut e = archive.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        if name.ends_with(".pdf") && !name.contains("MACOSX") && !name.contains("lukket") {
            std::io::copy(&mut e, &mut std::fs::File::create(&pdf).unwrap()).unwrap();
        }
    }
    let store = fresh(kind).await;
    let reports = import(&store, std::slice::from_ref(&pdf)).await;
    assert!(reports[0].is_ok(), "{}", reports[0].line());
    let code = protokol_parse::bodies::code_for("Mødesystemgruppen");
    let (m, _) = store
        .meeting_on(&code.parse().unwrap(), "2016-10-06".parse().unwrap())
        .await
        .unwrap()
        .expect("the meeting");
    assert_eq!(m.body.name, "Mødesystemgruppen");
    assert_eq!(m.start.map(|t| t.to_string()).as_deref(), Some("13:00"));
    assert_eq!(m.location.as_deref(), Some("Rådhuset lokale 233"));
    assert_eq!(m.members.len(), 10);
    assert_eq!(m.members[0].name.as_deref(), Some("Jeppe Kirkegaard"));
    let titles: Vec<(Option<u32>, &str)> = m
        .items
        .iter()
        .map(|i| (i.number, i.title.as_str()))
        .collect();
    assert_eq!(
        titles,
        [
            (Some(1), "First Agenda"),
            (Some(2), "GetOrganized"),
            (Some(3), "Eventuelt")
        ]
    );
}

store_tests!(
    the_three_publication_exports_import_with_their_files,
    damaged_and_hostile_zip_files_are_refused,
    the_aarhus_minutes_pdf_reads_alone,
);
