//! FirstAgenda publication JSON: the 288 real meetings of Greve Kommune in
//! `../shared/corpus/firstagenda-greve` all import, and every field of every stored meeting
//! is checked against the JSON it came from (read here with `serde_json::Value`, not with
//! the importer's own structures). Importing them again changes nothing. On SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use protokol_core::{Access, Item, Meeting, MeetingKind};
use protokol_import::{FileReport, Options, collect_files, import_files};
use protokol_store::{SaveOutcome, Store};
use protokol_testkit::{Kind, fresh, store_tests};
use regex::Regex;
use serde_json::Value;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn corpus() -> Option<PathBuf> {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/firstagenda-greve");
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        !in_ci(),
        "../shared/corpus/firstagenda-greve is missing and CI=true"
    );
    eprintln!("SKIPPED: ../shared/corpus/firstagenda-greve not found beside the checkout");
    None
}

async fn import(store: &Store, dir: &PathBuf) -> Vec<FileReport> {
    let files = collect_files(std::slice::from_ref(dir)).files;
    let mut reports = Vec::new();
    import_files(store, &files, &Options::default(), |r| reports.push(r)).await;
    reports
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What an HTML field says, in document order: headings and runs of text, read with
/// html5ever's tree (for entities and broken markup) but not with the importer's reader.
#[derive(Debug)]
enum Piece {
    Heading(String),
    Text(String),
}

fn pieces(html: &str) -> Vec<Piece> {
    use ego_tree::iter::Edge;
    use scraper::{Html, Node};
    let doc = Html::parse_fragment(html);
    let mut out = Vec::new();
    let mut heading: Option<String> = None;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Element(e) if e.name().len() == 2 && e.name().starts_with('h') => {
                    heading.get_or_insert_with(String::new);
                }
                Node::Text(t) => match &mut heading {
                    Some(h) => h.push_str(t),
                    None => {
                        let t = collapse(t);
                        if !t.is_empty() {
                            out.push(Piece::Text(t));
                        }
                    }
                },
                _ => {}
            },
            Edge::Close(n) => {
                if let Node::Element(e) = n.value()
                    && e.name().len() == 2
                    && e.name().starts_with('h')
                    && let Some(h) = heading.take()
                {
                    let h = collapse(&h);
                    // A long "heading" is a paragraph in a heading's style: it stays text.
                    if h.chars().count() > 150 {
                        out.push(Piece::Text(h));
                    } else if !h.is_empty() {
                        out.push(Piece::Heading(h));
                    }
                }
            }
        }
    }
    out
}

/// Every text the stored item holds.
fn item_text(i: &Item) -> String {
    let mut all = vec![i.title.clone()];
    for t in [
        &i.case,
        &i.economy,
        &i.recommendation,
        &i.decision,
        &i.public_decision,
    ]
    .into_iter()
    .flatten()
    {
        all.push(t.clone());
    }
    for s in &i.sections {
        all.push(s.heading.clone());
        all.push(s.text.clone());
    }
    all.join("\n")
}

fn expected_body(raw: &str) -> String {
    let name = raw.trim_start_matches('.');
    let period = Regex::new(r"\s+\d{4}-\d{4}$").unwrap();
    let name = period.replace(name, "").to_string();
    if name == "Byråd" {
        "Byrådet".into()
    } else {
        name
    }
}

/// Checks one stored meeting against its JSON; returns what differs.
fn compare(json: &Value, m: &Meeting) -> Vec<String> {
    let mut bad = Vec::new();
    let mut check = |what: String, ok: bool| {
        if !ok {
            bad.push(what);
        }
    };
    let moede = &json["Moede"];
    let dato = s(moede, "Dato");
    check(
        format!("date {} vs {dato}", m.date),
        m.date.to_string() == dato[..10],
    );
    let start = m
        .start
        .map(|t| format!("{:02}:{:02}", t.hour(), t.minute()));
    check(
        format!("start {start:?} vs {dato}"),
        start.as_deref() == Some(&dato[11..16]) || (&dato[11..16] == "00:00" && start.is_none()),
    );
    check(
        format!("body {} vs {}", m.body.name, s(&json["Udvalg"], "Navn")),
        m.body.name == expected_body(s(&json["Udvalg"], "Navn")),
    );
    let place = collapse(s(moede, "Sted"));
    check(
        format!("location {:?} vs {place:?}", m.location),
        m.location.clone().unwrap_or_default() == place,
    );
    let people = moede["Moededeltagere"].as_array().unwrap();
    let names: Vec<String> = people.iter().map(|p| collapse(s(p, "Name"))).collect();
    let members: Vec<String> = m.members.iter().filter_map(|x| x.name.clone()).collect();
    check(
        format!("members {members:?} vs {names:?}"),
        members == names,
    );
    let absent: Vec<String> = people
        .iter()
        .filter(|p| {
            p["Absent"] == Value::Bool(true) || p["ParticipationCancelled"] == Value::Bool(true)
        })
        .map(|p| collapse(s(p, "Name")))
        .collect();
    let stored_absent: Vec<String> = m.absent.iter().map(|a| a.name.clone()).collect();
    check(
        format!("absent {stored_absent:?} vs {absent:?}"),
        stored_absent == absent,
    );
    for a in &m.absent {
        let p = people
            .iter()
            .find(|p| collapse(s(p, "Name")) == a.name)
            .unwrap();
        check(
            format!("{}: notice {}", a.name, a.notice),
            a.notice == (p["ParticipationCancelled"] == Value::Bool(true)),
        );
    }

    let items = json["Dagsordenpunkter"].as_array().unwrap();
    check(
        format!("{} items vs {}", m.items.len(), items.len()),
        m.items.len() == items.len(),
    );
    let mut any_decision = false;
    for (j, i) in items.iter().zip(&m.items) {
        let caption = collapse(s(j, "Caption"));
        let closed = caption.starts_with("Lukket:");
        let title = caption.strip_prefix("Lukket:").unwrap_or(&caption).trim();
        let at = format!("item {caption:?}");
        check(
            format!("{at}: number {:?} vs {}", i.number, s(j, "Punktnummer")),
            i.number.map(|n| n.to_string()).as_deref() == Some(s(j, "Punktnummer")),
        );
        check(format!("{at}: title {:?}", i.title), i.title == title);
        check(
            format!("{at}: access {:?}", i.access),
            i.access == if closed { Access::Closed } else { Access::Open },
        );
        if closed {
            check(
                format!("{at}: public title {:?}", i.public_title),
                i.public_title.as_deref() == Some(title),
            );
        }
        let case_number = collapse(s(j, "SagsNummer"));
        check(
            format!("{at}: case number {:?} vs {case_number}", i.case_number),
            i.case_number.clone().unwrap_or_default() == case_number,
        );
        let bilag: Vec<String> = j["Bilag"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| collapse(s(b, "Navn")))
            .collect();
        let stored: Vec<String> = i.attachments.iter().map(|a| a.title.clone()).collect();
        check(
            format!("{at}: attachments {stored:?} vs {bilag:?}"),
            stored == bilag,
        );
        check(
            format!("{at}: attachment numbers"),
            i.attachments
                .iter()
                .enumerate()
                .all(|(k, a)| a.number as usize == k + 1 && a.access == i.access),
        );
        let item_absent: Vec<String> = j["ExternalAgendaItemAttendees"]
            .as_array()
            .map(|a| a.iter().map(|p| collapse(s(p, "Name"))).collect())
            .unwrap_or_default();
        check(
            format!("{at}: absent {:?} vs {item_absent:?}", i.absent),
            i.absent == item_absent,
        );
        // Every run of text of every field is kept in the item, and every heading with
        // text under it lands in its place.
        let stored = collapse(&item_text(i));
        for f in j["Felter"].as_array().unwrap() {
            let pieces = pieces(s(f, "Html"));
            for (k, p) in pieces.iter().enumerate() {
                match p {
                    Piece::Text(t) => check(
                        format!("{at}: text lost: {t:?}"),
                        stored.contains(t.as_str()),
                    ),
                    Piece::Heading(h) => {
                        let has_text = pieces[k + 1..]
                            .iter()
                            .take_while(|p| matches!(p, Piece::Text(_)))
                            .next()
                            .is_some();
                        if !has_text {
                            continue;
                        }
                        let norm = h.to_lowercase();
                        let placed = match norm.trim_end_matches(':') {
                            "beslutning" => {
                                any_decision = true;
                                i.decision.is_some()
                            }
                            "indstilling" => i.recommendation.is_some(),
                            "økonomiske konsekvenser" | "økonomi" => i.economy.is_some(),
                            "sagsbeskrivelse" | "fremstilling" | "sagsfremstilling" => {
                                i.case.is_some()
                            }
                            other => i.sections.iter().any(|x| x.heading.to_lowercase() == other),
                        };
                        check(format!("{at}: section {h:?} not placed"), placed);
                    }
                }
            }
        }
    }
    check(
        format!("kind {:?}", m.kind),
        m.kind
            == if any_decision {
                MeetingKind::Minutes
            } else {
                MeetingKind::Agenda
            },
    );
    bad
}

async fn every_greve_meeting_imports_with_every_field(kind: Kind) {
    let Some(dir) = corpus() else { return };
    let store = fresh(kind).await;
    let reports = import(&store, &dir).await;
    let failed: Vec<String> = reports
        .iter()
        .filter(|r| !r.is_ok())
        .map(FileReport::line)
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(reports.len(), 288);
    assert!(
        reports
            .iter()
            .all(|r| r.layout.as_deref() == Some("firstagenda_json")
                && r.system.as_deref() == Some("FirstAgenda"))
    );
    assert_eq!(store.meeting_count().await.unwrap(), 288);

    let mut problems = Vec::new();
    for r in &reports {
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&r.path).unwrap()).unwrap();
        let meetings = r.result.as_ref().unwrap();
        assert_eq!(meetings.len(), 1);
        let (m, _) = store.meeting(meetings[0].id).await.unwrap().unwrap();
        for p in compare(&json, &m) {
            problems.push(format!("{}: {p}", r.path.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "{} differences, first: {:#?}",
        problems.len(),
        &problems[..problems.len().min(20)]
    );

    // Again: nothing changes.
    let again = import(&store, &dir).await;
    assert!(again.iter().all(|r| {
        r.result
            .as_ref()
            .is_ok_and(|ms| ms.iter().all(|m| m.outcome == SaveOutcome::Unchanged))
    }));
    assert_eq!(store.meeting_count().await.unwrap(), 288);
}

store_tests!(every_greve_meeting_imports_with_every_field);
