//! Signing in against a real store: right and wrong passwords, unknown users, throttling.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use protokol_auth::{
    AuthError, MAX_FAILURES, change_password, create_account, sign_in, token_hash,
};
use protokol_testkit::sqlite;

const PASSWORD: &str = "mødelokale 250 rådhuset";

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
    let s = sign_in(&t.store, "LENE", PASSWORD).await.unwrap();
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

    // Unknown users and wrong passwords get the same answer.
    let unknown = sign_in(&t.store, "nobody", PASSWORD).await.unwrap_err();
    let wrong = sign_in(&t.store, "lene", "forkert adgangskode")
        .await
        .unwrap_err();
    assert_eq!(unknown.to_string(), wrong.to_string());

    for _ in 1..MAX_FAILURES {
        let e = sign_in(&t.store, "lene", "forkert adgangskode")
            .await
            .unwrap_err();
        assert!(matches!(e, AuthError::WrongCredentials), "{e}");
    }
    // Throttled now: even the right password is refused for a while.
    let e = sign_in(&t.store, "lene", PASSWORD).await.unwrap_err();
    assert!(matches!(e, AuthError::Throttled { .. }), "{e}");
    // Another account is not affected.
    create_account(&t.store, "kim", None, PASSWORD, "cli")
        .await
        .unwrap();
    sign_in(&t.store, "kim", PASSWORD).await.unwrap();
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
    sign_in(&t.store, "kim", PASSWORD).await.unwrap();
    change_password(&t.store, "kim", "en helt ny adgangskode", "cli")
        .await
        .unwrap();
    assert!(sign_in(&t.store, "kim", PASSWORD).await.is_err());
    sign_in(&t.store, "kim", "en helt ny adgangskode")
        .await
        .unwrap();
}
