//! Facts a document states on lines of their own, as protokol's published documents do
//! (and as other systems print them): "Deltagere: A, B.", "Opfølgning: Owner: what.",
//! "Videre behandling: Udskudt til Direktionen den 13. september 2023.", "Afstemning: For
//! (19): V, A.", "Protokoltilførsel: Name: text.", "Fraværende under punktet: Name.",
//! "Inhabil: Name." Such paragraphs are
//! taken out of the text they stand in and returned as structured facts, which are then
//! merged with the facts found in the running text.

use std::sync::LazyLock;

use chrono::NaiveDate;
use protokol_core::{Dissent, Followup, FollowupStatus, NextKind, NextStep, Vote, VoteOption};
use regex::Regex;

use crate::dates::find_date;
use crate::schedule::loose;

/// The prefixes that open a stated-fact paragraph.
pub const PREFIXES: [&str; 7] = [
    "Deltagere: ",
    "Opfølgning: ",
    "Videre behandling: ",
    "Afstemning: ",
    "Protokoltilførsel: ",
    "Fraværende under punktet: ",
    "Inhabil: ",
];

static VOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<option>For|Imod|Undlod at stemme)(?:\s+\((?P<count>\d+)\))?(?::\s*(?P<who>.+))?$",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

static NEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?P<kind>udskudt til|udsat til|behandles videre i|videre til)\s+(?P<body>.+?)\s+den\s+(?P<date>.+?)\.?$")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Whether a line opens a stated-fact paragraph.
pub fn is_stated(line: &str) -> bool {
    let t = line.trim_start();
    PREFIXES.iter().any(|p| t.starts_with(p))
}

/// Facts stated on their own lines.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stated {
    pub participants: Vec<String>,
    pub followups: Vec<Followup>,
    pub next: Vec<NextStep>,
    pub votes: Vec<Vote>,
    pub dissents: Vec<Dissent>,
    pub absent: Vec<String>,
    pub disqualified: Vec<String>,
}

fn people(s: &str) -> Vec<String> {
    strip_end(s)
        .split(", ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn vote(s: &str) -> Option<Vote> {
    let c = VOTE.captures(strip_end(s))?;
    let option = match &c["option"] {
        "For" => VoteOption::For,
        "Imod" => VoteOption::Against,
        _ => VoteOption::Abstain,
    };
    // Party letters are short capitals ("A", "SF", "Å"); anything else is a member's name.
    let (parties, members): (Vec<String>, Vec<String>) = c
        .name("who")
        .map(|w| people(w.as_str()))
        .unwrap_or_default()
        .into_iter()
        .partition(|w| w.chars().count() <= 3 && w.chars().all(char::is_uppercase));
    Some(Vote {
        option,
        members,
        parties,
        count: c.name("count").and_then(|n| n.as_str().parse().ok()),
    })
}

impl Stated {
    /// Adds another set of stated facts to this one.
    pub fn extend(&mut self, other: Stated) {
        self.participants.extend(other.participants);
        self.followups.extend(other.followups);
        self.next.extend(other.next);
        self.votes.extend(other.votes);
        self.dissents.extend(other.dissents);
        self.absent.extend(other.absent);
        self.disqualified.extend(other.disqualified);
    }

    /// Adds these facts to lists found elsewhere, leaving out what is there already (the
    /// same person, the same owner, the same body and date).
    pub fn merge_into(
        self,
        participants: &mut Vec<String>,
        followups: &mut Vec<Followup>,
        next: &mut Vec<NextStep>,
    ) {
        for p in self.participants {
            let lp = loose(&p);
            if !participants
                .iter()
                .any(|q| loose(q).contains(&lp) || lp.contains(&loose(q)))
            {
                participants.push(p);
            }
        }
        for f in self.followups {
            match followups
                .iter_mut()
                .find(|g| loose(&g.owner) == loose(&f.owner))
            {
                // The stated line is the secretariat's own wording of the task.
                Some(g) => g.text = f.text.or(g.text.take()),
                None => followups.push(f),
            }
        }
        for n in self.next {
            match next
                .iter_mut()
                .find(|m| m.date == n.date && loose(&m.body) == loose(&n.body))
            {
                Some(m) => m.kind = n.kind,
                None => next.push(n),
            }
        }
    }
}

fn strip_end(s: &str) -> &str {
    s.trim().trim_end_matches('.').trim()
}

/// Takes the stated-fact paragraphs out of `text` (None when nothing else is left).
pub fn take(text: &mut Option<String>, meeting_date: NaiveDate) -> Stated {
    let mut out = Stated::default();
    let Some(t) = text.as_deref() else {
        return out;
    };
    if !PREFIXES.iter().any(|p| t.contains(p)) {
        return out;
    }
    let mut kept: Vec<&str> = Vec::new();
    for para in t.split("\n\n") {
        let p = para.trim();
        if let Some(rest) = p.strip_prefix(PREFIXES[0]) {
            out.participants.extend(people(rest));
        } else if let Some(v) = p.strip_prefix(PREFIXES[3]).and_then(vote) {
            out.votes.push(v);
        } else if let Some((member, text)) = p
            .strip_prefix(PREFIXES[4])
            .and_then(|rest| rest.split_once(": "))
        {
            out.dissents.push(Dissent {
                member: member.trim().to_string(),
                text: text.trim().to_string(),
            });
        } else if let Some(rest) = p.strip_prefix(PREFIXES[5]) {
            out.absent.extend(people(rest));
        } else if let Some(rest) = p.strip_prefix(PREFIXES[6]) {
            out.disqualified.extend(people(rest));
        } else if let Some(rest) = p.strip_prefix(PREFIXES[1]) {
            let (owner, what) = match strip_end(rest).split_once(": ") {
                Some((o, w)) => (o.trim(), Some(format!("{}.", strip_end(w)))),
                None => (strip_end(rest), None),
            };
            if !owner.is_empty() {
                out.followups.push(Followup {
                    id: None,
                    owner: owner.to_string(),
                    text: what,
                    status: FollowupStatus::Open,
                });
            }
        } else if let Some(rest) = p.strip_prefix(PREFIXES[2]) {
            match NEXT.captures(strip_end(rest)).and_then(|c| {
                let date = find_date(&c["date"])?.ok()?;
                let kind = if c["kind"].to_lowercase().starts_with("uds") {
                    NextKind::Postponed
                } else {
                    NextKind::Continued
                };
                Some(NextStep {
                    body: c["body"].trim().to_string(),
                    date,
                    kind,
                })
            }) {
                Some(n) if n.date > meeting_date => out.next.push(n),
                _ => kept.push(para),
            }
        } else {
            kept.push(para);
        }
    }
    let rest = kept.join("\n\n");
    *text = (!rest.trim().is_empty()).then_some(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stated_paragraphs_become_facts_and_leave_the_text() {
        let date = NaiveDate::from_ymd_opt(2023, 9, 6).unwrap();
        let mut text = Some(
            "Kerneopgaven blev godkendt.\n\nDeltagere: Sekretariatschef Jeppe Thvilum, Økonomichef Bettina Andersen.\n\nOpfølgning: Økonomichef Bettina Andersen: Analyse af takster.\n\nVidere behandling: Udskudt til Børne- og Ungdomsudvalget den 13. september 2023."
                .to_string(),
        );
        let s = take(&mut text, date);
        assert_eq!(text.as_deref(), Some("Kerneopgaven blev godkendt."));
        assert_eq!(
            s.participants,
            [
                "Sekretariatschef Jeppe Thvilum",
                "Økonomichef Bettina Andersen"
            ]
        );
        assert_eq!(s.followups[0].owner, "Økonomichef Bettina Andersen");
        assert_eq!(s.followups[0].text.as_deref(), Some("Analyse af takster."));
        assert_eq!(
            (s.next[0].body.as_str(), s.next[0].date, s.next[0].kind),
            (
                "Børne- og Ungdomsudvalget",
                NaiveDate::from_ymd_opt(2023, 9, 13).unwrap(),
                NextKind::Postponed
            )
        );
    }

    #[test]
    fn votes_dissents_and_attendance_are_read() {
        let date = NaiveDate::from_ymd_opt(2024, 6, 18).unwrap();
        let mut text = Some("Godkendt.\n\nAfstemning: For (19): V, A.\n\nAfstemning: Imod (2): Ulla Mortensen, O.\n\nAfstemning: Undlod at stemme.\n\nProtokoltilførsel: Ulla Mortensen: O stemmer imod.\n\nFraværende under punktet: Jan Petersen.\n\nInhabil: Kasper Bjerregaard.".to_string());
        let s = take(&mut text, date);
        assert_eq!(text.as_deref(), Some("Godkendt."));
        assert_eq!(s.votes.len(), 3);
        assert_eq!(
            (s.votes[0].count, s.votes[0].parties.clone()),
            (Some(19), vec!["V".to_string(), "A".to_string()])
        );
        assert_eq!(
            (s.votes[1].members.clone(), s.votes[1].parties.clone()),
            (vec!["Ulla Mortensen".to_string()], vec!["O".to_string()])
        );
        assert_eq!(
            (s.votes[2].option, s.votes[2].count),
            (VoteOption::Abstain, None)
        );
        assert_eq!(s.dissents[0].text, "O stemmer imod.");
        assert_eq!(
            (s.absent.clone(), s.disqualified.clone()),
            (
                vec!["Jan Petersen".to_string()],
                vec!["Kasper Bjerregaard".to_string()]
            )
        );
    }

    #[test]
    fn merging_skips_what_the_text_already_said() {
        let mut participants = vec!["Økonomichef Bettina Andersen".to_string()];
        let mut followups = Vec::new();
        let mut next = Vec::new();
        Stated {
            participants: vec!["Bettina Andersen".into(), "Tonny Olsen".into()],
            ..Stated::default()
        }
        .merge_into(&mut participants, &mut followups, &mut next);
        assert_eq!(
            participants,
            ["Økonomichef Bettina Andersen", "Tonny Olsen"]
        );
    }
}
