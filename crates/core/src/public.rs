//! The published record of a meeting: what the public may see of it, derived once, when
//! something public changes, and stored for every public surface to read.
//!
//! [`public_record`] takes the meeting as stored, its published editions and dated
//! corrections and its body's settings, and returns what an outsider reads: the newest
//! published edition (or, for a meeting never published in protokol, the meeting as stored)
//! with the live status and signatures, passed through [`Meeting::visible_to`] for the
//! public; the editions with what changed from one to the next, compared as the public sees
//! them; the corrections the public may read; and where the public items' matters go next.
//! Closed content is removed here, once. A draft (planned) meeting has no public record.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::access::Viewer;
use crate::body::BodySettings;
use crate::danish::local_moment;
use crate::item::NextKind;
use crate::meeting::{Meeting, MeetingStatus};
use crate::versions::{PublicationKind, change_lines, changes};

/// A published edition, as the derivation needs it.
#[derive(Clone, Copy, Debug)]
pub struct EditionInput<'a> {
    pub kind: PublicationKind,
    /// When it was published ("2026-11-24T13:03:00Z").
    pub published_at: &'a str,
    pub meeting: &'a Meeting,
}

/// A dated correction to approved minutes, as the derivation needs it.
#[derive(Clone, Copy, Debug)]
pub struct CorrectionInput<'a> {
    pub added_at: &'a str,
    pub item_number: Option<u32>,
    pub text: &'a str,
}

/// One edition in the public history, with what changed from the one before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditionLine {
    /// "Tillægsdagsorden".
    pub label: String,
    /// In Danish time: "24. november 2026 kl. 14.03".
    pub when: String,
    pub changes: Vec<String>,
}

/// A correction the public may read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionLine {
    pub when: String,
    /// "Punkt 3" or "Referatet".
    pub about: String,
    pub text: String,
}

/// Where a public item's matter goes next: an item or sub-point title, and a body and date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextLink {
    /// The number of the item it is on (the item, or the item of the sub-point).
    pub item: Option<u32>,
    /// The item's or sub-point's title, as published.
    pub title: String,
    pub body: String,
    pub date: NaiveDate,
    pub kind: NextKind,
}

/// What the public may see of one meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicRecord {
    /// The meeting as the public reads it: closed content reduced to public title and
    /// public decision, closed attachments left out (or titles only, per the body's
    /// settings). Attachment texts are left out too (they are served from the documents
    /// themselves), so the record stays small.
    pub meeting: Meeting,
    /// The newest published edition shown (0: the meeting as stored, never published in
    /// protokol).
    pub edition: i64,
    pub history: Vec<EditionLine>,
    pub corrections: Vec<CorrectionLine>,
    pub next: Vec<NextLink>,
}

/// A public attachment's file: what a download serves and search reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicFile {
    pub item: u32,
    pub attachment: u32,
    pub title: String,
    pub name: String,
    pub media_type: String,
    pub sha256: Option<String>,
    pub text: Option<std::sync::Arc<str>>,
}

impl PublicRecord {
    /// The titles of the public items, in order (for lists and feeds).
    pub fn titles(&self) -> Vec<String> {
        self.meeting.items.iter().map(|i| i.title.clone()).collect()
    }
}

fn moment(stored: &str) -> String {
    stored
        .parse::<DateTime<Utc>>()
        .map(local_moment)
        .unwrap_or_else(|_| stored.to_string())
}

/// The public record of `stored` (see the module documentation) and its public attachments'
/// files, or `None` for a meeting the public may not see.
pub fn public_record(
    stored: &Meeting,
    editions: &[EditionInput<'_>],
    corrections: &[CorrectionInput<'_>],
    settings: &BodySettings,
) -> Option<(PublicRecord, Vec<PublicFile>)> {
    record_for(&Viewer::Public, stored, editions, corrections, settings)
}

/// The record of `stored` as `viewer` reads it: for someone who sees the body's closed
/// content, the meeting as stored (unpublished edits included) with everything; for anyone
/// else, what [`public_record`] says. `None` when the viewer may not see the meeting.
pub fn record_for(
    viewer: &Viewer,
    stored: &Meeting,
    editions: &[EditionInput<'_>],
    corrections: &[CorrectionInput<'_>],
    settings: &BodySettings,
) -> Option<(PublicRecord, Vec<PublicFile>)> {
    if !viewer.sees_meeting(&stored.body.code, stored.status) {
        return None;
    }
    let insider = viewer.sees_closed_of(&stored.body.code);
    let public = |m: &Meeting| m.visible_to(viewer, settings);
    let (base, edition) = match editions.last() {
        Some(_) if insider => (stored.clone(), 0),
        Some(newest) => {
            let mut m = newest.meeting.clone();
            // Status and signatures are facts about the meeting, not part of the text.
            m.status = stored.status;
            m.signatures = stored.signatures.clone();
            (m, editions.len() as i64)
        }
        None => (stored.clone(), 0),
    };
    let mut meeting = public(&base);
    let mut files = Vec::new();
    for item in &mut meeting.items {
        for a in &mut item.attachments {
            let Some(file) = a.file.as_mut() else {
                continue;
            };
            if let Some(n) = item.number {
                files.push(PublicFile {
                    item: n,
                    attachment: a.number,
                    title: a.title.clone(),
                    name: file.name.clone(),
                    media_type: file.media_type.clone(),
                    sha256: file.sha256.clone(),
                    text: file.text.clone(),
                });
            }
            file.text = None;
        }
    }
    let mut history = Vec::with_capacity(editions.len());
    let mut before: Option<Meeting> = None;
    for e in editions {
        let seen = public(e.meeting);
        history.push(EditionLine {
            label: e.kind.label().to_string(),
            when: moment(e.published_at),
            changes: before
                .as_ref()
                .map(|b| change_lines(&changes(b, &seen)))
                .unwrap_or_default(),
        });
        before = Some(seen);
    }
    let corrections = if meeting.status == Some(MeetingStatus::MinutesApproved) {
        corrections
            .iter()
            .filter(|c| {
                insider
                    || c.item_number.is_none_or(|n| {
                        meeting
                            .items
                            .iter()
                            .any(|i| i.number == Some(n) && !i.access.is_closed())
                    })
            })
            .map(|c| CorrectionLine {
                when: moment(c.added_at),
                about: c
                    .item_number
                    .map(|n| format!("Punkt {n}"))
                    .unwrap_or_else(|| "Referatet".to_string()),
                text: c.text.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut next = Vec::new();
    for item in &meeting.items {
        let steps = item.next.iter().map(|n| (item.title.as_str(), n)).chain(
            item.schedule
                .iter()
                .flat_map(|sp| sp.next.iter().map(move |n| (sp.title.as_str(), n))),
        );
        for (title, n) in steps {
            next.push(NextLink {
                item: item.number,
                title: title.to_string(),
                body: n.body.clone(),
                date: n.date,
                kind: n.kind,
            });
        }
    }
    Some((
        PublicRecord {
            meeting,
            edition,
            history,
            corrections,
            next,
        },
        files,
    ))
}

/// The key two names of one body or matter are compared by: trimmed, lower case.
pub fn name_key(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Access;
    use crate::body::BodyRef;
    use crate::item::{Attachment, AttachmentFile, Item, NextStep};
    use crate::meeting::MeetingKind;

    const CANARY: &str = "KANARIE-offentlig";

    fn meeting() -> Meeting {
        let mut m = Meeting::new(
            BodyRef {
                name: "Direktionen".into(),
                code: "DIR".parse().unwrap(),
            },
            MeetingKind::Minutes,
            NaiveDate::from_ymd_opt(2024, 1, 24).unwrap(),
        );
        m.status = Some(MeetingStatus::Held);
        let mut open = Item::new(Some(1), "Økonomi");
        open.attachments.push(Attachment {
            id: None,
            number: 1,
            title: "Budget".into(),
            access: Access::Open,
            doc_id: None,
            journal: None,
            file: Some(AttachmentFile {
                name: "budget.pdf".into(),
                media_type: "application/pdf".into(),
                sha256: None,
                text: Some("Budgettets tekst".into()),
            }),
        });
        open.next.push(NextStep {
            body: "Økonomiudvalget".into(),
            date: NaiveDate::from_ymd_opt(2024, 2, 6).unwrap(),
            kind: NextKind::Continued,
        });
        let mut closed = Item::new(Some(2), format!("Personalesag {CANARY}"));
        closed.access = Access::Closed;
        closed.public_title = Some("Personalesag".into());
        closed.public_decision = Some("Godkendt.".into());
        closed.decision = Some(format!("Beslutning {CANARY}"));
        closed.next.push(NextStep {
            body: "Kommunalbestyrelsen".into(),
            date: NaiveDate::from_ymd_opt(2024, 2, 20).unwrap(),
            kind: NextKind::Continued,
        });
        m.items = vec![open, closed];
        m
    }

    #[test]
    fn a_draft_has_no_public_record() {
        let mut m = meeting();
        m.status = Some(MeetingStatus::Planned);
        assert!(public_record(&m, &[], &[], &BodySettings::default()).is_none());
    }

    #[test]
    fn closed_content_is_removed_once_and_filtering_again_changes_nothing() {
        let (r, files) = public_record(&meeting(), &[], &[], &BodySettings::default()).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains(CANARY), "{json}");
        assert!(
            !json.contains("Budgettets tekst"),
            "no attachment texts in the record"
        );
        assert_eq!(files.len(), 1, "the open attachment's file, with its text");
        assert_eq!(files[0].text.as_deref(), Some("Budgettets tekst"));
        assert_eq!(r.titles(), ["Økonomi", "Personalesag"]);
        assert_eq!(r.meeting.items[1].decision.as_deref(), Some("Godkendt."));
        // The closed item's next step is not public; the open one's is.
        assert_eq!(r.next.len(), 1);
        assert_eq!(r.next[0].body, "Økonomiudvalget");
        let again = r
            .meeting
            .visible_to(&Viewer::Public, &BodySettings::default());
        assert_eq!(again, r.meeting);
    }

    #[test]
    fn outsiders_read_the_newest_edition_with_the_live_status() {
        let first = meeting();
        let mut second = meeting();
        second.items.push(Item::new(Some(3), "Nyt punkt"));
        let mut stored = second.clone();
        stored
            .items
            .push(Item::new(Some(4), "Ikke offentliggjort endnu"));
        stored.status = Some(MeetingStatus::MinutesApproved);
        let editions = [
            EditionInput {
                kind: PublicationKind::Minutes,
                published_at: "2024-01-25T08:00:00Z",
                meeting: &first,
            },
            EditionInput {
                kind: PublicationKind::RevisedMinutes,
                published_at: "2024-01-26T08:00:00Z",
                meeting: &second,
            },
        ];
        let corrections = [
            CorrectionInput {
                added_at: "2024-02-01T10:00:00Z",
                item_number: Some(1),
                text: "Rettet beløb.",
            },
            CorrectionInput {
                added_at: "2024-02-01T10:00:00Z",
                item_number: Some(2),
                text: format!("Om den lukkede sag {CANARY}").leak(),
            },
        ];
        let (r, _) =
            public_record(&stored, &editions, &corrections, &BodySettings::default()).unwrap();
        assert_eq!(r.edition, 2);
        assert_eq!(r.meeting.status, Some(MeetingStatus::MinutesApproved));
        assert_eq!(r.titles(), ["Økonomi", "Personalesag", "Nyt punkt"]);
        assert_eq!(r.history.len(), 2);
        assert_eq!(r.history[1].changes, ["Nyt: punkt 3 Nyt punkt."]);
        assert_eq!(r.corrections.len(), 1, "only the open item's correction");
        assert!(!serde_json::to_string(&r).unwrap().contains(CANARY));

        // A member of the body reads the meeting as stored, with every correction.
        let member = Viewer::Insider {
            bodies: vec!["DIR".parse().unwrap()],
        };
        let (inside, _) = record_for(
            &member,
            &stored,
            &editions,
            &corrections,
            &BodySettings::default(),
        )
        .unwrap();
        assert_eq!(inside.edition, 0);
        assert_eq!(inside.meeting.items.len(), 4, "the unpublished item too");
        assert_eq!(inside.corrections.len(), 2);
        assert!(serde_json::to_string(&inside).unwrap().contains(CANARY));
    }
}

/// The key a case number is known by in addresses and lookups: lower case, letters and
/// digits kept, every run of anything else one hyphen ("91141/23" → "91141-23",
/// "EMN-2025-01234" → "emn-2025-01234"). `None` when nothing is left.
pub fn case_key(number: &str) -> Option<String> {
    let mut key = String::with_capacity(number.len());
    for c in number.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('-') {
            key.push('-');
        }
    }
    while key.ends_with('-') {
        key.pop();
    }
    (!key.is_empty()).then_some(key)
}

/// The key an agenda item is known by in the open-data API's addresses: its id, or (for an
/// item without one, as in imported records) its place on the agenda counted from 1.
pub fn item_key(item: &crate::Item, position: usize) -> String {
    item.id
        .map_or_else(|| format!("{}", position + 1), |id| id.to_string())
}

/// Whether the body of the meeting decides the matter of `item` (a decision and no next
/// step to another body or meeting).
pub fn decides(item: &crate::Item) -> bool {
    item.decision.is_some() && item.next.is_empty()
}

#[cfg(test)]
mod case_key_tests {
    use super::case_key;

    #[test]
    fn case_numbers_become_address_keys() {
        assert_eq!(case_key("91141/23").as_deref(), Some("91141-23"));
        assert_eq!(
            case_key(" EMN-2025-01234 ").as_deref(),
            Some("emn-2025-01234")
        );
        assert_eq!(
            case_key("Sag nr. 27.00.00-A00-1-25").as_deref(),
            Some("sag-nr-27-00-00-a00-1-25")
        );
        assert_eq!(case_key(" / "), None);
    }
}
