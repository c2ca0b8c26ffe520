//! Signing in and out over HTTP, and what a signed-in member, a member of another body, an
//! administrator and the public each see of closed content.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use protokol_core::{Grant, Role};
use protokol_store::RoleChange;
use protokol_testkit::{CANARY, TestStore, demo_meetings, sqlite, with_closed_canaries};
use protokol_web::AppState;

mod common;

use common::{PASSWORD, get, hidden, post, send, set_cookie, sign_in, urlencode};

async fn setup() -> (TestStore, AppState) {
    let t = sqlite().await;
    for m in demo_meetings() {
        let m = if m.date.to_string() == "2023-09-06" {
            with_closed_canaries(m)
        } else {
            m
        };
        t.upsert_meeting(&m, "test").await.unwrap();
    }
    for (name, grant) in [
        ("lene", Some(("DIR", Role::Member))),
        ("ulla", Some(("KB", Role::Member))),
        ("anne", None),
    ] {
        protokol_auth::create_account(&t.store, name, None, PASSWORD, "test")
            .await
            .unwrap();
        let change = match grant {
            Some((body, role)) => RoleChange::InBody(Grant {
                body: body.parse().unwrap(),
                role,
            }),
            None => RoleChange::Administrator,
        };
        t.set_role(name, &change, true, "test").await.unwrap();
    }
    let state = AppState::new(t.store.clone());
    (t, state)
}

#[tokio::test]
async fn members_see_their_bodys_closed_content_others_do_not() {
    let (_t, state) = setup().await;
    let m0 = "/direktionen/2023-09-06";
    let closed = get(&state, m0, None).await;
    assert!(!closed.body.contains(CANARY));
    assert!(closed.body.contains("href=\"/logind\""));

    let lene = sign_in(&state, "lene").await;
    let page = get(&state, m0, Some(&lene)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(CANARY),
        "a member of DIR reads closed items"
    );
    assert!(
        page.body.contains("Internt dokument"),
        "the internal edition is marked"
    );
    assert!(page.body.contains("Log ud"));
    assert_eq!(page.headers[header::CACHE_CONTROL], "private, no-store");
    let pdf = get(&state, &format!("{m0}/referat.pdf"), Some(&lene)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CACHE_CONTROL], "private, no-store");
    // The closed attachment's file, 404 to the public, is there for the member.
    let closed_item = demo_meetings()
        .into_iter()
        .find(|m| m.date.to_string() == "2023-09-06")
        .unwrap()
        .items
        .len()
        + 1;
    let download = format!("{m0}/punkt/{closed_item}/bilag/1");
    assert_eq!(
        get(&state, &download, None).await.status,
        StatusCode::NOT_FOUND
    );
    let file = get(&state, &download, Some(&lene)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.contains(CANARY));

    // A member of another body sees the public edition, and 404 for the closed file.
    let ulla = sign_in(&state, "ulla").await;
    let page = get(&state, m0, Some(&ulla)).await;
    assert!(!page.body.contains(CANARY));
    assert!(!page.body.contains("Internt dokument"));
    assert_eq!(
        get(&state, &download, Some(&ulla)).await.status,
        StatusCode::NOT_FOUND
    );

    // The administrator sees everything.
    let anne = sign_in(&state, "anne").await;
    assert!(get(&state, m0, Some(&anne)).await.body.contains(CANARY));

    // A made-up session cookie is the public.
    let forged = get(&state, m0, Some("protokol_session=00ff")).await;
    assert!(!forged.body.contains(CANARY));
}

#[tokio::test]
async fn sign_out_needs_the_session_token_and_ends_the_session() {
    let (_t, state) = setup().await;
    let lene = sign_in(&state, "lene").await;
    let page = get(&state, "/", Some(&lene)).await;
    let csrf = hidden(&page.body, "csrf");
    // Without the form token (a cross-site form), nothing happens.
    let refused = post(&state, "/logud", &lene, &[("csrf", "wrong")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Handlingen blev afvist"));
    assert!(
        get(&state, "/direktionen/2023-09-06", Some(&lene))
            .await
            .body
            .contains(CANARY)
    );
    let out = post(&state, "/logud", &lene, &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let (cleared, line) = set_cookie(&out, "protokol_session").unwrap();
    assert!(cleared.is_empty() && line.contains("Max-Age=0"), "{line}");
    // The old cookie no longer signs anyone in.
    let after = get(&state, "/direktionen/2023-09-06", Some(&lene)).await;
    assert!(!after.body.contains(CANARY));
    assert!(after.body.contains("href=\"/logind\""));
}

#[tokio::test]
async fn sign_in_refuses_forged_forms_wrong_passwords_and_too_many_attempts() {
    let (_t, state) = setup().await;
    let form = get(&state, "/logind", None).await;
    let (csrf, _) = set_cookie(&form, "protokol_csrf").unwrap();
    let cookie = format!("protokol_csrf={csrf}");
    let attempt = |password: &'static str, token: String| {
        let state = state.clone();
        let cookie = cookie.clone();
        async move {
            post(
                &state,
                "/logind",
                &cookie,
                &[
                    ("brugernavn", "lene"),
                    ("adgangskode", password),
                    ("csrf", &token),
                ],
            )
            .await
        }
    };
    // A form without the matching token is refused before the password is looked at.
    let forged = attempt(PASSWORD, "forged".into()).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&forged, "protokol_session").is_none());
    // From another site, even with the token.
    let request = Request::post("/logind")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(format!(
            "brugernavn=lene&adgangskode={}&csrf={csrf}",
            urlencode(PASSWORD)
        )))
        .unwrap();
    assert_eq!(send(&state, request).await.status, StatusCode::FORBIDDEN);

    let empty = attempt("", csrf.clone()).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("Skriv både brugernavn og adgangskode."));

    for _ in 0..protokol_auth::MAX_FAILURES {
        let wrong = attempt("forkert adgangskode", csrf.clone()).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(
            wrong
                .body
                .contains("Brugernavn eller adgangskode er forkert.")
        );
        assert!(
            wrong.body.contains("value=\"lene\""),
            "the username is kept"
        );
        assert!(
            !wrong.body.contains("forkert adgangskode\""),
            "the password is not"
        );
    }
    let throttled = attempt(PASSWORD, csrf.clone()).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body.contains("For mange forkerte forsøg"));
    assert!(set_cookie(&throttled, "protokol_session").is_none());

    // A body that is not a form gets a Danish message, not a crash.
    let request = Request::post("/logind")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let reply = send(&state, request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Formularen kunne ikke læses."));
}

#[tokio::test]
async fn after_sign_in_only_local_addresses_are_followed() {
    let (_t, state) = setup().await;
    let form = get(&state, "/logind?til=https://evil.example/", None).await;
    assert_eq!(hidden(&form.body, "til"), "/");
}

/// A sign-in POST from the network address `from` (as the server sees the TCP peer).
async fn sign_in_from(
    state: &AppState,
    from: &str,
    cookie: &str,
    csrf: &str,
    password: &str,
) -> common::Reply {
    let mut request = Request::post("/logind")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header(header::HOST, "localhost")
        .body(Body::from(format!(
            "brugernavn=lene&adgangskode={}&csrf={csrf}",
            urlencode(password)
        )))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{from}:40000").parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    send(state, request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_parallel_guesses_is_throttled_and_the_owner_still_signs_in() {
    let (_t, state) = setup().await;
    let form = get(&state, "/logind", None).await;
    let (csrf, _) = set_cookie(&form, "protokol_csrf").unwrap();
    let cookie = format!("protokol_csrf={csrf}");
    let burst: Vec<_> = (0..150)
        .map(|n| {
            let (state, cookie, csrf) = (state.clone(), cookie.clone(), csrf.clone());
            tokio::spawn(async move {
                sign_in_from(&state, "203.0.113.9", &cookie, &csrf, &format!("gæt {n}"))
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in burst {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked as i64, protokol_auth::MAX_FAILURES, "{statuses:?}");
    assert_eq!(checked + refused, 150, "{statuses:?}");
    // The right password from the attacking address, just after: refused.
    let late = sign_in_from(&state, "203.0.113.9", &cookie, &csrf, PASSWORD).await;
    assert_eq!(late.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(set_cookie(&late, "protokol_session").is_none());
    // Lene from her own address signs in and gets a device cookie.
    let owner = sign_in_from(&state, "192.0.2.20", &cookie, &csrf, PASSWORD).await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER, "{}", owner.body);
    assert!(set_cookie(&owner, "protokol_session").is_some());
    let (device, line) = set_cookie(&owner, "protokol_device").unwrap();
    assert_eq!(device.len(), 64);
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax"] {
        assert!(line.contains(attribute), "{line}");
    }
}
