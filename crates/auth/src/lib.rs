//! Sign-in for protokol: password hashes (argon2id, PHC strings), random session and CSRF
//! tokens (only their SHA-256 is stored), and throttling of failed sign-ins.
//!
//! There is no default password anywhere: the first administrator is created on the command
//! line (`protokol user add … --administrator`).

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;

use chrono::{Duration, Utc};
use protokol_core::{Account, normalise_username};
use protokol_store::throttle::{AttemptBy, Limits, Reservation};
use protokol_store::{Store, StoreError};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Failed sign-ins for one username from one client (a known device of the account, else a
/// network address) within [`THROTTLE_WINDOW_MINUTES`] before that client's further
/// attempts for that username are refused, even with the right password.
pub const MAX_FAILURES: i64 = 5;
/// Failed sign-ins for one username from clients the account does not know (no device
/// cookie of it) before all such clients are refused; the owner's known browsers still get
/// in, so a stranger cannot lock the owner out.
pub const MAX_FAILURES_UNKNOWN_CLIENTS: i64 = 20;
/// Failed sign-ins from one network address over all usernames (password spraying).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 100;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// How long a session lasts after signing in.
pub const SESSION_HOURS: i64 = 10;
/// How long a browser stays known to an account after it last signed in.
pub const DEVICE_DAYS: i64 = 180;
/// At most this many password hashes are computed at once (argon2 is deliberately slow
/// and memory-hungry); further sign-ins wait for a turn, at most [`HASH_QUEUE_SECONDS`].
pub const HASH_CONCURRENCY: usize = 2;
pub const HASH_QUEUE_SECONDS: u64 = 10;

/// The limits [`sign_in`] applies.
pub fn limits() -> Limits {
    Limits {
        window: Duration::minutes(THROTTLE_WINDOW_MINUTES),
        per_client: MAX_FAILURES,
        per_username_unknown: MAX_FAILURES_UNKNOWN_CLIENTS,
        per_address: MAX_FAILURES_PER_ADDRESS,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    WeakPassword(String),
    #[error("{0}")]
    BadUsername(String),
    #[error("the username or password is wrong")]
    WrongCredentials,
    #[error("too many failed sign-ins for this username; try again in {minutes} minutes")]
    Throttled { minutes: i64 },
    #[error("too many sign-ins at once; try again shortly")]
    Busy,
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a new password against the policy (length, not the username).
pub fn check_password_policy(password: &str, username: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.trim().eq_ignore_ascii_case(username.trim()) {
        return Err(AuthError::WeakPassword(
            "the password must not be the username".into(),
        ));
    }
    Ok(())
}

/// An argon2id hash of `password` with a random salt, as a PHC string. CPU work: call it
/// through [`hashing`] from async code.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn hash_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(HASH_CONCURRENCY))
}

/// Runs password hashing work `f` on a blocking thread, at most [`HASH_CONCURRENCY`] at a
/// time, so it never stalls the threads that serve pages. Waits for a turn at most
/// [`HASH_QUEUE_SECONDS`], then answers [`AuthError::Busy`].
pub async fn hashing<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AuthError> {
    let wait = std::time::Duration::from_secs(HASH_QUEUE_SECONDS);
    let _slot = tokio::time::timeout(wait, hash_slots().acquire())
        .await
        .map_err(|_| AuthError::Busy)?
        .map_err(|_| AuthError::Busy)?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// A new random token (256 bits, hex) for a session cookie or a CSRF field.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// What the store keeps of a session token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Compares two tokens in time independent of where they differ.
pub fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Creates an account with a checked username and password.
pub async fn create_account(
    store: &Store,
    username: &str,
    display_name: Option<&str>,
    password: &str,
    actor: &str,
) -> Result<Account, AuthError> {
    let username = normalise_username(username).map_err(AuthError::BadUsername)?;
    check_password_policy(password, &username)?;
    let password = password.to_string();
    let hash = hashing(move || hash_password(&password)).await??;
    Ok(store
        .create_account(&username, display_name, &hash, actor)
        .await?)
}

/// Sets a new (checked) password; the account's sessions end.
pub async fn change_password(
    store: &Store,
    username: &str,
    password: &str,
    actor: &str,
) -> Result<(), AuthError> {
    let username = normalise_username(username).map_err(AuthError::BadUsername)?;
    check_password_policy(password, &username)?;
    let password = password.to_string();
    let hash = hashing(move || hash_password(&password)).await??;
    Ok(store.set_password(&username, &hash, actor).await?)
}

/// A successful sign-in: the account and the tokens to hand to the browser.
#[derive(Debug)]
pub struct SignedIn {
    pub account: Account,
    /// The cookie value; the store holds only its hash.
    pub session_token: String,
    pub csrf_token: String,
    /// The device cookie's value: the one the browser sent if it was this account's, else
    /// a new one. The store holds only its hash.
    pub device_token: String,
}

/// Where a sign-in comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Client {
    /// The network address ("192.0.2.7"), or "unknown".
    pub address: String,
    /// The device cookie the browser sent, if any.
    pub device_token: Option<String>,
}

/// Checks a username and password and opens a session, throttled per username and client,
/// per username for unknown clients, and per address (see [`limits`]).
///
/// The attempt is reserved before the password is checked, so parallel guesses cannot slip
/// past the limit. An unknown username costs the same hashing work as a known one and gives
/// the same answer, so sign-in does not reveal which accounts exist.
pub async fn sign_in(
    store: &Store,
    username: &str,
    password: &str,
    client: &Client,
) -> Result<SignedIn, AuthError> {
    let name = normalise_username(username).unwrap_or_else(|_| username.trim().to_lowercase());
    let now = Utc::now();
    let device_hash = client.device_token.as_deref().map(token_hash);
    let trusted = match &device_hash {
        Some(h) => {
            store
                .known_device(h, &name, now - Duration::days(DEVICE_DAYS))
                .await?
        }
        None => false,
    };
    let address = if client.address.is_empty() {
        "unknown".to_string()
    } else {
        client.address.clone()
    };
    let by = AttemptBy {
        username: name.clone(),
        client: match (&device_hash, trusted) {
            (Some(h), true) => format!("device:{h}"),
            _ => format!("address:{address}"),
        },
        address,
        trusted,
    };
    let attempt = match store.reserve_sign_in(&by, &limits(), now).await? {
        Reservation::Granted(id) => id,
        Reservation::Refused(why) => {
            tracing::warn!(username = %name, client = %by.client, reason = ?why, "sign-in refused: throttled");
            return Err(AuthError::Throttled {
                minutes: THROTTLE_WINDOW_MINUTES,
            });
        }
    };
    let found = match normalise_username(username) {
        Ok(name) => store.account_with_hash(&name).await?,
        Err(_) => None,
    };
    let phc = found
        .as_ref()
        .map_or_else(|| DUMMY_HASH.to_string(), |(_, h)| h.clone());
    let given = password.to_string();
    // Unknown usernames are checked against a hash nobody knows: the same work.
    let ok = match hashing(move || verify_password(&given, &phc)).await {
        Ok(ok) => ok && found.is_some(),
        Err(e) => {
            store.release_sign_in(&attempt).await?;
            return Err(e);
        }
    };
    let Some((account, _)) = found.filter(|_| ok) else {
        store.settle_sign_in(&attempt, &by, false).await?;
        tracing::info!(username = %name, client = %by.client, "sign-in failed");
        return Err(AuthError::WrongCredentials);
    };
    store.settle_sign_in(&attempt, &by, true).await?;
    let device_token = match (&client.device_token, trusted) {
        (Some(t), true) => t.clone(),
        _ => new_token(),
    };
    store
        .remember_device(&token_hash(&device_token), &account.id)
        .await?;
    let session_token = new_token();
    let csrf_token = new_token();
    store
        .create_web_session(
            &token_hash(&session_token),
            &account.id,
            &csrf_token,
            now + Duration::hours(SESSION_HOURS),
        )
        .await?;
    tracing::info!(user = %account.username, "signed in");
    Ok(SignedIn {
        account,
        session_token,
        csrf_token,
        device_token,
    })
}

/// An argon2id hash of a random password nobody knows, checked when the username does not
/// exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3nBDlT0Y7JkIcoaN8cQtjvUaKvs9nX6lo2YsZXbrQlo";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password_and_are_salted() {
        let a = hash_password("korrekt hest batteri").unwrap_or_else(|e| panic!("{e}"));
        let b = hash_password("korrekt hest batteri").unwrap_or_else(|e| panic!("{e}"));
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "a fresh salt each time");
        assert!(verify_password("korrekt hest batteri", &a));
        assert!(!verify_password("korrekt hest batteri!", &a));
        assert!(!verify_password("anything", "not a hash"));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn password_policy_names_what_is_wrong() {
        assert!(check_password_policy("kort", "kim").is_err());
        assert!(check_password_policy("kimkimkimkim", "kimkimkimkim").is_err());
        assert!(check_password_policy("en lang nok sætning", "kim").is_ok());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn password_hashing_runs_off_the_async_thread_a_few_at_a_time() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let here = std::thread::current().id();
        let there = hashing(|| std::thread::current().id()).await.unwrap();
        assert_ne!(
            here, there,
            "the request's thread stays free to serve pages"
        );
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (now, most) = (now.clone(), most.clone());
                tokio::spawn(hashing(move || {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    now.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert!(most.load(Ordering::SeqCst) <= HASH_CONCURRENCY);
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token());
        assert_eq!(token_hash(&t).len(), 64);
        assert_ne!(token_hash(&t), t);
        assert!(tokens_match(&t, &t.clone()));
        assert!(!tokens_match(&t, &new_token()));
        assert!(!tokens_match(&t, "short"));
    }
}
