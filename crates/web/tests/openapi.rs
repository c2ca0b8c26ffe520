//! The OpenAPI description at /api/openapi.json matches what the server answers: every
//! documented path answers 200 with the documented content type, and a real search answer
//! validates against the documented schema (with the `jsonschema` crate) and has no field
//! the description leaves out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use protokol_search::Compounds;
use protokol_search::analysis::Lexicon;
use protokol_testkit::{council_meeting, sqlite};
use protokol_web::AppState;
use protokol_web::search_sync::SearchService;
use serde_json::{Value, json};

use common::get;

/// The property names a schema (with `$ref`s and `allOf`) documents.
fn documented(schema: &Value, components: &Value, out: &mut BTreeSet<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        documented(&components["schemas"][name], components, out);
    }
    if let Some(props) = schema["properties"].as_object() {
        out.extend(props.keys().cloned());
    }
    for part in ["allOf", "oneOf", "anyOf"] {
        for s in schema[part].as_array().into_iter().flatten() {
            documented(s, components, out);
        }
    }
}

#[tokio::test]
async fn the_description_matches_what_the_server_answers() {
    let t = sqlite().await;
    for m in protokol_testkit::demo_meetings() {
        t.upsert_meeting(&m, "import").await.unwrap();
    }
    t.upsert_meeting(&council_meeting(), "import")
        .await
        .unwrap();
    let service = Arc::new(SearchService::in_memory(Lexicon::new(Compounds::test())).unwrap());
    service.rebuild(&t.store, |_, _| {}).await.unwrap();
    let mut state = AppState::new(t.store.clone());
    state.search = Some(service);

    let r = get(&state, "/api/openapi.json", None).await;
    assert_eq!(r.status, 200);
    let doc: Value = serde_json::from_str(&r.body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let paths = doc["paths"].as_object().unwrap();
    for wanted in [
        "/api/search",
        "/data/moeder.jsonl",
        "/abonner/kalender",
        "/abonner/nyt",
        "/soeg/atom",
    ] {
        assert!(paths.contains_key(wanted), "{wanted} is not described");
    }

    // Every path answers with what its description promises.
    for (path, item) in paths {
        let concrete = path.replace("{body}", "kommunalbestyrelsen");
        let r = get(&state, &format!("{concrete}?q=politikker"), None).await;
        let ok = &item["get"]["responses"]["200"];
        assert!(ok.is_object(), "{path} has no 200 answer described");
        let types: Vec<&String> = ok["content"].as_object().unwrap().keys().collect();
        let sent = r.headers["content-type"].to_str().unwrap();
        // A query parameter the path does not know is refused by the bulk export.
        if path == "/data/moeder.jsonl" {
            assert_eq!(r.status, 400, "{path}");
            let r = get(&state, path, None).await;
            assert_eq!(r.status, 200);
            let sent = r.headers["content-type"].to_str().unwrap();
            assert!(
                types.iter().any(|t| sent.starts_with(t.as_str())),
                "{path}: {sent} vs {types:?}"
            );
            continue;
        }
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert!(
            types.iter().any(|t| sent.starts_with(t.as_str())),
            "{path}: sends {sent}, described {types:?}"
        );
    }

    // A real search answer against its schema.
    let schema = &doc["paths"]["/api/search"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let components = &doc["components"];
    let wrapped = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": schema["$ref"],
        "components": components,
    });
    let validator = jsonschema::validator_for(&wrapped).unwrap();
    for q in [
        "politikker",
        "",
        "%22ubalanceret",
        "ejendom&organ=kommunalbestyrelsen&aar=2024",
    ] {
        let r = get(&state, &format!("/api/search?q={q}"), None).await;
        let answer: Value = serde_json::from_str(&r.body).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&answer)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{q}: {errors:?}\n{answer}");
        let mut known = BTreeSet::new();
        documented(schema, components, &mut known);
        for key in answer.as_object().unwrap().keys() {
            assert!(
                known.contains(key),
                "{q}: «{key}» is not described: {known:?}"
            );
        }
        let mut hit_fields = BTreeSet::new();
        documented(&components["schemas"]["Hit"], components, &mut hit_fields);
        for hit in answer["hits"].as_array().unwrap() {
            for key in hit.as_object().unwrap().keys() {
                assert!(
                    hit_fields.contains(key),
                    "hit field «{key}» is not described"
                );
            }
        }
    }
    let found: Value =
        serde_json::from_str(&get(&state, "/api/search?q=politikker", None).await.body).unwrap();
    assert!(!found["hits"].as_array().unwrap().is_empty(), "{found}");
}
