//! Text whose layout was lost still reads to the same meeting: each seed and each text
//! document of the corpus, with all its line breaks replaced by spaces (a page copied from
//! the web), or with page headers of several systems shuffled in between its lines, gives
//! the same date, body, members, item numbers and item titles as the document itself.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use protokol_core::Meeting;
use protokol_parse::read_document;

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// The documents: the seeds, and the corpus's text documents (eDoc's HTML renderings).
fn documents() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in [repo("data/seeds")] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for f in files {
            out.push((name(&f), std::fs::read_to_string(&f).unwrap()));
        }
    }
    let corpus = repo("../shared/corpus/edoc-fujitsu");
    if corpus.is_dir() {
        for f in walk(&corpus) {
            if f.extension().is_some_and(|e| e == "html") {
                let html = std::fs::read_to_string(&f).unwrap();
                out.push((name(&f), protokol_parse::html::html_text(&html)));
            }
        }
    } else {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!in_ci, "../shared/corpus is missing and CI=true");
        eprintln!("SKIPPED: ../shared/corpus not found beside the checkout");
    }
    out
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// What must survive: date, body, members, item numbers and titles.
#[derive(Debug, PartialEq, Eq)]
struct Essence {
    date: String,
    body: String,
    members: Vec<String>,
    items: Vec<(Option<u32>, String)>,
}

fn essence(m: &Meeting) -> Essence {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    Essence {
        date: m.date.to_string(),
        body: m.body.name.clone(),
        members: m.members.iter().filter_map(|p| p.name.clone()).collect(),
        items: m
            .items
            .iter()
            .map(|i| (i.number, squash(&i.title)))
            .collect(),
    }
}

#[test]
fn documents_without_line_breaks_read_to_the_same_meeting() {
    let docs = documents();
    assert!(docs.len() >= 5);
    for (name, text) in docs {
        let want = essence(&read_document(&text, &name).unwrap().meeting);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let got = read_document(&flat, &name).unwrap_or_else(|e| panic!("{name} on one line: {e}"));
        assert_eq!(essence(&got.meeting), want, "{name} on one line");
    }
}

/// Page headers and footers as three kinds of system print them, for a document of `body`
/// on `date`: page `p` of `n`.
fn furniture(
    style: usize,
    body: &str,
    date: chrono::NaiveDate,
    p: usize,
    n: usize,
) -> (String, String) {
    match style % 3 {
        0 => (
            format!("{body} {}", date.format("%d-%m-%Y")),
            format!("Side {p}"),
        ),
        1 => (
            format!(
                "Norddjurs Kommune\n{body} - Referat - {}",
                protokol_core::danish::day_month_year(date)
            ),
            format!("Side {p} af {n}"),
        ),
        _ => (
            format!("{body}, mødedato {}", date.format("%d.%m.%Y")),
            format!("{p}/{n}"),
        ),
    }
}

/// A small deterministic generator, so that a failure can be reproduced.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

#[test]
fn documents_with_page_headers_shuffled_in_read_to_the_same_meeting() {
    for (k, (name, text)) in documents().into_iter().enumerate() {
        let parsed = read_document(&text, &name).unwrap();
        let want = essence(&parsed.meeting);
        let lines: Vec<&str> = text.lines().collect();
        for style in 0..3 {
            let mut rng = Lcg(k as u64 * 31 + style as u64);
            // Page breaks every 25–60 lines, at a place chosen at random.
            let mut breaks = Vec::new();
            let mut at = 0;
            loop {
                at += 25 + rng.next(36);
                if at >= lines.len() {
                    break;
                }
                breaks.push(at);
            }
            let pages = breaks.len() + 1;
            let mut out = String::new();
            let (head, _) = furniture(
                style,
                &parsed.meeting.body.name,
                parsed.meeting.date,
                1,
                pages,
            );
            if style != 0 {
                out.push_str(&head);
                out.push('\n');
            }
            let mut page = 1;
            for (n, line) in lines.iter().enumerate() {
                if breaks.contains(&n) {
                    let (_, foot) = furniture(
                        style,
                        &parsed.meeting.body.name,
                        parsed.meeting.date,
                        page,
                        pages,
                    );
                    page += 1;
                    let (head, _) = furniture(
                        style,
                        &parsed.meeting.body.name,
                        parsed.meeting.date,
                        page,
                        pages,
                    );
                    out.push_str(&format!("\n{foot}\n\u{000c}{head}\n\n"));
                }
                out.push_str(line);
                out.push('\n');
            }
            let got = read_document(&out, &name)
                .unwrap_or_else(|e| panic!("{name} with headers of style {style}: {e}"));
            assert_eq!(
                essence(&got.meeting),
                want,
                "{name} with headers of style {style}"
            );
        }
    }
}
