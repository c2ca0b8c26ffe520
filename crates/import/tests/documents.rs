//! Importing published agendas and minutes (text and PDF): the seed documents become
//! complete, merged meetings in any order, re-imports change nothing, and bad input is
//! refused with a reason while the rest of the batch is imported. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use protokol_core::exchange::to_json;
use protokol_import::{FileReport, Options, Summary, collect_files, import_files};
use protokol_store::Store;
use protokol_testkit::{Kind, fresh, store_tests};

fn seeds() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/seeds")
}

fn seed(name: &str) -> PathBuf {
    seeds().join(name)
}

const FULL: &str = "001_9e1715f7c52341eb.txt";
const EXTRACT: &str = "000_0ef5c3c12aec06f5.txt";

async fn run(store: &Store, paths: &[PathBuf]) -> Vec<FileReport> {
    let collected = collect_files(paths);
    let (files, mut missing) = (collected.files, collected.failed);
    let mut reports = Vec::new();
    let run = import_files(store, &files, &Options::default(), |r| reports.push(r)).await;
    // The run's totals count exactly the reports handed out, in the order of the files.
    assert_eq!(run.summary, Summary::of(&reports));
    assert_eq!(
        reports.iter().map(|r| r.path.clone()).collect::<Vec<_>>(),
        files
    );
    reports.append(&mut missing);
    reports
}

async fn export(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for s in store.meetings().await.unwrap() {
        let (mut m, _) = store.meeting(s.id).await.unwrap().unwrap();
        // Ids are the store's own: each store gives its records new ones.
        m = protokol_testkit::without_ids(&m);
        out.push(to_json(&m));
    }
    out.sort();
    out
}

async fn the_seed_documents_become_four_complete_meetings(kind: Kind) {
    let store = fresh(kind).await;
    let reports = run(&store, &[seeds()]).await;
    assert!(reports.iter().all(FileReport::is_ok), "{reports:#?}");
    assert_eq!(store.meeting_count().await.unwrap(), 4);
    // Norddjurs publishes with Formpipe Meetings+: its access lines name it in the report.
    for r in reports
        .iter()
        .filter(|r| r.layout.as_deref() != Some("protokol.meeting/1"))
    {
        assert_eq!(
            r.system.as_deref(),
            Some("Formpipe Meetings+"),
            "{}",
            r.line()
        );
        assert!(r.line().contains("· Formpipe Meetings+]"), "{}", r.line());
    }
    let (m, _) = store
        .meeting_on(&"DIR".parse().unwrap(), "2023-09-06".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    // The merge holds what each document alone lacks: the front page and other items from
    // the full minutes, the document numbers and closed titles from the extract.
    assert_eq!(m.location.as_deref(), Some("Mødelokale 250, rådhuset"));
    assert_eq!(m.items.len(), 4);
    let a21 = m.items[2]
        .attachments
        .iter()
        .find(|a| a.number == 21)
        .unwrap();
    assert_eq!(
        (a21.doc_id.as_deref(), a21.journal.as_deref()),
        (Some("3514806"), Some("91823/23"))
    );
    let a8 = m.items[2]
        .attachments
        .iter()
        .find(|a| a.number == 8)
        .unwrap();
    assert_eq!(
        a8.title,
        "Bilag 2 - VIVES kommunetal om sygefravær 2023, VIVE"
    );
    assert_eq!(m.sources, [FULL, EXTRACT]);

    let again = run(&store, &[seeds()]).await;
    assert_eq!(Summary::of(&again).unchanged, 5, "{again:#?}");
}

async fn documents_of_one_meeting_merge_the_same_in_any_order(kind: Kind) {
    let one = fresh(kind).await;
    run(&one, &[seed(FULL)]).await;
    run(&one, &[seed(EXTRACT)]).await;
    let two = fresh(kind).await;
    run(&two, &[seed(EXTRACT)]).await;
    run(&two, &[seed(FULL)]).await;
    assert_eq!(export(&one).await, export(&two).await);
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

fn line_of(reports: &[FileReport], name: &str) -> String {
    let r = reports
        .iter()
        .find(|r| r.path.file_name().is_some_and(|n| n == name))
        .unwrap_or_else(|| panic!("no report for {name}"));
    assert!(!r.is_ok(), "{name} should have failed: {}", r.line());
    r.line()
}

async fn bad_documents_are_refused_with_a_reason_and_the_rest_imports(kind: Kind) {
    let store = fresh(kind).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let extract = std::fs::read_to_string(seed("002_ef3a42c2608d16e4.txt")).unwrap();
    let mut paths = vec![
        seed("002_ef3a42c2608d16e4.txt"),
        write(d, "empty.txt", b""),
        write(
            d,
            "binary.txt",
            &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13],
        ),
        write(
            d,
            "letter.txt",
            "Kære borger\n\nTak for din henvendelse om vejarbejdet.\n".as_bytes(),
        ),
        write(
            d,
            "baddate.txt",
            extract.replace("13-09-2023", "31-02-2024").as_bytes(),
        ),
        write(d, "notpdf.pdf", b"this is not a pdf"),
        write(
            d,
            "truncated.pdf",
            b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pa",
        ),
        write(d, "scan.pdf", &image_only_pdf()),
    ];
    let huge = d.join("huge.txt");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(500 * 1024 * 1024)
        .unwrap();
    paths.push(huge);

    let reports = run(&store, &paths).await;
    for (file, expected) in [
        ("empty.txt", "the file is empty"),
        ("binary.txt", "binary"),
        ("letter.txt", "not a meeting document"),
        (
            "baddate.txt",
            "the meeting date \"31-02-2024\" does not exist",
        ),
        ("notpdf.pdf", "not a PDF"),
        ("truncated.pdf", "damaged or truncated"),
        ("scan.pdf", "no text layer"),
        ("huge.txt", "may be at most"),
    ] {
        let line = line_of(&reports, file);
        assert!(
            line.contains(expected),
            "{file}: expected {expected:?} in {line:?}"
        );
    }
    assert!(
        line_of(&reports, "baddate.txt").contains("line 2"),
        "the line is named"
    );
    assert_eq!(Summary::of(&reports).created, 1);
    let meetings = store.meetings().await.unwrap();
    assert_eq!(meetings.len(), 1);
    assert_eq!(meetings[0].date.to_string(), "2023-09-13");
}

/// A one-page PDF that only paints a grey rectangle, like a scan: no text at all.
fn image_only_pdf() -> Vec<u8> {
    let content = "0.5 g 72 72 451 698 re f";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        pdf.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// Minutes approved after a text import are frozen: a changed document about the same
/// meeting is refused with the meeting's name and a hint, nothing of it is stored, and the
/// same files imported again are simply unchanged. JSON over approved minutes likewise.
async fn imports_over_approved_minutes_are_refused(kind: Kind) {
    let store = fresh(kind).await;
    run(&store, &[seed(FULL)]).await;
    let dir = "DIR".parse().unwrap();
    let date = "2023-09-06".parse().unwrap();
    let (mut m, _) = store.meeting_on(&dir, date).await.unwrap().unwrap();
    m.status = Some(protokol_core::MeetingStatus::MinutesApproved);
    store.upsert_meeting(&m, "archivist").await.unwrap();
    let approved = store.meeting_on(&dir, date).await.unwrap().unwrap();
    assert_eq!(store.verify_approvals().await.unwrap(), (1, Vec::new()));

    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(seed(FULL)).unwrap();
    let edited = text.replacen(
        "Der blev afholdt Ekstraordinært Miljø- og Teknikudvalgsmøde",
        "Der blev IKKE afholdt Ekstraordinært Miljø- og Teknikudvalgsmøde",
        1,
    );
    assert_ne!(edited, text);
    let changed = write(tmp.path(), "rettet-referat.txt", edited.as_bytes());
    let mut json = approved.0.clone();
    json.items[0].decision = Some("Forkastet.".into());
    let json_file = write(
        tmp.path(),
        "rettet.json",
        protokol_core::exchange::to_json(&json).as_bytes(),
    );
    let reports = run(&store, &[changed, json_file]).await;
    for r in &reports {
        let line = r.line();
        assert!(!r.is_ok(), "{line}");
        for needle in [
            "Direktionen",
            "2023-09-06",
            "are approved",
            "corrections are dated additions",
        ] {
            assert!(line.contains(needle), "{needle}: {line}");
        }
    }
    assert_eq!(
        store.meeting_on(&dir, date).await.unwrap().unwrap(),
        approved
    );
    assert_eq!(
        store.sources(&dir, date).await.unwrap().len(),
        1,
        "the refused document is not kept as a source"
    );
    // The document it was imported from, again: nothing to do.
    let again = run(&store, &[seed(FULL)]).await;
    assert!(again[0].is_ok(), "{}", again[0].line());
    assert!(again[0].line().contains("unchanged"), "{}", again[0].line());
    assert_eq!(store.verify_approvals().await.unwrap(), (1, Vec::new()));
}

/// Documents in a layout no reader knows: read by the generic reader with what it finds
/// and its confidence; refused by --strict (storing nothing); not-a-meeting still refused.
async fn documents_in_no_known_layout_are_read_by_the_generic_reader(kind: Kind) {
    let store = fresh(kind).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bare = write(
        d,
        "bare.txt",
        "Kultur- og Fritidsudvalget\nReferat af mødet torsdag den 20. juni 2013\n\nUdvalget drøftede sommerens arrangementer.\n".as_bytes(),
    );
    let portal = write(
        d,
        "portal.html",
        "<html><head><title>Dagsorden</title><script>var x = 1;</script></head><body>\
         <h1>Plan- og Tryghedsudvalget</h1><p>Dagsorden for mødet mandag den 6. februar 2023 kl. 16.00</p>\
         <p>Sted: Rådhuset, mødelokale 1</p>\
         <h2>Punkt 1: Godkendelse af dagsorden</h2><h3>Indstilling</h3><p>Det indstilles, at dagsordenen godkendes.</p>\
         <h2>Punkt 2: Lokalplan for Hundige Strand</h2><p>Sagsnr.: 22-001234</p><h3>Resumé</h3><p>Forslag til lokalplan.</p>\
         <h3>Sagsfremstilling</h3><p>Området ligger ved stranden.</p><ul><li>at planen sendes i høring</li><li>at høringen varer 8 uger</li></ul>\
         <h2>Punkt 3: Lukket: Køb af ejendom</h2><p>Fortroligt.</p></body></html>"
            .as_bytes(),
    );
    let letter = write(
        d,
        "letter.html",
        "<p>Kære borger, tak for din henvendelse.</p>".as_bytes(),
    );

    // --strict: the uncertain reading is refused and nothing is stored.
    let mut strict = Vec::new();
    let options = Options {
        strict: true,
        ..Options::default()
    };
    import_files(&store, std::slice::from_ref(&bare), &options, |r| {
        strict.push(r)
    })
    .await;
    assert!(!strict[0].is_ok());
    assert!(
        strict[0].line().contains("refused by --strict"),
        "{}",
        strict[0].line()
    );
    assert_eq!(store.meeting_count().await.unwrap(), 0);

    let reports = run(&store, &[bare, portal, letter]).await;
    let by_name = |n: &str| {
        reports
            .iter()
            .find(|r| r.path.file_name().is_some_and(|x| x == n))
            .unwrap()
    };
    let bare = by_name("bare.txt");
    assert!(bare.is_ok(), "{}", bare.line());
    assert_eq!(bare.layout.as_deref(), Some("generic, confidence low"));
    assert!(
        bare.details()
            .iter()
            .any(|w| w.contains("no items recognised"))
    );
    let portal = by_name("portal.html");
    assert!(portal.is_ok(), "{}", portal.line());
    assert_eq!(portal.layout.as_deref(), Some("generic"));
    assert_eq!(portal.system, None, "no system left a trace in the page");
    assert!(
        by_name("letter.html")
            .line()
            .contains("not a meeting document")
    );

    let (m, _) = store
        .meeting_on(&"KFU".parse().unwrap(), "2013-06-20".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.body.name, "Kultur- og Fritidsudvalget");
    assert!(
        m.items[0]
            .case
            .as_deref()
            .unwrap()
            .contains("sommerens arrangementer")
    );

    let (m, _) = store
        .meeting_on(&"PTU".parse().unwrap(), "2023-02-06".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.location.as_deref(), Some("Rådhuset, mødelokale 1"));
    assert_eq!(m.start.map(|t| t.to_string()).as_deref(), Some("16:00"));
    let titles: Vec<&str> = m.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Godkendelse af dagsorden",
            "Lokalplan for Hundige Strand",
            "Køb af ejendom"
        ]
    );
    assert_eq!(
        m.items[0].recommendation.as_deref(),
        Some("Det indstilles, at dagsordenen godkendes.")
    );
    let plan = &m.items[1];
    assert_eq!(plan.case_number.as_deref(), Some("22-001234"));
    assert_eq!(plan.sections[0].heading, "Resumé");
    assert!(
        plan.case
            .as_deref()
            .unwrap()
            .contains("- at planen sendes i høring")
    );
    assert!(m.items[2].access.is_closed());
    assert!(
        !to_json(&m.visible_to(
            &protokol_core::Viewer::Public,
            &protokol_core::BodySettings::default()
        ))
        .contains("Fortroligt")
    );
}

store_tests!(
    documents_in_no_known_layout_are_read_by_the_generic_reader,
    imports_over_approved_minutes_are_refused,
    the_seed_documents_become_four_complete_meetings,
    documents_of_one_meeting_merge_the_same_in_any_order,
    bad_documents_are_refused_with_a_reason_and_the_rest_imports,
);
