//! The generic reader: a meeting record in a layout the layout readers do not know.
//!
//! A document that is clearly a meeting record — a body and a date can be found near its
//! start — is read with whatever structure can be found, never refused for lacking a
//! particular front page: the date in any Danish form, with or without a label; the time
//! ("Kl. 10:30", "kl. 9.00"); the place ("Sted:", "Mødested:"); absent members
//! ("Fraværende:", "Afbud:"); items headed "Punkt 3: …", "Pkt. 12 …" or "715. …" (running
//! numbers included; a table of contents listing them first is recognised); closed items
//! marked "Lukket: …" in the title, by a "Lukket punkt" line, or listed under a "Lukket
//! dagsorden/referat" heading; section headings of the usual kinds (Sagsfremstilling,
//! Resumé, Indstilling, Beslutning, Økonomi, "Sagsnr.: …", …). Text whose line breaks were
//! lost (a page on one line) is broken again before item and section headings. At worst the
//! meeting gets one item holding the text. Each reading says how sure it is
//! ([`Confidence`]) and warns about what it did not understand.

use std::sync::LazyLock;

use chrono::NaiveDate;
use protokol_core::exchange::SchemaTag;
use protokol_core::{Absence, Access, ClockTime, Item, Meeting, MeetingKind, Section};
use regex::Regex;

use crate::bodies::definite;
use crate::dates::find_date;
use crate::re;
use crate::sections::{
    SectionKind, append_paragraph, classify, closed_marking, file_section, tidy_heading,
};
use crate::text::{Line, normalize, reflow, remove_page_furniture};
use crate::{Layout, ParseError, Parsed, Warning};

/// Whether a decision heading is another meeting's: "Beslutning i Teknik- og Miljøudvalget
/// den 22. januar 2024" in the minutes of Økonomiudvalget 6 February (another date, or
/// another body named without a date).
fn earlier_decision(heading: &str, date: NaiveDate, body: &str) -> bool {
    if classify(heading) != SectionKind::Decision {
        return false;
    }
    if let Some(Ok(d)) = find_date(heading) {
        return d != date;
    }
    // "Byråd" and "Byrådet" are one body: names compared by their first six letters.
    let stem = |s: &str| s.chars().take(6).collect::<String>();
    let lower = heading.to_lowercase();
    lower
        .split_once(" i ")
        .map(|(_, named)| named.trim().trim_end_matches(':'))
        .is_some_and(|named| !named.is_empty() && stem(named) != stem(&body.to_lowercase()))
}

/// How sure the generic reader is of what it read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Body and date found, but no items: the text is kept in one item.
    Low,
    /// Items found, without the sections inside them.
    Medium,
    /// Items with recognised sections.
    High,
}

impl Confidence {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// A body's name: one or more capitalised words joined by "-", ",", "og", ending in a word
/// that names a kind of body ("Klima-, Teknik- og Miljøudvalget", "Byrådet",
/// "Styregruppen", "Klagenævnet").
static BODY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b((?:[A-ZÆØÅ][\p{L}]*-,?\s+(?:og\s+)?)*[A-ZÆØÅ][\p{L}-]*?(?:udvalget|udvalg|bestyrelsen|bestyrelse|Byrådet|Byråd|Regionsrådet|Regionsråd|Direktionen|rådet|Borgerrepræsentationen|Repræsentantskabet|gruppen|nævnet|forummet|komitéen|komiteen|kommissionen)|[A-ZÆØÅ][\p{L}]*\s+[a-zæøå][\p{L}-]*(?:udvalget|udvalg|bestyrelsen|bestyrelse|rådet))s?\b",
    )
});
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:kl\.?|klokken|mødetidspunkt\s*:?|mødetid\s*:?|tidspunkt\s*:?|tid\s*:)\s*(\d{1,2})(?:[.:](\d{2}))?\b",
    )
});
static PLACE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:sted|mødested|mødelokale|lokale)\s*:?\s+(\S.*)$"));
static MEMBERS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:medlemmer|deltagere|til stede)\s*:\s*(.+)$"));
/// The start of a member list, its first members possibly on the same line.
static MEMBERS_START: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:medlemmer|deltagere|til stede)\s*:\s*(.*)$"));
/// Any label ("Fraværende:", "Sted:"): a line that ends a member list.
static ANY_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*[\p{L} .]{2,30}:"));
/// Column gaps in a line laid out in columns.
static COLUMN_GAP: LazyLock<Regex> = LazyLock::new(|| re(r"\t+|\s{2,}"));

/// Whether a text can be a member's entry: a few capitalised words, maybe a party letter or
/// role in brackets, no digits.
fn plausible_member(s: &str) -> bool {
    let words = s.split_whitespace().count();
    (1..=8).contains(&words)
        && s.chars().count() <= 80
        && !s.chars().any(|c| c.is_ascii_digit())
        && s.chars().next().is_some_and(char::is_uppercase)
}

/// The member list after "Medlemmer:" (or "Deltagere:", "Til stede:"): the rest of its line
/// and the lines below it up to the next label or heading, each line split at column gaps
/// (two columns of names, as text extraction lays them side by side) and at commas and "og".
fn member_block(head: &[&str]) -> Vec<protokol_core::Member> {
    let Some(k) = head.iter().position(|l| MEMBERS_START.is_match(l)) else {
        return Vec::new();
    };
    let mut lines: Vec<String> = Vec::new();
    if let Some(c) = MEMBERS_START.captures(head[k]) {
        lines.push(c[1].to_string());
    }
    for line in head.iter().skip(k + 1).take(40) {
        if ANY_LABEL.is_match(line)
            || item_heading(line).is_some()
            || section_heading(line).is_some()
            || crate::front::kind_keyword(line).is_some()
        {
            break;
        }
        lines.push((*line).to_string());
    }
    let mut out = Vec::new();
    for line in lines {
        for column in COLUMN_GAP.split(line.trim()) {
            for written in split_names(column) {
                if plausible_member(&written)
                    && let Some(m) = listed_member(&written)
                {
                    out.push(m);
                }
            }
        }
    }
    out
}

/// A label alone on its line, its value on the next (a front page laid out as a table).
static LABEL_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(sted|mødested|mødelokale|lokale|mødetidspunkt|tidspunkt|medlemmer|deltagere|fraværende|afbud)\s*:\s*$",
    )
});
static ABSENT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:fraværende|afbud(?:\s+fra)?|ikke til stede)\s*:\s*(.+)$"));
/// "Punkt 3: Title", "Pkt. 12 Title", "Punkt 3 - Title".
static ITEM_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:punkt|pkt\.?)\s*(\d{1,4})\s*[:.)\-–]?\s*(.*)$"));
/// "715. Title", "3) Title", "3 Title" (a capitalised title).
static ITEM_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(\d{1,4})(?:[.)]\s*|\s+)(\p{L}.{2,250})$"));
static NUMBER_ALONE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(\d{1,4})[.)]\s*$"));
static DOT_LEADER: LazyLock<Regex> = LazyLock::new(|| re(r"\s*(?:\.{3,}|…+|\s{3,})\s*\d{0,4}\s*$"));
static CASE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:sagsnr|sags\s*nr|sagsnummer|j\.\s*nr|journalnr)\.?(?:\s+i\s+\w+)?\s*:?\s*([^\s:].{0,60})?$",
    )
});
/// Headings that start a section when they stand on a line of their own.
fn section_heading(line: &str) -> Option<String> {
    let t = line.trim();
    if t.is_empty() || t.chars().count() > 60 {
        return None;
    }
    let bare = t.trim_end_matches(':').trim();
    if classify(bare) != SectionKind::Other {
        return Some(tidy_heading(bare));
    }
    let known = [
        "resumé",
        "resume",
        "baggrund",
        "lovgrundlag",
        "tidsplan",
        "kommunikation",
        "høring",
        "vurdering",
        "sagsprocedure",
        "sagens forløb",
        "tidligere behandling",
        "beslutningskompetence",
        "bemærkninger",
        "supplerende indstilling",
        "administrationens vurdering",
        "konsekvenser",
        "bilag",
        "bilagsfortegnelse",
    ];
    let lower = bare.to_lowercase();
    known.contains(&lower.as_str()).then(|| tidy_heading(bare))
}

/// Names in a list: "A (A) (Borgmester), B (C) og C".
fn split_names(list: &str) -> Vec<String> {
    // Commas inside parentheses ("(A, formand)") do not separate names.
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for ch in list.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' | ';' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    parts.push(current);
    parts
        .iter()
        .flat_map(|p| p.split(" og "))
        .map(|n| n.trim().trim_end_matches('.').trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// A member as listed: "Kasper Damsgaard (A) (Borgmester)" — name, party letter, role.
fn listed_member(written: &str) -> Option<protokol_core::Member> {
    let mut rest = written.trim().to_string();
    let mut role = None;
    // A trailing "(Borgmester)" is a role; "(A)" a party letter (read by the front page's
    // member reader).
    if let Some(open) = rest.rfind('(')
        && rest.ends_with(')')
        && rest[open + 1..rest.len() - 1].chars().count() > 2
    {
        role = Some(rest[open + 1..rest.len() - 1].trim().to_string());
        rest = rest[..open].trim().to_string();
    }
    let mut m = crate::front::member(&rest)?;
    if m.role.is_none() {
        m.role = role;
    }
    Some(m)
}

/// An item heading: number and title.
fn item_heading(line: &str) -> Option<(u32, String)> {
    let (n, title) = if let Some(c) = ITEM_WORD.captures(line) {
        (c[1].parse().ok()?, c[2].to_string())
    } else if let Some(c) = ITEM_NUMBER.captures(line) {
        let title = c[2].to_string();
        let first = title
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches(['.', ','])
            .to_lowercase();
        // "3. september 2023", "12 medlemmer": a date or a count, not an item.
        // A title starts with a capital letter, or is short ("2. test" in a table of
        // contents); a list of "1. at …" is the text of a recommendation.
        let capital = title.chars().next().is_some_and(char::is_uppercase);
        if !capital && (title.split_whitespace().count() > 6 || first == "at" || first == "og") {
            return None;
        }
        // A sentence of a numbered list ends with a full stop; a title does not.
        if crate::dates::month_number(&first).is_some()
            || title.trim_end().ends_with([',', '.', ';'])
            || title.chars().count() > 150
        {
            return None;
        }
        (c[1].parse().ok()?, title)
    } else {
        return None;
    };
    let title = DOT_LEADER.replace(&title, "").trim().to_string();
    Some((n, title))
}

/// The body named near the start: the first name of a body in the first lines.
fn find_body(head: &[&str]) -> Option<String> {
    for line in head {
        if let Some(c) = BODY.captures(line) {
            let name = c[1].trim().to_string();
            if name.split_whitespace().count() > 8 {
                continue;
            }
            return Some(definite(&name));
        }
    }
    None
}

/// Starts an item; a number met again replaces the earlier item of that number (a table of
/// contents lists the items before the document gives them), keeping it closed if either
/// says so. Returns a warning when the replaced one had text of its own.
fn start_item(
    drafts: &mut Vec<Draft>,
    last_number: &mut u32,
    number: u32,
    title: &str,
    closed_part: bool,
) -> Option<Warning> {
    let (marked, title) = closed_marking(title);
    let mut closed = marked || closed_part;
    let mut warning = None;
    if let Some(k) = drafts.iter().position(|d| d.number == number) {
        let earlier = drafts.remove(k);
        closed |= earlier.closed;
        if earlier.lines.iter().filter(|l| !l.is_blank()).count() > 3 {
            warning = Some(Warning {
                line: 0,
                message: format!("item {number} appears twice; the later one is kept"),
            });
        }
    }
    *last_number = (*last_number).max(number);
    drafts.push(Draft {
        number,
        title,
        closed,
        lines: Vec::new(),
    });
    warning
}

/// Whether item `number` so far is only listed (a table of contents' entry, a few lines at
/// most): a heading of that number then gives the item. Once an item has text of its own,
/// a line starting with its number again is text ("1 Der laves et felt …" in a list).
fn listed_only(drafts: &[Draft], number: u32) -> bool {
    drafts
        .iter()
        .any(|d| d.number == number && d.lines.iter().filter(|l| !l.is_blank()).count() <= 3)
}

struct Draft {
    number: u32,
    title: String,
    closed: bool,
    lines: Vec<Line>,
}

/// Reads a meeting record of any layout; `Err(NotAMeeting)` when no body and date can be
/// found near its start.
pub fn parse_loosely(raw: &str, source: &str) -> Result<Parsed, ParseError> {
    if raw.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let restored = crate::rebreak::restore_breaks(raw);
    let lines = remove_page_furniture(normalize(&restored));
    let mut warnings = Vec::new();
    let head: Vec<&str> = lines
        .iter()
        .filter(|l| !l.is_blank())
        .take(60)
        .map(|l| l.trimmed())
        .collect();
    let head_text = head.join("\n");
    let date: NaiveDate = match find_date(&head_text) {
        Some(Ok(d)) => d,
        Some(Err(bad)) => {
            return Err(ParseError::BadDate {
                line: lines.first().map_or(1, |l| l.no),
                text: bad.0,
            });
        }
        None => return Err(ParseError::NotAMeeting),
    };
    // A meeting record says what it is near its start; a letter or an attachment that
    // merely names a body and a date does not.
    let says_meeting = head.iter().take(20).any(|l| {
        let l = l.to_lowercase();
        ["dagsorden", "referat", "protokol", "møde"]
            .iter()
            .any(|w| l.contains(w))
    });
    if !says_meeting {
        return Err(ParseError::NotAMeeting);
    }
    let date = protokol_core::time::check_date_range(date)
        .map_err(|e| ParseError::Source(e.to_string()))?;
    let body = find_body(&head).ok_or(ParseError::NotAMeeting)?;
    let lower_head = head_text.to_lowercase();
    let mut kind = if lower_head.contains("referat")
        || lower_head.contains("beslutningsprotokol")
        || lower_head.contains("protokol")
    {
        MeetingKind::Minutes
    } else {
        MeetingKind::Agenda
    };

    let mut start = None;
    let mut location = None;
    let mut absent: Vec<Absence> = Vec::new();
    let mut members: Vec<protokol_core::Member> = Vec::new();
    let joined: Vec<String> = head
        .iter()
        .enumerate()
        .filter_map(|(k, line)| {
            if k > 0 && LABEL_ALONE.is_match(head[k - 1]) {
                return None; // taken with its label
            }
            Some(match head.get(k + 1) {
                Some(next) if LABEL_ALONE.is_match(line) => format!("{} {next}", line.trim()),
                _ => (*line).to_string(),
            })
        })
        .collect();
    let block = member_block(&head);
    for line in &joined {
        let line = line.as_str();
        if members.is_empty()
            && let Some(c) = MEMBERS.captures(line)
        {
            members = split_names(&c[1])
                .iter()
                .filter_map(|n| listed_member(n))
                .collect();
        }
        if block.len() > members.len() {
            members.clone_from(&block);
        }
        if start.is_none()
            && let Some(c) = CLOCK.captures(line)
        {
            let h = c[1].parse().unwrap_or(99);
            let m = c.get(2).map_or(0, |m| m.as_str().parse().unwrap_or(99));
            start = ClockTime::from_hm(h, m);
        }
        if location.is_none()
            && let Some(c) = PLACE.captures(line)
        {
            location = Some(c[1].trim().to_string());
        }
        if let Some(c) = ABSENT.captures(line) {
            for written in split_names(&c[1]) {
                let Some(m) = listed_member(&written) else {
                    continue;
                };
                let Some(name) = m.name else { continue };
                if name.chars().count() <= 80 && !absent.iter().any(|a| a.name == name) {
                    absent.push(Absence {
                        name,
                        role: None,
                        party: m.party,
                        notice: line.to_lowercase().contains("afbud"),
                    });
                }
            }
        }
    }

    // Items: headings in order; a number met again replaces the first (a table of contents
    // lists the items before the document gives them).
    let mut drafts: Vec<Draft> = Vec::new();
    let mut closed_part = false;
    let mut last_number = 0u32;
    let mut pending_number: Option<u32> = None;
    // Under an item's "Bilag" heading, numbered lines are attachments ("1. Kort.pdf"), not
    // items, until another heading; only "Punkt 3"/"Pkt. 3" still starts an item there.
    let mut in_attachment_list = false;
    for line in &lines {
        let t = line.trimmed();
        let lower = t.to_lowercase();
        if let Some(h) = section_heading(t) {
            in_attachment_list = h.to_lowercase().starts_with("bilag");
        }
        let explicit_item = lower.starts_with("punkt") || lower.starts_with("pkt");
        if in_attachment_list && !explicit_item {
            if let Some(d) = drafts.last_mut() {
                d.lines.push(line.clone());
            }
            continue;
        }
        match lower.trim_end_matches(':') {
            "lukket dagsorden" | "lukket referat" | "lukkede punkter" | "lukkede sager"
            | "lukket møde" | "lukket del" => {
                closed_part = true;
                continue;
            }
            "åben dagsorden" | "åbent referat" | "åbne punkter" | "åbne sager" | "åben del" => {
                closed_part = false;
                continue;
            }
            _ => {}
        }
        // A number alone on its line, the title on the next ("2." / "test").
        if let Some(number) = pending_number {
            if t.is_empty() {
                continue;
            }
            pending_number = None;
            if let Some(d) = start_item(&mut drafts, &mut last_number, number, t, closed_part) {
                warnings.push(d);
            }
            continue;
        }
        if let Some(c) = NUMBER_ALONE.captures(t)
            && let Ok(n) = c[1].parse::<u32>()
            && (n > last_number || listed_only(&drafts, n))
        {
            pending_number = Some(n);
            continue;
        }
        if let Some((number, title)) = item_heading(t)
            && !title.is_empty()
            && (number > last_number || listed_only(&drafts, number))
        {
            if let Some(w) = start_item(&mut drafts, &mut last_number, number, &title, closed_part)
            {
                warnings.push(w);
            }
            continue;
        }
        if let Some(d) = drafts.last_mut() {
            match lower.as_str() {
                "lukket punkt" | "lukket sag" | "lukket" | "(lukket)" => {
                    d.closed = true;
                    continue;
                }
                "åben" | "åben sag" | "åbent punkt" | "(åben)" => continue,
                _ => {}
            }
            d.lines.push(line.clone());
        }
    }
    drafts.sort_by_key(|d| d.number);

    let mut confidence = Confidence::Medium;
    let mut items: Vec<Item> = drafts
        .into_iter()
        .map(|d| item_from(d, date, &body))
        .collect();
    if items.is_empty() {
        confidence = Confidence::Low;
        warnings.push(Warning {
            line: 0,
            message: "no items recognised (such as \"Punkt 3: …\" or \"3. …\"); the text is kept in one item".into(),
        });
        let mut item = Item::new(
            Some(1),
            match kind {
                MeetingKind::Minutes => "Referat",
                MeetingKind::Agenda => "Dagsorden",
            },
        );
        item.case = Some(reflow(&lines));
        items.push(item);
    } else if items
        .iter()
        .any(|i| i.case.is_some() || i.decision.is_some() || !i.sections.is_empty())
    {
        confidence = Confidence::High;
    }
    if items.iter().any(|i| i.decision.is_some()) {
        kind = MeetingKind::Minutes;
    }
    for i in &mut items {
        if i.decision.is_some() {
            i.decision_date = Some(date);
        }
    }

    let body = crate::bodies::body_ref(body)?;
    let mut meeting = Meeting::new(body, kind, date);
    meeting.schema = SchemaTag;
    meeting.start = start;
    meeting.location = location;
    meeting.absent = absent;
    meeting.members = members;
    meeting.items = items;
    crate::finish(meeting, source, Layout::Generic, warnings, confidence)
}

/// An item from its heading and the lines under it, split at section headings.
fn item_from(d: Draft, date: NaiveDate, body: &str) -> Item {
    let mut item = Item::new(Some(d.number), d.title.clone());
    if d.closed {
        item.access = Access::Closed;
        item.public_title = Some(d.title);
    }
    let mut heading: Option<String> = None;
    let mut chunk: Vec<Line> = Vec::new();
    let closed = item.access.is_closed();
    let flush = |heading: &Option<String>, chunk: &mut Vec<Line>, item: &mut Item| {
        // "Bilag", "Bilagsfortegnelse": the lines are the item's attachments.
        if let Some(h) = heading
            && h.to_lowercase().starts_with("bilag")
        {
            let mut ignored = Vec::new();
            let list = crate::attachments::parse_list(chunk, closed, &mut ignored);
            if !list.is_empty() {
                chunk.clear();
                item.attachments.extend(list);
                return;
            }
        }
        let text = reflow(chunk);
        chunk.clear();
        match heading {
            None => append_paragraph(&mut item.case, &text),
            // An earlier decision repeated with its body or date is kept under its heading.
            Some(h) if earlier_decision(h, date, body) => item.sections.push(Section {
                heading: tidy_heading(h),
                text,
            }),
            Some(h) => file_section(item, h, &text),
        }
    };
    // "Sagsnr.:" alone on its line: the number is on the next.
    let mut number_next = false;
    for line in d.lines {
        let t = line.trimmed();
        if number_next && !t.is_empty() {
            number_next = false;
            if t.chars().any(|c| c.is_ascii_digit()) && t.chars().count() <= 60 {
                item.case_number = Some(t.to_string());
                continue;
            }
        }
        if item.case_number.is_none()
            && let Some(c) = CASE_NUMBER.captures(t)
        {
            match c.get(1) {
                Some(n) => item.case_number = Some(n.as_str().trim().to_string()),
                None => number_next = true,
            }
            continue;
        }
        if let Some(h) = section_heading(t) {
            flush(&heading, &mut chunk, &mut item);
            heading = Some(h);
            continue;
        }
        chunk.push(line);
    }
    flush(&heading, &mut chunk, &mut item);
    if item.access == Access::Closed {
        item.public_decision = None;
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_in_two_columns_and_on_lines_of_their_own() {
        let text = "Social- og Sundhedsudvalget\n\nReferat\n\nMandag den 3. marts 2025 kl. 15.00\n\nDeltagere:\nAnne Hansen (A)              Bo Berg (V)\nCarla Due (F)                Dorthe Lund (Ø) (Formand)\nErik Sø (C)\n\nFraværende: Bo Berg (V)\n\nPunkt 1: Godkendelse af dagsorden\n\nBeslutning\nGodkendt.\n";
        let p = parse_loosely(text, "x.txt").unwrap();
        let m = &p.meeting;
        let names: Vec<&str> = m.members.iter().filter_map(|x| x.name.as_deref()).collect();
        assert_eq!(
            names,
            [
                "Anne Hansen",
                "Bo Berg",
                "Carla Due",
                "Dorthe Lund",
                "Erik Sø"
            ]
        );
        assert_eq!(m.members[3].party.as_deref(), Some("Ø"));
        assert_eq!(m.members[3].role.as_deref(), Some("Formand"));
        assert_eq!(m.absent[0].name, "Bo Berg");
        assert_eq!(m.items.len(), 1);
    }

    #[test]
    fn attachment_lists_in_their_forms_and_earlier_decisions() {
        let text = "Økonomiudvalget\n\nReferat\n\nTirsdag den 6. februar 2024 kl. 16.00\n\nPunkt 1: Lokalplan 123\n\nSagsfremstilling\nForslaget er klar.\n\nBilag\n2847563 - Forslag til lokalplan 123\nBilag 2: Miljøvurdering.pdf\n- Høringssvar fra borger (lukket)\n\nBeslutning i Teknik- og Miljøudvalget den 22. januar 2024\nAnbefales.\n\nBeslutning\nGodkendt.\n\nPunkt 2: Lukket: Salg af grund\n\nBilag:\n1. Købsaftale.docx\n";
        let p = parse_loosely(text, "x.txt").unwrap();
        let m = &p.meeting;
        let a = &m.items[0].attachments;
        assert_eq!(a.len(), 3, "{:#?}", m.items[0]);
        assert_eq!(a[0].doc_id.as_deref(), Some("2847563"));
        assert_eq!(a[0].title, "Forslag til lokalplan 123");
        assert_eq!((a[1].number, a[1].title.as_str()), (2, "Miljøvurdering"));
        assert_eq!(a[2].title, "Høringssvar fra borger");
        assert!(a[2].access.is_closed() && !a[0].access.is_closed());
        let closed = &m.items[1].attachments;
        assert_eq!(closed[0].title, "Købsaftale");
        assert!(closed[0].access.is_closed());
        // The earlier body's decision, repeated with its date, is not this meeting's.
        assert_eq!(m.items[0].decision.as_deref(), Some("Godkendt."));
        let earlier = m.items[0]
            .sections
            .iter()
            .find(|s| s.heading.starts_with("Beslutning i Teknik"))
            .expect("the earlier decision kept by its heading");
        assert_eq!(earlier.text, "Anbefales.");
    }

    #[test]
    fn a_front_page_without_labels_and_items_headed_punkt() {
        let text = "Greve Kommune\n\nReferat\n\nKultur- og Fritidsudvalget\n\nTorsdag den 20. juni 2013\nKl. 10:30\n\nMødested: Rådhuset, mødelokale 2\n\nFraværende: Anne Hansen og Bo Jensen\n\nPunkt 1: Godkendelse af dagsorden\n\nBeslutning\nGodkendt.\n\nPunkt 2: Lukket: Køb af grund\n\nSagsfremstilling\nFortroligt.\n\nPunkt 3: Budget 2014\nSagsnr.: 13/1234\nResumé\nEt kort resumé.\n\nIndstilling\nDet indstilles, at budgettet godkendes.\n\nBeslutning\nAnbefales.\n";
        let p = parse_loosely(text, "x.txt").unwrap();
        let confidence = p.confidence;
        let m = &p.meeting;
        assert_eq!(confidence, Confidence::High);
        assert_eq!(m.body.name, "Kultur- og Fritidsudvalget");
        assert_eq!(m.date.to_string(), "2013-06-20");
        assert_eq!(m.start.map(|t| t.to_string()).as_deref(), Some("10:30"));
        assert_eq!(m.location.as_deref(), Some("Rådhuset, mødelokale 2"));
        assert_eq!(
            m.absent.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["Anne Hansen", "Bo Jensen"]
        );
        assert_eq!(m.kind, MeetingKind::Minutes);
        assert_eq!(m.items.len(), 3);
        assert_eq!(m.items[0].decision.as_deref(), Some("Godkendt."));
        assert_eq!(m.items[1].access, Access::Closed);
        assert_eq!(m.items[1].title, "Køb af grund");
        assert_eq!(m.items[2].case_number.as_deref(), Some("13/1234"));
        // A front page laid out as a table: labels and values on lines of their own.
        let table = "Referat\nØkonomiudvalgets møde\nMødedato:\nOnsdag den 19. november 2025\nMødetidspunkt:\n14:00\nMødelokale:\nTeams\nMedlemmer:\nKasper Damsgaard (A) (Borgmester), Lisa Ward (A)\nAfbud:\nLisa Ward (A)\n\n1. Godkendelse af dagsordenen\nSagsnr. i ESDH: 25/23642\nBeslutning\nGodkendt.\n\n2. Orientering fra borgmesteren - (FOR LUKKEDE DØRE)\nBeslutning\nIntet.\n";
        let tm = parse_loosely(table, "x.docx").unwrap().meeting;
        assert_eq!(tm.body.name, "Økonomiudvalget");
        assert_eq!(tm.start.map(|t| t.to_string()).as_deref(), Some("14:00"));
        assert_eq!(tm.location.as_deref(), Some("Teams"));
        assert_eq!(tm.members.len(), 2);
        assert_eq!(tm.members[0].party.as_deref(), Some("A"));
        assert_eq!(tm.absent.len(), 1);
        assert_eq!(tm.absent[0].name, "Lisa Ward");
        assert_eq!(tm.items[0].case_number.as_deref(), Some("25/23642"));
        assert!(tm.items[1].access.is_closed(), "for lukkede døre");
        assert_eq!(tm.items[1].title, "Orientering fra borgmesteren");
        assert_eq!(m.items[2].sections[0].heading, "Resumé");
        assert_eq!(
            m.items[2].recommendation.as_deref(),
            Some("Det indstilles, at budgettet godkendes.")
        );
    }

    #[test]
    fn running_numbers_a_table_of_contents_and_a_closed_part() {
        let text = "Dagsorden\nByrådet\n12-03-2024\n\nIndhold\n715. Regnskab 2023 ........ 2\n716. Salg af ejendom ........ 3\n\n715. Regnskab 2023\nRegnskabet fremlægges.\n\nLukket dagsorden\n\n716. Salg af ejendom\nTekst om salget.\n";
        let p = parse_loosely(text, "x.txt").unwrap();
        let m = &p.meeting;
        assert_eq!(m.body.name, "Byrådet");
        assert_eq!(m.kind, MeetingKind::Agenda);
        let got: Vec<(Option<u32>, &str, Access)> = m
            .items
            .iter()
            .map(|i| (i.number, i.title.as_str(), i.access))
            .collect();
        assert_eq!(
            got,
            [
                (Some(715), "Regnskab 2023", Access::Open),
                (Some(716), "Salg af ejendom", Access::Closed)
            ]
        );
        assert_eq!(m.items[0].case.as_deref(), Some("Regnskabet fremlægges."));
    }

    #[test]
    fn numbers_alone_on_their_line_and_open_and_closed_parts() {
        // As eDoc publishes: a table of contents with a closed part, then the open cases;
        // each number on its own line, the title on the next.
        let text = "Hennys testudvalg - Dagsorden - 2. maj 2017 kl. 10:00\n\nMødested: Mødelokale 1, Midtpunkt\n\nDagsorden\n\n1.\n\ntest\n\n2.\n\nFejloprettet\n\nLukket dagsorden\n\n3.\n\nAnders' sag\n\nÅbne sager\n\n1.\n\ntest\n\nSagsnr.: 200906126\n\nÅben\n\nForvaltningen foreslår:\n\nAt sagen tages til efterretning.\n\nHøring:\n\nIngen.\n\n2.\n\nFejloprettet\n\nLukkede sager\n\n3.\n\nAnders' sag\n\nFortroligt.\n";
        let p = parse_loosely(text, "x.html").unwrap();
        let m = &p.meeting;
        assert_eq!(m.body.name, "Hennys testudvalg");
        assert_eq!(m.date.to_string(), "2017-05-02");
        assert_eq!(m.location.as_deref(), Some("Mødelokale 1, Midtpunkt"));
        let got: Vec<(Option<u32>, &str, bool)> = m
            .items
            .iter()
            .map(|i| (i.number, i.title.as_str(), i.access.is_closed()))
            .collect();
        assert_eq!(
            got,
            [
                (Some(1), "test", false),
                (Some(2), "Fejloprettet", false),
                (Some(3), "Anders' sag", true)
            ]
        );
        let first = &m.items[0];
        assert_eq!(first.case_number.as_deref(), Some("200906126"));
        assert_eq!(
            first.recommendation.as_deref(),
            Some("At sagen tages til efterretning.")
        );
        assert_eq!(first.sections[0].heading, "Høring");
    }

    #[test]
    fn text_without_line_breaks_still_gives_front_page_and_items() {
        let text = "Økonomiudvalget Dagsorden Mandag den 6. februar 2023 kl. 16.00 Sted: Rådhuset. Punkt 1: Meddelelser Sagsfremstilling Intet at bemærke denne gang, men vi fylder linjen op med tekst så den bliver lang nok til at ligne en side der er kopieret fra en hjemmeside uden linjeskift i det hele taget. Punkt 2: Anlægsbudget Sagsfremstilling Der søges om en anlægsbevilling på 2 mio. kr. til renovering af skolen, og teksten fortsætter. Indstilling Det indstilles, at bevillingen gives.";
        let p = parse_loosely(text, "x.txt").unwrap();
        let m = &p.meeting;
        assert_eq!(m.body.name, "Økonomiudvalget");
        assert_eq!(m.date.to_string(), "2023-02-06");
        let titles: Vec<&str> = m.items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["Meddelelser", "Anlægsbudget"]);
        assert_eq!(
            m.items[1].recommendation.as_deref(),
            Some("Det indstilles, at bevillingen gives.")
        );
    }

    #[test]
    fn without_items_the_text_is_kept_and_without_body_or_date_it_is_refused() {
        let text = "Social- og Sundhedsudvalget\nBeslutningsprotokol 3. maj 2022\n\nUdvalget drøftede status på ældreområdet og tog orienteringen til efterretning.\n";
        let p = parse_loosely(text, "x.txt").unwrap();
        let confidence = p.confidence;
        assert_eq!(confidence, Confidence::Low);
        assert_eq!(p.meeting.items.len(), 1);
        assert!(
            p.meeting.items[0]
                .case
                .as_deref()
                .unwrap()
                .contains("ældreområdet")
        );
        assert!(!p.warnings.is_empty());
        assert_eq!(
            parse_loosely("En indkøbsliste: mælk, brød og ost.", "x.txt").unwrap_err(),
            ParseError::NotAMeeting
        );
        assert_eq!(
            parse_loosely("Økonomiudvalget holder sommerferie.", "x.txt").unwrap_err(),
            ParseError::NotAMeeting
        );
        // An e-mail to the council, dated: not a meeting record.
        let mail = "From: Maja Føns\nSent: 12. januar 2017 14:14\nTo: Byrådet\nSubject: Nyhedsbrev nr. 2\n\nKære alle,\nHermed fremsendes nyhedsbrevet.\n";
        assert_eq!(
            parse_loosely(mail, "x.txt").unwrap_err(),
            ParseError::NotAMeeting
        );
    }
}
