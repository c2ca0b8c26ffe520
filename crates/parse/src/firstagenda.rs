//! FirstAgenda's publication JSON: one meeting per document, as FirstAgenda Publication
//! (used by most Danish municipalities) returns it.
//!
//! The shape: `Udvalg` (the body), `Moede` (date and time, place, `Moededeltagere` with
//! `Absent` and `ParticipationCancelled`), and `Dagsordenpunkter`, each with `Punktnummer`,
//! `Caption`, `SagsNummer`, `Felter` (HTML fields whose `<h3>` headings name the sections:
//! Sagsfremstilling, Indstilling, Beslutning, Resume, Lovgrundlag, Sagens forløb, …),
//! `Bilag` (attachment titles) and `ExternalAgendaItemAttendees` (who was absent from the
//! item). A closed item is marked by "Lukket:" in its caption; the `IsOpen` flag does not
//! mean public (it is false on every item of the published meetings we have seen), so it
//! is not read. Every field is optional: what is missing is reported, not guessed.

use chrono::{DateTime, NaiveDateTime, Timelike};
use protokol_core::danish::local_date_time;
use protokol_core::exchange::SchemaTag;
use protokol_core::{
    Absence, Access, Attachment, ClockTime, Item, Meeting, MeetingKind, Member, Section,
};
use serde::Deserialize;
use serde_json::Value;

use crate::bodies::definite;
use crate::html::html_sections;
use crate::loose::Confidence;
use crate::sections::{append_paragraph, closed_marking, file_section};
use crate::{Layout, ParseError, Parsed, Warning};

/// Whether a JSON text is FirstAgenda's publication JSON rather than `protokol.meeting/1`
/// (a cheap look for its top-level names; [`parse_firstagenda`] decides).
pub fn looks_like_firstagenda(json: &str) -> bool {
    json.contains("\"Dagsordenpunkter\"") && json.contains("\"Moede\"")
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Publication {
    udvalg: Option<Udvalg>,
    moede: Option<Moede>,
    dagsordenpunkter: Vec<Punkt>,
    tillaegs_dagsorden: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Udvalg {
    navn: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Moede {
    dato: Option<String>,
    #[serde(rename = "MeetingBeginUtc")]
    begin: Option<String>,
    #[serde(rename = "MeetingEndUtc")]
    end: Option<String>,
    sted: Option<String>,
    moededeltagere: Vec<Deltager>,
    is_supplementary_agenda: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Deltager {
    name: Option<String>,
    absent: Option<bool>,
    participation_cancelled: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Punkt {
    punktnummer: Value,
    number: Value,
    caption: Option<String>,
    navn: Option<String>,
    sags_nummer: Option<String>,
    case_number: Option<String>,
    felter: Vec<Felt>,
    bilag: Vec<Bilag>,
    #[serde(rename = "ExternalAgendaItemAttendees")]
    attendees: Option<Vec<ItemAttendee>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Felt {
    navn: Option<String>,
    html: Option<String>,
    tekst: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Bilag {
    navn: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct ItemAttendee {
    name: Option<String>,
    reason: Option<String>,
}

fn clean(s: &Option<String>) -> Option<String> {
    let words: Vec<&str> = s.as_deref()?.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// A number printed as a JSON number or a string ("3", "715", " 12 ").
fn item_number(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().trim_end_matches('.').parse().ok(),
        _ => None,
    }
}

/// The body's name without the electoral period FirstAgenda appends ("Byråd 2022-2025")
/// or the punctuation used to sort pseudo-bodies first (".Spørgsmål / Svar til …"), in its
/// definite form ("Byråd" → "Byrådet").
pub fn body_name(raw: &str) -> String {
    let mut name = raw
        .trim()
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    let words: Vec<&str> = name.split_whitespace().collect();
    if let Some(last) = words.last()
        && words.len() > 1
        && last
            .split('-')
            .all(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))
    {
        name = words[..words.len() - 1].join(" ");
    }
    definite(&name)
}

/// A FirstAgenda time stamp as Danish wall-clock time.
fn moment(s: &Option<String>) -> Option<NaiveDateTime> {
    let s = s.as_deref()?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(local_date_time(&t));
    }
    // Without an offset the time is taken as printed (Danish time).
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok()
}

fn clock(t: NaiveDateTime) -> Option<ClockTime> {
    ClockTime::from_hm(t.hour(), t.minute())
}

/// Reads one item; `warn` receives what was not understood.
fn item(p: &Punkt, position: usize, warn: &mut impl FnMut(String)) -> Item {
    let caption = clean(&p.caption)
        .or_else(|| clean(&p.navn))
        .unwrap_or_default();
    let (closed, title) = closed_marking(&caption);
    let number = item_number(&p.punktnummer).or_else(|| item_number(&p.number));
    let title = if title.is_empty() {
        warn(format!("item {} has no title", position + 1));
        format!("Punkt {}", number.map_or(position + 1, |n| n as usize))
    } else {
        title
    };
    let mut item = Item::new(number, title.clone());
    if closed {
        item.access = Access::Closed;
        // The caption was published: it is the public title.
        item.public_title = Some(title);
    }
    item.case_number = clean(&p.sags_nummer).or_else(|| clean(&p.case_number));
    // Text printed without a heading of its own.
    let mut untitled: Option<String> = None;
    for felt in &p.felter {
        let field_name = clean(&felt.navn);
        let sections = match (&felt.html, &felt.tekst) {
            (Some(html), _) if !html.trim().is_empty() => html_sections(html),
            (_, Some(text)) if !text.trim().is_empty() => vec![crate::html::HtmlSection {
                heading: None,
                text: text.trim().to_string(),
            }],
            _ => Vec::new(),
        };
        for s in sections {
            let heading = s.heading.clone().or_else(|| field_name.clone());
            let Some(heading) = heading else {
                append_paragraph(&mut untitled, &s.text);
                continue;
            };
            if s.text.is_empty() {
                continue;
            }
            file_section(&mut item, &heading, &s.text);
        }
    }
    if let Some(text) = untitled {
        if closed {
            // What was published of a closed item ("Beslutning ikke frigivet").
            item.public_decision = Some(text);
        } else if item.case.is_none() {
            item.case = Some(text);
        } else {
            item.sections.push(Section {
                heading: "Øvrigt".into(),
                text,
            });
        }
    }
    if closed && item.public_decision.is_none() {
        item.public_decision = item.decision.clone();
    }
    for (i, b) in p.bilag.iter().enumerate() {
        let Some(title) = clean(&b.navn) else {
            warn(format!(
                "item {}: attachment {} has no title and was left out",
                number.map_or(position + 1, |n| n as usize),
                i + 1
            ));
            continue;
        };
        item.attachments.push(Attachment {
            id: None,
            number: u32::try_from(item.attachments.len() + 1).unwrap_or(u32::MAX),
            title,
            access: item.access,
            doc_id: None,
            journal: None,
            file: None,
        });
    }
    for a in p.attendees.iter().flatten() {
        if let Some(name) = clean(&a.name) {
            let reason = clean(&a.reason).unwrap_or_default().to_lowercase();
            if (reason.is_empty() || reason.contains("fravær") || reason.contains("afbud"))
                && !item.absent.contains(&name)
            {
                item.absent.push(name);
            }
        }
    }
    item
}

/// Reads FirstAgenda publication JSON; `source` names the file for the meeting's sources.
pub fn parse_firstagenda(json: &str, source: &str) -> Result<Parsed, ParseError> {
    let value: Value = serde_json::from_str(json).map_err(|e| ParseError::Invalid {
        line: e.line(),
        reason: format!("not valid JSON: {e}"),
    })?;
    let publication: Publication =
        serde_path_to_error::deserialize(value).map_err(|e| ParseError::Invalid {
            line: 0,
            reason: format!(
                "not FirstAgenda publication JSON: at {}: {}",
                e.path(),
                e.inner()
            ),
        })?;
    let mut warnings = Vec::new();
    let mut warn = |message: String| warnings.push(Warning { line: 0, message });

    let moede = publication.moede.unwrap_or_default();
    let body = publication
        .udvalg
        .as_ref()
        .and_then(|u| clean(&u.navn))
        .map(|n| body_name(&n))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ParseError::Source("the meeting names no body (Udvalg.Navn)".into()))?;
    let begin = moment(&moede.begin).or_else(|| moment(&moede.dato));
    let Some(begin) = begin else {
        return Err(ParseError::Source(match &moede.dato {
            Some(d) => format!("the meeting date {d:?} (Moede.Dato) is not a date"),
            None => "the meeting has no date (Moede.Dato)".into(),
        }));
    };
    let date = protokol_core::time::check_date_range(begin.date())
        .map_err(|e| ParseError::Source(format!("Moede.Dato: {e}")))?;

    let items: Vec<Item> = publication
        .dagsordenpunkter
        .iter()
        .enumerate()
        .map(|(i, p)| item(p, i, &mut warn))
        .collect();
    if items.is_empty() {
        warn("the meeting has no items (Dagsordenpunkter is empty)".into());
    }
    let decided = items.iter().any(|i| i.decision.is_some());
    let body = crate::bodies::body_ref(body)?;
    let mut meeting = Meeting::new(
        body,
        if decided {
            MeetingKind::Minutes
        } else {
            MeetingKind::Agenda
        },
        date,
    );
    meeting.schema = SchemaTag;
    let midnight = begin.hour() == 0 && begin.minute() == 0;
    if !midnight {
        meeting.start = clock(begin);
    }
    meeting.end = moment(&moede.end)
        .filter(|e| e.date() == date)
        .and_then(clock);
    meeting.location = clean(&moede.sted);
    for d in &moede.moededeltagere {
        let Some(name) = clean(&d.name) else { continue };
        let cancelled = d.participation_cancelled.unwrap_or(false);
        if cancelled || d.absent.unwrap_or(false) {
            meeting.absent.push(Absence {
                name: name.clone(),
                role: None,
                party: None,
                notice: cancelled,
            });
        }
        meeting.members.push(Member {
            name: Some(name),
            role: None,
            party: None,
            vacant: false,
            substitute_for: None,
        });
    }
    meeting.items = items;
    crate::unnumber_repeats(&mut meeting.items, &mut warnings);
    if publication.tillaegs_dagsorden == Some(true) || moede.is_supplementary_agenda == Some(true) {
        warnings.push(Warning {
            line: 0,
            message:
                "a supplementary agenda (tillægsdagsorden): its items are added to the meeting's"
                    .into(),
        });
    }
    crate::finish(
        meeting,
        source,
        Layout::FirstAgendaJson,
        warnings,
        Confidence::High,
    )
}
