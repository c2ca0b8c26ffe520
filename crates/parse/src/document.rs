//! From lines to a meeting: layout, front page, items and their sections.

use std::sync::LazyLock;

use chrono::NaiveDate;
use protokol_core::exchange::SchemaTag;
use protokol_core::{Access, BodyRef, ForwardPlanEntry, Item, Meeting, MeetingKind, SubPoint};
use regex::Regex;

use crate::attachments;
use crate::bodies::code_for;
use crate::dates::{find_date, month_number, resolve};
use crate::facts::{followups, followups_in, next_steps_in, participants_in, sentences};
use crate::front::{self, kind_keyword};
use crate::schedule::{assign_decisions, is_table_header, loose, parse_table};
use crate::stated::{self, Stated};
use crate::text::{
    Flow, Line, join_broken, list_item, normalize, remove_page_furniture, running_header,
};
use crate::{Layout, ParseError, Parsed, Warning};

static ACCESS_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(åben|lukket)\s+sag\b").unwrap_or_else(|e| panic!("{e}")));
static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,3})\.\s+(\S.*)$").unwrap_or_else(|e| panic!("{e}")));
static DECISION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^beslutning(?:er)?(?:\s+i\s+(?P<body>.+?))?(?:\s+(?:den|d\.)\s+(?P<date>.+?))?\s*:?$",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});
static PLAN_ROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\d{1,2})\.\s*(\p{L}{3,9})(?:\.\s*|\s+|$)(?:(\d{4})(?:\s+|$))?(.*)$")
        .unwrap_or_else(|e| panic!("{e}"))
});

#[derive(Clone, Debug, PartialEq)]
enum Heading {
    Route,
    Case,
    Economy,
    Recommendation,
    Decision {
        body: Option<String>,
        date: Option<String>,
    },
    Attachments,
    Other(String),
}

fn heading(t: &str) -> Option<Heading> {
    let t = t.trim().trim_end_matches(':').trim();
    // Headings are short; most lines are not, and need no further look.
    if t.is_empty() || t.len() > 160 {
        return None;
    }
    // Only a decision heading ("Beslutning i <udvalg> den <dato>") is longer than the
    // longest section name (43 characters).
    if t.len() > 60 && !t.starts_with(['B', 'b']) {
        return None;
    }
    if t.split_whitespace().nth(7).is_some() {
        return None;
    }
    let lower = t.to_lowercase();
    let h = match lower.as_str() {
        "sagsgang" => Heading::Route,
        "sagsfremstilling" | "sagsbeskrivelse" | "resumé" | "resume" | "baggrund" => Heading::Case,
        "økonomiske konsekvenser"
        | "økonomi og finansiering"
        | "bevillingsmæssige konsekvenser"
        | "økonomiske og personalemæssige konsekvenser"
        | "økonomiske forhold" => Heading::Economy,
        "indstilling" | "forslag til beslutning" | "administrationens indstilling" => {
            Heading::Recommendation
        }
        "bilag" => Heading::Attachments,
        "lovgrundlag"
        | "høring"
        | "tidligere beslutninger"
        | "kommunikation"
        | "beslutningskompetence"
        | "personalemæssige konsekvenser"
        | "miljømæssige konsekvenser"
        | "sagens tidligere behandling"
        | "supplerende sagsfremstilling"
        | "retsgrundlag"
        | "vurdering"
        | "juridiske konsekvenser" => Heading::Other(t.to_string()),
        _ => {
            if !lower.starts_with("beslutning") {
                return None;
            }
            let c = DECISION.captures(t)?;
            Heading::Decision {
                body: c.name("body").map(|m| m.as_str().trim().to_string()),
                date: c.name("date").map(|m| m.as_str().trim().to_string()),
            }
        }
    };
    Some(h)
}

fn is_back_matter(t: &str) -> bool {
    let t = t.trim();
    if !(t.starts_with(['B', 'b', 'U', 'u'])) || t.len() > 40 {
        return false;
    }
    let lower = t.to_lowercase();
    lower.starts_with("bilagsoversigt")
        || matches!(lower.as_str(), "underskriftsside" | "underskrifter")
}

/// "Åben sag" / "Lukket sag" (checked cheaply before the pattern).
fn is_access_line(t: &str) -> bool {
    t.starts_with(['Å', 'å', 'L', 'l']) && ACCESS_LINE.is_match(t)
}

/// Indices of lines that start an item: a title followed by "Åben sag"/"Lukket sag".
fn item_starts(lines: &[Line]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev: Option<usize> = None; // the last non-blank line
    for (j, l) in lines.iter().enumerate() {
        let t = l.trimmed();
        if t.is_empty() {
            continue;
        }
        if is_access_line(t)
            && let Some(i) = prev
        {
            let title = lines[i].trimmed();
            if !is_access_line(title) && heading(title).is_none() && title.chars().count() <= 250 {
                // A long numbered title may wrap onto this line.
                let start = if !NUMBERED.is_match(title)
                    && i > 0
                    && NUMBERED.is_match(lines[i - 1].trimmed())
                {
                    i - 1
                } else {
                    i
                };
                out.push(start);
            }
        }
        prev = Some(j);
    }
    out
}

struct Sections {
    route: Vec<Line>,
    parts: Vec<(Heading, Vec<Line>)>,
}

fn split_sections(lines: &[Line]) -> Sections {
    let mut route = Vec::new();
    let mut parts: Vec<(Heading, Vec<Line>)> = vec![(Heading::Case, Vec::new())];
    let mut in_route = false;
    for l in lines {
        if let Some(h) = heading(l.trimmed()) {
            in_route = h == Heading::Route;
            if !in_route {
                parts.push((h, Vec::new()));
            }
            continue;
        }
        if in_route {
            route.push(l.clone());
        } else if let Some((_, v)) = parts.last_mut() {
            v.push(l.clone());
        }
    }
    Sections { route, parts }
}

/// Route codes from the first line of "Sagsgang" ("ØK, KB"; "BUU/ØK/KB"); the remaining
/// lines are returned for other use.
fn route(lines: &[Line]) -> (Vec<String>, Vec<Line>) {
    let Some(first) = lines.iter().position(|l| !l.is_blank()) else {
        return (Vec::new(), Vec::new());
    };
    let codes: Vec<String> = lines[first]
        .trimmed()
        .split(|c: char| c == ',' || c == '/' || c == '→' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let all_codes = !codes.is_empty()
        && codes
            .iter()
            .all(|c| c.parse::<protokol_core::BodyCode>().is_ok());
    if all_codes {
        (codes, lines[first + 1..].to_vec())
    } else {
        (Vec::new(), lines.to_vec())
    }
}

/// Takes a forward plan table ("Dato" followed by rows "13. Sep." and their topics) out of
/// `lines`.
fn take_forward_plan(lines: &mut Vec<Line>, meeting_date: NaiveDate) -> Vec<ForwardPlanEntry> {
    let Some(mut start) = lines.iter().position(|l| is_plan_header(l.trimmed())) else {
        return Vec::new();
    };
    let mut plan: Vec<ForwardPlanEntry> = Vec::new();
    let mut end = start + 1;
    while end < lines.len() {
        let l = &lines[end];
        let t = l.trimmed();
        // Blank lines, and the header repeated where the table runs over a page break.
        if t.is_empty() || is_plan_header(t) {
            end += 1;
            continue;
        }
        // The list of topics without a date follows the table.
        if t.contains("fventer") && loose(t).starts_with("punkter som afventer dato") {
            break;
        }
        if let Some(c) = PLAN_ROW.captures(t)
            && let Some(month) = month_number(&c[2])
            && let Some(date) = resolve(
                c[1].parse().unwrap_or(0),
                month,
                c.get(3).and_then(|y| y.as_str().parse().ok()),
                meeting_date,
            )
        {
            let mut topics = Vec::new();
            let rest = c[4].trim();
            if !rest.is_empty() {
                topics.push(list_item(rest).unwrap_or(rest).to_string());
            }
            plan.push(ForwardPlanEntry { date, topics });
        } else if let Some(entry) = plan.last_mut() {
            match list_item(t) {
                Some(topic) => entry.topics.push(topic.to_string()),
                None => match entry.topics.last_mut() {
                    Some(last) => *last = join_broken(last, t),
                    None => entry.topics.push(t.to_string()),
                },
            }
        } else {
            break;
        }
        end += 1;
    }
    if plan.is_empty() {
        return plan;
    }
    // The table's caption ("Punkter til kommende møder") on the line before its header.
    if let Some(prev) = lines[..start].iter().rposition(|l| !l.is_blank())
        && lines[prev]
            .trimmed()
            .to_lowercase()
            .starts_with("punkter til ")
        && !lines[prev].trimmed().ends_with('.')
    {
        start = prev;
    }
    lines.drain(start..end);
    plan
}

/// The header of a forward-plan table: "Dato", or "Dato" and the name of the topics column.
fn is_plan_header(t: &str) -> bool {
    let mut words = t.split_whitespace();
    words.next().is_some_and(|w| w.eq_ignore_ascii_case("dato"))
        && words.next().is_none_or(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "punkter" | "punkt" | "emner" | "emne"
            )
        })
        && words.next().is_none()
}

/// Takes the list under "Punkter som afventer dato:" out of `lines`.
fn take_awaiting(lines: &mut Vec<Line>) -> Vec<String> {
    let Some(start) = lines.iter().position(|l| {
        l.text.contains("fventer") && loose(l.trimmed()).starts_with("punkter som afventer dato")
    }) else {
        return Vec::new();
    };
    let mut topics: Vec<String> = Vec::new();
    let mut end = start + 1;
    while end < lines.len() {
        let t = lines[end].trimmed();
        if t.is_empty() {
            end += 1;
            continue;
        }
        match list_item(t) {
            Some(topic) => topics.push(topic.to_string()),
            None if !topics.is_empty() && t.chars().next().is_some_and(char::is_lowercase) => {
                if let Some(last) = topics.last_mut() {
                    *last = join_broken(last, t);
                }
            }
            None => break,
        }
        end += 1;
    }
    lines.drain(start..end);
    topics
}

struct Context<'a> {
    body_name: &'a str,
    date: NaiveDate,
    flow: Flow,
}

struct ItemResult {
    item: Item,
    has_decision: bool,
    forward_plan: Vec<ForwardPlanEntry>,
    awaiting: Vec<String>,
}

fn opt(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

fn append(target: &mut Option<String>, heading: Option<&str>, text: String) {
    if text.trim().is_empty() {
        return;
    }
    let block = match heading {
        Some(h) => format!("{h}\n\n{text}"),
        None => text,
    };
    *target = Some(match target.take() {
        Some(t) => format!("{t}\n\n{block}"),
        None => block,
    });
}

fn parse_item(lines: &[Line], ctx: &Context, warnings: &mut Vec<Warning>) -> ItemResult {
    let mut idx = 0;
    let mut title_parts: Vec<&str> = Vec::new();
    while idx < lines.len() && !ACCESS_LINE.is_match(lines[idx].trimmed()) {
        if !lines[idx].is_blank() {
            title_parts.push(lines[idx].trimmed());
        }
        idx += 1;
    }
    let title_line = title_parts
        .iter()
        .fold(String::new(), |acc, p| join_broken(&acc, p));
    let access = match lines.get(idx) {
        Some(l) if l.trimmed().to_lowercase().starts_with("lukket") => Access::Closed,
        _ => Access::Open,
    };
    let (number, title) = match NUMBERED.captures(&title_line) {
        Some(c) => (c[1].parse().ok(), c[2].trim().to_string()),
        None => (None, title_line.trim().to_string()),
    };
    let mut item = Item::new(number, title);
    item.access = access;
    if access == Access::Closed {
        // A published document shows what the public may see of a closed item.
        item.public_title = Some(item.title.clone());
    }

    let sections = split_sections(lines.get(idx + 1..).unwrap_or(&[]));
    let (codes, mut route_rest) = route(&sections.route);
    item.route = codes;
    let mut forward_plan = take_forward_plan(&mut route_rest, ctx.date);
    let mut awaiting = Vec::new();
    let mut case: Option<String> = None;
    append(&mut case, None, ctx.flow.reflow(&route_rest));

    let mut decisions: Vec<(Option<String>, Option<String>, Vec<Line>)> = Vec::new();
    let mut has_decision = false;
    for (h, mut body) in sections.parts {
        if forward_plan.is_empty() {
            forward_plan = take_forward_plan(&mut body, ctx.date);
        }
        if awaiting.is_empty() {
            awaiting = take_awaiting(&mut body);
        }
        match h {
            Heading::Case => match body.iter().position(|l| is_table_header(l.trimmed())) {
                Some(t) => {
                    append(&mut case, None, ctx.flow.reflow(&body[..t]));
                    item.schedule.extend(parse_table(&body[t + 1..], ctx.flow));
                }
                None => append(&mut case, None, ctx.flow.reflow(&body)),
            },
            Heading::Economy => append(&mut item.economy, None, ctx.flow.reflow(&body)),
            Heading::Recommendation => {
                append(&mut item.recommendation, None, ctx.flow.reflow(&body))
            }
            Heading::Attachments => item.attachments.extend(attachments::parse(&body, warnings)),
            Heading::Other(name) => append(&mut case, Some(&name), ctx.flow.reflow(&body)),
            Heading::Decision { body: b, date } => {
                has_decision = true;
                decisions.push((b, date, body));
            }
            Heading::Route => {}
        }
    }

    // The decision of this meeting's body; earlier bodies' decisions stay with the case.
    let ours = decisions
        .iter()
        .rposition(|(b, d, _)| {
            b.as_deref()
                .is_some_and(|b| b.eq_ignore_ascii_case(ctx.body_name))
                || d.as_deref().and_then(find_date).and_then(Result::ok) == Some(ctx.date)
        })
        .or(decisions.len().checked_sub(1));
    for (k, (b, d, body)) in decisions.into_iter().enumerate() {
        let text = ctx.flow.reflow(&body);
        if Some(k) == ours {
            item.decision_date = d
                .as_deref()
                .and_then(find_date)
                .and_then(Result::ok)
                .or(Some(ctx.date));
            if item.schedule.is_empty() {
                item.decision = opt(text);
            } else {
                item.decision = assign_decisions(&body, &mut item.schedule, ctx.flow);
            }
        } else {
            let head = format!(
                "Beslutning{}{}",
                b.map(|b| format!(" i {b}")).unwrap_or_default(),
                d.map(|d| format!(" den {d}")).unwrap_or_default()
            );
            append(&mut case, Some(&head), text);
        }
    }
    item.case = case;

    // Facts stated on their own lines ("Deltagere: …") leave the sections they stand in.
    let mut stated = Stated::default();
    for text in [
        &mut item.case,
        &mut item.economy,
        &mut item.recommendation,
        &mut item.decision,
    ] {
        stated.extend(stated::take(text, ctx.date));
    }
    item.votes = std::mem::take(&mut stated.votes);
    item.dissents = std::mem::take(&mut stated.dissents);
    item.absent = std::mem::take(&mut stated.absent);
    item.disqualified = std::mem::take(&mut stated.disqualified);
    if access == Access::Closed {
        item.public_decision = item.decision.clone();
    }
    let own_text = [item.case.as_deref(), item.decision.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
    let own = sentences(&own_text);
    item.participants = participants_in(&own);
    item.followups = followups(item.decision.as_deref().unwrap_or(""));
    item.next = next_steps_in(&own, ctx.date);
    stated.merge_into(&mut item.participants, &mut item.followups, &mut item.next);
    for sp in &mut item.schedule {
        fill_sub_point(sp, ctx.date);
    }
    dedupe_attachments(&mut item, warnings, lines.first().map_or(0, |l| l.no));
    ItemResult {
        item,
        has_decision,
        forward_plan,
        awaiting,
    }
}

fn fill_sub_point(sp: &mut SubPoint, date: NaiveDate) {
    let mut stated = stated::take(&mut sp.text, date);
    stated.extend(stated::take(&mut sp.decision, date));
    let text = sentences(sp.text.as_deref().unwrap_or(""));
    let decision = sentences(sp.decision.as_deref().unwrap_or(""));
    let mut all = sentences(&sp.title);
    all.extend(text.iter().cloned());
    all.extend(decision.iter().cloned());
    sp.participants = participants_in(&all);
    let mut f = followups_in(&text);
    f.extend(followups_in(&decision));
    sp.followups = f;
    sp.next = next_steps_in(&all, date);
    stated.merge_into(&mut sp.participants, &mut sp.followups, &mut sp.next);
}

fn dedupe_attachments(item: &mut Item, warnings: &mut Vec<Warning>, line: usize) {
    let mut seen = std::collections::HashSet::new();
    item.attachments.retain(|a| {
        let fresh = a.number > 0 && seen.insert(a.number);
        if !fresh {
            warnings.push(Warning {
                line,
                message: format!(
                    "item {:?}: attachment number {} listed twice; the second was left out",
                    item.title, a.number
                ),
            });
        }
        fresh
    });
}

/// Reads one document.
pub fn parse_document(raw: &str, source: &str) -> Result<Parsed, ParseError> {
    if raw.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let lines = normalize(raw);
    let header = lines
        .iter()
        .filter(|l| !l.is_blank())
        .take(6)
        .find_map(|l| running_header(&l.text).map(|h| (l.no, h)));
    let lines = remove_page_furniture(lines);
    let keyword = lines
        .iter()
        .filter(|l| !l.is_blank())
        .take(40)
        .position(|l| kind_keyword(&l.text).is_some());
    let starts = item_starts(&lines);
    let mut warnings = Vec::new();

    let (layout, body_name, date, mut kind, mut meeting_front) = if keyword.is_some() {
        let front_end = lines
            .iter()
            .position(|l| {
                l.text.contains("ndholdsfortegnelse")
                    && loose(l.trimmed()).starts_with("indholdsfortegnelse")
            })
            .into_iter()
            .chain(starts.first().copied())
            .min()
            .unwrap_or(lines.len());
        let f = front::parse(&lines[..front_end], &mut warnings);
        let line = f.date_line;
        let date = match f.date.clone() {
            Some(Ok(d)) => d,
            Some(Err(bad)) => return Err(ParseError::BadDate { line, text: bad.0 }),
            None => {
                return Err(ParseError::NoDate {
                    line: lines.first().map_or(1, |l| l.no),
                });
            }
        };
        let body = f
            .body
            .clone()
            .unwrap_or_else(|| "Ukendt udvalg".to_string());
        (Layout::FullDocument, body, date, f.kind, Some(f))
    } else if let Some((line, (name, date_text))) = header {
        let date = match find_date(&date_text) {
            Some(Ok(d)) => d,
            _ => {
                return Err(ParseError::BadDate {
                    line,
                    text: date_text,
                });
            }
        };
        (Layout::ItemExtract, name, date, None, None)
    } else {
        return Err(ParseError::NotAMeeting);
    };
    if starts.is_empty() {
        return Err(ParseError::NoItems);
    }

    let ctx = Context {
        body_name: &body_name,
        date,
        flow: Flow::of(&lines),
    };
    let mut items = Vec::new();
    let mut forward_plan = Vec::new();
    let mut awaiting_date = Vec::new();
    let mut any_decision = false;
    let mut back_start = lines.len();
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).copied().unwrap_or(lines.len());
        if let Some(b) = (s..end).find(|&j| is_back_matter(lines[j].trimmed())) {
            end = b;
            back_start = back_start.min(b);
        }
        let r = parse_item(&lines[s..end], &ctx, &mut warnings);
        any_decision |= r.has_decision;
        if forward_plan.is_empty() {
            forward_plan = r.forward_plan;
        }
        awaiting_date.extend(r.awaiting);
        items.push(r.item);
    }

    // The attachment overview at the end fills items that list no attachments themselves.
    if back_start < lines.len() {
        let titles: Vec<String> = items.iter().map(|i| i.title.clone()).collect();
        for (title, atts) in attachments::parse_overview(&lines[back_start..], &titles) {
            if let Some(item) = items
                .iter_mut()
                .find(|i| i.title == title && i.attachments.is_empty())
            {
                item.attachments = atts;
            }
        }
    }

    if kind.is_none() {
        kind = Some(if any_decision {
            MeetingKind::Minutes
        } else {
            MeetingKind::Agenda
        });
    }
    crate::unnumber_repeats(&mut items, &mut warnings);

    let code = body_code(&items, &body_name);
    let mut meeting = Meeting::new(
        BodyRef {
            name: body_name.clone(),
            code,
        },
        kind.unwrap_or(MeetingKind::Agenda),
        date,
    );
    meeting.schema = SchemaTag;
    if let Some(f) = meeting_front.take() {
        meeting.location = f.location;
        meeting.start = f.start;
        meeting.end = f.end;
        meeting.members = f.members;
        meeting.absent = f.absent;
    }
    meeting.items = items;
    meeting.forward_plan = forward_plan;
    meeting.awaiting_date = awaiting_date;
    crate::finish(meeting, source, layout, warnings, crate::Confidence::High)
}

/// The body's code: the one code every item's route shares (DIR for Direktionen's items,
/// KB for the council's "ØK, KB"), else a code derived from the name.
fn body_code(items: &[Item], name: &str) -> protokol_core::BodyCode {
    let mut common: Option<Vec<String>> = None;
    for i in items.iter().filter(|i| !i.route.is_empty()) {
        common = Some(match common {
            None => i.route.clone(),
            Some(c) => c.into_iter().filter(|x| i.route.contains(x)).collect(),
        });
    }
    let derived = match common.as_deref() {
        Some([only]) => only.clone(),
        Some(several) if several.len() > 1 && several.contains(&code_for(name)) => code_for(name),
        _ => code_for(name),
    };
    derived
        .parse()
        .or_else(|_| code_for(name).parse())
        .unwrap_or_else(|_| "UDV".parse().unwrap_or_else(|e| panic!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_headings_name_body_and_date() {
        assert_eq!(
            heading("Beslutning i Direktionen den 06-09-2023"),
            Some(Heading::Decision {
                body: Some("Direktionen".into()),
                date: Some("06-09-2023".into())
            })
        );
        assert_eq!(
            heading("Beslutning"),
            Some(Heading::Decision {
                body: None,
                date: None
            })
        );
        assert_eq!(heading("Sagsfremstilling "), Some(Heading::Case));
        assert_eq!(heading("Beslutningsprotokoller og dagsordener"), None);
    }
}
