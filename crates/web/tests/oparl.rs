//! The OParl API as a harvester meets it, on SQLite and PostgreSQL: a crawl from the System
//! through every list, page and linked object validates each object against the OParl 1.1
//! JSON Schemas (`../shared/oparl/schema`, with the `jsonschema` crate) and follows every
//! link (API objects and the site's pages and files); closed content (a canary in every
//! closed field) appears nowhere; a closed item shows only its public title and decision;
//! a case treated by two bodies is one Paper with two Consultations; a meeting taken out of
//! the published record becomes a tombstone; bad requests get JSON errors naming what.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use protokol_core::{MeetingStatus, PublicationKind};
use protokol_testkit::{CANARY, Kind, council_meeting, fresh, store_tests, with_closed_canaries};
use protokol_web::AppState;
use serde_json::Value;

use common::get;

const SITE: &str = "http://localhost";
const CASE: &str = "24/01234";

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/oparl/schema")
}

/// The OParl schemas refer to each other as "Location.json" (relative to their `$id`,
/// "https://schema.oparl.org/1.1/Meeting"): answer those from the folder.
struct Schemas;

impl jsonschema::Retrieve for Schemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or("");
        let name = name.strip_suffix(".json").unwrap_or(name);
        let text = std::fs::read_to_string(schema_dir().join(format!("{name}.json")))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn validators() -> BTreeMap<String, jsonschema::Validator> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(schema_dir()).expect("the OParl schemas in ../shared/oparl") {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let v = jsonschema::options()
            .with_retriever(Schemas)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        out.insert(name, v);
    }
    assert_eq!(out.len(), 12, "twelve OParl object schemas");
    out
}

/// Every string in `v` that is an address on this site.
fn addresses(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with(SITE) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| addresses(x, out)),
        Value::Object(o) => o.values().for_each(|x| addresses(x, out)),
        _ => {}
    }
}

/// Every object with a `type` in `v` (the object itself and what it embeds).
fn objects<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| objects(x, out)),
        Value::Object(o) => {
            if o.get("type").and_then(Value::as_str).is_some() && o.contains_key("id") {
                out.push(v);
            }
            o.values().for_each(|x| objects(x, out));
        }
        _ => {}
    }
}

/// What a crawl found: each object by id (the fullest copy seen), and every address.
#[derive(Default)]
struct Crawl {
    objects: BTreeMap<String, Value>,
    fetched: BTreeSet<String>,
}

impl Crawl {
    fn of_type(&self, kind: &str) -> Vec<&Value> {
        self.objects
            .values()
            .filter(|o| o["type"].as_str().unwrap().ends_with(&format!("/{kind}")))
            .collect()
    }
}

/// Crawls from `start`, validating every object and following every link.
async fn crawl(state: &AppState, starts: &[&str]) -> Crawl {
    let validators = validators();
    let mut c = Crawl::default();
    let mut queue: VecDeque<String> = starts.iter().map(|s| format!("{SITE}{s}")).collect();
    while let Some(url) = queue.pop_front() {
        if !c.fetched.insert(url.clone()) {
            continue;
        }
        let path = url.strip_prefix(SITE).unwrap();
        let r = get(state, path, None).await;
        assert_eq!(r.status, 200, "{path} does not resolve: {}", r.body);
        assert!(
            !r.body.contains(CANARY),
            "{path} shows closed content: {}",
            r.body
        );
        if !path.starts_with("/oparl/") {
            // A page or file of the site: it resolved, and that is all a link promises.
            continue;
        }
        assert_eq!(
            r.headers["content-type"], "application/json",
            "{path} answers JSON"
        );
        let v: Value = serde_json::from_str(&r.body).unwrap();
        let mut found = Vec::new();
        objects(&v, &mut found);
        assert!(!found.is_empty() || v["data"].is_array(), "{path}: {v}");
        for o in found {
            let kind = o["type"].as_str().unwrap();
            let name = kind
                .strip_prefix("https://schema.oparl.org/1.1/")
                .unwrap_or_else(|| panic!("{path}: type {kind}"));
            let errors: Vec<String> = validators[name]
                .iter_errors(o)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{path}: {name} invalid: {errors:?}\n{o}");
            let id = o["id"].as_str().unwrap().to_string();
            let size = o.to_string().len();
            let keep = c
                .objects
                .get(&id)
                .is_none_or(|kept| kept.to_string().len() < size);
            if keep {
                c.objects.insert(id, o.clone());
            }
        }
        let mut links = Vec::new();
        addresses(&v, &mut links);
        for l in links {
            if !c.fetched.contains(&l) {
                queue.push_back(l);
            }
        }
    }
    c
}

/// A store with the four demo meetings (Direktionen) and the council meeting with closed
/// canaries, published; the first demo meeting's first item and the council's first item
/// print the same case number.
async fn archive(
    kind: Kind,
) -> (
    protokol_testkit::TestStore,
    AppState,
    protokol_core::MeetingId,
) {
    let t = fresh(kind).await;
    for (i, mut m) in protokol_testkit::demo_meetings().into_iter().enumerate() {
        if i == 0 {
            m.items[0].case_number = Some(CASE.into());
        }
        t.upsert_meeting(&m, "import").await.unwrap();
    }
    let mut m = with_closed_canaries(council_meeting());
    m.items[0].case_number = Some(CASE.into());
    // The closed item (its title carries the canary) is a treatment of the same case.
    let closed = m
        .items
        .iter_mut()
        .find(|i| i.title.contains(CANARY))
        .unwrap();
    closed.case_number = Some(CASE.into());
    let id = t.upsert_meeting(&m, "import").await.unwrap().id;
    let mut state = AppState::new(t.store.clone());
    state.municipality = "Norddjurs Kommune".into();
    (t, state, id)
}

/// The council meeting (closed canaries in it) as a coming meeting on `date` whose agenda is
/// published (its record may still change).
fn coming_council(date: &str) -> protokol_core::Meeting {
    let mut m = with_closed_canaries(council_meeting());
    m.date = date.parse().unwrap();
    m.kind = protokol_core::MeetingKind::Agenda;
    m.status = Some(MeetingStatus::AgendaPublished);
    m.signatures.clear();
    m
}

async fn the_whole_api_is_valid_oparl_and_shows_nothing_closed(kind: Kind) {
    let (_t, state, council) = archive(kind).await;
    // Small pages, so that paging is crawled too.
    let c = crawl(
        &state,
        &["/oparl/v1", "/oparl/v1/body/kommune/meeting?limit=2"],
    )
    .await;

    let meetings = c.of_type("Meeting");
    assert_eq!(meetings.len(), 5, "every public meeting, once");
    assert_eq!(c.of_type("Organization").len(), 2);
    assert_eq!(c.of_type("Body").len(), 1);
    assert_eq!(c.of_type("Body")[0]["name"], "Norddjurs Kommune");
    assert!(!c.of_type("LegislativeTerm").is_empty());
    let people: Vec<&str> = c
        .of_type("Person")
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(people.contains(&"Kasper Bjerregaard"), "{people:?}");
    assert!(
        !c.of_type("Membership").is_empty(),
        "memberships are listed"
    );

    // The council meeting: Danish text kept, the closed item as the public sees it.
    let kb = &c.objects[&format!("{SITE}/oparl/v1/meeting/{council}")];
    assert_eq!(kb["name"], "Kommunalbestyrelsen 18. juni 2024");
    assert_eq!(kb["start"], "2024-06-18T17:00:00+02:00");
    assert_eq!(kb["location"]["description"], "Byrådssalen, rådhuset");
    let items = kb["agendaItem"].as_array().unwrap();
    let closed = items
        .iter()
        .find(|i| i["name"] == "Ansættelse af direktør")
        .expect("the closed item under its public title");
    assert_eq!(closed["public"], false);
    assert_eq!(closed["resolutionText"], "Indstillingen blev godkendt.");
    assert!(closed.get("auxiliaryFile").is_none());
    assert!(
        closed.get("consultation").is_none(),
        "its case number is closed"
    );
    assert!(
        kb["resultsProtocol"]["accessUrl"]
            .as_str()
            .unwrap()
            .ends_with("/referat.pdf")
    );

    // One case, treated by two bodies.
    let paper = &c.objects[&format!("{SITE}/oparl/v1/paper/24-01234")];
    assert_eq!(paper["reference"], CASE);
    let consultations = paper["consultation"].as_array().unwrap();
    assert_eq!(consultations.len(), 2, "{paper}");
    let orgs: BTreeSet<&str> = consultations
        .iter()
        .map(|c| c["organization"][0].as_str().unwrap())
        .collect();
    assert_eq!(orgs.len(), 2, "{paper}");
    assert_eq!(
        c.of_type("Paper").len(),
        1,
        "only printed case numbers make cases"
    );

    // No file of a closed attachment is listed, whatever its title.
    for f in c.of_type("File") {
        let name = f["name"].as_str().unwrap();
        assert!(!name.contains("Lukket"), "closed file listed: {f}");
    }
}

async fn a_meeting_taken_out_of_the_record_is_a_tombstone(kind: Kind) {
    let (t, state, _) = archive(kind).await;
    // A coming meeting whose agenda is published.
    let m = coming_council("2026-12-08");
    let coming = t.upsert_meeting(&m, "import").await.unwrap().id;
    let all = |q: &'static str| {
        let state = state.clone();
        async move {
            let r = get(&state, &format!("/oparl/v1/body/kommune/meeting{q}"), None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            serde_json::from_str::<Value>(&r.body).unwrap()["data"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    assert_eq!(all("").await.len(), 6);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let before = chrono::Utc::now().to_rfc3339();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // Nothing changed since: an incremental harvest gets nothing.
    let since = format!("?modified_since={}", protokol_testkit::urlencode(&before));
    let since: &'static str = Box::leak(since.into_boxed_str());
    assert!(all(since).await.is_empty(), "nothing changed");

    // Back to a draft: the meeting leaves the published record.
    let (mut m, v) = t.meeting(coming).await.unwrap().unwrap();
    m.status = Some(MeetingStatus::Planned);
    t.update_meeting(&m, v, "sekretær").await.unwrap();

    let changed = all(since).await;
    assert_eq!(changed.len(), 1, "only the change: {changed:?}");
    assert_eq!(changed[0]["deleted"], true);
    assert_eq!(
        changed[0]["id"],
        format!("{SITE}/oparl/v1/meeting/{coming}")
    );
    assert!(!changed[0].to_string().contains("Kommunalbestyrelsen"));
    let one = get(&state, &format!("/oparl/v1/meeting/{coming}"), None).await;
    assert_eq!(one.status, 200);
    assert!(one.body.contains("\"deleted\":true"), "{}", one.body);
    let listed = all("").await;
    assert_eq!(listed.len(), 6, "five meetings and a tombstone");
    assert_eq!(listed.iter().filter(|m| m["deleted"] == true).count(), 1);

    // Published again: the tombstone is gone, the meeting back.
    let (mut m, v) = t.meeting(coming).await.unwrap().unwrap();
    m.status = Some(MeetingStatus::AgendaPublished);
    t.publish(&m, v, PublicationKind::Agenda, "sekretær")
        .await
        .unwrap();
    let listed = all("").await;
    assert_eq!(listed.iter().filter(|m| m["deleted"] == true).count(), 0);
    assert_eq!(listed.len(), 6);
    assert!(!listed.iter().any(|m| m.to_string().contains(CANARY)));
}

async fn bad_requests_get_json_errors_that_name_what(kind: Kind) {
    let (_t, state, council) = archive(kind).await;
    let cases: &[(&str, u16, &str)] = &[
        (
            "/oparl/v1/meeting/00000000-0000-7000-8000-000000000000",
            404,
            "findes ikke",
        ),
        ("/oparl/v1/meeting/ikke-et-id", 404, "findes ikke"),
        ("/oparl/v1/paper/findes-ikke", 404, "findes ikke"),
        ("/oparl/v1/organization/xyz", 404, "findes ikke"),
        ("/oparl/v1/body/andet", 404, "findes ikke"),
        ("/oparl/v1/noget/helt/andet", 404, "findes ikke"),
        (
            "/oparl/v1/body/kommune/meeting?modified_since=igår",
            400,
            "modified_since",
        ),
        (
            "/oparl/v1/body/kommune/meeting?created_until=2024-13-45",
            400,
            "created_until",
        ),
        (
            "/oparl/v1/body/kommune/meeting?page=999999",
            400,
            "links.next",
        ),
        ("/oparl/v1/body/kommune/meeting?sort=date", 400, "«sort»"),
        ("/oparl/v1/body/kommune/meeting?limit=0", 400, "limit"),
        ("/oparl/v1/body/kommune/meeting?cursor=x", 400, "cursor"),
        (
            "/oparl/v1/body/kommune/paper?cursor=%E2%88%9E&limit=abc",
            400,
            "limit",
        ),
    ];
    for (path, status, says) in cases {
        let r = get(&state, path, None).await;
        assert_eq!(r.status.as_u16(), *status, "{path}: {}", r.body);
        assert_eq!(r.headers["content-type"], "application/json", "{path}");
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert!(v["message"].as_str().unwrap().contains(says), "{path}: {v}");
    }
    let r = get(&state, &format!("/oparl/v1/meeting/{council}?x=1"), None).await;
    assert_eq!(r.status, 400, "{}", r.body);
    // A date-only filter is read as the start of that day in Denmark.
    let r = get(
        &state,
        "/oparl/v1/body/kommune/meeting?modified_until=2000-01-01",
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap()["data"],
        serde_json::json!([])
    );
}

async fn bulk_export_is_the_public_record_as_json_lines(kind: Kind) {
    let (_t, state, _) = archive(kind).await;
    let r = get(&state, "/data/moeder.jsonl", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains(CANARY), "closed content exported");
    let lines: Vec<&str> = r.body.lines().collect();
    assert_eq!(lines.len(), 5, "every public meeting, one per line");
    let meetings: Vec<protokol_core::Meeting> = lines
        .iter()
        .map(|l| protokol_core::exchange::parse_meeting(l).unwrap())
        .collect();
    let dates: Vec<_> = meetings.iter().map(|m| m.date).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "by date");
    let kb = meetings
        .iter()
        .find(|m| m.body.code.as_str() == "KB")
        .unwrap();
    assert!(kb.items.iter().any(|i| i.title == "Ansættelse af direktør"));

    let in_2024 = dates
        .iter()
        .filter(|d| d.to_string().starts_with("2024"))
        .count();
    assert!(in_2024 > 0 && in_2024 < dates.len());
    let r = get(
        &state,
        "/data/moeder.jsonl?fra=2024-01-01&til=2024-12-31",
        None,
    )
    .await;
    assert_eq!(
        r.body.lines().count(),
        in_2024,
        "only that year: {}",
        r.body
    );
    for (q, says) in [
        ("fra=2024-02-30", "fra"),
        ("til=i%20morgen", "til"),
        ("fra=2025-01-01&til=2024-01-01", "efter"),
        ("format=csv", "format"),
    ] {
        let r = get(&state, &format!("/data/moeder.jsonl?{q}"), None).await;
        assert_eq!(r.status, 400, "{q}");
        assert!(r.body.contains(says), "{q}: {}", r.body);
    }
}

async fn the_case_page_shows_closed_treatments_only_to_members_of_the_body(kind: Kind) {
    let (t, state, _) = archive(kind).await;
    let public = get(&state, "/sag/24-01234", None).await;
    assert_eq!(public.status, 200);
    assert!(public.body.contains("Direktionen") && public.body.contains("Kommunalbestyrelsen"));
    assert!(!public.body.contains(CANARY), "{}", public.body);
    assert!(!public.body.contains("lukket punkt"));
    common::account_with_role(&t.store, "kb", None, "KB", protokol_core::Role::Member).await;
    common::account_with_role(&t.store, "dir", None, "DIR", protokol_core::Role::Member).await;
    let kb = common::sign_in(&state, "kb").await;
    let page = get(&state, "/sag/24-01234", Some(&kb)).await;
    assert!(
        page.body.contains(CANARY),
        "a member of the body sees its closed treatment"
    );
    assert!(page.body.contains("lukket punkt"));
    let dir = common::sign_in(&state, "dir").await;
    let page = get(&state, "/sag/24-01234", Some(&dir)).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains(CANARY),
        "another body's member does not"
    );
    assert_eq!(get(&state, "/sag/findes-ikke", None).await.status, 404);

    // A case whose every treatment is closed: no page for the public or another body's
    // member, a page for a member of the body.
    let mut m = coming_council("2026-12-08");
    for item in &mut m.items {
        item.case_number = item.access.is_closed().then(|| "25/99999".to_string());
    }
    t.upsert_meeting(&m, "import").await.unwrap();
    let public = get(&state, "/sag/25-99999", None).await;
    assert_eq!(public.status, 404);
    assert!(!public.body.contains(CANARY));
    let page = get(&state, "/sag/25-99999", Some(&kb)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(CANARY) && page.body.contains("Sag 25/99999"));
    assert!(!page.body.contains("/oparl/v1/paper/"), "not open data");
    let other = get(&state, "/sag/25-99999", Some(&dir)).await;
    assert_eq!(other.status, 404);
    assert!(!other.body.contains(CANARY));
}

/// The objects of a meeting list page, by id, as served to `host` (none: the default).
async fn listed(state: &AppState, host: Option<&str>) -> (String, BTreeMap<String, Value>) {
    let mut r = axum::http::Request::get("/oparl/v1/body/kommune/meeting");
    if let Some(h) = host {
        r = r.header(axum::http::header::HOST, h);
    }
    let reply = common::send(state, r.body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let v: Value = serde_json::from_str(&reply.body).unwrap();
    let by_id = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap().to_string(), m.clone()))
        .collect();
    (reply.body, by_id)
}

/// Waits until the store keeps an object for every meeting of `ids` (they are kept after
/// the answer that made them).
async fn kept(t: &protokol_testkit::TestStore, ids: &[protokol_core::MeetingId]) -> usize {
    for _ in 0..200 {
        let n = t
            .store
            .kept_objects(ids, "oparl-meeting-")
            .await
            .unwrap()
            .len();
        if n >= ids.len() {
            return n;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    0
}

async fn kept_meeting_objects_follow_the_record_the_roster_and_the_address(kind: Kind) {
    let (t, state, council) = archive(kind).await;
    // A coming meeting whose agenda is published (its record may still change).
    let m = coming_council("2026-12-08");
    let coming = t.upsert_meeting(&m, "import").await.unwrap().id;
    let ids: Vec<protokol_core::MeetingId> = t
        .store
        .open_meeting_heads(None, &Default::default(), None, 100)
        .await
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(ids.len(), 6);
    let (made, _) = listed(&state, None).await;
    assert_eq!(kept(&t, &ids).await, 6, "each meeting's object is kept");

    // Read from what was kept: the same answer, to the byte.
    let (read, by_id) = listed(&state, None).await;
    assert_eq!(read, made);
    assert!(!read.contains(CANARY));
    assert!(!read.contains("\\u0001"), "no mark of the address is left");

    // Another address (no --public-url): every link follows the request.
    let (other, _) = listed(&state, Some("data.example.dk")).await;
    assert_eq!(other, made.replace(SITE, "http://data.example.dk"));

    // The record changes: the list shows the new version, not the kept one.
    let (mut m, v) = t.meeting(coming).await.unwrap().unwrap();
    m.items[0].title = "Forenkling af politikker – ændret titel".into();
    t.update_meeting(&m, v, "sekretær").await.unwrap();
    let (_, after) = listed(&state, None).await;
    assert_eq!(
        after[&format!("{SITE}/oparl/v1/meeting/{coming}")]["agendaItem"][0]["name"],
        "Forenkling af politikker – ændret titel"
    );
    assert!(!after.values().any(|m| m.to_string().contains(CANARY)));

    // The body's roster changes (a newer meeting lists other members): the older meeting
    // names as participants only the persons the API knows now.
    let person = |name: &str| format!("{SITE}/oparl/v1/person/{name}");
    let names = |m: &Value| -> Vec<String> {
        m["participant"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect()
    };
    let key = format!("{SITE}/oparl/v1/meeting/{council}");
    assert!(names(&by_id[&key]).contains(&person("jan-petersen")));
    let mut newer = coming_council("2027-01-12");
    newer
        .members
        .retain(|m| m.name.as_deref() == Some("Kasper Bjerregaard"));
    newer.absent.clear();
    newer.items.truncate(1);
    for item in &mut newer.items {
        for sub in &mut item.votes {
            sub.members.clear();
        }
    }
    t.upsert_meeting(&newer, "import").await.unwrap();
    let (_, after) = listed(&state, None).await;
    assert_eq!(names(&after[&key]), vec![person("kasper-bjerregaard")]);
}

async fn papers_are_listed_as_they_change_and_leave_tombstones(kind: Kind) {
    let (t, state, _) = archive(kind).await;
    let papers = |q: String| {
        let state = state.clone();
        async move {
            let r = get(&state, &format!("/oparl/v1/body/kommune/paper{q}"), None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            let v: Value = serde_json::from_str(&r.body).unwrap();
            v["data"].as_array().unwrap().clone()
        }
    };
    let all = papers(String::new()).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let before = all[0].clone();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since_start = chrono::Utc::now().to_rfc3339();
    let since = |t: &str| format!("?modified_since={}", protokol_testkit::urlencode(t));
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // Coming meetings treat the case again and a new one (their agendas are published).
    let mut coming = Vec::new();
    for (date, case) in [("2026-12-08", CASE), ("2026-12-15", "25/00077")] {
        let mut m = coming_council(date);
        m.items[0].case_number = Some(case.into());
        coming.push(t.upsert_meeting(&m, "import").await.unwrap().id);
    }
    let changed = papers(since(&since_start)).await;
    let keys: BTreeSet<&str> = changed
        .iter()
        .map(|p| p["reference"].as_str().unwrap())
        .collect();
    assert_eq!(keys, BTreeSet::from([CASE, "25/00077"]), "{changed:?}");
    let case = changed.iter().find(|p| p["reference"] == CASE).unwrap();
    assert_eq!(case["consultation"].as_array().unwrap().len(), 3);
    assert_eq!(case["created"], before["created"], "created stays");
    assert!(case["modified"].as_str().unwrap() > before["modified"].as_str().unwrap());

    // Nothing changed since: nothing listed.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let quiet = chrono::Utc::now().to_rfc3339();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert!(papers(since(&quiet)).await.is_empty());

    // The meetings go back to draft: the new case has no public treatment left (a
    // tombstone), the old one one treatment fewer (changed).
    for id in coming {
        let (mut m, v) = t.meeting(id).await.unwrap().unwrap();
        m.status = Some(MeetingStatus::Planned);
        t.update_meeting(&m, v, "sekretær").await.unwrap();
    }
    let changed = papers(since(&quiet)).await;
    assert_eq!(changed.len(), 2, "{changed:?}");
    let gone = changed
        .iter()
        .find(|p| p["deleted"] == true)
        .expect("a tombstone");
    assert_eq!(gone["id"], format!("{SITE}/oparl/v1/paper/25-00077"));
    assert!(gone.get("name").is_none() && gone.get("reference").is_none());
    let case = changed.iter().find(|p| p["reference"] == CASE).unwrap();
    assert_eq!(case["consultation"].as_array().unwrap().len(), 2);
    let one = get(&state, "/oparl/v1/paper/25-00077", None).await;
    assert_eq!(one.status, 200);
    assert!(one.body.contains("\"deleted\":true"), "{}", one.body);
    for p in papers(String::new()).await {
        assert!(!p.to_string().contains(CANARY), "{p}");
    }

    // Pages follow each other without gaps or repeats.
    let first = get(&state, "/oparl/v1/body/kommune/paper?limit=1", None).await;
    let v: Value = serde_json::from_str(&first.body).unwrap();
    let next = v["links"]["next"]
        .as_str()
        .unwrap()
        .strip_prefix(SITE)
        .unwrap()
        .to_string();
    let second: Value = serde_json::from_str(&get(&state, &next, None).await.body).unwrap();
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_ne!(v["data"][0]["id"], second["data"][0]["id"]);
    let bad = get(&state, "/oparl/v1/body/kommune/paper?cursor=24-01234", None).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}

/// A coming council meeting on `date` whose first item (no case number) is `title`, going
/// on to the council on `next` where given.
fn council_on(date: &str, title: &str, next: Option<&str>) -> protokol_core::Meeting {
    let mut m = coming_council(date);
    let item = &mut m.items[0];
    item.case_number = None;
    item.title = title.into();
    item.decision = None;
    item.next = next
        .map(|d| protokol_core::NextStep {
            body: "Kommunalbestyrelsen".into(),
            date: d.parse().unwrap(),
            kind: protokol_core::NextKind::Continued,
        })
        .into_iter()
        .collect();
    m
}

async fn an_item_without_a_case_number_is_followed_through_its_next_steps(kind: Kind) {
    let (t, state, _) = archive(kind).await;
    let key = "forloeb-kb-2026-12-08-1";
    let paper = || {
        let state = state.clone();
        async move {
            let r = get(&state, &format!("/oparl/v1/paper/{key}"), None).await;
            (
                r.status,
                serde_json::from_str::<Value>(&r.body).unwrap_or(Value::Null),
            )
        }
    };
    // The later meeting first (imports come in any order), then the one that leads to it.
    let later = t
        .upsert_meeting(
            &council_on("2026-12-15", "Ny skolestruktur", None),
            "import",
        )
        .await
        .unwrap()
        .id;
    assert_eq!(paper().await.0, 404, "no case yet");
    let first = t
        .upsert_meeting(
            &council_on("2026-12-08", "Ny skolestruktur", Some("2026-12-15")),
            "import",
        )
        .await
        .unwrap()
        .id;
    let (status, p) = paper().await;
    assert_eq!(status, 200, "{p}");
    let meetings: Vec<&str> = p["consultation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["meeting"].as_str().unwrap())
        .collect();
    assert_eq!(
        meetings,
        vec![
            format!("{SITE}/oparl/v1/meeting/{first}"),
            format!("{SITE}/oparl/v1/meeting/{later}")
        ]
    );
    assert_eq!(p["name"], "Ny skolestruktur");
    assert!(p.get("reference").is_none(), "no printed number: {p}");
    assert!(!p.to_string().contains(CANARY));
    let page = get(&state, &format!("/sag/{key}"), None).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Sagsforløb") && page.body.contains("15. december 2026"));
    assert!(!page.body.contains(CANARY));
    let item_page = "/kommunalbestyrelsen/2026-12-15/punkt/1";
    let item = get(&state, item_page, None).await;
    assert_eq!(item.status, 200);
    assert!(
        item.body.contains(&format!("href=\"/sag/{key}\"")),
        "the item links to its case"
    );
    assert!(!item.body.contains(CANARY));

    // The first meeting goes back to draft: the later item follows nothing any more and
    // the case is a tombstone.
    let (mut m, v) = t.meeting(first).await.unwrap().unwrap();
    m.status = Some(MeetingStatus::Planned);
    t.update_meeting(&m, v, "sekretær").await.unwrap();
    let (status, p) = paper().await;
    assert_eq!(status, 200);
    assert_eq!(p["deleted"], true, "{p}");
    assert_eq!(get(&state, &format!("/sag/{key}"), None).await.status, 404);
    let item = get(&state, item_page, None).await;
    assert!(
        !item.body.contains("/sag/forloeb"),
        "no link to a case that is gone"
    );
}

async fn a_body_may_publish_closed_items_case_numbers(kind: Kind) {
    let (t, state, council) = archive(kind).await;
    let consultations = || {
        let state = state.clone();
        async move {
            let r = get(&state, "/oparl/v1/paper/24-01234", None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            assert!(!r.body.contains(CANARY), "{}", r.body);
            serde_json::from_str::<Value>(&r.body).unwrap()["consultation"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(
        consultations().await,
        2,
        "by default a closed item is in no case"
    );
    let set = |on: bool| {
        let t = &t;
        async move {
            let body = t.body(&"KB".parse().unwrap()).await.unwrap().unwrap();
            let mut settings = body.settings.clone();
            settings.closed_case_numbers_public = on;
            t.update_body_settings(&body.code, &settings, body.version, "admin")
                .await
                .unwrap();
        }
    };
    set(true).await;
    assert_eq!(
        consultations().await,
        3,
        "the closed treatment joins its case"
    );
    let page = get(&state, "/sag/24-01234", None).await;
    assert!(
        page.body.contains("Ansættelse af direktør (lukket punkt)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Indstillingen blev godkendt."));
    assert!(!page.body.contains(CANARY));
    let meeting = get(&state, &format!("/oparl/v1/meeting/{council}"), None).await;
    assert!(!meeting.body.contains(CANARY));
    // A member of the body sees it as stored, once.
    common::account_with_role(&t.store, "kb", None, "KB", protokol_core::Role::Member).await;
    let kb = common::sign_in(&state, "kb").await;
    let page = get(&state, "/sag/24-01234", Some(&kb)).await;
    assert!(page.body.contains(CANARY));
    assert!(
        !page.body.contains("Ansættelse af direktør (lukket punkt)"),
        "{}",
        page.body
    );
    set(false).await;
    assert_eq!(consultations().await, 2, "and back");
}

async fn stored_files_carry_their_size_and_sha512(kind: Kind) {
    let (t, state, _) = archive(kind).await;
    let m = coming_council("2026-12-08");
    let coming = t.upsert_meeting(&m, "import").await.unwrap().id;
    let (m, v) = t.meeting(coming).await.unwrap().unwrap();
    let mut item = m.items[0].clone();
    let bytes: Vec<u8> = b"%PDF-1.4 bilag til punktet ".repeat(500);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bilag.pdf");
    std::fs::write(&path, &bytes).unwrap();
    use sha2::Digest;
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let sha256 = hex(&sha2::Sha256::digest(&bytes));
    item.attachments.push(protokol_core::Attachment {
        id: None,
        number: 9,
        title: "Notat om skolestruktur".into(),
        access: protokol_core::Access::Open,
        doc_id: None,
        journal: None,
        file: Some(protokol_core::AttachmentFile {
            name: "bilag.pdf".into(),
            media_type: "application/pdf".into(),
            sha256: Some(sha256.clone()),
            text: Some("Notatets tekst".into()),
        }),
    });
    t.update_item_with_file(
        coming,
        &item,
        v,
        protokol_store::FileToStore {
            sha256: &sha256,
            path: &path,
        },
        "sekretær",
    )
    .await
    .unwrap();
    let c = crawl(&state, &["/oparl/v1/body/kommune/meeting"]).await;
    // A stored file's size and SHA-512 sum are those of the bytes served.
    let mut checked = 0;
    for f in c.of_type("File") {
        let Some(sum) = f["sha512Checksum"].as_str() else {
            continue;
        };
        let url = f["downloadUrl"]
            .as_str()
            .unwrap()
            .strip_prefix(SITE)
            .unwrap();
        let (status, _, bytes) = common::get_bytes(&state, url, None).await;
        assert_eq!(status, 200, "{url}");
        use sha2::Digest;
        let actual: String = sha2::Sha512::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sum, actual, "{f}");
        assert_eq!(f["size"], bytes.len(), "{f}");
        checked += 1;
    }
    assert_eq!(checked, 1, "the stored attachment");
}

async fn a_body_code_with_danish_letters_makes_addresses_that_resolve(kind: Kind) {
    let (t, state, _) = archive(kind).await;
    let mut m = coming_council("2026-12-08");
    m.body = protokol_core::BodyRef {
        name: "Økonomiudvalget".into(),
        code: "ØK".parse().unwrap(),
    };
    t.upsert_meeting(&m, "import").await.unwrap();
    // The crawl fetches every address it meets (a raw "ø" would not even make a request).
    let c = crawl(&state, &["/oparl/v1"]).await;
    let org = c
        .of_type("Organization")
        .into_iter()
        .find(|o| o["shortName"] == "ØK")
        .expect("the committee");
    assert_eq!(org["id"], format!("{SITE}/oparl/v1/organization/%C3%B8k"));
    assert_eq!(org["name"], "Økonomiudvalget");
    assert!(
        org["meeting"]
            .as_str()
            .unwrap()
            .ends_with("/organization/%C3%B8k/meeting"),
        "{org}"
    );
}

store_tests!(
    a_body_code_with_danish_letters_makes_addresses_that_resolve,
    stored_files_carry_their_size_and_sha512,
    a_body_may_publish_closed_items_case_numbers,
    an_item_without_a_case_number_is_followed_through_its_next_steps,
    papers_are_listed_as_they_change_and_leave_tombstones,
    kept_meeting_objects_follow_the_record_the_roster_and_the_address,
    the_case_page_shows_closed_treatments_only_to_members_of_the_body,
    bulk_export_is_the_public_record_as_json_lines,
    the_whole_api_is_valid_oparl_and_shows_nothing_closed,
    a_meeting_taken_out_of_the_record_is_a_tombstone,
    bad_requests_get_json_errors_that_name_what,
);
