//! Signing in against a real store: right and wrong passwords, unknown users, throttling.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use protokol_auth::{
    AuthError, Client, MAX_FAILURES, MAX_FAILURES_UNKNOWN_CLIENTS, change_password, create_account,
    sign_in, token_hash,
};
use protokol_testkit::{Kind, fresh, sqlite, store_tests};

const PASSWORD: &str = "mødelokale 250 rådhuset";

fn from(address: &str) -> Client {
    Client {
        address: address.into(),
        device_token: None,
    }
}

#[tokio::test]
async fn sign_in_opens_a_session_and_wrong_passwords_are_throttled() {
    let t = sqlite().await;
    create_account(
        &t.store,
        "Lene",
        Some("Lene Mehlsen Thomsen"),
        PASSWORD,
        "cli",
    )
    .await
    .unwrap();
    // The username is matched without regard to case; the session is stored hashed.
    let s = sign_in(&t.store, "LENE", PASSWORD, &from("192.0.2.1"))
        .await
        .unwrap();
    assert_eq!(s.account.username, "lene");
    let stored = t
        .store
        .web_session(&token_hash(&s.session_token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.csrf_token, s.csrf_token);
    assert!(
        t.store
            .web_session(&s.session_token)
            .await
            .unwrap()
            .is_none(),
        "the raw token is not stored"
    );

    // The browser is now known to the account: its device token is stored hashed.
    assert_eq!(s.device_token.len(), 64);

    // Unknown users and wrong passwords get the same answer.
    let unknown = sign_in(&t.store, "nobody", PASSWORD, &from("192.0.2.1"))
        .await
        .unwrap_err();
    let wrong = sign_in(&t.store, "lene", "forkert adgangskode", &from("192.0.2.1"))
        .await
        .unwrap_err();
    assert_eq!(unknown.to_string(), wrong.to_string());

    for _ in 1..MAX_FAILURES {
        let e = sign_in(&t.store, "lene", "forkert adgangskode", &from("192.0.2.1"))
            .await
            .unwrap_err();
        assert!(matches!(e, AuthError::WrongCredentials), "{e}");
    }
    // Throttled now: even the right password is refused for a while.
    let e = sign_in(&t.store, "lene", PASSWORD, &from("192.0.2.1"))
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::Throttled { .. }), "{e}");
    // Another account is not affected.
    create_account(&t.store, "kim", None, PASSWORD, "cli")
        .await
        .unwrap();
    sign_in(&t.store, "kim", PASSWORD, &from("192.0.2.1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn weak_passwords_and_bad_usernames_are_refused_and_nothing_is_stored() {
    let t = sqlite().await;
    let e = create_account(&t.store, "kim", None, "kort", "cli")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at least 10 characters"), "{e}");
    let e = create_account(&t.store, "kim jensen", None, PASSWORD, "cli")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not allowed"), "{e}");
    assert!(t.store.accounts().await.unwrap().is_empty());
    create_account(&t.store, "kim", None, PASSWORD, "cli")
        .await
        .unwrap();
    let e = change_password(&t.store, "kim", "kim", "cli")
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::WeakPassword(_)), "{e}");
    sign_in(&t.store, "kim", PASSWORD, &from("192.0.2.1"))
        .await
        .unwrap();
    change_password(&t.store, "kim", "en helt ny adgangskode", "cli")
        .await
        .unwrap();
    assert!(
        sign_in(&t.store, "kim", PASSWORD, &from("192.0.2.1"))
            .await
            .is_err()
    );
    sign_in(
        &t.store,
        "kim",
        "en helt ny adgangskode",
        &from("192.0.2.1"),
    )
    .await
    .unwrap();
}

/// 150 wrong passwords sent at once from one client: at most the limit is checked, the rest
/// are refused unchecked, and the right password sent just after is refused too. The owner,
/// signing in from elsewhere, is not locked out by it.
async fn parallel_guesses_cannot_slip_past_the_limit(kind: Kind) {
    let store = fresh(kind).await;
    create_account(&store, "lene", None, PASSWORD, "cli")
        .await
        .unwrap();
    let attacker = from("203.0.113.9");
    let tasks: Vec<_> = (0..150)
        .map(|n| {
            let store = store.store.clone();
            let attacker = attacker.clone();
            tokio::spawn(async move {
                sign_in(
                    &store,
                    "lene",
                    &format!("forkert gæt nummer {n}"),
                    &attacker,
                )
                .await
            })
        })
        .collect();
    let (mut checked, mut throttled) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Err(AuthError::WrongCredentials) => checked += 1,
            Err(AuthError::Throttled { .. }) => throttled += 1,
            other => panic!("unexpected answer: {other:?}"),
        }
    }
    assert_eq!(checked, MAX_FAILURES, "only the limit was checked");
    assert_eq!(throttled, 150 - MAX_FAILURES);
    let e = sign_in(&store, "lene", PASSWORD, &attacker)
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::Throttled { .. }), "{e}");
    // The owner from her own address gets in.
    sign_in(&store, "lene", PASSWORD, &from("192.0.2.20"))
        .await
        .unwrap();
}

/// Wrong passwords from many addresses lock unknown clients out of the account, but the
/// owner's browser, known from an earlier sign-in, still gets in.
async fn a_known_browser_is_not_locked_out_by_strangers(kind: Kind) {
    let store = fresh(kind).await;
    create_account(&store, "lene", None, PASSWORD, "cli")
        .await
        .unwrap();
    let owner = sign_in(&store, "lene", PASSWORD, &from("192.0.2.20"))
        .await
        .unwrap();
    for n in 0..MAX_FAILURES_UNKNOWN_CLIENTS {
        let e = sign_in(&store, "lene", "forkert", &from(&format!("198.51.100.{n}")))
            .await
            .unwrap_err();
        assert!(matches!(e, AuthError::WrongCredentials), "{e}");
    }
    let e = sign_in(&store, "lene", PASSWORD, &from("192.0.2.99"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Throttled { .. }),
        "unknown browsers wait: {e}"
    );
    let known = Client {
        address: "192.0.2.99".into(),
        device_token: Some(owner.device_token.clone()),
    };
    let again = sign_in(&store, "lene", PASSWORD, &known).await.unwrap();
    assert_eq!(
        again.device_token, owner.device_token,
        "the known browser keeps its token"
    );
    // A device token of another account is no help.
    create_account(&store, "kim", None, PASSWORD, "cli")
        .await
        .unwrap();
    let kims = sign_in(&store, "kim", PASSWORD, &from("192.0.2.30"))
        .await
        .unwrap();
    let borrowed = Client {
        address: "192.0.2.31".into(),
        device_token: Some(kims.device_token),
    };
    let e = sign_in(&store, "lene", PASSWORD, &borrowed)
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::Throttled { .. }), "{e}");
}

store_tests!(
    parallel_guesses_cannot_slip_past_the_limit,
    a_known_browser_is_not_locked_out_by_strangers,
);
