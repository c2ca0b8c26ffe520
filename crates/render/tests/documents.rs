//! The published documents: what each edition shows, that closed content never reaches the
//! public edition (HTML, and the PDF's extracted text), and that the importer reads our own
//! PDFs back to the same meeting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use protokol_core::{BodySettings, Meeting};
use protokol_render::{DocKind, Document, Edition, Scope, html, pdf};
use protokol_testkit::{CANARY, council_meeting, demo_meetings, with_closed_canaries};

fn doc(m: &Meeting, edition: Edition, kind: DocKind, scope: Scope) -> Document {
    Document::build(m, &BodySettings::default(), edition, kind, scope).unwrap()
}

/// The text of a PDF as the importer reads it (pdftotext, or the pure-Rust fallback).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    protokol_import::extract_pdf_text(&path, bytes).unwrap().0
}

fn canary_meeting() -> Meeting {
    let m = demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == "2023-09-06")
        .unwrap();
    with_closed_canaries(m)
}

#[test]
fn public_html_and_pdf_leave_out_every_closed_field() {
    let m = canary_meeting();
    let closed = m.items.last().unwrap().number.unwrap();
    for kind in [DocKind::Agenda, DocKind::Minutes] {
        for scope in [Scope::Meeting, Scope::Item(closed), Scope::Item(3)] {
            let d = doc(&m, Edition::Public, kind, scope);
            let page = html::standalone(&d).unwrap();
            assert!(
                !page.contains(CANARY),
                "{kind:?} {scope:?}: canary in public HTML"
            );
            assert!(!html::fragment(&d, true).unwrap().contains(CANARY));
            let text = pdf_text(&pdf::render(&d).unwrap());
            assert!(
                !text.contains(CANARY),
                "{kind:?} {scope:?}: canary in public PDF"
            );
            assert!(!text.contains("INTERNT"));
        }
    }
    // What the public may know of the closed item is there.
    let d = doc(&m, Edition::Public, DocKind::Minutes, Scope::Meeting);
    let text = pdf_text(&pdf::render(&d).unwrap());
    for expected in [
        "Ansættelse af direktør",
        "Lukket sag",
        "Indstillingen blev godkendt.",
    ] {
        assert!(text.contains(expected), "public PDF lacks {expected:?}");
        assert!(html::standalone(&d).unwrap().contains(expected));
    }
}

#[test]
fn internal_edition_is_complete_and_marked_on_every_page() {
    let m = canary_meeting();
    let d = doc(&m, Edition::Internal, DocKind::Minutes, Scope::Meeting);
    let page = html::standalone(&d).unwrap();
    let text = pdf_text(&pdf::render(&d).unwrap());
    for field in [
        "Personalesag",
        "Sagsfremstilling",
        "Økonomi",
        "Indstilling",
        "Beslutning",
        "Underpunkt",
        "Underpunktets beslutning",
        "Lukket bilag",
        "Lukket bilag i åbent punkt",
    ] {
        let needle = format!("{field} {CANARY}");
        assert!(page.contains(&needle), "internal HTML lacks {needle:?}");
        assert!(text.contains(&needle), "internal PDF lacks {needle:?}");
    }
    assert!(page.contains("Internt dokument"));
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 3, "a multi-page document");
    for (n, p) in pages.iter().enumerate() {
        assert!(
            p.contains("INTERNT"),
            "page {} lacks the internal mark",
            n + 1
        );
    }
}

#[test]
fn pdf_is_a4_tagged_danish_with_bookmarks_and_embedded_fonts() {
    let m = &demo_meetings()[0];
    let d = doc(m, Edition::Public, DocKind::Minutes, Scope::Meeting);
    let bytes = pdf::render(&d).unwrap();
    let raw = String::from_utf8_lossy(&bytes);
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(raw.contains("/Lang(da-DK)"), "document language Danish");
    assert!(raw.contains("/StructTreeRoot"), "tagged PDF");
    assert!(raw.contains("/Outlines"), "bookmarks");
    assert!(raw.contains("/FontFile2"), "embedded TrueType fonts");
    assert!(raw.contains("pdfuaid"), "PDF/UA identification");
    assert!(raw.contains("/MediaBox[0 0 595.2756 841.8898]"), "A4 pages");
    let text = pdf_text(&bytes);
    assert!(text.contains("Indholdsfortegnelse"));
    assert!(text.contains("Side 1 af"));
    assert!(text.contains("Dato:"));
    assert!(text.contains("Onsdag den 6. september 2023"));
    assert!(text.contains("Beslutning i Direktionen den 06-09-2023"));
}

#[test]
fn agenda_has_no_decisions_and_extract_has_one_item() {
    let m = &demo_meetings()[0];
    let agenda =
        html::standalone(&doc(m, Edition::Public, DocKind::Agenda, Scope::Meeting)).unwrap();
    assert!(agenda.contains("Dagsorden"));
    assert!(!agenda.contains("Beslutning i Direktionen"));
    assert!(!agenda.contains("Kerneopgave og navn blev godkendt."));
    let extract = doc(m, Edition::Public, DocKind::Minutes, Scope::Item(2));
    assert_eq!(extract.items.len(), 1);
    let text = pdf_text(&pdf::render(&extract).unwrap());
    assert!(text.contains("2. Økonomi"));
    assert!(text.contains("Direktionen 06-09-2023"), "running header");
    assert!(!text.contains("Punkter til behandling"));
    assert!(
        Document::build(
            m,
            &BodySettings::default(),
            Edition::Public,
            DocKind::Minutes,
            Scope::Item(99)
        )
        .is_err()
    );
}

// ---- Reading our own PDFs back ----

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Word-bag similarity of two texts (1.0 = the same words).
fn similar(a: Option<&str>, b: Option<&str>) -> f64 {
    let (a, b) = (words(a.unwrap_or("")), words(b.unwrap_or("")));
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut bag: HashMap<&str, i32> = HashMap::new();
    for w in &a {
        *bag.entry(w).or_default() += 1;
    }
    let mut common = 0;
    for w in &b {
        if let Some(n) = bag.get_mut(w.as_str())
            && *n > 0
        {
            *n -= 1;
            common += 1;
        }
    }
    common as f64 / a.len().max(b.len()) as f64
}

#[derive(Default)]
struct Tally {
    hits: usize,
    total: usize,
    misses: Vec<String>,
}

impl Tally {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.total += 1;
        if ok {
            self.hits += 1;
        } else {
            self.misses.push(what());
        }
    }
    fn score(&self) -> f64 {
        self.hits as f64 / self.total.max(1) as f64
    }
}

fn names(xs: &[String]) -> Vec<String> {
    let mut v: Vec<String> = xs.iter().map(|x| words(x).join(" ")).collect();
    v.sort();
    v
}

/// Compares the facts the importer reads from a published document.
fn compare(want: &Meeting, got: &Meeting, t: &mut Tally) {
    t.check(want.kind == got.kind, || "kind".into());
    t.check(want.start == got.start, || format!("start {:?}", got.start));
    t.check(want.end == got.end, || format!("end {:?}", got.end));
    t.check(want.location == got.location, || "location".into());
    let member_names = |m: &Meeting| {
        names(
            &m.members
                .iter()
                .filter_map(|x| x.name.clone())
                .collect::<Vec<_>>(),
        )
    };
    t.check(member_names(want) == member_names(got), || "members".into());
    t.check(want.items.len() == got.items.len(), || "item count".into());
    for w in &want.items {
        let Some(g) = got.items.iter().find(|g| g.number == w.number) else {
            t.check(false, || format!("item {:?} missing", w.number));
            continue;
        };
        let at = |f: &str| format!("item {:?} {f}", w.number);
        t.check(w.title == g.title, || at("title"));
        t.check(w.access == g.access, || at("access"));
        t.check(w.route == g.route, || at("route"));
        for (f, a, b) in [
            ("case", &w.case, &g.case),
            ("economy", &w.economy, &g.economy),
            ("recommendation", &w.recommendation, &g.recommendation),
            ("decision", &w.decision, &g.decision),
        ] {
            let s = similar(a.as_deref(), b.as_deref());
            t.check(s >= 0.97, || format!("{} {s:.3}", at(f)));
        }
        t.check(names(&w.participants) == names(&g.participants), || {
            format!("{} {:?}", at("participants"), g.participants)
        });
        let owners = |i: &protokol_core::Item| {
            names(
                &i.followups
                    .iter()
                    .map(|f| f.owner.clone())
                    .collect::<Vec<_>>(),
            )
        };
        t.check(owners(w) == owners(g), || at("followups"));
        let next = |i: &protokol_core::Item| {
            i.next
                .iter()
                .map(|n| (words(&n.body).join(" "), n.date))
                .collect::<Vec<_>>()
        };
        t.check(next(w) == next(g), || {
            format!("{} {:?}", at("next"), g.next)
        });
        if want.kind == protokol_core::MeetingKind::Minutes {
            t.check(w.votes == g.votes, || {
                format!("{} {:?}", at("votes"), g.votes)
            });
            t.check(w.dissents == g.dissents, || at("dissents"));
            t.check(w.absent == g.absent, || at("absent"));
            t.check(w.disqualified == g.disqualified, || at("disqualified"));
        }
        t.check(w.schedule.len() == g.schedule.len(), || {
            at("sub-point count")
        });
        for (ws, gs) in w.schedule.iter().zip(&g.schedule) {
            let sp = |f: &str| format!("{} sub-point {:?} {f}", at(""), ws.title);
            t.check(ws.time == gs.time, || sp("time"));
            t.check(ws.title == gs.title, || sp("title"));
            let s = similar(ws.text.as_deref(), gs.text.as_deref());
            t.check(s >= 0.97, || format!("{} {s:.3}", sp("text")));
            let s = similar(ws.decision.as_deref(), gs.decision.as_deref());
            t.check(s >= 0.97, || format!("{} {s:.3}", sp("decision")));
            t.check(names(&ws.participants) == names(&gs.participants), || {
                sp("participants")
            });
            t.check(
                ws.next.iter().map(|n| n.date).collect::<Vec<_>>()
                    == gs.next.iter().map(|n| n.date).collect::<Vec<_>>(),
                || sp("next"),
            );
        }
        t.check(w.attachments.len() == g.attachments.len(), || {
            at("attachment count")
        });
        for (wa, ga) in w.attachments.iter().zip(&g.attachments) {
            let a = |f: &str| format!("{} bilag {} {f}", at(""), wa.number);
            t.check(wa.number == ga.number, || a("number"));
            t.check(wa.title == ga.title, || a(&format!("title {:?}", ga.title)));
            t.check(wa.access == ga.access, || a("access"));
            t.check(wa.doc_id == ga.doc_id, || a("doc_id"));
            t.check(wa.journal == ga.journal, || a("journal"));
        }
    }
    t.check(want.forward_plan.len() == got.forward_plan.len(), || {
        "forward plan".into()
    });
    for (w, g) in want.forward_plan.iter().zip(&got.forward_plan) {
        t.check(
            w.date == g.date && names(&w.topics) == names(&g.topics),
            || format!("plan {}", w.date),
        );
    }
    t.check(
        names(&want.awaiting_date) == names(&got.awaiting_date),
        || "awaiting".into(),
    );
}

#[test]
fn the_importer_reads_our_own_pdfs_back_to_the_same_meeting() {
    let mut meetings = demo_meetings();
    meetings.push(council_meeting());
    let mut all = Tally::default();
    for m in &meetings {
        let kind = *DocKind::available_for(m).last().unwrap();
        let d = doc(m, Edition::Internal, kind, Scope::Meeting);
        let text = pdf_text(&pdf::render(&d).unwrap());
        let parsed = protokol_parse::parse_document(&text, "roundtrip.pdf").unwrap();
        let mut t = Tally::default();
        compare(m, &parsed.meeting, &mut t);
        eprintln!(
            "{} {}: {:.4} ({}/{}) misses: {:?}",
            m.body.code.as_str(),
            m.date,
            t.score(),
            t.hits,
            t.total,
            t.misses
        );
        all.hits += t.hits;
        all.total += t.total;
        all.misses.extend(t.misses);
    }
    assert!(
        all.score() >= 0.99,
        "round trip {:.4} < 0.99; misses: {:?}",
        all.score(),
        all.misses
    );
}

#[test]
fn case_numbers_and_further_sections_are_shown_in_html_and_pdf() {
    let mut m = demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == "2023-09-06")
        .unwrap();
    let item = &mut m.items[0];
    item.case_number = Some("21-014439".into());
    item.sections = vec![
        protokol_core::Section {
            heading: "Lovgrundlag".into(),
            text: "Lov om kommunernes styrelse § 20.".into(),
        },
        protokol_core::Section {
            heading: "Sagens forløb".into(),
            text: "24-01-2022 Økonomiudvalget\n\nBeslutning ikke frigivet".into(),
        },
    ];
    let d = doc(&m, Edition::Public, DocKind::Minutes, Scope::Meeting);
    let page = html::standalone(&d).unwrap();
    assert!(
        page.contains(r#"Sagsnr.: <a href="/sag/21-014439">21-014439</a>"#),
        "the case number links to the case page"
    );
    let law = page.find(">Lovgrundlag</h3>").unwrap();
    let course = page.find(">Sagens forløb</h3>").unwrap();
    assert!(
        page.contains(r#"<h3 id="punkt-1-afsnit-1">Lovgrundlag</h3>"#),
        "sections have anchors for search hits"
    );
    assert!(law < course, "sections in their order");
    assert!(page.contains("Lov om kommunernes styrelse § 20."));
    let text = pdf_text(&pdf::render(&d).unwrap());
    for expected in [
        "Sagsnr.: 21-014439",
        "Lovgrundlag",
        "Lov om kommunernes styrelse § 20.",
        "Sagens forløb",
        "Beslutning ikke frigivet",
    ] {
        assert!(text.contains(expected), "PDF lacks {expected:?}");
    }
}
