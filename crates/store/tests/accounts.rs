//! Accounts, roles, sessions and sign-in throttling, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use protokol_core::{Grant, Role, Viewer};
use protokol_store::throttle::{AttemptBy, Limits, Refusal, Reservation};
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

fn by(username: &str, client: &str, trusted: bool) -> AttemptBy {
    AttemptBy {
        username: username.into(),
        client: client.into(),
        address: client.trim_start_matches("address:").into(),
        trusted,
    }
}

const LIMITS: Limits = Limits {
    window: Duration::minutes(15),
    per_client: 5,
    per_username_unknown: 20,
    per_address: 100,
};

async fn granted(store: &protokol_store::Store, b: &AttemptBy) -> Option<String> {
    match store.reserve_sign_in(b, &LIMITS, Utc::now()).await.unwrap() {
        Reservation::Granted(id) => Some(id),
        Reservation::Refused(_) => None,
    }
}

async fn sign_in_attempts_are_counted_while_pending_and_within_the_window(kind: Kind) {
    let store = fresh(kind).await;
    let kim = by("kim", "address:192.0.2.1", false);
    // Attempts older than the window do not count.
    for _ in 0..5 {
        let old = Utc::now() - Duration::minutes(20);
        assert!(matches!(
            store.reserve_sign_in(&kim, &LIMITS, old).await.unwrap(),
            Reservation::Granted(_)
        ));
    }
    // Pending attempts count as failures until settled.
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(granted(&store, &kim).await.expect("within the limit"));
    }
    assert_eq!(
        store
            .reserve_sign_in(&kim, &LIMITS, Utc::now())
            .await
            .unwrap(),
        Reservation::Refused(Refusal::Client)
    );
    for id in &ids[..4] {
        store.settle_sign_in(id, &kim, false).await.unwrap();
    }
    assert_eq!(
        store
            .reserve_sign_in(&kim, &LIMITS, Utc::now())
            .await
            .unwrap(),
        Reservation::Refused(Refusal::Client),
        "failed attempts stay counted"
    );
    // Another client of the same username, and another username, are not refused.
    assert!(
        granted(&store, &by("kim", "address:192.0.2.2", false))
            .await
            .is_some()
    );
    assert!(
        granted(&store, &by("lene", "address:192.0.2.1", false))
            .await
            .is_some()
    );
    // A success from a client forgets that client's failures for the username.
    store.settle_sign_in(&ids[4], &kim, true).await.unwrap();
    assert!(granted(&store, &kim).await.is_some());
    assert_eq!(
        store
            .sign_in_attempts_since("kim", Utc::now() - Duration::minutes(15))
            .await
            .unwrap(),
        2,
        "the other client's attempt and the new one"
    );
}

async fn parallel_reservations_never_pass_the_limit(kind: Kind) {
    let store = fresh(kind).await;
    let attacker = by("kim", "address:203.0.113.9", false);
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let store = store.store.clone();
            let attacker = attacker.clone();
            tokio::spawn(async move {
                store
                    .reserve_sign_in(&attacker, &LIMITS, Utc::now())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut granted = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), Reservation::Granted(_)) {
            granted += 1;
        }
    }
    assert_eq!(
        granted, LIMITS.per_client,
        "40 at once: only the limit is let through"
    );
}

async fn strangers_lock_out_strangers_but_not_the_owners_known_device(kind: Kind) {
    let store = fresh(kind).await;
    let a = store
        .create_account("kim", None, "$argon2id$x", "cli")
        .await
        .unwrap();
    // Twenty addresses, one wrong guess each.
    for n in 0..LIMITS.per_username_unknown {
        let b = by("kim", &format!("address:198.51.100.{n}"), false);
        let id = granted(&store, &b)
            .await
            .expect("first attempt of an address");
        store.settle_sign_in(&id, &b, false).await.unwrap();
    }
    assert_eq!(
        store
            .reserve_sign_in(&by("kim", "address:192.0.2.50", false), &LIMITS, Utc::now())
            .await
            .unwrap(),
        Reservation::Refused(Refusal::UsernameFromUnknownClients)
    );
    // The owner's browser, known to the account, still gets to try.
    store.remember_device("device-hash", &a.id).await.unwrap();
    let since = Utc::now() - Duration::days(180);
    assert!(
        store
            .known_device("device-hash", "kim", since)
            .await
            .unwrap()
    );
    assert!(
        !store
            .known_device("device-hash", "lene", since)
            .await
            .unwrap()
    );
    assert!(
        !store
            .known_device("other-hash", "kim", since)
            .await
            .unwrap()
    );
    assert!(
        granted(&store, &by("kim", "device:device-hash", true))
            .await
            .is_some()
    );
}

async fn one_address_guessing_many_usernames_is_stopped(kind: Kind) {
    let store = fresh(kind).await;
    for n in 0..LIMITS.per_address {
        let b = by(&format!("user{n}"), "address:203.0.113.7", false);
        assert!(granted(&store, &b).await.is_some());
    }
    assert_eq!(
        store
            .reserve_sign_in(
                &by("one-more", "address:203.0.113.7", false),
                &LIMITS,
                Utc::now()
            )
            .await
            .unwrap(),
        Reservation::Refused(Refusal::Address)
    );
    // A known device is not stopped by its network's spraying.
    assert!(
        granted(
            &store,
            &AttemptBy {
                username: "one-more".into(),
                client: "device:d".into(),
                address: "203.0.113.7".into(),
                trusted: true,
            }
        )
        .await
        .is_some()
    );
}

store_tests!(
    accounts_have_unique_names_and_roles_per_body,
    sessions_expire_and_end_with_a_new_password_or_a_revoked_role,
    sign_in_attempts_are_counted_while_pending_and_within_the_window,
    parallel_reservations_never_pass_the_limit,
    strangers_lock_out_strangers_but_not_the_owners_known_device,
    one_address_guessing_many_usernames_is_stopped,
);
