//! eDoc (Fujitsu) publishing exports: the real export in `../shared/corpus/edoc-fujitsu`
//! (two publishings of one agenda, XML + HTML each, attachment PDFs in their folder)
//! imports as one meeting whose items and attachments are those of the newest publication's
//! XML, read here independently of the importer; the HTML renderings and attachment files
//! are not taken for meeting documents; the closed item stays out of the public view;
//! importing again changes nothing. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use protokol_core::exchange::to_json;
use protokol_core::{BodySettings, MeetingKind, Viewer};
use protokol_import::{FileReport, Options, collect_files, import_files};
use protokol_store::{SaveOutcome, Store};
use protokol_testkit::{Kind, fresh, store_tests};

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/edoc-fujitsu");
    if p.is_dir() {
        return Some(p);
    }
    let in_ci = protokol_testkit::in_ci();
    assert!(
        !in_ci,
        "../shared/corpus/edoc-fujitsu is missing and CI=true"
    );
    eprintln!("SKIPPED: ../shared/corpus/edoc-fujitsu not found beside the checkout");
    None
}

async fn import(store: &Store, dir: &Path) -> Vec<FileReport> {
    let collected = collect_files(&[dir.to_path_buf()]);
    let mut reports = Vec::new();
    import_files(store, &collected.files, &Options::default(), |r| {
        reports.push(r)
    })
    .await;
    reports
}

/// What the XML says about one item, read with roxmltree by local names.
struct XmlItem {
    number: u32,
    title: String,
    case_number: Option<String>,
    public: bool,
    attachments: Vec<(String, String)>,
}

fn text_of(n: roxmltree::Node, name: &str) -> Option<String> {
    let t: String = n
        .children()
        .find(|c| c.tag_name().name() == name)?
        .descendants()
        .filter(roxmltree::Node::is_text)
        .filter_map(|d| d.text())
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

fn xml_items(path: &Path) -> Vec<XmlItem> {
    let raw = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(raw.trim_start_matches('\u{feff}')).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "AgendaElement")
        .map(|e| {
            let h = e
                .children()
                .find(|c| c.tag_name().name() == "HandlingItem")
                .unwrap();
            XmlItem {
                number: text_of(h, "SerialNo").unwrap().parse().unwrap(),
                title: text_of(h, "Title").unwrap(),
                case_number: text_of(h, "CaseNumber"),
                public: text_of(e, "AccessIsPublic").as_deref() == Some("true"),
                attachments: h
                    .descendants()
                    .filter(|a| a.tag_name().name() == "Attachment")
                    .map(|a| {
                        let link = text_of(a, "Link").unwrap();
                        (text_of(a, "Title").unwrap(), link.replace('\\', "/"))
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn the_edoc_export_imports_as_its_newest_publication(kind: Kind) {
    let Some(dir) = corpus() else { return };
    let store = fresh(kind).await;
    let collected = collect_files(std::slice::from_ref(&dir));
    assert_eq!(collected.files.len(), 2, "the two publications' XML only");
    assert!(
        collected
            .skipped
            .iter()
            .any(|s| s.reason.contains("HTML rendering")),
        "the HTML beside each XML is skipped"
    );
    assert!(
        collected
            .skipped
            .iter()
            .any(|s| s.reason.contains("attachment file")),
        "the attachment PDFs are not meeting documents"
    );
    let reports = import(&store, &dir).await;
    assert_eq!(reports.len(), 2);
    for r in &reports {
        assert!(r.is_ok(), "{}", r.line());
        assert_eq!(r.layout.as_deref(), Some("edoc_xml"));
        assert_eq!(r.system.as_deref(), Some("eDoc"));
    }

    let code = protokol_parse::bodies::code_for("Hennys testudvalg");
    let (m, _) = store
        .meeting_on(&code.parse().unwrap(), "2017-05-02".parse().unwrap())
        .await
        .unwrap()
        .expect("the meeting");
    assert_eq!(m.body.name, "Hennys testudvalg");
    assert_eq!(m.kind, MeetingKind::Agenda);
    assert_eq!(m.start.map(|t| t.to_string()).as_deref(), Some("10:00"));
    assert_eq!(m.end.map(|t| t.to_string()).as_deref(), Some("11:00"));
    assert_eq!(m.location.as_deref(), Some("Mødelokale 1, Midtpunkt"));
    assert!(
        m.members.iter().any(
            |p| p.name.as_deref() == Some("Hanne Lauritsen") && p.party.as_deref() == Some("F")
        )
    );
    assert!(
        m.members.iter().any(
            |p| p.name.as_deref() == Some("Allan Buch") && p.role.as_deref() == Some("Formand")
        )
    );
    assert!(m.absent.iter().any(|a| a.name == "Niels Bebe"));

    // The newest publishing is the later folder; its XML is the truth.
    let newest = walkdir(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .max_by_key(|p| p.parent().unwrap().file_name().unwrap().to_owned())
        .unwrap();
    let want = xml_items(&newest);
    assert_eq!(m.items.len(), want.len(), "the newest publication's items");
    for (got, want) in m.items.iter().zip(&want) {
        assert_eq!(got.number, Some(want.number));
        assert_eq!(got.title, want.title);
        assert_eq!(got.case_number, want.case_number);
        assert_eq!(got.access.is_closed(), !want.public, "item {}", want.number);
        assert_eq!(got.attachments.len(), want.attachments.len());
        for (a, (title, link)) in got.attachments.iter().zip(&want.attachments) {
            assert_eq!(&a.title, title);
            // The file is stored where the export holds it (names compared without case).
            let folder = newest.parent().unwrap();
            let exists = std::fs::read_dir(folder.join("Attachments"))
                .map(|rd| {
                    rd.filter_map(Result::ok).any(|e| {
                        e.file_name().to_string_lossy().to_lowercase()
                            == link.rsplit('/').next().unwrap().to_lowercase()
                    })
                })
                .unwrap_or(false);
            assert_eq!(a.file.is_some(), exists, "{title}");
            if let Some(f) = &a.file {
                let sha = f.sha256.as_deref().unwrap();
                assert!(store.file_size(sha).await.unwrap().is_some());
            }
        }
    }
    let closed = m
        .items
        .iter()
        .find(|i| i.access.is_closed())
        .expect("a closed item");
    assert!(closed.public_title.is_none());
    let public = to_json(&m.visible_to(&Viewer::Public, &BodySettings::default()));
    for canary in ["møgsag", "sjusket", "gulvtæppet"] {
        assert!(!public.contains(canary), "{canary} reached the public view");
    }

    // Importing again changes nothing.
    for r in import(&store, &dir).await {
        let meetings = r.result.as_ref().unwrap();
        assert!(
            meetings.iter().all(|m| m.outcome == SaveOutcome::Unchanged),
            "{}",
            r.line()
        );
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

store_tests!(the_edoc_export_imports_as_its_newest_publication);
