//! Bodies (Direktionen, Økonomiudvalget, Kommunalbestyrelsen, the standing committees).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::BodyId;

/// The short code of a body used in "Sagsgang" (DIR, ØK, KB, BUU …): upper-case letters
/// (Danish letters included), digits and '-', 1 to 16 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BodyCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid body code {0:?}: expected 1-16 upper-case letters, digits or '-' (e.g. DIR, ØK, KB)"
)]
pub struct InvalidBodyCode(pub String);

impl BodyCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for BodyCode {
    type Err = InvalidBodyCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n = s.chars().count();
        let ok = (1..=16).contains(&n)
            && s.chars()
                .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(InvalidBodyCode(s.to_string()))
        }
    }
}

impl fmt::Display for BodyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for BodyCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for BodyCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How a meeting names its body in the exchange format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyRef {
    pub name: String,
    pub code: BodyCode,
}

/// Per-body settings that change what is published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BodySettings {
    /// Whether the titles of closed attachments may be shown to the public. Off by
    /// default: a closed attachment is internal as a whole, title included.
    pub closed_attachment_titles_public: bool,
    /// Whether the case numbers of closed items are public: then a closed item appears in
    /// its case (on the case page and in the open-data API) by its public title and public
    /// decision. Off by default: the number ties the closed matter to a public case.
    pub closed_case_numbers_public: bool,
    /// Working days before a meeting by which the agenda must reach the members.
    pub agenda_deadline_working_days: Option<u8>,
    /// Items every new meeting of the body starts with, in order (e.g. "Økonomi",
    /// "Eventuelt, herunder punkter til næste møde").
    pub standing_items: Vec<String>,
}

/// The last day the agenda of a meeting on `meeting` may be sent, `working_days` working
/// days (Monday to Friday; public holidays are not counted out) before it.
pub fn dispatch_deadline(meeting: NaiveDate, working_days: u8) -> NaiveDate {
    use chrono::Datelike;
    let mut day = meeting;
    let mut left = working_days;
    while left > 0 {
        day = day.pred_opt().unwrap_or(day);
        if day.weekday().num_days_from_monday() < 5 {
            left -= 1;
        }
    }
    day
}

/// A seat in a body's standing composition: a person with a role or party letter, or a
/// vacant seat; a substitute (stedfortræder) names the member they stand in for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub party: Option<String>,
    #[serde(default)]
    pub vacant: bool,
    #[serde(default)]
    pub substitute_for: Option<String>,
    #[serde(default, with = "crate::time::iso_date::option")]
    pub from: Option<NaiveDate>,
    #[serde(default, with = "crate::time::iso_date::option")]
    pub until: Option<NaiveDate>,
}

impl Membership {
    /// Why this membership cannot be stored, if it cannot.
    pub fn problem(&self) -> Option<String> {
        match (&self.name, self.vacant) {
            (Some(n), true) => {
                return Some(format!("a vacant seat has no member, but {n:?} is named"));
            }
            (None, false) => {
                return Some("the name is missing; a seat without a member must be vacant".into());
            }
            (Some(n), false) if n.trim().is_empty() => return Some("the name is empty".into()),
            _ => {}
        }
        match (self.from, self.until) {
            (Some(f), Some(u)) if u < f => {
                Some(format!("the membership ends ({u}) before it begins ({f})"))
            }
            _ => None,
        }
    }
}

/// A stored body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub id: BodyId,
    pub code: BodyCode,
    pub name: String,
    pub settings: BodySettings,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_codes_are_accepted() {
        for ok in ["DIR", "ØK", "KB", "BUU", "MTU-2"] {
            assert!(ok.parse::<BodyCode>().is_ok(), "{ok}");
        }
    }

    #[test]
    fn lower_case_empty_and_long_codes_are_rejected() {
        for bad in ["dir", "", "D R", "ABCDEFGHIJKLMNOPQ", "Ø.K"] {
            assert!(bad.parse::<BodyCode>().is_err(), "{bad:?}");
        }
    }
}

#[cfg(test)]
mod deadline_tests {
    use super::*;

    #[test]
    fn the_dispatch_deadline_counts_working_days_back() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        // Wednesday 2 December 2026, four working days before: Thursday 26 November.
        assert_eq!(dispatch_deadline(d("2026-12-02"), 4), d("2026-11-26"));
        // Monday, one working day before: the Friday.
        assert_eq!(dispatch_deadline(d("2026-12-07"), 1), d("2026-12-04"));
        assert_eq!(dispatch_deadline(d("2026-12-07"), 0), d("2026-12-07"));
    }
}
