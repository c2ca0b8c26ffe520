//! Merging what several published documents say about one meeting (the full minutes and
//! single-item extracts, say) into one meeting: the union of their facts. Where they
//! disagree, the choice is deterministic — the sources are ranked (structured exports, then
//! full documents, then extracts; by name within a rank) and the first that states a fact wins, except that "closed"
//! always wins over "open" — and every disagreement is reported.

use protokol_core::{Access, Attachment, Followup, Item, Meeting, MeetingKind, NextStep, SubPoint};
use protokol_parse::attachments::WITHHELD_TITLE;
use protokol_parse::schedule::loose;
use protokol_parse::text;
use protokol_store::SourceDocument;
use serde::Serialize;

/// Two sources stating different things about the same fact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// Where: "location", "items[3].schedule[4].text", "items[3].attachments[18].title".
    pub field: String,
    /// The value kept, and the source it came from.
    pub kept: (String, String),
    /// The other value, and its source.
    pub other: (String, String),
}

/// How much a source's facts count: structured exports of the publishing system first
/// (their fields say what each text is), then full documents, then single-item extracts
/// and other layouts, and what only the generic reader could read last.
fn rank(layout: &str) -> u8 {
    match layout {
        "publication_xml" | "edoc_xml" | "firstagenda_json" => 0,
        "full_document" => 1,
        "json" => 2,
        "generic" => 4,
        _ => 3,
    }
}

/// Sources in the order their facts win. Of a meeting's eDoc publications only the newest
/// counts (they are named by their publishing time): a later publishing replaces the
/// agenda, and items it no longer holds were taken off.
fn ordered(sources: &[SourceDocument]) -> Vec<&SourceDocument> {
    let newest_edoc = sources
        .iter()
        .filter(|s| s.layout == "edoc_xml")
        .map(|s| s.name.as_str())
        .max();
    let mut v: Vec<&SourceDocument> = sources
        .iter()
        .filter(|s| s.layout != "edoc_xml" || Some(s.name.as_str()) == newest_edoc)
        .collect();
    v.sort_by(|a, b| {
        rank(&a.layout)
            .cmp(&rank(&b.layout))
            .then(a.name.cmp(&b.name))
    });
    v
}

struct Merger {
    disagreements: Vec<Disagreement>,
}

fn same_text(a: &str, b: &str) -> bool {
    loose(a) == loose(b)
}

impl Merger {
    fn scalar<T: Clone + PartialEq + std::fmt::Display>(
        &mut self,
        field: &str,
        kept: &mut Option<T>,
        kept_from: &mut String,
        other: &Option<T>,
        other_from: &str,
    ) {
        match (kept.as_ref(), other) {
            (None, Some(v)) => {
                *kept = Some(v.clone());
                *kept_from = other_from.to_string();
            }
            (Some(k), Some(v)) if k != v && !same_text(&k.to_string(), &v.to_string()) => {
                self.disagreements.push(Disagreement {
                    field: field.to_string(),
                    kept: (k.to_string(), kept_from.clone()),
                    other: (v.to_string(), other_from.to_string()),
                });
            }
            _ => {}
        }
    }

    fn text(
        &mut self,
        field: &str,
        kept: &mut Option<String>,
        from: &str,
        other: &Option<String>,
        other_from: &str,
    ) {
        let mut kept_from = from.to_string();
        self.scalar(field, kept, &mut kept_from, other, other_from);
    }
}

fn union_names(into: &mut Vec<String>, more: &[String]) {
    for n in more {
        if !into.iter().any(|x| x.to_lowercase() == n.to_lowercase()) {
            into.push(n.clone());
        }
    }
}

fn union_followups(into: &mut Vec<Followup>, more: &[Followup]) {
    for f in more {
        let dup = into.iter().any(|x| {
            loose(&x.owner) == loose(&f.owner)
                && loose(x.text.as_deref().unwrap_or("")) == loose(f.text.as_deref().unwrap_or(""))
        });
        if !dup {
            into.push(f.clone());
        }
    }
}

fn union_next(into: &mut Vec<NextStep>, more: &[NextStep]) {
    for n in more {
        if !into
            .iter()
            .any(|x| x.date == n.date && loose(&x.body) == loose(&n.body))
        {
            into.push(n.clone());
        }
    }
}

fn similar(a: &str, b: &str) -> bool {
    let (a, b) = (loose(a), loose(b));
    a == b || text::similar(&a, &b, 0.85)
}

fn same_item(a: &Item, b: &Item) -> bool {
    match (a.number, b.number) {
        (Some(x), Some(y)) => x == y && text::similar(&loose(&a.title), &loose(&b.title), 0.6),
        _ => similar(&a.title, &b.title),
    }
}

fn same_sub_point(a: &SubPoint, b: &SubPoint) -> bool {
    let times_agree = a.time.is_none() || b.time.is_none() || a.time == b.time;
    times_agree && similar(&a.title, &b.title)
}

impl Merger {
    fn sub_point(
        &mut self,
        path: &str,
        into: &mut SubPoint,
        from: &str,
        other: &SubPoint,
        other_from: &str,
    ) {
        if into.time.is_none() {
            into.time = other.time;
        }
        self.text(
            &format!("{path}.text"),
            &mut into.text,
            from,
            &other.text,
            other_from,
        );
        self.text(
            &format!("{path}.decision"),
            &mut into.decision,
            from,
            &other.decision,
            other_from,
        );
        union_names(&mut into.participants, &other.participants);
        union_followups(&mut into.followups, &other.followups);
        union_next(&mut into.next, &other.next);
    }

    fn attachment(
        &mut self,
        path: &str,
        into: &mut Attachment,
        from: &str,
        other: &Attachment,
        other_from: &str,
    ) {
        let placeholder = |t: &str| t == WITHHELD_TITLE;
        if placeholder(&into.title) && !placeholder(&other.title) {
            into.title = other.title.clone();
        } else if !placeholder(&other.title) && !same_text(&into.title, &other.title) {
            self.disagreements.push(Disagreement {
                field: format!("{path}.title"),
                kept: (into.title.clone(), from.to_string()),
                other: (other.title.clone(), other_from.to_string()),
            });
        }
        if into.access != other.access {
            self.disagreements.push(Disagreement {
                field: format!("{path}.access"),
                kept: (
                    "closed".into(),
                    if into.access.is_closed() {
                        from
                    } else {
                        other_from
                    }
                    .to_string(),
                ),
                other: (
                    "open".into(),
                    if into.access.is_closed() {
                        other_from
                    } else {
                        from
                    }
                    .to_string(),
                ),
            });
            into.access = Access::Closed;
        }
        self.text(
            &format!("{path}.doc_id"),
            &mut into.doc_id,
            from,
            &other.doc_id,
            other_from,
        );
        self.text(
            &format!("{path}.journal"),
            &mut into.journal,
            from,
            &other.journal,
            other_from,
        );
        if into.file.is_none() {
            into.file = other.file.clone();
        }
    }

    fn item(&mut self, path: &str, into: &mut Item, from: &str, other: &Item, other_from: &str) {
        if into.number.is_none() {
            into.number = other.number;
        }
        if into.access != other.access {
            self.disagreements.push(Disagreement {
                field: format!("{path}.access"),
                kept: ("closed".into(), String::new()),
                other: ("open".into(), String::new()),
            });
            into.access = Access::Closed;
            if into.public_title.is_none() {
                into.public_title = Some(into.title.clone());
            }
        }
        if into.route.is_empty() {
            into.route = other.route.clone();
        }
        for (name, a, b) in [
            ("case_number", &mut into.case_number, &other.case_number),
            ("case", &mut into.case, &other.case),
            ("economy", &mut into.economy, &other.economy),
            (
                "recommendation",
                &mut into.recommendation,
                &other.recommendation,
            ),
            ("decision", &mut into.decision, &other.decision),
        ] {
            self.text(&format!("{path}.{name}"), a, from, b, other_from);
        }
        for section in &other.sections {
            match into
                .sections
                .iter_mut()
                .find(|s| s.heading == section.heading)
            {
                Some(kept) => {
                    let mut text = Some(kept.text.clone());
                    let field = format!("{path}.sections[{}]", section.heading);
                    self.text(
                        &field,
                        &mut text,
                        from,
                        &Some(section.text.clone()),
                        other_from,
                    );
                    kept.text = text.unwrap_or_default();
                }
                None => into.sections.push(section.clone()),
            }
        }
        if into.decision_date.is_none() {
            into.decision_date = other.decision_date;
        }
        union_names(&mut into.participants, &other.participants);
        union_followups(&mut into.followups, &other.followups);
        union_next(&mut into.next, &other.next);
        for sp in &other.schedule {
            match into.schedule.iter().position(|x| same_sub_point(x, sp)) {
                Some(k) => {
                    let p = format!("{path}.schedule[{k}]");
                    let mut target = into.schedule[k].clone();
                    self.sub_point(&p, &mut target, from, sp, other_from);
                    into.schedule[k] = target;
                }
                None => into.schedule.push(sp.clone()),
            }
        }
        for a in &other.attachments {
            match into.attachments.iter().position(|x| x.number == a.number) {
                Some(k) => {
                    let p = format!("{path}.attachments[{}]", a.number);
                    let mut target = into.attachments[k].clone();
                    self.attachment(&p, &mut target, from, a, other_from);
                    into.attachments[k] = target;
                }
                None => into.attachments.push(a.clone()),
            }
        }
        into.attachments.sort_by_key(|a| a.number);
    }
}

/// The meeting all sources say together, and where they disagree (`None` without sources).
pub fn merge(sources: &[SourceDocument]) -> Option<(Meeting, Vec<Disagreement>)> {
    let order = ordered(sources);
    let first = order.first()?;
    let mut m = first.meeting.clone();
    let mut from = first.name.clone();
    let mut g = Merger {
        disagreements: Vec::new(),
    };
    for s in order.iter().skip(1) {
        let o = &s.meeting;
        let name = s.name.as_str();
        if o.kind == MeetingKind::Minutes {
            m.kind = MeetingKind::Minutes;
        }
        g.text("location", &mut m.location, &from, &o.location, name);
        let mut f = from.clone();
        g.scalar("start", &mut m.start, &mut f, &o.start, name);
        let mut f = from.clone();
        g.scalar("end", &mut m.end, &mut f, &o.end, name);
        if m.members.is_empty() {
            m.members = o.members.clone();
        }
        if m.absent.is_empty() {
            m.absent = o.absent.clone();
        }
        for item in &o.items {
            match m.items.iter().position(|x| same_item(x, item)) {
                Some(k) => {
                    let path = format!(
                        "items[{}]",
                        m.items[k].number.map_or(k.to_string(), |n| n.to_string())
                    );
                    let mut target = m.items[k].clone();
                    g.item(&path, &mut target, &from, item, name);
                    m.items[k] = target;
                }
                None => m.items.push(item.clone()),
            }
        }
        if m.forward_plan.is_empty() {
            m.forward_plan = o.forward_plan.clone();
        }
        union_names(&mut m.awaiting_date, &o.awaiting_date);
        from = format!("{from}+{name}");
    }
    // Two sources may number different items alike (an agenda renumbered between two
    // publications): the first keeps the number, the other is kept unnumbered and the
    // report says so, so that the meeting stays valid and nothing is dropped.
    let mut seen: Vec<(u32, String)> = Vec::new();
    for item in &mut m.items {
        let Some(n) = item.number else { continue };
        match seen.iter().find(|(k, _)| *k == n) {
            Some((_, kept)) => {
                g.disagreements.push(Disagreement {
                    field: format!("items[{n}].number"),
                    kept: (kept.clone(), String::new()),
                    other: (item.title.clone(), String::new()),
                });
                item.number = None;
            }
            None => seen.push((n, item.title.clone())),
        }
    }
    // Numbered items in their order; unnumbered ones keep theirs, after.
    m.items.sort_by_key(|i| i.number.unwrap_or(u32::MAX));
    m.sources = order.iter().map(|s| s.name.clone()).collect();
    m.id = None;
    Some((m, g.disagreements))
}

#[cfg(test)]
mod tests {
    use super::*;
    use protokol_parse::parse_document;

    fn source(name: &str) -> SourceDocument {
        let path = format!("{}/../../data/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let p = parse_document(&text, name).unwrap();
        SourceDocument {
            name: name.into(),
            sha256: String::new(),
            layout: p.layout.as_str().into(),
            meeting: p.meeting,
        }
    }

    #[test]
    fn merging_extract_and_full_minutes_takes_the_union_in_any_order() {
        let a = source("000_0ef5c3c12aec06f5.txt");
        let b = source("001_9e1715f7c52341eb.txt");
        let (m1, d1) = merge(&[a.clone(), b.clone()]).unwrap();
        let (m2, d2) = merge(&[b, a]).unwrap();
        assert_eq!(m1, m2);
        assert_eq!(d1, d2);
        assert_eq!(m1.items.len(), 4);
        let item3 = &m1.items[2];
        assert_eq!(item3.number, Some(3));
        let a7 = item3.attachments.iter().find(|a| a.number == 7).unwrap();
        assert_eq!(
            a7.title,
            "Indstilling - Forebyggelse og håndtering af sygefravær DIR 6 sep 2023"
        );
        let a21 = item3.attachments.iter().find(|a| a.number == 21).unwrap();
        assert_eq!(
            (a21.doc_id.as_deref(), a21.journal.as_deref()),
            (Some("3514806"), Some("91823/23"))
        );
        assert!(
            d1.iter().any(|d| d.field.contains("schedule")),
            "the Norrdjurs/Norddjurs spellings disagree: {d1:?}"
        );
    }

    #[test]
    fn items_numbered_alike_by_two_sources_stay_valid_and_are_reported() {
        let meeting = |titles: &[(u32, &str)]| {
            let mut m = protokol_core::Meeting::new(
                protokol_core::BodyRef {
                    name: "Økonomiudvalget".into(),
                    code: "ØK".parse().unwrap(),
                },
                MeetingKind::Agenda,
                "2017-05-02".parse().unwrap(),
            );
            m.items = titles
                .iter()
                .map(|(n, t)| Item::new(Some(*n), *t))
                .collect();
            m
        };
        let doc = |name: &str, m| SourceDocument {
            name: name.into(),
            sha256: String::new(),
            layout: "generic".into(),
            meeting: m,
        };
        let a = doc("a.html", meeting(&[(4, "Budget"), (5, "Fejloprettet")]));
        let b = doc("b.html", meeting(&[(4, "Budget"), (5, "Salg af grund")]));
        let (m, disagreements) = merge(&[a, b]).unwrap();
        assert!(protokol_core::validate_meeting(&m).is_empty());
        let titles: Vec<(Option<u32>, &str)> = m
            .items
            .iter()
            .map(|i| (i.number, i.title.as_str()))
            .collect();
        assert_eq!(
            titles,
            [
                (Some(4), "Budget"),
                (Some(5), "Fejloprettet"),
                (None, "Salg af grund")
            ]
        );
        assert!(disagreements.iter().any(|d| d.field == "items[5].number"));
    }
}
