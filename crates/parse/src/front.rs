//! The front page of a full agenda or minutes: body, kind, Sted, Dato, Start kl., Slut kl.,
//! Medlemmer, Fraværende.

use std::sync::LazyLock;

use protokol_core::{Absence, ClockTime, MeetingKind, Member};
use regex::Regex;

use crate::Warning;
use crate::dates::{BadDate, find_date, leading_clock};
use crate::text::Line;

/// The kind a front-page keyword line says the document is.
pub fn kind_keyword(line: &str) -> Option<MeetingKind> {
    let t = line.trim();
    // The longest keyword is 19 bytes; upper-casing at most halves a text's bytes.
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    match t.to_uppercase().as_str() {
        "DAGSORDEN" | "TILLÆGSDAGSORDEN" | "DAGSORDEN (ÅBEN)" => Some(MeetingKind::Agenda),
        "REFERAT"
        | "BESLUTNINGSPROTOKOL"
        | "BESLUTNINGSREFERAT"
        | "PROTOKOL"
        | "REFERAT (ÅBEN)" => Some(MeetingKind::Minutes),
        _ => None,
    }
}

#[derive(Debug, Default)]
pub struct Front {
    pub body: Option<String>,
    pub kind: Option<MeetingKind>,
    pub date: Option<Result<chrono::NaiveDate, BadDate>>,
    pub date_line: usize,
    pub location: Option<String>,
    pub start: Option<ClockTime>,
    pub end: Option<ClockTime>,
    pub members: Vec<Member>,
    pub absent: Vec<Absence>,
}

static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(sted|dato|start\s*kl\.?|slut\s*kl\.?|mødestart|mødeslut|medlemmer|deltagere|fraværende|afbud|mødelokale|tidspunkt)\s*:\s*(.*)$")
        .unwrap_or_else(|e| panic!("{e}"))
});
static PARTY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<name>[^()]+?)\s*\((?P<party>[A-ZÆØÅ]{1,3})\)\s*(?:[,-]\s*(?P<role>.+))?$")
        .unwrap_or_else(|e| panic!("{e}"))
});

const ROLE_ENDINGS: [&str; 12] = [
    "direktør",
    "chef",
    "borgmester",
    "formand",
    "næstformand",
    "rådmand",
    "medlem",
    "sekretær",
    "leder",
    "konsulent",
    "direktion",
    "sekretariat",
];

fn is_role_word(w: &str) -> bool {
    let lw = w.to_lowercase();
    ROLE_ENDINGS.iter().any(|e| lw.ends_with(e))
}

/// One line of "Medlemmer": "Velfærdsdirektør Lene Mehlsen Thomsen", "Kommunaldirektør
/// Vakant", "Jan Petersen (A)", "Kasper Bjerregaard (V), formand".
pub fn member(line: &str) -> Option<Member> {
    let t = line.trim().trim_start_matches("- ").trim();
    if t.is_empty() {
        return None;
    }
    if let Some(c) = PARTY.captures(t) {
        let name = c["name"].trim();
        let (role, name) = split_role(name);
        return Some(Member {
            name: Some(name.to_string()),
            role: c
                .name("role")
                .map(|r| r.as_str().trim().to_string())
                .or(role),
            party: Some(c["party"].to_string()),
            vacant: false,
            substitute_for: None,
        });
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words
        .last()
        .is_some_and(|w| w.eq_ignore_ascii_case("vakant"))
    {
        let role = words[..words.len() - 1].join(" ");
        return Some(Member {
            name: None,
            role: (!role.is_empty()).then_some(role),
            party: None,
            vacant: true,
            substitute_for: None,
        });
    }
    let (role, name) = split_role(t);
    Some(Member {
        name: Some(name.to_string()),
        role,
        party: None,
        vacant: false,
        substitute_for: None,
    })
}

/// "Velfærdsdirektør Lene Mehlsen Thomsen" → (Some("Velfærdsdirektør"), "Lene Mehlsen Thomsen").
fn split_role(t: &str) -> (Option<String>, &str) {
    let mut words = t.splitn(2, ' ');
    match (words.next(), words.next()) {
        (Some(first), Some(rest)) if is_role_word(first) => (Some(first.to_string()), rest.trim()),
        _ => (None, t),
    }
}

fn absence(line: &str, notice: bool) -> Option<Absence> {
    let m = member(line)?;
    let name = m.name?;
    if matches!(name.to_lowercase().as_str(), "ingen" | "-" | "intet") {
        return None;
    }
    Some(Absence {
        name,
        role: m.role,
        party: m.party,
        notice,
    })
}

/// Reads the front page from its lines; lines it does not understand become warnings.
pub fn parse(lines: &[Line], warnings: &mut Vec<Warning>) -> Front {
    let mut f = Front::default();
    let mut list: Option<&'static str> = None; // "members" | "absent" | "afbud"
    for (i, l) in lines.iter().enumerate() {
        let t = l.trimmed();
        if t.is_empty() {
            continue;
        }
        if let Some(k) = kind_keyword(t) {
            f.kind = Some(k);
            if f.body.is_none() {
                f.body = lines[..i]
                    .iter()
                    .rev()
                    .find(|x| !x.is_blank())
                    .map(|x| x.trimmed().to_string());
            }
            list = None;
            continue;
        }
        if let Some(c) = FIELD.captures(t) {
            let value = c[2].trim();
            let key = c[1].to_lowercase();
            list = None;
            if key == "sted" || key == "mødelokale" {
                f.location = (!value.is_empty()).then(|| value.to_string());
            } else if key == "dato" {
                f.date = find_date(value);
                f.date_line = l.no;
                // "Dato: 6. september 2023 kl. 9.00" may carry the start too.
                if let Some(kl) = value.to_lowercase().find("kl.") {
                    f.start = f.start.or(leading_clock(&value[kl..]).map(|(t, _)| t));
                }
            } else if key.starts_with("start") || key == "mødestart" || key == "tidspunkt" {
                f.start = leading_clock(value).map(|(t, _)| t);
            } else if key.starts_with("slut") || key == "mødeslut" {
                f.end = leading_clock(value).map(|(t, _)| t);
            } else if key == "medlemmer" || key == "deltagere" {
                list = Some("members");
                f.members.extend(member(value));
            } else if key == "fraværende" {
                list = Some("absent");
                f.absent.extend(absence(value, false));
            } else if key == "afbud" {
                list = Some("afbud");
                f.absent.extend(absence(value, true));
            }
            continue;
        }
        match list {
            Some("members") => f.members.extend(member(t)),
            Some("absent") => f.absent.extend(absence(t, false)),
            Some("afbud") => f.absent.extend(absence(t, true)),
            _ => {
                if f.body.is_none() && f.kind.is_none() && i < 5 {
                    // The body's name stands above the kind keyword.
                    continue;
                }
                if f.body.as_deref() != Some(t) {
                    warnings.push(Warning {
                        line: l.no,
                        message: format!("front page line not understood: {t:?}"),
                    });
                }
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_with_roles_parties_and_vacant_seats() {
        let m = member("Kommunaldirektør Vakant").unwrap();
        assert_eq!(
            (m.name, m.role.as_deref(), m.vacant),
            (None, Some("Kommunaldirektør"), true)
        );
        let m = member("Velfærdsdirektør Lene Mehlsen Thomsen").unwrap();
        assert_eq!(
            (m.name.as_deref(), m.role.as_deref()),
            (Some("Lene Mehlsen Thomsen"), Some("Velfærdsdirektør"))
        );
        let m = member("Jan Petersen (A)").unwrap();
        assert_eq!(
            (m.name.as_deref(), m.party.as_deref(), m.role),
            (Some("Jan Petersen"), Some("A"), None)
        );
        let m = member("Kasper Bjerregaard (V), formand").unwrap();
        assert_eq!(
            (m.name.as_deref(), m.party.as_deref(), m.role.as_deref()),
            (Some("Kasper Bjerregaard"), Some("V"), Some("formand"))
        );
    }
}
