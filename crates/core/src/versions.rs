//! Published editions of a meeting and what changed between them.
//!
//! Once an agenda is published, the secretary's later edits are not public until they are
//! published again as a new edition: a supplementary agenda when items were added, a revised
//! agenda or revised minutes otherwise. [`changes`] compares two editions item by item, so
//! the public can read what changed. Compare editions *as the reader may see them*
//! ([`Meeting::visible_to`]), so a change inside a closed item is not revealed by its
//! mere mention.

use crate::danish::capitalise;
use crate::item::Item;
use crate::meeting::Meeting;

/// What a published edition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PublicationKind {
    /// The agenda as first published.
    Agenda,
    /// A later edition of the agenda that adds items (tillægsdagsorden).
    Supplement,
    /// A later edition of the agenda that changes but does not add items.
    RevisedAgenda,
    /// The minutes as first published, waiting for signatures.
    Minutes,
    /// A later edition of the minutes before approval.
    RevisedMinutes,
    /// The minutes as approved by the last signature.
    ApprovedMinutes,
}

impl PublicationKind {
    pub const ALL: [Self; 6] = [
        Self::Agenda,
        Self::Supplement,
        Self::RevisedAgenda,
        Self::Minutes,
        Self::RevisedMinutes,
        Self::ApprovedMinutes,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Agenda => "agenda",
            Self::Supplement => "supplement",
            Self::RevisedAgenda => "revised_agenda",
            Self::Minutes => "minutes",
            Self::RevisedMinutes => "revised_minutes",
            Self::ApprovedMinutes => "approved_minutes",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Danish name of the edition.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Agenda => "Dagsorden",
            Self::Supplement => "Tillægsdagsorden",
            Self::RevisedAgenda => "Rettet dagsorden",
            Self::Minutes => "Referat",
            Self::RevisedMinutes => "Rettet referat",
            Self::ApprovedMinutes => "Godkendt referat",
        }
    }

    /// The kind of a new agenda edition following `before`.
    pub fn next_agenda(before: &Meeting, now: &Meeting) -> Self {
        let added = now
            .items
            .iter()
            .any(|i| !before.items.iter().any(|b| same_item(b, i)));
        if added {
            Self::Supplement
        } else {
            Self::RevisedAgenda
        }
    }
}

/// A part of an item that changed between two editions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Number,
    Title,
    Access,
    CaseNumber,
    Case,
    Economy,
    Recommendation,
    Sections,
    Decision,
    SubPoints,
    Attachments,
    Participants,
    Votes,
    Followups,
}

impl Part {
    /// The Danish name of the part, as a reader knows it from the document.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Number => "nummer",
            Self::Title => "titel",
            Self::Access => "åben/lukket",
            Self::CaseNumber => "sagsnummer",
            Self::Case => "sagsfremstilling",
            Self::Economy => "økonomiske konsekvenser",
            Self::Recommendation => "indstilling",
            Self::Sections => "øvrige afsnit",
            Self::Decision => "beslutning",
            Self::SubPoints => "tidsplan",
            Self::Attachments => "bilag",
            Self::Participants => "deltagere",
            Self::Votes => "afstemning",
            Self::Followups => "opfølgning",
        }
    }
}

/// One change between two editions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Meeting facts: time, place, members, absence.
    Meeting(Vec<&'static str>),
    Added {
        number: Option<u32>,
        title: String,
    },
    Removed {
        number: Option<u32>,
        title: String,
    },
    Changed {
        number: Option<u32>,
        title: String,
        parts: Vec<Part>,
    },
}

/// The same item in two editions: by id where both have one, else by title.
fn same_item(a: &Item, b: &Item) -> bool {
    match (a.id, b.id) {
        (Some(x), Some(y)) => x == y,
        _ => a.title == b.title,
    }
}

// What a reader can see of sub-points, attachments and follow-ups: their content, not the
// ids they carry (an edition stored before they had ids is not "changed" by getting them).
fn followups(v: &[crate::item::Followup]) -> Vec<crate::item::Followup> {
    v.iter()
        .map(|f| crate::item::Followup {
            id: None,
            ..f.clone()
        })
        .collect()
}

fn schedule(i: &Item) -> Vec<crate::item::SubPoint> {
    i.schedule
        .iter()
        .map(|sp| crate::item::SubPoint {
            id: None,
            followups: followups(&sp.followups),
            ..sp.clone()
        })
        .collect()
}

fn attachments(i: &Item) -> Vec<crate::item::Attachment> {
    i.attachments
        .iter()
        .map(|a| crate::item::Attachment {
            id: None,
            ..a.clone()
        })
        .collect()
}

fn parts(a: &Item, b: &Item) -> Vec<Part> {
    let mut out = Vec::new();
    let mut differs = |p: Part, same: bool| {
        if !same {
            out.push(p);
        }
    };
    differs(Part::Number, a.number == b.number);
    differs(
        Part::Title,
        a.title == b.title && a.public_title == b.public_title,
    );
    differs(Part::Access, a.access == b.access);
    differs(Part::CaseNumber, a.case_number == b.case_number);
    differs(Part::Case, a.case == b.case);
    differs(Part::Economy, a.economy == b.economy);
    differs(Part::Recommendation, a.recommendation == b.recommendation);
    differs(Part::Sections, a.sections == b.sections);
    differs(
        Part::Decision,
        a.decision == b.decision && a.public_decision == b.public_decision,
    );
    differs(Part::SubPoints, schedule(a) == schedule(b));
    differs(Part::Attachments, attachments(a) == attachments(b));
    differs(Part::Participants, a.participants == b.participants);
    differs(
        Part::Votes,
        a.votes == b.votes && a.dissents == b.dissents && a.disqualified == b.disqualified,
    );
    differs(
        Part::Followups,
        followups(&a.followups) == followups(&b.followups),
    );
    out
}

/// What changed from edition `before` to edition `after`, in the order of `after`'s items
/// (removed items last).
pub fn changes(before: &Meeting, after: &Meeting) -> Vec<Change> {
    let mut out = Vec::new();
    let mut facts = Vec::new();
    if before.start != after.start || before.end != after.end {
        facts.push("tidspunkt");
    }
    if before.location != after.location {
        facts.push("sted");
    }
    if before.members != after.members {
        facts.push("medlemmer");
    }
    if before.absent != after.absent {
        facts.push("fravær");
    }
    if !facts.is_empty() {
        out.push(Change::Meeting(facts));
    }
    for item in &after.items {
        match before.items.iter().find(|b| same_item(b, item)) {
            None => out.push(Change::Added {
                number: item.number,
                title: item.title.clone(),
            }),
            Some(old) => {
                let parts = parts(old, item);
                if !parts.is_empty() {
                    out.push(Change::Changed {
                        number: item.number,
                        title: item.title.clone(),
                        parts,
                    });
                }
            }
        }
    }
    for old in &before.items {
        if !after.items.iter().any(|i| same_item(old, i)) {
            out.push(Change::Removed {
                number: old.number,
                title: old.title.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Access;
    use crate::body::BodyRef;
    use crate::ids::ItemId;
    use crate::meeting::MeetingKind;

    fn meeting(items: &[(&str, u32)]) -> Meeting {
        let body = BodyRef {
            code: "DIR".parse().unwrap(),
            name: "Direktionen".into(),
        };
        let mut m = Meeting::new(body, MeetingKind::Agenda, "2026-12-02".parse().unwrap());
        m.items = items.iter().map(|(t, n)| Item::new(Some(*n), *t)).collect();
        m
    }

    #[test]
    fn added_removed_and_changed_items_are_named_with_the_parts_that_changed() {
        let before = meeting(&[("Økonomi", 1), ("Eventuelt", 2), ("Gammelt", 3)]);
        let mut after = meeting(&[("Økonomi", 1), ("Ny sag", 2), ("Eventuelt", 3)]);
        after.items[0].case = Some("Forbruget er 97 pct.".into());
        after.location = Some("Mødelokale 3".into());
        let got = changes(&before, &after);
        assert_eq!(
            got,
            [
                Change::Meeting(vec!["sted"]),
                Change::Changed {
                    number: Some(1),
                    title: "Økonomi".into(),
                    parts: vec![Part::Case]
                },
                Change::Added {
                    number: Some(2),
                    title: "Ny sag".into()
                },
                Change::Changed {
                    number: Some(3),
                    title: "Eventuelt".into(),
                    parts: vec![Part::Number]
                },
                Change::Removed {
                    number: Some(3),
                    title: "Gammelt".into()
                },
            ]
        );
        assert_eq!(
            PublicationKind::next_agenda(&before, &after),
            PublicationKind::Supplement
        );
        assert_eq!(
            PublicationKind::next_agenda(&before, &before),
            PublicationKind::RevisedAgenda
        );
        assert!(changes(&after, &after).is_empty());
    }

    #[test]
    fn items_are_matched_by_id_so_a_renamed_item_is_a_change_not_a_new_item() {
        let mut before = meeting(&[("Økonomi", 1)]);
        let id = ItemId::new();
        before.items[0].id = Some(id);
        let mut after = before.clone();
        after.items[0].title = "Økonomi og budget".into();
        after.items[0].access = Access::Closed;
        let got = changes(&before, &after);
        assert_eq!(
            got,
            [Change::Changed {
                number: Some(1),
                title: "Økonomi og budget".into(),
                parts: vec![Part::Title, Part::Access]
            }]
        );
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in PublicationKind::ALL {
            assert_eq!(PublicationKind::parse(k.as_str()), Some(k));
        }
    }
}

fn item_name(number: Option<u32>, title: &str) -> String {
    match number {
        Some(n) => format!("punkt {n} {title}"),
        None => title.to_string(),
    }
}

/// The changes as Danish sentences.
pub fn change_lines(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| match c {
            Change::Meeting(facts) => format!("Mødets {} er ændret.", facts.join(" og ")),
            Change::Added { number, title } => format!("Nyt: {}.", item_name(*number, title)),
            Change::Removed { number, title } => {
                format!("Udgået: {}.", item_name(*number, title))
            }
            Change::Changed {
                number,
                title,
                parts,
            } => {
                let parts: Vec<&str> = parts.iter().map(|p| p.label()).collect();
                let name = capitalise(&item_name(*number, title));
                format!("{name}: ændret {}.", parts.join(", "))
            }
        })
        .collect()
}

#[cfg(test)]
mod sentence_tests {
    use super::*;

    #[test]
    fn changes_read_as_danish_sentences() {
        let lines = change_lines(&[
            Change::Meeting(vec!["tidspunkt", "sted"]),
            Change::Added {
                number: Some(6),
                title: "Ny sag".into(),
            },
            Change::Removed {
                number: Some(3),
                title: "Gammel sag".into(),
            },
            Change::Changed {
                number: Some(2),
                title: "Økonomi".into(),
                parts: vec![Part::Case, Part::Attachments],
            },
        ]);
        assert_eq!(
            lines,
            [
                "Mødets tidspunkt og sted er ændret.",
                "Nyt: punkt 6 Ny sag.",
                "Udgået: punkt 3 Gammel sag.",
                "Punkt 2 Økonomi: ændret sagsfremstilling, bilag.",
            ]
        );
    }
}
