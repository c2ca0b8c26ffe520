//! Open or closed, who may see what, and the one function that removes what a viewer may
//! not see. Every surface that shows meetings to people (pages, API, feeds, search,
//! documents) goes through [`Meeting::visible_to`], so the policy is written and tested once.

use serde::{Deserialize, Serialize};

use crate::body::{BodyCode, BodySettings};
use crate::item::{Attachment, Item};
use crate::meeting::{Meeting, MeetingStatus};

/// Åben or Lukket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Open,
    Closed,
}

impl Access {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Closed)
    }
}

/// Who is looking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// Anyone not signed in.
    Public,
    /// A member or secretary of the listed bodies: sees their closed content.
    Insider { bodies: Vec<BodyCode> },
    /// Sees everything.
    Administrator,
}

impl Viewer {
    /// Whether this viewer may see a meeting of `body` with this status at all: a planned
    /// meeting (a draft agenda) is seen only by those who see the body's closed content;
    /// once the agenda is published (and for imported meetings, which have no status) by
    /// everyone.
    pub fn sees_meeting(&self, body: &BodyCode, status: Option<MeetingStatus>) -> bool {
        public_may_see(status) || self.sees_closed_of(body)
    }

    /// Whether this viewer may see closed content of the given body.
    pub fn sees_closed_of(&self, body: &BodyCode) -> bool {
        match self {
            Self::Public => false,
            Self::Insider { bodies } => bodies.contains(body),
            Self::Administrator => true,
        }
    }
}

/// Whether the public may see a meeting with this status at all: not a draft (a planned
/// meeting whose agenda is not published).
pub fn public_may_see(status: Option<MeetingStatus>) -> bool {
    status != Some(MeetingStatus::Planned)
}

/// The title shown for a closed item that has no public title.
pub const CLOSED_ITEM_FALLBACK_TITLE: &str = "Lukket punkt";

impl Meeting {
    /// The meeting as `viewer` may see it. For a viewer without access to the body's
    /// closed content: a closed item keeps its number, route, reason, decision date and
    /// votes, shows its public title and public decision, and loses everything else; closed
    /// attachments are left out (or, where the body's settings allow, shown by number and
    /// title only).
    pub fn visible_to(&self, viewer: &Viewer, settings: &BodySettings) -> Meeting {
        if viewer.sees_closed_of(&self.body.code) {
            return self.clone();
        }
        let mut m = self.clone();
        m.items = self
            .items
            .iter()
            .map(|item| public_item(item, settings))
            .collect();
        m
    }
}

fn public_item(item: &Item, settings: &BodySettings) -> Item {
    if item.access.is_closed() {
        let mut stub = Item::new(
            item.number,
            item.public_title
                .clone()
                .unwrap_or_else(|| CLOSED_ITEM_FALLBACK_TITLE.to_string()),
        );
        stub.id = item.id;
        stub.access = Access::Closed;
        // Kept so that filtering a filtered meeting again gives the same meeting (the
        // public record is stored filtered and shown through the same policy).
        stub.public_title = item.public_title.clone();
        stub.public_decision = item.public_decision.clone();
        stub.closed_reason = item.closed_reason.clone();
        stub.route = item.route.clone();
        stub.decision = item.public_decision.clone();
        stub.decision_date = item.decision_date;
        // Votes on closed items are shown in the public extract (danish-rules.md).
        stub.votes = item.votes.clone();
        if settings.closed_case_numbers_public {
            stub.case_number = item.case_number.clone();
        }
        return stub;
    }
    let mut open = item.clone();
    open.attachments = item
        .attachments
        .iter()
        .filter_map(|a| public_attachment(a, settings))
        .collect();
    open
}

fn public_attachment(a: &Attachment, settings: &BodySettings) -> Option<Attachment> {
    match a.access {
        Access::Open => Some(a.clone()),
        Access::Closed if settings.closed_attachment_titles_public => Some(Attachment {
            id: None,
            number: a.number,
            title: a.title.clone(),
            access: Access::Closed,
            doc_id: None,
            journal: None,
            file: None,
        }),
        Access::Closed => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::BodyRef;
    use crate::item::{AttachmentFile, SubPoint};
    use crate::meeting::MeetingKind;
    use chrono::NaiveDate;

    const CANARY: &str = "KANARIEFUGL-7f3a";

    fn meeting_with_closed_content() -> Meeting {
        let body = BodyRef {
            name: "Direktionen".into(),
            code: "DIR".parse().unwrap(),
        };
        let date = NaiveDate::from_ymd_opt(2023, 9, 6).unwrap();
        let mut m = Meeting::new(body, MeetingKind::Minutes, date);
        let mut closed = Item::new(Some(5), format!("Personalesag {CANARY}"));
        closed.access = Access::Closed;
        closed.public_title = Some("Personalesag".into());
        closed.public_decision = Some("Godkendt.".into());
        closed.case = Some(format!("Sagsfremstilling {CANARY}"));
        closed.decision = Some(format!("Beslutning {CANARY}"));
        closed.participants = vec![format!("Gæst {CANARY}")];
        closed.schedule = vec![SubPoint {
            id: None,
            time: None,
            title: format!("Delpunkt {CANARY}"),
            text: None,
            decision: None,
            participants: vec![],
            followups: vec![],
            next: vec![],
        }];
        let mut open = Item::new(Some(1), "Økonomi");
        open.attachments = vec![
            Attachment {
                id: None,
                number: 1,
                title: "Åbent bilag".into(),
                access: Access::Open,
                doc_id: Some("1".into()),
                journal: None,
                file: None,
            },
            Attachment {
                id: None,
                number: 2,
                title: format!("Lukket bilag {CANARY}"),
                access: Access::Closed,
                doc_id: Some(format!("doc {CANARY}")),
                journal: Some(format!("j {CANARY}")),
                file: Some(AttachmentFile {
                    name: "x.pdf".into(),
                    media_type: "application/pdf".into(),
                    sha256: None,
                    text: Some(format!("filtekst {CANARY}").into()),
                }),
            },
        ];
        m.items = vec![open, closed];
        m
    }

    fn json(m: &Meeting) -> String {
        serde_json::to_string(m).unwrap()
    }

    #[test]
    fn public_sees_no_closed_content_but_the_public_title_and_decision() {
        let m = meeting_with_closed_content();
        let public = m.visible_to(&Viewer::Public, &BodySettings::default());
        let text = json(&public);
        assert!(!text.contains(CANARY), "canary leaked: {text}");
        assert_eq!(public.items[1].title, "Personalesag");
        assert_eq!(public.items[1].decision.as_deref(), Some("Godkendt."));
        assert_eq!(public.items[0].attachments.len(), 1);
    }

    #[test]
    fn closed_attachment_titles_can_be_made_public_per_body_without_their_text() {
        let m = meeting_with_closed_content();
        let settings = BodySettings {
            closed_attachment_titles_public: true,
            ..BodySettings::default()
        };
        let public = m.visible_to(&Viewer::Public, &settings);
        let a = &public.items[0].attachments[1];
        assert!(a.title.contains(CANARY));
        assert!(a.file.is_none() && a.doc_id.is_none() && a.journal.is_none());
    }

    #[test]
    fn closed_items_case_numbers_are_public_only_where_the_body_says_so() {
        let mut m = meeting_with_closed_content();
        m.items[1].case_number = Some("24/01234".into());
        let hidden = m.visible_to(&Viewer::Public, &BodySettings::default());
        assert_eq!(hidden.items[1].case_number, None);
        let settings = BodySettings {
            closed_case_numbers_public: true,
            ..BodySettings::default()
        };
        let shown = m.visible_to(&Viewer::Public, &settings);
        assert_eq!(shown.items[1].case_number.as_deref(), Some("24/01234"));
        assert!(
            !json(&shown).contains(CANARY),
            "only the number goes with it"
        );
    }

    #[test]
    fn members_of_the_body_see_everything_members_of_other_bodies_do_not() {
        let m = meeting_with_closed_content();
        let insider = Viewer::Insider {
            bodies: vec!["DIR".parse().unwrap()],
        };
        assert_eq!(m.visible_to(&insider, &BodySettings::default()), m);
        let outsider = Viewer::Insider {
            bodies: vec!["ØK".parse().unwrap()],
        };
        assert!(!json(&m.visible_to(&outsider, &BodySettings::default())).contains(CANARY));
        assert_eq!(
            m.visible_to(&Viewer::Administrator, &BodySettings::default()),
            m
        );
    }

    #[test]
    fn draft_meetings_are_seen_only_inside_the_body() {
        let dir: BodyCode = "DIR".parse().unwrap();
        let insider = Viewer::Insider {
            bodies: vec![dir.clone()],
        };
        let outsider = Viewer::Insider {
            bodies: vec!["KB".parse().unwrap()],
        };
        let draft = Some(MeetingStatus::Planned);
        assert!(!Viewer::Public.sees_meeting(&dir, draft));
        assert!(!outsider.sees_meeting(&dir, draft));
        assert!(insider.sees_meeting(&dir, draft));
        assert!(Viewer::Administrator.sees_meeting(&dir, draft));
        for published in [
            None,
            Some(MeetingStatus::AgendaPublished),
            Some(MeetingStatus::Held),
        ] {
            assert!(Viewer::Public.sees_meeting(&dir, published));
        }
    }

    #[test]
    fn closed_item_without_public_title_shows_the_fallback() {
        let mut m = meeting_with_closed_content();
        m.items[1].public_title = None;
        let public = m.visible_to(&Viewer::Public, &BodySettings::default());
        assert_eq!(public.items[1].title, CLOSED_ITEM_FALLBACK_TITLE);
    }
}
