//! Rules a meeting must satisfy beyond what its types already guarantee. Each problem comes
//! with the JSON path of the offending value, so an error can say exactly where it is.

use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;

use crate::access::Access;
use crate::limits::{NAME_CHARS, TEXT_CHARS, TITLE_CHARS, over};
use crate::meeting::Meeting;
use crate::time::check_date_range;

/// One problem with a document: where (a JSON path such as `items[2].attachments[0].number`)
/// and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub path: String,
    pub reason: String,
}

impl Invalid {
    pub fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// All rule violations of a meeting, in document order; empty when it is valid.
pub fn validate_meeting(m: &Meeting) -> Vec<Invalid> {
    let mut out = Vec::new();
    if blank(&m.body.name) {
        out.push(Invalid::new("body.name", "the body's name is empty"));
    }
    if let (Some(start), Some(end)) = (m.start, m.end)
        && end < start
    {
        out.push(Invalid::new(
            "end",
            format!("the meeting ends ({end}) before it starts ({start})"),
        ));
    }
    for (i, member) in m.members.iter().enumerate() {
        let path = format!("members[{i}]");
        match (&member.name, member.vacant) {
            (Some(name), true) => out.push(Invalid::new(
                format!("{path}.name"),
                format!("a vacant seat has no member, but the name {name:?} is given"),
            )),
            (None, false) => out.push(Invalid::new(
                format!("{path}.name"),
                "the name is missing; a seat without a member must say \"vacant\": true",
            )),
            (Some(name), false) if blank(name) => {
                out.push(Invalid::new(format!("{path}.name"), "the name is empty"))
            }
            _ => {}
        }
    }
    for (i, a) in m.absent.iter().enumerate() {
        if blank(&a.name) {
            out.push(Invalid::new(
                format!("absent[{i}].name"),
                "the name is empty",
            ));
        }
    }

    let mut numbers = HashSet::new();
    let mut ids = HashSet::new();
    for (i, item) in m.items.iter().enumerate() {
        let path = format!("items[{i}]");
        if blank(&item.title) {
            out.push(Invalid::new(format!("{path}.title"), "the title is empty"));
        }
        if let Some(n) = item.number
            && !numbers.insert(n)
        {
            out.push(Invalid::new(
                format!("{path}.number"),
                format!("item number {n} appears more than once in the meeting"),
            ));
        }
        if let Some(id) = item.id
            && !ids.insert(id)
        {
            out.push(Invalid::new(
                format!("{path}.id"),
                format!("item id {id} appears more than once in the meeting"),
            ));
        }
        if item.access == Access::Open {
            for (field, set) in [
                ("closed_reason", item.closed_reason.is_some()),
                ("public_title", item.public_title.is_some()),
                ("public_decision", item.public_decision.is_some()),
            ] {
                if set {
                    out.push(Invalid::new(
                        format!("{path}.{field}"),
                        format!("only a closed item has a {field}; this item is open"),
                    ));
                }
            }
        }
        let mut att_numbers = HashSet::new();
        for (j, a) in item.attachments.iter().enumerate() {
            let apath = format!("{path}.attachments[{j}]");
            if a.number == 0 {
                out.push(Invalid::new(
                    format!("{apath}.number"),
                    "attachment numbers start at 1",
                ));
            }
            if !att_numbers.insert(a.number) {
                out.push(Invalid::new(
                    format!("{apath}.number"),
                    format!(
                        "attachment number {} appears more than once in this item",
                        a.number
                    ),
                ));
            }
            if blank(&a.title) {
                out.push(Invalid::new(format!("{apath}.title"), "the title is empty"));
            }
        }
        for (j, sp) in item.schedule.iter().enumerate() {
            if blank(&sp.title) {
                out.push(Invalid::new(
                    format!("{path}.schedule[{j}].title"),
                    "the title is empty",
                ));
            }
            for (k, f) in sp.followups.iter().enumerate() {
                if blank(&f.owner) {
                    out.push(Invalid::new(
                        format!("{path}.schedule[{j}].followups[{k}].owner"),
                        "the owner is empty",
                    ));
                }
            }
        }
        for (k, f) in item.followups.iter().enumerate() {
            if blank(&f.owner) {
                out.push(Invalid::new(
                    format!("{path}.followups[{k}].owner"),
                    "the owner is empty",
                ));
            }
        }
    }
    check_dates(m, &mut out);
    check_lengths(m, &mut out);
    out
}

/// Every date of the meeting within the years protokol accepts.
fn check_dates(m: &Meeting, out: &mut Vec<Invalid>) {
    let mut check = |path: String, d: NaiveDate| {
        if let Err(e) = check_date_range(d) {
            out.push(Invalid::new(path, e.to_string()));
        }
    };
    check("date".into(), m.date);
    for (i, p) in m.forward_plan.iter().enumerate() {
        check(format!("forward_plan[{i}].date"), p.date);
    }
    for (i, item) in m.items.iter().enumerate() {
        if let Some(d) = item.decision_date {
            check(format!("items[{i}].decision_date"), d);
        }
        for (k, n) in item.next.iter().enumerate() {
            check(format!("items[{i}].next[{k}].date"), n.date);
        }
        for (j, sp) in item.schedule.iter().enumerate() {
            for (k, n) in sp.next.iter().enumerate() {
                check(format!("items[{i}].schedule[{j}].next[{k}].date"), n.date);
            }
        }
    }
}

fn text(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// Every text of the meeting within the limits of [`crate::limits`].
fn check_lengths(m: &Meeting, out: &mut Vec<Invalid>) {
    let mut check = |path: String, s: &str, max: usize| {
        if let Some(n) = over(s, max) {
            out.push(Invalid::new(
                path,
                format!("the text has {n} characters; at most {max} are allowed"),
            ));
        }
    };
    check("body.name".into(), &m.body.name, NAME_CHARS);
    check("location".into(), text(&m.location), NAME_CHARS);
    for (i, x) in m.members.iter().enumerate() {
        for (f, v) in [
            ("name", &x.name),
            ("role", &x.role),
            ("party", &x.party),
            ("substitute_for", &x.substitute_for),
        ] {
            check(format!("members[{i}].{f}"), text(v), NAME_CHARS);
        }
    }
    for (i, a) in m.absent.iter().enumerate() {
        check(format!("absent[{i}].name"), &a.name, NAME_CHARS);
    }
    for (i, p) in m.forward_plan.iter().enumerate() {
        for (k, t) in p.topics.iter().enumerate() {
            check(format!("forward_plan[{i}].topics[{k}]"), t, TITLE_CHARS);
        }
    }
    for (i, t) in m.awaiting_date.iter().enumerate() {
        check(format!("awaiting_date[{i}]"), t, TITLE_CHARS);
    }
    for (i, s) in m.signatures.iter().enumerate() {
        check(format!("signatures[{i}].member"), &s.member, NAME_CHARS);
        check(
            format!("signatures[{i}].reservation"),
            text(&s.reservation),
            TEXT_CHARS,
        );
    }
    for (i, item) in m.items.iter().enumerate() {
        let path = format!("items[{i}]");
        check(format!("{path}.title"), &item.title, TITLE_CHARS);
        check(
            format!("{path}.public_title"),
            text(&item.public_title),
            TITLE_CHARS,
        );
        check(
            format!("{path}.closed_reason"),
            text(&item.closed_reason),
            NAME_CHARS,
        );
        for (f, v) in [
            ("public_decision", &item.public_decision),
            ("case", &item.case),
            ("economy", &item.economy),
            ("recommendation", &item.recommendation),
            ("decision", &item.decision),
        ] {
            check(format!("{path}.{f}"), text(v), TEXT_CHARS);
        }
        for (k, r) in item.route.iter().enumerate() {
            check(format!("{path}.route[{k}]"), r, NAME_CHARS);
        }
        check(
            format!("{path}.case_number"),
            text(&item.case_number),
            NAME_CHARS,
        );
        for (k, s) in item.sections.iter().enumerate() {
            check(
                format!("{path}.sections[{k}].heading"),
                &s.heading,
                NAME_CHARS,
            );
            check(format!("{path}.sections[{k}].text"), &s.text, TEXT_CHARS);
        }
        let names = item
            .participants
            .iter()
            .map(|n| ("participants", n))
            .chain(item.absent.iter().map(|n| ("absent", n)))
            .chain(item.disqualified.iter().map(|n| ("disqualified", n)));
        for (f, n) in names {
            check(format!("{path}.{f}"), n, NAME_CHARS);
        }
        for (k, f) in item.followups.iter().enumerate() {
            check(format!("{path}.followups[{k}].owner"), &f.owner, NAME_CHARS);
            check(
                format!("{path}.followups[{k}].text"),
                text(&f.text),
                TEXT_CHARS,
            );
        }
        for (k, d) in item.dissents.iter().enumerate() {
            check(
                format!("{path}.dissents[{k}].member"),
                &d.member,
                NAME_CHARS,
            );
            check(format!("{path}.dissents[{k}].text"), &d.text, TEXT_CHARS);
        }
        for (k, v) in item.votes.iter().enumerate() {
            for n in v.members.iter().chain(v.parties.iter()) {
                check(format!("{path}.votes[{k}]"), n, NAME_CHARS);
            }
        }
        for (k, a) in item.attachments.iter().enumerate() {
            let apath = format!("{path}.attachments[{k}]");
            check(format!("{apath}.title"), &a.title, TITLE_CHARS);
            check(format!("{apath}.doc_id"), text(&a.doc_id), NAME_CHARS);
            check(format!("{apath}.journal"), text(&a.journal), NAME_CHARS);
            if let Some(f) = &a.file {
                check(format!("{apath}.file.name"), &f.name, NAME_CHARS);
            }
        }
        for (j, sp) in item.schedule.iter().enumerate() {
            let spath = format!("{path}.schedule[{j}]");
            check(format!("{spath}.title"), &sp.title, TITLE_CHARS);
            check(format!("{spath}.text"), text(&sp.text), TEXT_CHARS);
            check(format!("{spath}.decision"), text(&sp.decision), TEXT_CHARS);
            for n in &sp.participants {
                check(format!("{spath}.participants"), n, NAME_CHARS);
            }
            for (k, f) in sp.followups.iter().enumerate() {
                check(
                    format!("{spath}.followups[{k}].owner"),
                    &f.owner,
                    NAME_CHARS,
                );
                check(
                    format!("{spath}.followups[{k}].text"),
                    text(&f.text),
                    TEXT_CHARS,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::BodyRef;
    use crate::item::{Attachment, Item};
    use crate::meeting::{MeetingKind, Member};

    fn meeting() -> Meeting {
        Meeting::new(
            BodyRef {
                name: "Direktionen".into(),
                code: "DIR".parse().unwrap(),
            },
            MeetingKind::Minutes,
            NaiveDate::from_ymd_opt(2023, 9, 6).unwrap(),
        )
    }

    fn attachment(number: u32) -> Attachment {
        Attachment {
            id: None,
            number,
            title: "Bilag".into(),
            access: Access::Open,
            doc_id: None,
            journal: None,
            file: None,
        }
    }

    #[test]
    fn a_plain_meeting_is_valid() {
        assert!(validate_meeting(&meeting()).is_empty());
    }

    #[test]
    fn duplicate_attachment_number_in_one_item_is_named_by_path() {
        let mut m = meeting();
        let mut item = Item::new(Some(3), "Punkter til behandling");
        item.attachments = vec![attachment(1), attachment(2), attachment(2)];
        m.items.push(Item::new(Some(1), "Økonomi"));
        m.items.push(item);
        let errs = validate_meeting(&m);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].path, "items[1].attachments[2].number");
    }

    #[test]
    fn same_attachment_number_in_two_items_is_fine() {
        let mut m = meeting();
        for n in 1..=2 {
            let mut item = Item::new(Some(n), "Punkt");
            item.attachments = vec![attachment(1)];
            m.items.push(item);
        }
        assert!(validate_meeting(&m).is_empty());
    }

    #[test]
    fn vacant_seat_with_a_name_and_named_seat_without_one_are_refused() {
        let mut m = meeting();
        m.members = vec![
            Member {
                name: Some("X".into()),
                role: None,
                party: None,
                vacant: true,
                substitute_for: None,
            },
            Member {
                name: None,
                role: Some("Kommunaldirektør".into()),
                party: None,
                vacant: false,
                substitute_for: None,
            },
        ];
        let paths: Vec<_> = validate_meeting(&m).into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["members[0].name", "members[1].name"]);
    }

    #[test]
    fn open_item_cannot_carry_closed_fields_and_numbers_are_unique() {
        let mut m = meeting();
        let mut a = Item::new(Some(1), "A");
        a.public_title = Some("x".into());
        m.items = vec![a, Item::new(Some(1), "B")];
        let paths: Vec<_> = validate_meeting(&m).into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["items[0].public_title", "items[1].number"]);
    }

    #[test]
    fn meeting_ending_before_it_starts_is_refused() {
        let mut m = meeting();
        m.start = "10:00".parse().ok();
        m.end = "09:00".parse().ok();
        assert_eq!(validate_meeting(&m)[0].path, "end");
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;
    use crate::body::BodyRef;
    use crate::item::Item;
    use crate::meeting::MeetingKind;

    #[test]
    fn over_long_texts_and_dates_outside_the_years_are_named_by_path() {
        let mut m = Meeting::new(
            BodyRef {
                name: "Direktionen".into(),
                code: "DIR".parse().unwrap(),
            },
            MeetingKind::Minutes,
            NaiveDate::from_ymd_opt(2023, 9, 6).unwrap(),
        );
        let mut item = Item::new(Some(1), "x".repeat(1 << 20));
        item.decision = Some("ø".repeat(TEXT_CHARS));
        item.decision_date = NaiveDate::from_ymd_opt(2500, 1, 1);
        m.items.push(item);
        m.location = Some("å".repeat(NAME_CHARS + 1));
        let errs = validate_meeting(&m);
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["items[0].decision_date", "location", "items[0].title"],
            "{errs:?}"
        );
        assert!(errs[2].reason.contains("1048576 characters; at most 500"));
        assert!(errs[0].reason.contains("outside the years"));
        m.date = NaiveDate::from_ymd_opt(-1, 1, 1).unwrap();
        assert_eq!(validate_meeting(&m)[0].path, "date");
    }
}
