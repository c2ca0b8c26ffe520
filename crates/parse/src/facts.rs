//! Facts stated in sentences: who takes part in a point ("X deltager under behandlingen af
//! punktet"), who follows up ("X følger op", "X arbejder videre med …"), and where a matter
//! goes next ("udskudt til direktionsmøde den 13. september", "behandles på møde i
//! Økonomiudvalget den 6. februar").

use std::sync::LazyLock;

use chrono::NaiveDate;
use protokol_core::{Followup, FollowupStatus, NextKind, NextStep};
use regex::Regex;

use crate::bodies::body_from_word;
use crate::dates::{day_months, resolve};

/// Words that end with a period without ending a sentence.
const ABBREVIATIONS: [&str; 28] = [
    "d", "f.eks", "eks", "bl.a", "evt", "ca", "jf", "mht", "nr", "pkt", "kl", "stk", "dvs", "mv",
    "m.v", "inkl", "ekskl", "vedr", "tlf", "iht", "ifm", "m.fl", "mfl", "o.l", "ol", "hhv", "pga",
    "feb",
];

/// Byte offset just after the period (or ! ?) that ends the first sentence of `s`, if a
/// sentence ends before the end of `s` (a period followed by space and an upper-case
/// letter, after a word that is not an abbreviation or a number).
pub fn first_sentence_end(s: &str) -> Option<usize> {
    // The marks are ASCII, so a byte scan finds them and every hit is a char boundary.
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(k) = bytes[from..]
        .iter()
        .position(|b| matches!(b, b'.' | b'!' | b'?'))
    {
        let i = from + k;
        from = i + 1;
        let c = char::from(bytes[i]);
        let after = &s[i + 1..];
        let spaced = after.starts_with(' ');
        let Some(next) = after.trim_start_matches(' ').chars().next() else {
            continue;
        };
        if !spaced || !next.is_uppercase() {
            continue;
        }
        if c == '.' {
            // The word before the period, as a slice (no allocation).
            let start = s[..i]
                .rfind(|c: char| c.is_whitespace() || c == '(')
                .map_or(0, |p| p + 1);
            let word = &s[start..i];
            // "17." is an ordinal (a date goes on); "2024." may end a sentence.
            let ordinal =
                !word.is_empty() && word.len() <= 2 && word.bytes().all(|b| b.is_ascii_digit());
            if ordinal || ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word)) {
                continue;
            }
            let mut chars = word.chars();
            if let (Some(only), None) = (chars.next(), chars.next())
                && only.is_uppercase()
            {
                continue; // an initial: "Jens P. Hansen"
            }
        }
        return Some(i + 1);
    }
    None
}

/// The sentences of a text (also split at line breaks).
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut rest = line.trim().trim_start_matches("- ").trim();
        while let Some(end) = first_sentence_end(rest) {
            out.push(rest[..end].trim());
            rest = rest[end..].trim_start();
        }
        if !rest.is_empty() {
            out.push(rest);
        }
    }
    out
}

/// Splits a list of people ("A, B og C") into its members, keeping compounds such as
/// "skole- og dagtilbudschef Thomas Olesen" whole.
pub fn split_people(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for chunk in s.split(", ") {
        let mut rest = chunk;
        loop {
            match find_og(rest) {
                Some(i) => {
                    parts.push(rest[..i].trim().to_string());
                    rest = &rest[i + 4..];
                }
                None => {
                    parts.push(rest.trim().to_string());
                    break;
                }
            }
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// Position of a " og " that joins two people (not the "- og " of a compound).
fn find_og(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(" og ") {
        let at = from + i;
        if !s[..at].ends_with('-') {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

fn looks_like_person(p: &str) -> bool {
    let words: Vec<&str> = p.split_whitespace().collect();
    let Some(last) = words.last() else {
        return false;
    };
    words.len() >= 2
        && last.chars().next().is_some_and(char::is_uppercase)
        && !p.to_lowercase().starts_with("direktionen")
}

/// What follows the verb when someone takes part in a point.
static PARTICIPATION_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(?:(?:i|under)\s+(?:behandlingen|drøftelsen|punktets\s+behandling|punktet|mødet)|med\s+henblik\s+på)")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// The subject of the first of `verbs` in `s` that `tail` accepts what follows of.
fn subject_before<'a>(s: &'a str, verbs: &[&str], tail: impl Fn(&str) -> bool) -> Option<&'a str> {
    let mut best: Option<usize> = None;
    for v in verbs {
        let mut from = 0;
        while let Some(k) = s[from..].find(v) {
            let at = from + k;
            if at > 0 && tail(&s[at + v.len()..]) {
                best = Some(best.map_or(at, |b: usize| b.min(at)));
                break;
            }
            from = at + v.len();
        }
    }
    best.map(|at| s[..at].trim_end())
}

/// Drops a leading connective ("Derudover", "Desuden") from a subject.
fn subject(who: &str) -> &str {
    let who = who.trim();
    for lead in [
        "Derudover ",
        "Desuden ",
        "Endvidere ",
        "Også ",
        "Herudover ",
    ] {
        if let Some(rest) = who.strip_prefix(lead) {
            return rest;
        }
    }
    who
}

/// People named as taking part in the treatment of a point.
pub fn participants(text: &str) -> Vec<String> {
    participants_in(&sentences(text))
}

/// [`participants`] of text already split into sentences.
pub fn participants_in(all: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in all {
        if !s.contains("delt") {
            continue;
        }
        let Some(who) = subject_before(s, &[" deltager", " deltog", " deltaget"], |rest| {
            PARTICIPATION_TAIL.is_match(rest)
        }) else {
            continue;
        };
        for p in split_people(subject(who)) {
            if looks_like_person(&p) && !out.iter().any(|o| o.to_lowercase() == p.to_lowercase()) {
                out.push(p);
            }
        }
    }
    out
}

/// Follow-ups stated in a decision: one per owner named.
pub fn followups(text: &str) -> Vec<Followup> {
    followups_in(&sentences(text))
}

/// [`followups`] of text already split into sentences.
pub fn followups_in(all: &[&str]) -> Vec<Followup> {
    let mut out = Vec::new();
    for (i, s) in all.iter().enumerate() {
        if !(s.contains("følger op") || s.contains("videre")) {
            continue;
        }
        let ends_word = |rest: &str| rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
        let Some(who) = subject_before(
            s,
            &[" følger op", " arbejder videre med", " arbejder videre på"],
            ends_word,
        ) else {
            continue;
        };
        let who = subject(who);
        if who.split_whitespace().count() > 12 || who.starts_with("Der ") {
            continue;
        }
        // "… fremgår det, at udvalgene arbejder videre med …": no owner named.
        if who.contains(", at ") || who.starts_with("at ") || who.contains(" fremgår ") {
            continue;
        }
        // "X følger op." says nothing itself: what is followed up is the sentence before.
        let bare = s.trim_end_matches('.').ends_with("følger op");
        let what = if bare {
            i.checked_sub(1).map(|j| all[j].to_string())
        } else {
            Some(s.to_string())
        };
        for owner in split_people(who) {
            let last_capital = owner
                .split_whitespace()
                .last()
                .and_then(|w| w.chars().next())
                .is_some_and(char::is_uppercase);
            if owner.chars().next().is_some_and(char::is_uppercase)
                || (owner.split_whitespace().count() >= 2 && last_capital)
            {
                out.push(Followup {
                    id: None,
                    owner,
                    text: what.clone(),
                    status: FollowupStatus::Open,
                });
            }
        }
    }
    out
}

static BODY_BEFORE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:i|på|til)\s+(?:et\s+|næste\s+|kommende\s+)?(?:møde\s+i\s+)?(?P<body>[\p{L}]+)\s+(?:den|d\.)\s*$")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Where the matter goes next: a body and a date in a sentence about postponing or further
/// treatment. Dates without a year fall on the first such day after `meeting_date`.
pub fn next_steps(text: &str, meeting_date: NaiveDate) -> Vec<NextStep> {
    next_steps_in(&sentences(text), meeting_date)
}

/// [`next_steps`] of text already split into sentences.
pub fn next_steps_in(all: &[&str], meeting_date: NaiveDate) -> Vec<NextStep> {
    let mut out: Vec<NextStep> = Vec::new();
    for s in all {
        if !(s.contains("dskud")
            || s.contains("dsætte")
            || s.contains("ehandl")
            || s.contains("ægges"))
        {
            continue;
        }
        let lower = s.to_lowercase();
        let postponed = lower.contains("udskudt") || lower.contains("udsættes");
        if !(postponed
            || lower.contains("behandl")
            || lower.contains("fremlægges")
            || lower.contains("forelægges"))
        {
            continue;
        }
        for (start, _, day, month, year) in day_months(s) {
            let Some(c) = BODY_BEFORE_DATE.captures(&s[..start]) else {
                continue;
            };
            let Some(body) = body_from_word(&c["body"]) else {
                continue;
            };
            let Some(date) = resolve(day, month, year, meeting_date) else {
                continue;
            };
            if date <= meeting_date {
                continue;
            }
            let step = NextStep {
                body,
                date,
                kind: if postponed {
                    NextKind::Postponed
                } else {
                    NextKind::Continued
                },
            };
            if !out.contains(&step) {
                out.push(step);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn sentences_respect_abbreviations_and_dates() {
        let s = sentences(
            "Referencegruppen mødtes d. 17. januar. Chefforum d. 23. feb. Direktionen godkendte f.eks. programmet. Slut",
        );
        assert_eq!(
            s,
            [
                "Referencegruppen mødtes d. 17. januar.",
                "Chefforum d. 23. feb. Direktionen godkendte f.eks. programmet.",
                "Slut"
            ]
        );
    }

    #[test]
    fn participants_with_roles_and_compounds() {
        let p = participants(
            "Bilag er vedlagt. Arbejdsmarkedschef Erik Holck Hansen, skole- og dagtilbudschef Thomas Olesen og børne- og familiechef Mette Koudal deltager under behandlingen.",
        );
        assert_eq!(
            p,
            [
                "Arbejdsmarkedschef Erik Holck Hansen",
                "skole- og dagtilbudschef Thomas Olesen",
                "børne- og familiechef Mette Koudal"
            ]
        );
        assert_eq!(
            participants(
                "Oplægsholder Anders Trillingsgaard og konsulent Ulrik Toft deltager med henblik på at koble temaerne."
            ),
            ["Oplægsholder Anders Trillingsgaard", "konsulent Ulrik Toft"]
        );
        assert!(participants("Punkt 1 (Borgmesteren deltager ikke)").is_empty());
        assert!(participants("Illustrator deltager på kommende direktionsmøde.").is_empty());
    }

    #[test]
    fn followups_name_each_owner() {
        let f = followups(
            "Borgermødet drøftes igen. Projektleder Nicklas Healy og økonomichef Bettina Andersen følger op. Jonas arbejder videre på udkastet. I den tværgående enhed arbejdes der videre med data.",
        );
        let owners: Vec<_> = f.iter().map(|f| f.owner.as_str()).collect();
        assert_eq!(
            owners,
            [
                "Projektleder Nicklas Healy",
                "økonomichef Bettina Andersen",
                "Jonas"
            ]
        );
        assert_eq!(f[0].text.as_deref(), Some("Borgermødet drøftes igen."));
    }

    #[test]
    fn next_steps_map_words_to_bodies_and_infer_years() {
        let m = d(2023, 9, 6);
        assert_eq!(
            next_steps(
                "Punktet blev udskudt til direktionsmøde den 13. september.",
                m
            ),
            [NextStep {
                body: "Direktionen".into(),
                date: d(2023, 9, 13),
                kind: NextKind::Postponed
            }]
        );
        let m = d(2024, 5, 15);
        let n = next_steps(
            "Med henblik på politisk behandling i Økonomiudvalget den 11. juni og i Kommunalbestyrelsen den 18. juni drøfter direktionen tidsplanen.",
            m,
        );
        assert_eq!(
            n.iter()
                .map(|n| (n.body.as_str(), n.date))
                .collect::<Vec<_>>(),
            [
                ("Økonomiudvalget", d(2024, 6, 11)),
                ("Kommunalbestyrelsen", d(2024, 6, 18))
            ]
        );
        assert!(
            next_steps(
                "Tidsplanen er udarbejdet på temamøde for kommunalbestyrelsen d. 19. marts 2024.",
                m
            )
            .is_empty()
        );
        assert!(
            next_steps(
                "Der sendes opsamling til deltagerne den 24. januar.",
                d(2024, 1, 24)
            )
            .is_empty()
        );
        assert_eq!(
            next_steps("Sagen skal behandles på møde i direktionen den 6. juni.", m)[0].date,
            d(2024, 6, 6)
        );
    }
}
