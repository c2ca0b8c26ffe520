//! Danish search as a reader meets it, on small meetings in an index in memory, with the
//! system's Danish dictionary (hunspell-da; required in CI) and the repository's word list.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::NaiveDate;
use protokol_core::{Access, Attachment, BodyCode, BodyRef, Item, Meeting, MeetingKind};
use protokol_search::analysis::Lexicon;
use protokol_search::{
    Audience, Compounds, Request, Results, Search, SearchIndex, Sort, entries, entry_text,
};

fn meeting(body: &str, code: &str, date: &str, items: Vec<Item>) -> Meeting {
    let mut m = Meeting::new(
        BodyRef {
            name: body.into(),
            code: code.parse::<BodyCode>().unwrap(),
        },
        MeetingKind::Minutes,
        NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
    );
    m.items = items;
    m
}

fn item(n: u32, title: &str, case: &str, decision: &str) -> Item {
    let mut i = Item::new(Some(n), title);
    i.case = Some(case.into());
    i.decision = Some(decision.into());
    i
}

fn lexicon() -> Arc<Lexicon> {
    let path = std::path::Path::new(protokol_search::compounds::SYSTEM_DICTIONARY);
    if !path.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must install hunspell-da ({} is missing)",
            path.display()
        );
        eprintln!("hunspell-da is not installed: testing with the repository's word list");
        return Lexicon::new(Compounds::test());
    }
    Lexicon::new(Compounds::system())
}

/// An index and the meetings it was made from, which stand for the store: snippets are
/// made from the text the store holds.
struct Archive {
    search: Search,
    meetings: Vec<(String, Meeting)>,
}

impl Archive {
    fn search(&self, r: &Request, bodies: &[String]) -> protokol_search::Result<Results> {
        self.search.search(r, bodies, |place| {
            let (_, m) = self
                .meetings
                .iter()
                .find(|(id, _)| *id == place.meeting_id)?;
            entry_text(m, place, None)
        })
    }
}

fn index(meetings: &[Meeting]) -> Archive {
    let public = SearchIndex::in_memory(Audience::Public, lexicon()).unwrap();
    let mut kept = Vec::new();
    for (k, m) in meetings.iter().enumerate() {
        let id = format!("m{k}");
        public
            .replace_meeting(&id, &entries(m, &id, &|_, _| None))
            .unwrap();
        kept.push((id, m.clone()));
    }
    public.commit().unwrap();
    Archive {
        search: Search {
            public,
            internal: None,
        },
        meetings: kept,
    }
}

fn titles(s: &Archive, q: &str) -> Vec<String> {
    s.search(&Request::new(q), &[])
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.item_title)
        .collect()
}

fn archive() -> Archive {
    let mut attachment = Attachment {
        id: None,
        number: 1,
        title: "Notat om vandløb".into(),
        access: Access::Open,
        doc_id: Some("3514050".into()),
        journal: Some("00.01.00-P15-1-23".into()),
        file: None,
    };
    attachment.title = "Notat om vandløb".into();
    let mut plan = item(
        3,
        "Lokalplanforslaget for Grenaa Havn",
        "Forslaget sendes i offentlig høring i otte uger.",
        "Godkendt.",
    );
    plan.case_number = Some("EMN-2025-01234".into());
    plan.attachments.push(attachment);
    let items = vec![
        item(
            1,
            "Byrådsmødet i december",
            "Dagsordenen til byrådsmødet blev gennemgået.",
            "Taget til efterretning.",
        ),
        item(
            2,
            "Klimatilpasningsplanen 2026",
            "Planen beskriver klimatilpasning ved kysterne. Sag 91141/23.",
            "Anbefales.",
        ),
        plan,
        item(
            4,
            "Møde med Aarhus Kommune",
            "Samarbejde om busdrift mellem kommunerne.",
            "Godkendt.",
        ),
        item(
            5,
            "Klimaplan for kommunens egen drift",
            "Reduktion af udledningen fra bygninger.",
            "Udsat.",
        ),
    ];
    index(&[meeting("Direktionen", "DIR", "2025-12-03", items)])
}

#[test]
fn stems_find_inflected_forms() {
    let s = archive();
    assert!(titles(&s, "møderne").contains(&"Møde med Aarhus Kommune".to_string()));
    assert!(titles(&s, "planer").contains(&"Klimatilpasningsplanen 2026".to_string()));
}

#[test]
fn a_word_finds_the_compounds_it_is_part_of() {
    let s = archive();
    assert!(
        titles(&s, "møde").contains(&"Byrådsmødet i december".to_string()),
        "møde → byrådsmødet: {:?}",
        titles(&s, "møde")
    );
    assert!(
        titles(&s, "lokalplan").contains(&"Lokalplanforslaget for Grenaa Havn".to_string()),
        "lokalplan → lokalplanforslaget: {:?}",
        titles(&s, "lokalplan")
    );
    let klimaplan = titles(&s, "klimaplan");
    assert_eq!(
        klimaplan.first().map(String::as_str),
        Some("Klimaplan for kommunens egen drift")
    );
    assert!(
        !klimaplan.contains(&"Klimatilpasningsplanen 2026".to_string()),
        "a climate plan is not a climate adaptation plan: {klimaplan:?}"
    );
}

#[test]
fn a_word_is_found_where_a_longer_compound_has_it_as_one_part() {
    // The dictionary splits "orientering" itself (orient-e-ring), but "orienteringssag"
    // as orienterings + sag: the word searched for is then one part of the longer one.
    let s = index(&[meeting(
        "Direktionen",
        "DIR",
        "2025-12-03",
        vec![item(
            1,
            "Orienteringssag om budget",
            "Til drøftelse.",
            "Drøftet.",
        )],
    )]);
    assert_eq!(titles(&s, "orientering"), ["Orienteringssag om budget"]);
}

#[test]
fn aa_and_å_are_one_letter_in_names() {
    let s = archive();
    assert!(titles(&s, "Århus").contains(&"Møde med Aarhus Kommune".to_string()));
    assert!(titles(&s, "grenå").contains(&"Lokalplanforslaget for Grenaa Havn".to_string()));
}

#[test]
fn numbers_are_found_exactly_and_first() {
    let s = archive();
    for q in ["91141/23", "EMN-2025-01234", "3514050", "00.01.00-P15-1-23"] {
        let found = titles(&s, q);
        assert!(!found.is_empty(), "{q} found nothing");
        let expected = if q == "91141/23" {
            "Klimatilpasningsplanen 2026"
        } else {
            "Lokalplanforslaget for Grenaa Havn"
        };
        assert_eq!(found[0], expected, "{q}");
    }
    assert!(titles(&s, "91141/24").is_empty(), "a different number");
}

#[test]
fn quoted_phrases_are_exact_and_not_stemmed() {
    let s = archive();
    assert_eq!(
        titles(&s, "\"offentlig høring\""),
        ["Lokalplanforslaget for Grenaa Havn"]
    );
    assert!(titles(&s, "\"offentlige høringer\"").is_empty());
    assert!(
        titles(&s, "\"høring offentlig\"").is_empty(),
        "order counts"
    );
}

#[test]
fn phrases_with_common_words_are_exact() {
    // Common words ("til", "i", "for") are searched by the pair they make with a
    // neighbour: the phrase still means these words, in this order, next to each other.
    let s = archive();
    assert_eq!(
        titles(&s, "\"taget til efterretning\""),
        ["Byrådsmødet i december"]
    );
    assert_eq!(
        titles(&s, "\"til efterretning\""),
        ["Byrådsmødet i december"]
    );
    assert!(
        titles(&s, "\"efterretning til\"").is_empty(),
        "order counts"
    );
    assert!(
        titles(&s, "\"taget efterretning\"").is_empty(),
        "next to each other"
    );
    assert_eq!(
        titles(&s, "\"sendes i offentlig høring i otte uger\""),
        ["Lokalplanforslaget for Grenaa Havn"]
    );
    assert!(titles(&s, "\"sendes i høring\"").is_empty());
    // A phrase of a compound and a common word, and of common words alone (a common word
    // is indexed by itself only next to a compound, else by its pairs).
    assert_eq!(titles(&s, "\"byrådsmødet i\""), ["Byrådsmødet i december"]);
    assert_eq!(
        titles(&s, "\"til byrådsmødet\""),
        ["Byrådsmødet i december"]
    );
    assert_eq!(
        titles(&s, "\"dagsordenen til byrådsmødet blev gennemgået\""),
        ["Byrådsmødet i december"]
    );
    assert!(titles(&s, "\"til byrådsmødet i\"").is_empty());
    assert_eq!(titles(&s, "\"i december\""), ["Byrådsmødet i december"]);
    assert_eq!(
        titles(&s, "\"for kommunens\""),
        ["Klimaplan for kommunens egen drift"]
    );
    // The snippet marks the words of the phrase.
    let found = s
        .search(&Request::new("\"til efterretning\""), &[])
        .unwrap();
    let snippet = &found.hits[0].snippet;
    assert!(
        snippet.contains("<mark>til efterretning</mark>")
            || snippet.contains("<mark>til</mark> <mark>efterretning</mark>"),
        "{snippet}"
    );
}

#[test]
fn snippets_mark_inflected_words_and_compounds() {
    let s = archive();
    let snippets = |q: &str| -> Vec<String> {
        s.search(&Request::new(q), &[])
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.snippet)
            .collect()
    };
    let found = snippets("møde");
    assert!(
        found.iter().any(|s| s.contains("<mark>byrådsmødet</mark>")),
        "{found:?}"
    );
    let found = snippets("planer kysterne");
    assert!(
        found
            .iter()
            .any(|s| s.contains("<mark>Planen</mark>") && s.contains("<mark>kysterne</mark>")),
        "{found:?}"
    );
    // Words that are not searched for are not marked.
    assert!(
        found.iter().all(|s| !s.contains("<mark>beskriver")),
        "{found:?}"
    );
}

#[test]
fn facets_count_and_filter() {
    let s = archive();
    let r = s.search(&Request::new("godkendt"), &[]).unwrap();
    assert_eq!(r.items as usize, r.hits.len(), "{r:?}");
    // One result per item however many of its places matched.
    let one = s.search(&Request::new("lokalplanforslaget"), &[]).unwrap();
    assert_eq!((one.items, one.hits.len()), (1, 1), "{one:?}");
    assert!(one.total > 1, "{one:?}");
    let decision = r.facets.iter().find(|f| f.name == "beslutning").unwrap();
    let approved = decision
        .values
        .iter()
        .find(|v| v.key == "godkendt")
        .unwrap();
    assert!(approved.count >= 2, "{decision:?}");
    let mut req = Request::new("kommune");
    req.filters.decision = Some("udsat".into());
    let r = s.search(&req, &[]).unwrap();
    assert!(
        r.hits
            .iter()
            .all(|h| h.decision.as_deref() == Some("udsat")),
        "{r:?}"
    );
    req.filters.decision = Some("findes-ikke".into());
    assert!(s.search(&req, &[]).unwrap().hits.is_empty());
}

#[test]
fn misspelt_words_get_a_suggestion_from_the_vocabulary() {
    let s = archive();
    let r = s.search(&Request::new("lokalplanforslgaet"), &[]).unwrap();
    assert_eq!(r.total, 0);
    assert_eq!(r.suggestion.as_deref(), Some("lokalplanforslaget"));
    // A compound of known words is spelt right even where the record does not hold it:
    // no "mente du …?" for it, though a word of the record is two letters away.
    let s = index(&[meeting(
        "Direktionen",
        "DIR",
        "2025-12-03",
        vec![item(1, "Klimasag", "Om kysten.", "Godkendt.")],
    )]);
    let r = s.search(&Request::new("klimasgg"), &[]).unwrap();
    assert_eq!(r.suggestion.as_deref(), Some("klimasag"), "a misspelling");
    let r = s.search(&Request::new("klimasti"), &[]).unwrap();
    assert_eq!(r.total, 0);
    assert_eq!(r.suggestion, None, "klima + sti is a word");
}

#[test]
fn bad_input_gives_a_message_or_nothing_never_an_error() {
    let s = archive();
    for q in [
        "",
        "   ",
        "\"",
        "og i at",
        "((((",
        "AND OR NOT",
        "-møde",
        &"x".repeat(10_000),
        &"møde ".repeat(3_000),
        "\u{0}\u{feff}",
    ] {
        let r = s.search(&Request::new(q), &[]).unwrap();
        if r.hits.is_empty() {
            assert!(r.total == 0 || !r.notices.is_empty(), "{q:?}: {r:?}");
        }
    }
    let mut deep = Request::new("møde");
    deep.page = 999_999;
    let r = s.search(&deep, &[]).unwrap();
    assert!(r.hits.is_empty());
    assert!(!r.notices.is_empty());
    let mut sorted = Request::new("godkendt");
    sorted.sort = Sort::Oldest;
    assert!(!s.search(&sorted, &[]).unwrap().hits.is_empty());
}

#[test]
fn an_index_on_disk_reads_its_stored_places_and_survives_merges_and_reopening() {
    // On disk the stored documents (where each hit's text is) are read by position, not
    // mapped: hits, merges of segments (which copy whole stores) and a reopened index
    // must all still read them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("public");
    let open = || SearchIndex::open(&path, Audience::Public, lexicon()).unwrap();
    let public = open();
    let mut stored = 0;
    let mut meetings = Vec::new();
    for k in 0..12 {
        let m = meeting(
            "Direktionen",
            "DIR",
            &format!("2025-01-{:02}", k + 1),
            vec![item(
                1,
                &format!("Budget nummer {k}"),
                &format!("Sagsfremstilling om vandløb nummer {k} og kysterne."),
                "Godkendt.",
            )],
        );
        let id = format!("m{k}");
        let e = entries(&m, &id, &|_, _| None);
        stored += e.len() as u64;
        public.replace_meeting(&id, &e).unwrap();
        meetings.push((id, m));
        // A commit per meeting: many small segments, merged in the background.
        public.commit().unwrap();
    }
    public.finish_build().unwrap();
    drop(public);
    let search = Archive {
        search: Search {
            public: open(),
            internal: None,
        },
        meetings,
    };
    assert_eq!(search.search.public.entries(), stored);
    let found = search.search(&Request::new("vandløb"), &[]).unwrap();
    assert_eq!(found.items, 12);
    assert!(
        found
            .hits
            .iter()
            .all(|h| h.snippet.contains("<mark>vandløb</mark>") && h.snippet.contains("nummer")),
        "{:?}",
        found.hits.iter().map(|h| &h.snippet).collect::<Vec<_>>()
    );
}

#[test]
fn a_hit_whose_place_is_gone_from_the_store_is_left_out() {
    // The index follows the store within a second or so; in between, a hit may point at
    // a place the store no longer holds as its reader may see it (an item made closed,
    // a section removed). Such a hit is left out, not shown from what the index kept.
    let mut s = archive();
    let before = s.search(&Request::new("klimatilpasning"), &[]).unwrap();
    assert!(
        before
            .hits
            .iter()
            .any(|h| h.item_title == "Klimatilpasningsplanen 2026")
    );
    s.meetings[0].1.items.retain(|i| i.number != Some(2));
    let after = s.search(&Request::new("klimatilpasning"), &[]).unwrap();
    assert!(
        after
            .hits
            .iter()
            .all(|h| h.item_title != "Klimatilpasningsplanen 2026"),
        "{:?}",
        after.hits
    );
    assert!(
        !serde_json::to_string(&after)
            .unwrap()
            .contains("Klimatilpasningsplanen"),
        "nothing of the place that is gone appears"
    );
}

/// An archive of many years: every item mentions the budget, only the harbour items of
/// one body in 2003 mention "havnebassin".
fn years_archive() -> Archive {
    let mut meetings = Vec::new();
    for year in 1995..2025 {
        for month in [2, 5, 8, 11] {
            for (body, code) in [("Byrådet", "BR"), ("Teknik- og Miljøudvalget", "TMU")] {
                let date = format!("{year}-{month:02}-10");
                let mut items: Vec<Item> = (1..=4)
                    .map(|n| {
                        item(
                            n,
                            &format!("Budgetopfølgning {n}"),
                            &format!("{year}-{month}-{n}"),
                            "Budgettet blev godkendt.",
                        )
                    })
                    .collect();
                if year == 2003 && code == "TMU" {
                    items.push(item(
                        5,
                        "Havnebassin",
                        "h-1",
                        "Havnebassinet blev godkendt.",
                    ));
                }
                meetings.push(meeting(body, code, &date, items));
            }
        }
    }
    index(&meetings)
}

#[test]
fn counts_beyond_the_limit_are_estimated_from_the_whole_archive_and_flagged() {
    let s = years_archive();
    let mut exact = Request::new("budget");
    exact.count_limit = usize::MAX;
    let exact = s.search(&exact, &[]).unwrap();
    assert!(!exact.estimated);
    assert_eq!(exact.items, 30 * 4 * 2 * 4, "one result per item");
    let mut sampled = Request::new("budget");
    sampled.count_limit = 1_000;
    let sampled = s.search(&sampled, &[]).unwrap();
    assert!(sampled.estimated);
    let near = |estimate: u64, truth: u64, what: &str| {
        let ratio = estimate as f64 / truth as f64;
        assert!(
            (0.75..=1.33).contains(&ratio),
            "{what}: estimated {estimate}, truly {truth}"
        );
    };
    near(sampled.total, exact.total, "entries");
    near(sampled.items, exact.items, "items");
    // The sample spans the archive: every year and body is counted, near its true count.
    for name in ["år", "organ"] {
        let truth = exact.facets.iter().find(|f| f.name == name).unwrap();
        let estimate = sampled.facets.iter().find(|f| f.name == name).unwrap();
        assert_eq!(
            truth.values.len(),
            estimate.values.len(),
            "{name}: {estimate:?}"
        );
        for v in &truth.values {
            let e = estimate.values.iter().find(|e| e.key == v.key).unwrap();
            near(e.count, v.count, &format!("{name} {}", v.key));
        }
    }
    // The page itself is the same: the best results do not depend on counting.
    assert_eq!(
        exact.hits.iter().map(|h| &h.href).collect::<Vec<_>>(),
        sampled.hits.iter().map(|h| &h.href).collect::<Vec<_>>()
    );
    // What matches less than the limit is counted exactly.
    let mut rare = Request::new("havnebassin");
    rare.count_limit = 300;
    let rare = s.search(&rare, &[]).unwrap();
    assert!(!rare.estimated);
    assert_eq!(rare.items, 4, "{rare:?}");
}

#[test]
fn newest_and_oldest_first_find_the_ends_of_the_archive_however_far_apart() {
    let s = years_archive();
    let dates = |q: &str, sort: Sort| {
        let mut r = Request::new(q);
        r.sort = sort;
        s.search(&r, &[])
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.date)
            .collect::<Vec<_>>()
    };
    let newest = dates("budget", Sort::Newest);
    assert_eq!(newest.len(), 10);
    // The 8 items of the last meeting day, then the one before.
    assert!(newest[..8].iter().all(|d| d == "2024-11-10"), "{newest:?}");
    assert_eq!(newest[8], "2024-08-10");
    let oldest = dates("budget", Sort::Oldest);
    assert!(oldest[..8].iter().all(|d| d == "1995-02-10"), "{oldest:?}");
    assert_eq!(oldest[8], "1995-05-10");
    // Only found long before the newest year: the search widens until it finds them.
    let harbour = dates("havnebassin", Sort::Newest);
    assert_eq!(
        harbour,
        ["2003-11-10", "2003-08-10", "2003-05-10", "2003-02-10"]
    );
    let mut asc = harbour.clone();
    asc.reverse();
    assert_eq!(dates("havnebassin", Sort::Oldest), asc);
    // Every page of a date-sorted search is in order, across the windows.
    let mut all = Vec::new();
    for page in 1..=12 {
        let mut r = Request::new("budget");
        r.sort = Sort::Newest;
        r.page = page;
        all.extend(s.search(&r, &[]).unwrap().hits.into_iter().map(|h| h.date));
    }
    assert_eq!(all.len(), 120);
    assert!(all.windows(2).all(|w| w[0] >= w[1]), "{all:?}");
}

/// Many items whose entries score apart: each case text holds the searched words a
/// different number of times among a different number of other words.
fn scored_archive() -> Archive {
    let mut state = 12_345u64;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let others = [
        "borgere", "område", "forslag", "udvalget", "økonomi", "høring", "anlæg", "drift",
    ];
    let mut meetings = Vec::new();
    for m in 0..60u64 {
        let items = (1..=10)
            .map(|n| {
                let mut words = vec!["vandløbet"; next(4) as usize];
                words.extend(std::iter::repeat_n("kloakken", next(3) as usize));
                if next(5) == 0 {
                    words.push("byrådsmødet");
                }
                for _ in 0..next(40) {
                    words.push(others[next(others.len() as u64) as usize]);
                }
                item(n, &format!("Punkt {m}-{n}"), &words.join(" "), "Godkendt.")
            })
            .collect();
        let date = format!("20{:02}-{:02}-15", 10 + m / 12, 1 + m % 12);
        meetings.push(meeting("Byrådet", "BR", &date, items));
    }
    index(&meetings)
}

#[test]
fn the_best_results_are_the_same_whether_or_not_the_index_may_skip_what_cannot_reach_them() {
    // Unfiltered, a word or an OR of words is one union of terms, and words that must all
    // be there one query of all of them, whose top entries the index finds skipping blocks
    // that cannot reach them; a date filter covering the whole archive makes every entry be
    // scored. The pages must be the same.
    let s = scored_archive();
    let pages = |q: &str, from: Option<NaiveDate>| {
        let mut out = Vec::new();
        for page in 1..=3 {
            let mut r = Request::new(q);
            r.page = page;
            r.filters.from = from;
            let found = s.search(&r, &[]).unwrap();
            out.extend(found.hits.into_iter().map(|h| h.item_title));
        }
        out
    };
    let everything = NaiveDate::from_ymd_opt(1900, 1, 1);
    for q in [
        "vandløb",
        "kloak",
        "vandløb ELLER kloak",
        "kloak ELLER byrådsmøde",
        "vandløb kloak",
        "kloak vandløb møde",
        "vandløb kloak ELLER møde",
        "møde",
    ] {
        let skipping = pages(q, None);
        assert_eq!(skipping.len(), 30, "{q}: {skipping:?}");
        assert_eq!(skipping, pages(q, everything), "{q}");
    }
    // Entries with both words of an OR come before entries with one.
    let both = s.search(&Request::new("vandløb ELLER kloak"), &[]).unwrap();
    let top = &both.hits[0];
    let text = |title: &str| {
        s.meetings
            .iter()
            .flat_map(|(_, m)| &m.items)
            .find(|i| i.title == title)
            .and_then(|i| i.case.clone())
            .unwrap()
    };
    let first = text(&top.item_title);
    assert!(
        first.contains("vandløbet") && first.contains("kloakken"),
        "{first}"
    );
}
