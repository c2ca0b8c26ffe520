//! A meeting and everything recorded about it as a whole: members, absences, forward plan,
//! signatures.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::body::BodyRef;
use crate::exchange::SchemaTag;
use crate::ids::MeetingId;
use crate::item::Item;
use crate::time::ClockTime;

/// Agenda (dagsorden: no decisions yet) or minutes (referat / beslutningsprotokol).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    Agenda,
    Minutes,
}

impl MeetingKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Agenda => "agenda",
            Self::Minutes => "minutes",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "agenda" => Some(Self::Agenda),
            "minutes" => Some(Self::Minutes),
            _ => None,
        }
    }
}

/// Where a meeting is in its life: planned → agenda published → held → minutes approved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Planned,
    AgendaPublished,
    Held,
    MinutesApproved,
}

impl MeetingStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::AgendaPublished => "agenda_published",
            Self::Held => "held",
            Self::MinutesApproved => "minutes_approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Planned,
            Self::AgendaPublished,
            Self::Held,
            Self::MinutesApproved,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A seat at the meeting: a named member with role or party letter, or a vacant seat
/// ("Kommunaldirektør Vakant").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: Option<String>,
    pub role: Option<String>,
    pub party: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub vacant: bool,
    /// For a substitute (stedfortræder): the member whose seat they take at this meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute_for: Option<String>,
}

/// A member absent from the whole meeting (Fraværende). Absence from single items is
/// recorded on the item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub party: Option<String>,
    /// Absent with notice (afbud).
    #[serde(default, skip_serializing_if = "is_false")]
    pub notice: bool,
}

/// One entry of the rolling plan of coming meetings ("punkter til næste møde").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardPlanEntry {
    #[serde(with = "crate::time::iso_date")]
    pub date: NaiveDate,
    #[serde(default)]
    pub topics: Vec<String>,
}

/// A member's approval of the minutes, possibly with a reservation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub member: String,
    pub signed_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub reservation: Option<String>,
}

/// One meeting, everything known about it. This is also the `protokol.meeting/1` document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub schema: SchemaTag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<MeetingId>,
    pub body: BodyRef,
    pub kind: MeetingKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MeetingStatus>,
    #[serde(with = "crate::time::iso_date")]
    pub date: NaiveDate,
    #[serde(default)]
    pub start: Option<ClockTime>,
    #[serde(default)]
    pub end: Option<ClockTime>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub members: Vec<Member>,
    #[serde(default)]
    pub absent: Vec<Absence>,
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default)]
    pub forward_plan: Vec<ForwardPlanEntry>,
    #[serde(default)]
    pub awaiting_date: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<Signature>,
    /// The documents this record was read from (file names), where it was imported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

impl Meeting {
    /// An empty meeting of a body on a date.
    pub fn new(body: BodyRef, kind: MeetingKind, date: NaiveDate) -> Self {
        Self {
            schema: SchemaTag,
            id: None,
            body,
            kind,
            status: None,
            date,
            start: None,
            end: None,
            location: None,
            members: Vec::new(),
            absent: Vec::new(),
            items: Vec::new(),
            forward_plan: Vec::new(),
            awaiting_date: Vec::new(),
            signatures: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// Attachment `number` of the item numbered `item`.
    pub fn attachment_mut(
        &mut self,
        item: u32,
        number: u32,
    ) -> Option<&mut crate::item::Attachment> {
        self.items
            .iter_mut()
            .filter(|i| i.number == Some(item))
            .flat_map(|i| i.attachments.iter_mut())
            .find(|a| a.number == number)
    }

    /// The file name a meeting is exported under: `<body code>-<date>.json`.
    pub fn export_file_name(&self) -> String {
        format!("{}-{}.json", self.body.code, self.date.format("%Y-%m-%d"))
    }

    /// The members who attended: named, not vacant, not listed as absent. They sign the
    /// minutes.
    pub fn attendees(&self) -> Vec<&str> {
        self.members
            .iter()
            .filter(|m| !m.vacant)
            .filter_map(|m| m.name.as_deref())
            .filter(|name| !self.absent.iter().any(|a| a.name == *name))
            .collect()
    }

    /// Attendees who have not signed yet.
    pub fn unsigned(&self) -> Vec<&str> {
        self.attendees()
            .into_iter()
            .filter(|name| !self.signatures.iter().any(|s| s.member == *name))
            .collect()
    }
}
