//! Agenda items (dagsordenspunkter) and what hangs off them: timed sub-points, attachments,
//! participants, follow-ups, where the matter goes next, votes, dissents.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::Access;
use crate::ids::{AttachmentId, FollowupId, ItemId, SubPointId};
use crate::time::ClockTime;

/// Whether a follow-up is still open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FollowupStatus {
    #[default]
    Open,
    Done,
}

impl FollowupStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "done" => Some(Self::Done),
            _ => None,
        }
    }
}

/// Who follows up on a decision, and what ("Økonomichef Bettina Andersen følger op").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Followup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FollowupId>,
    pub owner: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub status: FollowupStatus,
}

/// How a matter moves on: postponed ("udskudt til …") or continued in a body
/// ("behandles på møde i Økonomiudvalget den 6. februar").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextKind {
    Postponed,
    Continued,
}

impl NextKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Postponed => "postponed",
            Self::Continued => "continued",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "postponed" => Some(Self::Postponed),
            "continued" => Some(Self::Continued),
            _ => None,
        }
    }
}

/// Where a matter goes next: a body (by name) and a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    pub body: String,
    #[serde(with = "crate::time::iso_date")]
    pub date: NaiveDate,
    pub kind: NextKind,
}

/// One option of a vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteOption {
    For,
    Against,
    Abstain,
}

impl VoteOption {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::For => "for",
            Self::Against => "against",
            Self::Abstain => "abstain",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "for" => Some(Self::For),
            "against" => Some(Self::Against),
            "abstain" => Some(Self::Abstain),
            _ => None,
        }
    }
}

/// The votes cast for one option, by member, by party letter, and/or as a count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub option: VoteOption,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub parties: Vec<String>,
    #[serde(default)]
    pub count: Option<u32>,
}

/// A member's short dissent added to the minutes (protokoltilførsel).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dissent {
    pub member: String,
    pub text: String,
}

/// A file behind an attachment, with the text extracted from it (what search indexes).
///
/// The text can be megabytes (a 25 MB PDF holds ~20 MB of text) and a meeting is cloned on
/// its way through an edit, so it is shared (`Arc<str>`), not copied, by each clone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentFile {
    pub name: String,
    pub media_type: String,
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub text: Option<std::sync::Arc<str>>,
}

/// An attachment (bilag) of an item. The document behind it (`doc_id`) may be attached to
/// several meetings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<AttachmentId>,
    pub number: u32,
    pub title: String,
    pub access: Access,
    #[serde(default)]
    pub doc_id: Option<String>,
    #[serde(default)]
    pub journal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<AttachmentFile>,
}

/// A timed sub-point of an item (a row of the "Tid / Punkt" table), with its own decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubPoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<SubPointId>,
    #[serde(default)]
    pub time: Option<ClockTime>,
    pub title: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub decision: Option<String>,
    #[serde(default)]
    pub participants: Vec<String>,
    #[serde(default)]
    pub followups: Vec<Followup>,
    #[serde(default)]
    pub next: Vec<NextStep>,
}

/// A section of an item under a heading of its own, beyond the four every item has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    pub text: String,
}

/// An agenda item. For a closed item, `title`, `case`, `decision` and the rest are internal;
/// `public_title` and `public_decision` are what the public may see of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ItemId>,
    pub number: Option<u32>,
    pub title: String,
    pub access: Access,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_decision: Option<String>,
    /// Body codes of "Sagsgang", in order.
    #[serde(default)]
    pub route: Vec<String>,
    /// The number of the matter in the municipality's case system (sagsnummer), as
    /// printed: "21-014439", "00.01.00-A00-1-23".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    /// Sagsfremstilling.
    #[serde(default)]
    pub case: Option<String>,
    /// Økonomiske konsekvenser.
    #[serde(default)]
    pub economy: Option<String>,
    /// Indstilling.
    #[serde(default)]
    pub recommendation: Option<String>,
    /// Further sections under their own headings ("Resumé", "Lovgrundlag", "Tidsplan",
    /// "Sagens forløb", …), in the order the source printed them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// Beslutning.
    #[serde(default)]
    pub decision: Option<String>,
    #[serde(default, with = "crate::time::iso_date::option")]
    pub decision_date: Option<NaiveDate>,
    #[serde(default)]
    pub participants: Vec<String>,
    #[serde(default)]
    pub followups: Vec<Followup>,
    #[serde(default)]
    pub next: Vec<NextStep>,
    #[serde(default)]
    pub schedule: Vec<SubPoint>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Members not taking part in this item (left part-way, arrived late, afbud for it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<String>,
    /// Members disqualified (inhabile) for this item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disqualified: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<Vote>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dissents: Vec<Dissent>,
}

impl Item {
    /// The item's place on a meeting's page ("punkt-3"; an unnumbered item by its title).
    /// Its parts have the item's anchor and a suffix: "-sagsfremstilling", "-oekonomi",
    /// "-indstilling", "-afsnit-N", "-beslutning", "-bilag".
    pub fn anchor(&self) -> String {
        match self.number {
            Some(n) => format!("punkt-{n}"),
            None => format!("punkt-{}", crate::danish::slug(&self.title)),
        }
    }

    /// A new open item with only a title.
    pub fn new(number: Option<u32>, title: impl Into<String>) -> Self {
        Self {
            id: None,
            number,
            title: title.into(),
            access: Access::Open,
            closed_reason: None,
            public_title: None,
            public_decision: None,
            route: Vec::new(),
            case_number: None,
            case: None,
            economy: None,
            recommendation: None,
            sections: Vec::new(),
            decision: None,
            decision_date: None,
            participants: Vec::new(),
            followups: Vec::new(),
            next: Vec::new(),
            schedule: Vec::new(),
            attachments: Vec::new(),
            absent: Vec::new(),
            disqualified: Vec::new(),
            votes: Vec::new(),
            dissents: Vec::new(),
        }
    }
}
