//! Accounts, roles, sessions and failed sign-ins, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use protokol_core::{Grant, Role, Viewer};
use protokol_store::{RoleChange, StoreError};
use protokol_testkit::{Kind, fresh, store_tests};

fn grant(body: &str, role: Role) -> RoleChange {
    RoleChange::InBody(Grant {
        body: body.parse().unwrap(),
        role,
    })
}

async fn accounts_have_unique_names_and_roles_per_body(kind: Kind) {
    let store = fresh(kind).await;
    assert!(!store.has_administrator().await.unwrap());
    let a = store
        .create_account("lene", Some("Lene Mehlsen Thomsen"), "$argon2id$x", "cli")
        .await
        .unwrap();
    assert_eq!(a.viewer(), Viewer::Insider { bodies: vec![] });
    let err = store
        .create_account("lene", None, "$argon2id$y", "cli")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");

    store
        .set_role("lene", &grant("DIR", Role::Member), true, "cli")
        .await
        .unwrap();
    let a = store
        .set_role("lene", &grant("DIR", Role::Secretary), true, "cli")
        .await
        .unwrap();
    assert!(a.may_sign(&"DIR".parse().unwrap()));
    assert!(a.may_prepare(&"DIR".parse().unwrap()));
    // Granting twice keeps one grant.
    let a = store
        .set_role("lene", &grant("DIR", Role::Member), true, "cli")
        .await
        .unwrap();
    assert_eq!(a.grants.len(), 2);
    let a = store
        .set_role("lene", &grant("DIR", Role::Secretary), false, "cli")
        .await
        .unwrap();
    assert!(!a.may_prepare(&"DIR".parse().unwrap()));
    let a = store
        .set_role("lene", &RoleChange::Administrator, true, "cli")
        .await
        .unwrap();
    assert!(a.administrator);
    assert!(store.has_administrator().await.unwrap());

    let (stored, hash) = store.account_with_hash("lene").await.unwrap().unwrap();
    assert_eq!(stored, a);
    assert_eq!(hash, "$argon2id$x");
    let err = store
        .set_role("nobody", &RoleChange::Administrator, true, "cli")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert_eq!(store.accounts().await.unwrap().len(), 1);
    // Every account change is in the change log.
    let actions: Vec<String> = store
        .changes_since(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.action)
        .collect();
    assert!(actions.contains(&"account.created".to_string()));
    assert!(actions.contains(&"account.revoked".to_string()));
}

async fn sessions_expire_and_end_with_a_new_password_or_a_revoked_role(kind: Kind) {
    let store = fresh(kind).await;
    let a = store
        .create_account("kim", None, "$argon2id$x", "cli")
        .await
        .unwrap();
    store
        .set_role("kim", &grant("DIR", Role::Member), true, "cli")
        .await
        .unwrap();
    let later = Utc::now() + Duration::hours(8);
    store
        .create_web_session("hash-1", &a.id, "csrf-1", later)
        .await
        .unwrap();
    let s = store.web_session("hash-1").await.unwrap().unwrap();
    assert_eq!(s.account.username, "kim");
    assert_eq!(s.csrf_token, "csrf-1");
    assert!(store.web_session("hash-2").await.unwrap().is_none());

    // An expired session is not returned.
    store
        .create_web_session(
            "hash-old",
            &a.id,
            "csrf-2",
            Utc::now() - Duration::seconds(5),
        )
        .await
        .unwrap();
    assert!(store.web_session("hash-old").await.unwrap().is_none());

    // A new password ends every session.
    store
        .set_password("kim", "$argon2id$new", "cli")
        .await
        .unwrap();
    assert!(store.web_session("hash-1").await.unwrap().is_none());

    // So does a revoked role.
    store
        .create_web_session("hash-3", &a.id, "csrf-3", later)
        .await
        .unwrap();
    store
        .set_role("kim", &grant("DIR", Role::Member), false, "cli")
        .await
        .unwrap();
    assert!(store.web_session("hash-3").await.unwrap().is_none());

    // Signing out ends one session.
    store
        .create_web_session("hash-4", &a.id, "csrf-4", later)
        .await
        .unwrap();
    store.delete_web_session("hash-4").await.unwrap();
    assert!(store.web_session("hash-4").await.unwrap().is_none());
}

async fn failed_sign_ins_are_counted_per_key_within_a_window(kind: Kind) {
    let store = fresh(kind).await;
    let now = Utc::now();
    for minutes in [1, 2, 3, 40] {
        store
            .record_sign_in_failure("user:kim", now - Duration::minutes(minutes))
            .await
            .unwrap();
    }
    store
        .record_sign_in_failure("user:lene", now)
        .await
        .unwrap();
    let window = now - Duration::minutes(15);
    assert_eq!(
        store
            .sign_in_failures_since("user:kim", window)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .sign_in_failures_since("user:lene", window)
            .await
            .unwrap(),
        1
    );
    store
        .clear_sign_in_failures("user:kim", window)
        .await
        .unwrap();
    assert_eq!(
        store
            .sign_in_failures_since("user:kim", now - Duration::days(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .sign_in_failures_since("user:lene", window)
            .await
            .unwrap(),
        1
    );
}

store_tests!(
    accounts_have_unique_names_and_roles_per_body,
    sessions_expire_and_end_with_a_new_password_or_a_revoked_role,
    failed_sign_ins_are_counted_per_key_within_a_window,
);
