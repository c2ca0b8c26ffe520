//! Accounts and their roles. Anyone not signed in is the public; a signed-in person is an
//! administrator (everything) or holds roles per body: secretary (prepares and records the
//! body's meetings) or member (reads everything of the body, closed included; signs the
//! minutes). Guests named in sub-points are text, never accounts.

use std::fmt;
use std::str::FromStr;

use crate::access::Viewer;
use crate::body::BodyCode;

/// A role in one body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Secretary,
    Member,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Secretary => "secretary",
            Self::Member => "member",
        }
    }

    /// The Danish name shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Secretary => "Sekretær",
            Self::Member => "Medlem",
        }
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "secretary" | "sekretær" | "sekretaer" => Ok(Self::Secretary),
            "member" | "medlem" => Ok(Self::Member),
            other => Err(format!(
                "unknown role {other:?}: use secretary or member (or administrator, which is not per body)"
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One role in one body.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grant {
    pub body: BodyCode,
    pub role: Role,
}

/// A person who can sign in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    /// What the person signs in with (lower case).
    pub username: String,
    /// The name shown and printed, e.g. on the signature page.
    pub display_name: Option<String>,
    pub administrator: bool,
    pub grants: Vec<Grant>,
}

impl Account {
    /// The name to show: the display name, else the username.
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.username)
    }

    /// What this account may see of meetings.
    pub fn viewer(&self) -> Viewer {
        if self.administrator {
            return Viewer::Administrator;
        }
        let mut bodies: Vec<BodyCode> = self.grants.iter().map(|g| g.body.clone()).collect();
        bodies.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        bodies.dedup();
        Viewer::Insider { bodies }
    }

    pub fn has_role(&self, body: &BodyCode, role: Role) -> bool {
        self.grants
            .iter()
            .any(|g| &g.body == body && g.role == role)
    }

    /// Whether the account may prepare and record the body's meetings.
    pub fn may_prepare(&self, body: &BodyCode) -> bool {
        self.administrator || self.has_role(body, Role::Secretary)
    }

    /// Whether the account may sign the body's minutes (members only, and only when they
    /// attended; the meeting decides that).
    pub fn may_sign(&self, body: &BodyCode) -> bool {
        self.has_role(body, Role::Member)
    }
}

/// A username: 2–64 characters of lower-case letters (æøå included), digits, '.', '-', '_'
/// and '@', so e-mail addresses work. Returned in lower case.
pub fn normalise_username(raw: &str) -> Result<String, String> {
    let name = raw.trim().to_lowercase();
    let ok_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@');
    if name.chars().count() < 2 || name.chars().count() > 64 {
        return Err(format!("username {raw:?}: use between 2 and 64 characters"));
    }
    if let Some(bad) = name.chars().find(|c| !ok_char(*c)) {
        return Err(format!(
            "username {raw:?}: {bad:?} is not allowed (letters, digits, '.', '-', '_', '@')"
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(grants: &[(&str, Role)], administrator: bool) -> Account {
        Account {
            id: "x".into(),
            username: "lene".into(),
            display_name: Some("Lene Mehlsen Thomsen".into()),
            administrator,
            grants: grants
                .iter()
                .map(|(b, r)| Grant {
                    body: b.parse().unwrap_or_else(|e| panic!("{e}")),
                    role: *r,
                })
                .collect(),
        }
    }

    #[test]
    fn roles_decide_what_an_account_sees_and_may_do() {
        let dir: BodyCode = "DIR".parse().unwrap_or_else(|e| panic!("{e}"));
        let kb: BodyCode = "KB".parse().unwrap_or_else(|e| panic!("{e}"));
        let a = account(&[("DIR", Role::Member), ("DIR", Role::Secretary)], false);
        assert_eq!(
            a.viewer(),
            Viewer::Insider {
                bodies: vec![dir.clone()]
            }
        );
        assert!(a.may_prepare(&dir) && a.may_sign(&dir));
        assert!(!a.may_prepare(&kb) && !a.may_sign(&kb));
        let secretary = account(&[("KB", Role::Secretary)], false);
        assert!(secretary.may_prepare(&kb) && !secretary.may_sign(&kb));
        let admin = account(&[], true);
        assert_eq!(admin.viewer(), Viewer::Administrator);
        assert!(admin.may_prepare(&kb));
        assert!(!admin.may_sign(&kb), "only members sign");
        assert_eq!(
            account(&[], false).viewer(),
            Viewer::Insider { bodies: vec![] }
        );
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(normalise_username(" Lene.MT ").as_deref(), Ok("lene.mt"));
        assert_eq!(
            normalise_username("søren@norddjurs.dk").as_deref(),
            Ok("søren@norddjurs.dk")
        );
        assert!(normalise_username("a").is_err());
        assert!(normalise_username("lene thomsen").is_err());
        assert!(normalise_username("x<script>").is_err());
        assert!("administrator".parse::<Role>().is_err());
        assert_eq!("Medlem".parse::<Role>(), Ok(Role::Member));
    }
}
