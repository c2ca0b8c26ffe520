//! Page templates and the view models they show. A view model holds display-ready Danish
//! strings built from the domain types; templates only lay them out (and escape them).

use askama::Template;
use protokol_core::danish::{long_date, numeric_date, slug};
use protokol_core::{Item, Meeting, MeetingKind, SubPoint};

/// A block of text: a paragraph, or a list whose lines were written "- …".
pub struct Block {
    pub list: bool,
    pub lines: Vec<String>,
}

/// Splits clean text (paragraphs separated by a blank line, list items as "- " lines) into
/// blocks.
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

pub fn kind_label(kind: MeetingKind) -> &'static str {
    match kind {
        MeetingKind::Agenda => "Dagsorden",
        MeetingKind::Minutes => "Referat",
    }
}

pub struct MeetingLink {
    pub href: String,
    pub date: String,
    pub kind: &'static str,
    pub items: i64,
}

pub struct BodyLinks {
    pub name: String,
    pub href: String,
    pub meetings: Vec<MeetingLink>,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub title: &'static str,
    pub bodies: Vec<BodyLinks>,
}

pub struct Year {
    pub year: i32,
    pub meetings: Vec<MeetingLink>,
}

#[derive(Template)]
#[template(path = "body.html")]
pub struct BodyPage {
    pub title: String,
    pub name: String,
    pub years: Vec<Year>,
}

pub struct AttachmentView {
    pub number: u32,
    pub title: String,
    pub closed: bool,
    pub reference: String,
}

pub struct SubPointView {
    pub time: String,
    pub title: String,
    pub text: Vec<Block>,
    pub decision: Vec<Block>,
    pub participants: Vec<String>,
}

pub struct ItemView {
    pub anchor: String,
    pub number: String,
    pub title: String,
    pub closed: bool,
    pub closed_reason: String,
    pub route: String,
    pub case: Vec<Block>,
    pub economy: Vec<Block>,
    pub recommendation: Vec<Block>,
    pub schedule: Vec<SubPointView>,
    pub decision_heading: String,
    pub decision: Vec<Block>,
    pub sub_decisions: Vec<SubPointView>,
    pub participants: Vec<String>,
    pub followups: Vec<String>,
    pub attachments: Vec<AttachmentView>,
}

#[derive(Template)]
#[template(path = "meeting.html")]
pub struct MeetingPage {
    pub title: String,
    pub body_name: String,
    pub body_href: String,
    pub kind: &'static str,
    pub date: String,
    pub location: String,
    pub start: String,
    pub end: String,
    pub members: Vec<String>,
    pub absent: Vec<String>,
    pub items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: &'static str,
    pub heading: &'static str,
    pub text: &'static str,
}

#[derive(Template)]
#[template(path = "accessibility.html")]
pub struct AccessibilityPage {
    pub title: &'static str,
}

fn sub_point_view(sp: &SubPoint) -> SubPointView {
    SubPointView {
        time: sp.time.map(|t| t.to_string()).unwrap_or_default(),
        title: sp.title.clone(),
        text: blocks(sp.text.as_deref()),
        decision: blocks(sp.decision.as_deref()),
        participants: sp.participants.clone(),
    }
}

fn item_view(m: &Meeting, item: &Item) -> ItemView {
    let anchor = match item.number {
        Some(n) => format!("punkt-{n}"),
        None => format!("punkt-{}", slug(&item.title)),
    };
    let decision_date = item.decision_date.unwrap_or(m.date);
    let has_decision =
        item.decision.is_some() || item.schedule.iter().any(|s| s.decision.is_some());
    ItemView {
        anchor,
        number: item.number.map(|n| format!("{n}.")).unwrap_or_default(),
        title: item.title.clone(),
        closed: item.access.is_closed(),
        closed_reason: item.closed_reason.clone().unwrap_or_default(),
        route: item.route.join(", "),
        case: blocks(item.case.as_deref()),
        economy: blocks(item.economy.as_deref()),
        recommendation: blocks(item.recommendation.as_deref()),
        schedule: item.schedule.iter().map(sub_point_view).collect(),
        decision_heading: if has_decision {
            format!(
                "Beslutning i {} den {}",
                m.body.name,
                numeric_date(decision_date)
            )
        } else {
            String::new()
        },
        decision: blocks(item.decision.as_deref()),
        sub_decisions: item
            .schedule
            .iter()
            .filter(|s| s.decision.is_some())
            .map(sub_point_view)
            .collect(),
        participants: item.participants.clone(),
        followups: item
            .followups
            .iter()
            .map(|f| match &f.text {
                Some(t) => format!("{}: {t}", f.owner),
                None => f.owner.clone(),
            })
            .collect(),
        attachments: item
            .attachments
            .iter()
            .map(|a| AttachmentView {
                number: a.number,
                title: a.title.clone(),
                closed: a.access.is_closed(),
                reference: match (&a.doc_id, &a.journal) {
                    (Some(d), Some(j)) => format!("dok. {d}, j.nr. {j}"),
                    (Some(d), None) => format!("dok. {d}"),
                    (None, Some(j)) => format!("j.nr. {j}"),
                    (None, None) => String::new(),
                },
            })
            .collect(),
    }
}

/// The page of a meeting as the viewer may see it (the caller has applied the access
/// policy already).
pub fn meeting_page(m: &Meeting) -> MeetingPage {
    let kind = kind_label(m.kind);
    let date = long_date(m.date);
    MeetingPage {
        title: format!("{} – {} – {}", m.body.name, kind, date),
        body_name: m.body.name.clone(),
        body_href: format!("/{}", slug(&m.body.name)),
        kind,
        date,
        location: m.location.clone().unwrap_or_default(),
        start: m.start.map(|t| t.to_string()).unwrap_or_default(),
        end: m.end.map(|t| t.to_string()).unwrap_or_default(),
        members: m
            .members
            .iter()
            .map(|x| {
                let mut parts: Vec<String> = Vec::new();
                if let Some(r) = &x.role {
                    parts.push(r.clone());
                }
                if x.vacant {
                    parts.push("Vakant".into());
                } else if let Some(n) = &x.name {
                    parts.push(n.clone());
                }
                if let Some(p) = &x.party {
                    parts.push(format!("({p})"));
                }
                parts.join(" ")
            })
            .collect(),
        absent: m.absent.iter().map(|a| a.name.clone()).collect(),
        items: m.items.iter().map(|i| item_view(m, i)).collect(),
    }
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
