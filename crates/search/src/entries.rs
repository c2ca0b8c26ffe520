//! What is searchable in a meeting: one entry per place a hit can land on (the meeting, an
//! item's title, each section, the decision, sub-points, follow-ups, each attachment's
//! title and its text), with the link to that place.
//!
//! Entries are made from a meeting as one reader may see it: for the public index from the
//! public record (closed content already reduced there), for the internal index from the
//! meeting as stored. Nothing here decides access.

use chrono::{Datelike, NaiveDate};
use protokol_core::{Item, Meeting, MeetingKind};

/// Where in an item (or meeting) an entry comes from; also the "del" facet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Meeting,
    Title,
    Case,
    Economy,
    Recommendation,
    Section,
    Decision,
    SubPoint,
    Followup,
    Attachment,
    AttachmentText,
}

impl Part {
    pub const ALL: [Part; 11] = [
        Part::Meeting,
        Part::Title,
        Part::Case,
        Part::Economy,
        Part::Recommendation,
        Part::Section,
        Part::Decision,
        Part::SubPoint,
        Part::Followup,
        Part::Attachment,
        Part::AttachmentText,
    ];

    /// The value in facets and URLs.
    pub fn key(&self) -> &'static str {
        match self {
            Part::Meeting => "moede",
            Part::Title => "titel",
            Part::Case => "sagsfremstilling",
            Part::Economy => "oekonomi",
            Part::Recommendation => "indstilling",
            Part::Section => "afsnit",
            Part::Decision => "beslutning",
            Part::SubPoint => "underpunkt",
            Part::Followup => "opfoelgning",
            Part::Attachment => "bilag",
            Part::AttachmentText => "bilagstekst",
        }
    }

    /// In Danish, for people.
    pub fn label(&self) -> &'static str {
        match self {
            Part::Meeting => "Mødet",
            Part::Title => "Punktets titel",
            Part::Case => "Sagsfremstilling",
            Part::Economy => "Økonomiske konsekvenser",
            Part::Recommendation => "Indstilling",
            Part::Section => "Andet afsnit",
            Part::Decision => "Beslutning",
            Part::SubPoint => "Underpunkt",
            Part::Followup => "Opfølgning",
            Part::Attachment => "Bilag",
            Part::AttachmentText => "Bilagets tekst",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == s)
    }
}

/// What kind of decision an item got, by the words it starts with; the "beslutning" facet.
pub fn decision_kind(decision: &str) -> &'static str {
    let d = decision.trim().to_lowercase();
    let has = |w: &[&str]| w.iter().any(|w| d.contains(w));
    if has(&["udsat", "udsættes", "blev udsat"]) {
        "udsat"
    } else if has(&[
        "forkastet",
        "afvist",
        "afvises",
        "ikke godkendt",
        "kan ikke godkendes",
    ]) {
        "afvist"
    } else if has(&["anbefale", "anbefales", "indstilles til"]) {
        "anbefalet"
    } else if has(&["godkend", "vedtaget", "vedtages", "bevilge", "bevilliget"]) {
        "godkendt"
    } else if has(&["til efterretning", "orientering", "orienteret"]) {
        "efterretning"
    } else if has(&["drøftet", "drøftede", "drøftelse"]) {
        "droeftet"
    } else {
        "andet"
    }
}

/// The decision kinds, with their Danish labels.
pub const DECISION_KINDS: &[(&str, &str)] = &[
    ("godkendt", "Godkendt"),
    ("anbefalet", "Anbefalet"),
    ("efterretning", "Taget til efterretning"),
    ("droeftet", "Drøftet"),
    ("udsat", "Udsat"),
    ("afvist", "Afvist"),
    ("andet", "Anden beslutning"),
];

/// One searchable place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub meeting_id: String,
    pub body_code: String,
    pub body_name: String,
    pub body_slug: String,
    pub date: NaiveDate,
    /// "dagsorden" or "referat".
    pub document: &'static str,
    pub item: Option<u32>,
    /// The item's title (the meeting's body and date for the meeting itself).
    pub item_title: String,
    pub part: Part,
    /// The section's heading, the sub-point's or attachment's title.
    pub heading: String,
    /// The place on the meeting's or item's page ("punkt-3-beslutning").
    pub anchor: String,
    pub attachment: Option<u32>,
    /// Which of its item's entries of this part it is: the section's or sub-point's place
    /// in the item (from 0), the attachment's number; 0 for parts an item has once. With
    /// the item and the part it finds the entry again in the meeting (see [`entry_text`]).
    pub nth: u32,
    pub text: String,
    /// Document, journal and case numbers, as written.
    pub identifiers: Vec<String>,
    /// The item's decision kind, once it has a decision.
    pub decision: Option<&'static str>,
}

impl Entry {
    pub fn year(&self) -> i32 {
        self.date.year()
    }

    /// The address of the place the entry came from.
    pub fn href(&self) -> String {
        href(
            &self.body_slug,
            &self.date.format("%Y-%m-%d").to_string(),
            self.item,
            self.attachment,
            self.part,
            &self.anchor,
        )
    }
}

/// The address of a place: the meeting page, an item's page at an anchor, or an attachment
/// (for its text). `date` as "2025-03-12".
pub fn href(
    body_slug: &str,
    date: &str,
    item: Option<u32>,
    attachment: Option<u32>,
    part: Part,
    anchor: &str,
) -> String {
    let meeting = format!("/{body_slug}/{date}");
    match (item, attachment, part) {
        (Some(n), Some(a), Part::AttachmentText) => format!("{meeting}/punkt/{n}/bilag/{a}"),
        (Some(n), _, _) => format!("{meeting}/punkt/{n}#{anchor}"),
        (None, _, Part::Meeting) => meeting,
        (None, _, _) => format!("{meeting}#{anchor}"),
    }
}

/// Where an entry's text is kept, to find it again: the index keeps this, not the text,
/// and a hit's snippet is made from the text as the store holds it now (see
/// [`entry_text`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Place {
    pub meeting_id: String,
    /// The index the hit came from: the public one (text from the public record) or the
    /// internal one (text from the meeting as stored).
    pub audience: crate::Audience,
    pub item: Option<u32>,
    /// Tells unnumbered items apart.
    pub item_title: String,
    pub part: Part,
    pub nth: u32,
    /// The attachment whose text the entry is (its text is fetched apart).
    pub attachment: Option<u32>,
}

/// The text of the entry at `place` in `meeting` (the meeting as the place's index is made
/// from it), or `None` when the meeting no longer has that entry. `attachment_text` is the
/// text of the place's attachment where the meeting does not hold it (the public record
/// keeps attachment texts apart).
pub fn entry_text(
    meeting: &Meeting,
    place: &Place,
    attachment_text: Option<&str>,
) -> Option<String> {
    let text = |item: u32, number: u32| {
        (place.item == Some(item) && place.attachment == Some(number))
            .then(|| attachment_text.map(str::to_string))
            .flatten()
    };
    entries(meeting, &place.meeting_id, &text)
        .into_iter()
        .find(|e| place.is_of(e))
        .map(|e| e.text)
}

impl Place {
    /// Whether `entry` is the one at this place (of the same meeting).
    pub fn is_of(&self, entry: &Entry) -> bool {
        entry.item == self.item
            && entry.part == self.part
            && entry.nth == self.nth
            && (self.item.is_some() || entry.item_title == self.item_title)
    }
}

/// Longest attachment text indexed (the rest of a very long attachment is not searched).
pub const MAX_ATTACHMENT_TEXT: usize = 1 << 20;

fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The entries of `meeting` as given (already reduced to what its reader may see).
/// `attachment_text` gives the extracted text of an attachment (item number, attachment
/// number) where the meeting itself does not hold it.
pub fn entries(
    meeting: &Meeting,
    meeting_id: &str,
    attachment_text: &dyn Fn(u32, u32) -> Option<String>,
) -> Vec<Entry> {
    let document = match meeting.kind {
        MeetingKind::Agenda => "dagsorden",
        MeetingKind::Minutes => "referat",
    };
    let base = Entry {
        meeting_id: meeting_id.to_string(),
        body_code: meeting.body.code.to_string(),
        body_name: meeting.body.name.clone(),
        body_slug: protokol_core::danish::slug(&meeting.body.name),
        date: meeting.date,
        document,
        item: None,
        item_title: String::new(),
        part: Part::Meeting,
        heading: String::new(),
        anchor: String::new(),
        attachment: None,
        nth: 0,
        text: String::new(),
        identifiers: Vec::new(),
        decision: None,
    };
    let mut out = Vec::new();
    let members: Vec<&str> = meeting
        .members
        .iter()
        .filter_map(|m| m.name.as_deref())
        .collect();
    let mut about = vec![meeting.body.name.clone()];
    about.extend(meeting.location.clone());
    if !members.is_empty() {
        about.push(format!("Deltagere: {}", members.join(", ")));
    }
    out.push(Entry {
        item_title: meeting.body.name.clone(),
        text: about.join("\n"),
        ..base.clone()
    });
    for item in &meeting.items {
        item_entries(item, &base, attachment_text, &mut out);
    }
    out
}

fn item_entries(
    item: &Item,
    base: &Entry,
    attachment_text: &dyn Fn(u32, u32) -> Option<String>,
    out: &mut Vec<Entry>,
) {
    let anchor = item.anchor();
    let decision = item.decision.as_deref().map(decision_kind);
    let base = Entry {
        item: item.number,
        item_title: item.title.clone(),
        anchor: anchor.clone(),
        decision,
        ..base.clone()
    };
    let mut place = |part: Part,
                     nth: usize,
                     heading: &str,
                     suffix: &str,
                     text: String,
                     ids: Vec<String>,
                     attachment: Option<u32>| {
        if text.trim().is_empty() {
            return;
        }
        out.push(Entry {
            part,
            heading: heading.to_string(),
            anchor: if suffix.is_empty() {
                anchor.clone()
            } else {
                format!("{anchor}-{suffix}")
            },
            text,
            identifiers: ids,
            attachment,
            nth: u32::try_from(nth).unwrap_or(u32::MAX),
            ..base.clone()
        });
    };
    let mut title = vec![item.title.clone()];
    title.extend(item.case_number.clone());
    title.extend(item.route.iter().cloned());
    place(
        Part::Title,
        0,
        "",
        "",
        title.join("\n"),
        item.case_number.iter().cloned().collect(),
        None,
    );
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    place(
        Part::Case,
        0,
        "Sagsfremstilling",
        "sagsfremstilling",
        text(&item.case),
        vec![],
        None,
    );
    place(
        Part::Economy,
        0,
        "Økonomiske konsekvenser",
        "oekonomi",
        text(&item.economy),
        vec![],
        None,
    );
    place(
        Part::Recommendation,
        0,
        "Indstilling",
        "indstilling",
        text(&item.recommendation),
        vec![],
        None,
    );
    for (k, s) in item.sections.iter().enumerate() {
        place(
            Part::Section,
            k,
            &s.heading,
            &format!("afsnit-{}", k + 1),
            s.text.clone(),
            vec![],
            None,
        );
    }
    let mut decided = vec![text(&item.decision)];
    decided.extend(
        item.dissents
            .iter()
            .map(|d| format!("{}: {}", d.member, d.text)),
    );
    place(
        Part::Decision,
        0,
        "Beslutning",
        "beslutning",
        decided.join("\n"),
        vec![],
        None,
    );
    for (k, s) in item.schedule.iter().enumerate() {
        let mut t = vec![s.title.clone()];
        t.extend(s.text.clone());
        t.extend(s.decision.clone());
        t.extend(s.followups.iter().filter_map(|f| f.text.clone()));
        let suffix = if s.decision.is_some() {
            "beslutning"
        } else {
            "sagsfremstilling"
        };
        place(
            Part::SubPoint,
            k,
            &s.title,
            suffix,
            t.join("\n"),
            vec![],
            None,
        );
    }
    let followups: Vec<String> = item
        .followups
        .iter()
        .map(|f| match &f.text {
            Some(t) => format!("{}: {t}", f.owner),
            None => f.owner.clone(),
        })
        .collect();
    place(
        Part::Followup,
        0,
        "Opfølgning",
        "",
        followups.join("\n"),
        vec![],
        None,
    );
    for a in &item.attachments {
        let n = Some(a.number);
        let nth = a.number as usize;
        let mut t = vec![a.title.clone()];
        t.extend(a.doc_id.clone());
        t.extend(a.journal.clone());
        let ids = a.doc_id.iter().chain(a.journal.iter()).cloned().collect();
        let heading = format!("Bilag {}: {}", a.number, a.title);
        place(
            Part::Attachment,
            nth,
            &heading,
            "bilag",
            t.join("\n"),
            ids,
            n,
        );
        let body = a
            .file
            .as_ref()
            .and_then(|f| f.text.as_deref().map(str::to_string))
            .or_else(|| item.number.and_then(|n| attachment_text(n, a.number)));
        if let Some(body) = body {
            let mut e_text = cut(&body, MAX_ATTACHMENT_TEXT).to_string();
            e_text.shrink_to_fit();
            place(
                Part::AttachmentText,
                nth,
                &heading,
                "bilag",
                e_text,
                vec![],
                n,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_kinds_from_the_words_of_decisions() {
        assert_eq!(decision_kind("Godkendt."), "godkendt");
        assert_eq!(decision_kind("Indstillingen blev godkendt"), "godkendt");
        assert_eq!(decision_kind("Taget til efterretning."), "efterretning");
        assert_eq!(decision_kind("Punktet blev udsat til næste møde."), "udsat");
        assert_eq!(decision_kind("Anbefales over for byrådet."), "anbefalet");
        assert_eq!(decision_kind("Drøftet."), "droeftet");
        assert_eq!(decision_kind("Sendt i høring."), "andet");
    }

    #[test]
    fn every_entry_is_found_again_at_its_place() {
        use protokol_core::{Access, Attachment, AttachmentFile, BodyRef, Section, SubPoint};
        let mut m = Meeting::new(
            BodyRef {
                name: "Direktionen".into(),
                code: "DIR".parse().unwrap(),
            },
            MeetingKind::Minutes,
            NaiveDate::from_ymd_opt(2025, 3, 12).unwrap(),
        );
        let mut first = Item::new(Some(1), "Budget");
        first.case = Some("Sagen om budgettet.".into());
        first.decision = Some("Godkendt.".into());
        first.sections = vec![
            Section {
                heading: "Baggrund".into(),
                text: "Første afsnit.".into(),
            },
            Section {
                heading: "Baggrund".into(),
                text: "Andet afsnit med samme overskrift.".into(),
            },
        ];
        let sub = |text: &str| -> SubPoint {
            serde_json::from_value(serde_json::json!({"title": "Orientering", "text": text}))
                .unwrap()
        };
        first.schedule = vec![sub("Første underpunkt."), sub("Andet underpunkt.")];
        for (n, text) in [
            (1, Some("Bilagets tekst.")),
            (2, None),
            (3, Some("Tredje.")),
        ] {
            first.attachments.push(Attachment {
                id: None,
                number: n,
                title: format!("Bilag {n}"),
                access: Access::Open,
                doc_id: None,
                journal: None,
                file: Some(AttachmentFile {
                    name: format!("b{n}.pdf"),
                    media_type: "application/pdf".into(),
                    sha256: None,
                    text: text.map(Into::into),
                }),
            });
        }
        let mut loose = Item::new(None, "Eventuelt");
        loose.decision = Some("Intet.".into());
        let mut other = Item::new(None, "Orientering fra direktøren");
        other.decision = Some("Taget til efterretning.".into());
        m.items = vec![first, loose, other];
        let all = entries(&m, "m1", &|_, _| None);
        assert!(all.len() > 12, "{}", all.len());
        for e in &all {
            let place = Place {
                meeting_id: e.meeting_id.clone(),
                audience: crate::Audience::Public,
                item: e.item,
                item_title: e.item_title.clone(),
                part: e.part,
                nth: e.nth,
                attachment: e.attachment,
            };
            assert_eq!(
                entry_text(&m, &place, None).as_deref(),
                Some(e.text.as_str()),
                "{e:?}"
            );
        }
        // An attachment without text has no text entry; a place that is gone finds nothing.
        let gone = Place {
            meeting_id: "m1".into(),
            audience: crate::Audience::Public,
            item: Some(1),
            item_title: "Budget".into(),
            part: Part::Section,
            nth: 2,
            attachment: None,
        };
        assert_eq!(entry_text(&m, &gone, None), None);
    }
}
