//! The document view model: a meeting's agenda or minutes as display-ready Danish strings,
//! in the order and structure of the municipality's published documents. HTML and PDF are
//! both laid out from this one model, so they always carry the same content.
//!
//! Access is applied here, once: [`Document::build`] takes the [`Edition`] and filters the
//! meeting through `Meeting::visible_to` before anything is copied into the model. A public
//! document therefore cannot contain closed text, whatever the templates do with it.

use protokol_core::danish::{day_month_year, long_date, numeric_date, slug};
use protokol_core::{
    BodySettings, Item, Meeting, MeetingKind, NextKind, SubPoint, Viewer, Vote, VoteOption,
};
use serde::Serialize;

/// Which version of a document: what the public may read, or the complete record for the
/// body's members. The caller decides from who is asking, never from a request parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    Public,
    Internal,
}

impl Edition {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
        }
    }

    fn viewer(&self) -> Viewer {
        match self {
            Self::Public => Viewer::Public,
            Self::Internal => Viewer::Administrator,
        }
    }
}

/// Agenda (dagsorden, without decisions) or minutes (referat, with them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Agenda,
    Minutes,
}

impl DocKind {
    /// The heading on the front page, as the municipality prints it.
    pub fn heading(&self) -> &'static str {
        match self {
            Self::Agenda => "DAGSORDEN",
            Self::Minutes => "REFERAT",
        }
    }

    /// The word in running text and links.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Agenda => "Dagsorden",
            Self::Minutes => "Referat",
        }
    }

    /// The file name stem used in URLs ("dagsorden", "referat").
    pub fn slug(&self) -> &'static str {
        match self {
            Self::Agenda => "dagsorden",
            Self::Minutes => "referat",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        match s {
            "dagsorden" => Some(Self::Agenda),
            "referat" => Some(Self::Minutes),
            _ => None,
        }
    }

    /// The document a stored meeting's kind is: an agenda, or minutes.
    pub fn of(kind: MeetingKind) -> Self {
        match kind {
            MeetingKind::Agenda => Self::Agenda,
            MeetingKind::Minutes => Self::Minutes,
        }
    }

    /// The documents a meeting has: an agenda always, minutes once they are recorded.
    pub fn available_for(meeting: &Meeting) -> Vec<DocKind> {
        match meeting.kind {
            MeetingKind::Agenda => vec![Self::Agenda],
            MeetingKind::Minutes => vec![Self::Agenda, Self::Minutes],
        }
    }
}

/// The whole meeting, or one item of it (an extract like the seeds' single-item files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Meeting,
    Item(u32),
}

/// Why a document cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("the meeting has no item number {0}")]
    NoSuchItem(u32),
}

/// A paragraph, or a list whose lines were written "- …" in the stored text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Block {
    pub list: bool,
    pub lines: Vec<String>,
}

/// Splits clean text (paragraphs separated by a blank line, list items as "- " lines) into
/// blocks. Lines of a paragraph are joined: the stored text is already re-flowed.
pub fn blocks(text: Option<&str>) -> Vec<Block> {
    let Some(text) = text else { return Vec::new() };
    let mut out = Vec::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let lines: Vec<&str> = para
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.iter().all(|l| l.starts_with("- ")) {
            out.push(Block {
                list: true,
                lines: lines.iter().map(|l| l[2..].trim().to_string()).collect(),
            });
        } else {
            out.push(Block {
                list: false,
                lines: vec![lines.join(" ")],
            });
        }
    }
    out
}

#[derive(Clone, Debug, Serialize)]
pub struct AttachmentDoc {
    pub number: u32,
    pub title: String,
    pub closed: bool,
    /// "Åben" or "Lukket".
    pub access: &'static str,
    pub doc_id: String,
    pub journal: String,
    /// Whether a file is stored for it (the web offers a download for open ones).
    pub has_file: bool,
    /// The web address of its download: set only for an open attachment with a file.
    pub href: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SubPointDoc {
    pub time: String,
    pub title: String,
    pub text: Vec<Block>,
    pub decision: Vec<Block>,
    /// "Deltagere: A, B." or empty.
    pub participants: String,
    /// "Opfølgning: Owner: what." lines.
    pub followups: Vec<String>,
    pub next: Vec<NextDoc>,
}

/// Where a matter goes next ("Videre behandling: Udskudt til Direktionen den 13. september
/// 2023."), with the meeting's address for a link.
#[derive(Clone, Debug, Serialize)]
pub struct NextDoc {
    pub text: String,
    pub href: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SectionDoc {
    pub heading: String,
    pub text: Vec<Block>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemDoc {
    pub anchor: String,
    pub number: Option<u32>,
    /// "3." or empty.
    pub number_label: String,
    pub title: String,
    pub closed: bool,
    /// "Åben sag" or "Lukket sag".
    pub access: &'static str,
    pub closed_reason: String,
    pub route: String,
    /// The case number (sagsnummer) or empty.
    pub case_number: String,
    /// The public case page of an open item's case ("/sag/24-01234"), or empty.
    pub case_href: String,
    pub case: Vec<Block>,
    pub economy: Vec<Block>,
    pub recommendation: Vec<Block>,
    /// Further sections under their own headings.
    pub sections: Vec<SectionDoc>,
    pub schedule: Vec<SubPointDoc>,
    pub attachments: Vec<AttachmentDoc>,
    /// "Beslutning i Direktionen den 06-09-2023", empty in an agenda or without decision.
    pub decision_heading: String,
    pub decision: Vec<Block>,
    pub sub_decisions: Vec<SubPointDoc>,
    /// "Deltagere: A, B." or empty.
    pub participants: String,
    /// "Opfølgning: Owner: what." lines.
    pub followups: Vec<String>,
    pub next: Vec<NextDoc>,
    pub votes: Vec<String>,
    pub dissents: Vec<String>,
    pub absent: Vec<String>,
    pub disqualified: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OverviewGroup {
    pub item: String,
    pub entries: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanDoc {
    pub date: String,
    pub topics: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SignatureDoc {
    pub member: String,
    /// "Godkendt 13. september 2023 kl. 10:12", empty while unsigned.
    pub signed: String,
    pub reservation: String,
}

/// One rendered document's content.
#[derive(Clone, Debug, Serialize)]
pub struct Document {
    pub edition: Edition,
    pub internal: bool,
    pub kind: DocKind,
    /// "DAGSORDEN" / "REFERAT".
    pub heading: &'static str,
    pub kind_label: &'static str,
    /// A single-item extract rather than the whole meeting.
    pub extract: bool,
    pub title: String,
    pub body_name: String,
    pub body_href: String,
    pub meeting_href: String,
    /// "Direktionen 06-09-2023": the running page header.
    pub running_header: String,
    pub date_long: String,
    pub date_numeric: String,
    pub date_iso: String,
    pub location: String,
    pub start: String,
    pub end: String,
    pub members: Vec<String>,
    pub absent: Vec<String>,
    pub items: Vec<ItemDoc>,
    pub overview: Vec<OverviewGroup>,
    pub forward_plan: Vec<PlanDoc>,
    pub awaiting: Vec<String>,
    pub signatures: Vec<SignatureDoc>,
    pub show_signatures: bool,
}

impl Document {
    /// Builds the document of `meeting` for `edition`. The meeting is filtered through the
    /// access policy first; nothing closed is read after that for a public edition.
    pub fn build(
        meeting: &Meeting,
        settings: &BodySettings,
        edition: Edition,
        kind: DocKind,
        scope: Scope,
    ) -> Result<Document, DocumentError> {
        let m = meeting.visible_to(&edition.viewer(), settings);
        let items: Vec<&Item> = match scope {
            Scope::Meeting => m.items.iter().collect(),
            Scope::Item(n) => vec![
                m.items
                    .iter()
                    .find(|i| i.number == Some(n))
                    .ok_or(DocumentError::NoSuchItem(n))?,
            ],
        };
        let minutes = kind == DocKind::Minutes;
        let body_href = format!("/{}", slug(&m.body.name));
        let meeting_href = format!("{body_href}/{}", m.date.format("%Y-%m-%d"));
        let date_long = long_date(m.date);
        let extract = matches!(scope, Scope::Item(_));
        let title = match (scope, items.first()) {
            (Scope::Item(_), Some(i)) => format!(
                "{} {} – {} – {}",
                number_label(i.number),
                i.title,
                m.body.name,
                date_long
            ),
            _ => format!("{} – {} – {}", m.body.name, kind.label(), date_long),
        };
        let item_docs: Vec<ItemDoc> = items.iter().map(|i| item_doc(&m, i, minutes)).collect();
        let overview = if extract {
            Vec::new()
        } else {
            item_docs
                .iter()
                .filter(|i| !i.attachments.is_empty())
                .map(|i| OverviewGroup {
                    item: format!("{} {}", i.number_label, i.title).trim().to_string(),
                    entries: i.attachments.iter().map(overview_entry).collect(),
                })
                .collect()
        };
        Ok(Document {
            edition,
            internal: edition == Edition::Internal,
            kind,
            heading: kind.heading(),
            kind_label: kind.label(),
            extract,
            title,
            body_name: m.body.name.clone(),
            body_href,
            meeting_href,
            running_header: format!("{} {}", m.body.name, numeric_date(m.date)),
            date_long,
            date_numeric: numeric_date(m.date),
            date_iso: m.date.format("%Y-%m-%d").to_string(),
            location: m.location.clone().unwrap_or_default(),
            start: m.start.map(|t| t.to_string()).unwrap_or_default(),
            end: if minutes {
                m.end.map(|t| t.to_string()).unwrap_or_default()
            } else {
                String::new()
            },
            members: m.members.iter().map(member_line).collect(),
            absent: m
                .absent
                .iter()
                .map(|a| person(&a.name, a.role.as_deref(), a.party.as_deref()))
                .collect(),
            items: item_docs,
            overview,
            forward_plan: if extract {
                Vec::new()
            } else {
                m.forward_plan
                    .iter()
                    .map(|e| PlanDoc {
                        date: day_month_year(e.date),
                        topics: e.topics.clone(),
                    })
                    .collect()
            },
            awaiting: if extract {
                Vec::new()
            } else {
                m.awaiting_date.clone()
            },
            signatures: signature_lines(&m),
            show_signatures: minutes && !extract && !m.members.is_empty(),
        })
    }

    /// The PDF file name a download should suggest, e.g. `direktionen-2023-09-06-referat.pdf`.
    pub fn file_stem(&self) -> String {
        format!(
            "{}-{}-{}{}",
            slug(&self.body_name),
            self.date_iso,
            self.kind.slug(),
            match self.edition {
                Edition::Public => "",
                Edition::Internal => "-intern",
            }
        )
    }
}

fn number_label(n: Option<u32>) -> String {
    n.map(|n| format!("{n}.")).unwrap_or_default()
}

fn person(name: &str, role: Option<&str>, party: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(r) = role {
        out.push_str(r);
        out.push(' ');
    }
    out.push_str(name);
    if let Some(p) = party {
        out.push_str(&format!(" ({p})"));
    }
    out
}

fn member_line(x: &protokol_core::Member) -> String {
    let name = if x.vacant {
        "Vakant"
    } else {
        x.name.as_deref().unwrap_or("")
    };
    let mut line = person(name, x.role.as_deref(), x.party.as_deref());
    if let Some(s) = &x.substitute_for {
        line.push_str(&format!(", stedfortræder for {s}"));
    }
    line
}

fn signature_lines(m: &Meeting) -> Vec<SignatureDoc> {
    m.members
        .iter()
        .filter(|x| !x.vacant)
        .filter_map(|x| {
            let name = x.name.as_deref()?;
            let sig = m.signatures.iter().find(|s| s.member == name);
            Some(SignatureDoc {
                member: member_line(x),
                signed: sig
                    .map(|s| {
                        format!(
                            "Godkendt {} kl. {}",
                            day_month_year(s.signed_at.date_naive()),
                            s.signed_at.format("%H:%M")
                        )
                    })
                    .unwrap_or_default(),
                reservation: sig.and_then(|s| s.reservation.clone()).unwrap_or_default(),
            })
        })
        .collect()
}

/// Facts are printed on lines of their own, in a form the importer reads back
/// (`protokol_parse::stated`).
fn followup_line(f: &protokol_core::Followup) -> String {
    match &f.text {
        Some(t) => format!("Opfølgning: {}: {}", f.owner, full_stop(t)),
        None => format!("Opfølgning: {}.", f.owner),
    }
}

fn participants_line(people: &[String]) -> String {
    if people.is_empty() {
        String::new()
    } else {
        format!("Deltagere: {}.", people.join(", "))
    }
}

fn full_stop(s: &str) -> String {
    let s = s.trim();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

fn next_doc(n: &protokol_core::NextStep) -> NextDoc {
    let what = match n.kind {
        NextKind::Postponed => "Udskudt til",
        NextKind::Continued => "Behandles videre i",
    };
    NextDoc {
        text: format!(
            "Videre behandling: {what} {} den {}.",
            n.body,
            day_month_year(n.date)
        ),
        href: format!("/{}/{}", slug(&n.body), n.date.format("%Y-%m-%d")),
    }
}

fn vote_line(v: &Vote) -> String {
    let label = match v.option {
        VoteOption::For => "For",
        VoteOption::Against => "Imod",
        VoteOption::Abstain => "Undlod at stemme",
    };
    let mut line = format!("Afstemning: {label}");
    if let Some(c) = v.count {
        line.push_str(&format!(" ({c})"));
    }
    let who: Vec<&str> = v
        .members
        .iter()
        .chain(&v.parties)
        .map(String::as_str)
        .collect();
    if !who.is_empty() {
        line.push_str(": ");
        line.push_str(&who.join(", "));
    }
    line.push('.');
    line
}

fn people_line(label: &str, people: &[String]) -> Vec<String> {
    if people.is_empty() {
        Vec::new()
    } else {
        vec![format!("{label}: {}.", people.join(", "))]
    }
}

fn sub_point_doc(sp: &SubPoint, minutes: bool) -> SubPointDoc {
    SubPointDoc {
        time: sp.time.map(|t| t.to_string()).unwrap_or_default(),
        title: sp.title.clone(),
        text: blocks(sp.text.as_deref()),
        decision: if minutes {
            blocks(sp.decision.as_deref())
        } else {
            Vec::new()
        },
        participants: participants_line(&sp.participants),
        followups: if minutes {
            sp.followups.iter().map(followup_line).collect()
        } else {
            Vec::new()
        },
        next: if minutes {
            sp.next.iter().map(next_doc).collect()
        } else {
            Vec::new()
        },
    }
}

fn item_doc(m: &Meeting, item: &Item, minutes: bool) -> ItemDoc {
    let has_decision = item.decision.is_some()
        || item.schedule.iter().any(|s| s.decision.is_some())
        || !item.votes.is_empty();
    let decision_date = item.decision_date.unwrap_or(m.date);
    let only_minutes = |v: Vec<String>| if minutes { v } else { Vec::new() };
    let mut next: Vec<NextDoc> = item.next.iter().map(next_doc).collect();
    if !minutes {
        next.clear();
    }
    ItemDoc {
        anchor: item.anchor(),
        number: item.number,
        number_label: number_label(item.number),
        title: item.title.clone(),
        closed: item.access.is_closed(),
        access: if item.access.is_closed() {
            "Lukket sag"
        } else {
            "Åben sag"
        },
        closed_reason: item.closed_reason.clone().unwrap_or_default(),
        route: item.route.join(", "),
        case_number: item.case_number.clone().unwrap_or_default(),
        case_href: item
            .case_number
            .as_deref()
            .filter(|_| !item.access.is_closed())
            .and_then(protokol_core::public::case_key)
            .map(|k| format!("/sag/{k}"))
            .unwrap_or_default(),
        case: blocks(item.case.as_deref()),
        economy: blocks(item.economy.as_deref()),
        recommendation: blocks(item.recommendation.as_deref()),
        sections: item
            .sections
            .iter()
            .map(|s| SectionDoc {
                heading: s.heading.clone(),
                text: blocks(Some(&s.text)),
            })
            .collect(),
        schedule: item
            .schedule
            .iter()
            .map(|s| sub_point_doc(s, false))
            .collect(),
        attachments: item
            .attachments
            .iter()
            .map(|a| AttachmentDoc {
                href: match (item.number, &a.file) {
                    (Some(n), Some(_)) if !a.access.is_closed() => format!(
                        "/{}/{}/punkt/{n}/bilag/{}",
                        slug(&m.body.name),
                        m.date.format("%Y-%m-%d"),
                        a.number
                    ),
                    _ => String::new(),
                },
                number: a.number,
                title: a.title.clone(),
                closed: a.access.is_closed(),
                access: if a.access.is_closed() {
                    "Lukket"
                } else {
                    "Åben"
                },
                doc_id: a.doc_id.clone().unwrap_or_default(),
                journal: a.journal.clone().unwrap_or_default(),
                has_file: a.file.is_some(),
            })
            .collect(),
        decision_heading: if minutes && has_decision {
            format!(
                "Beslutning i {} den {}",
                m.body.name,
                numeric_date(decision_date)
            )
        } else {
            String::new()
        },
        decision: if minutes {
            blocks(item.decision.as_deref())
        } else {
            Vec::new()
        },
        sub_decisions: if minutes {
            item.schedule
                .iter()
                .filter(|s| s.decision.is_some())
                .map(|s| sub_point_doc(s, true))
                .collect()
        } else {
            Vec::new()
        },
        participants: participants_line(&item.participants),
        followups: only_minutes(item.followups.iter().map(followup_line).collect()),
        next,
        votes: only_minutes(item.votes.iter().map(vote_line).collect()),
        dissents: only_minutes(
            item.dissents
                .iter()
                .map(|d| format!("Protokoltilførsel: {}: {}", d.member, full_stop(&d.text)))
                .collect(),
        ),
        absent: only_minutes(people_line("Fraværende under punktet", &item.absent)),
        disqualified: only_minutes(people_line("Inhabil", &item.disqualified)),
    }
}

fn overview_entry(a: &AttachmentDoc) -> String {
    if a.closed && a.title.is_empty() {
        return format!("{}. (Lukket bilag)", a.number);
    }
    let mut s = format!("{}. {}", a.number, a.title);
    if !a.doc_id.is_empty() {
        s.push_str(&format!(" ({})", a.doc_id));
    }
    if a.closed {
        s.push_str(" (Lukket bilag)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_paragraphs_and_lists() {
        let b = blocks(Some("Første afsnit\nfortsat.\n\n- en\n- to\n\nSidste."));
        assert_eq!(b.len(), 3);
        assert_eq!(
            (b[0].list, b[0].lines[0].as_str()),
            (false, "Første afsnit fortsat.")
        );
        assert_eq!(
            (b[1].list, b[1].lines.clone()),
            (true, vec!["en".to_string(), "to".to_string()])
        );
        assert!(blocks(None).is_empty());
    }
}
