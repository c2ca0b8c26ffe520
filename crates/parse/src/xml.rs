//! Small helpers for reading ESDH XML exports with roxmltree: elements by local name (so
//! namespaced exports such as eDoc's `edoc:` read the same), text with whitespace collapsed,
//! yes/no flags and the date-time forms the exports write.

use chrono::NaiveDateTime;
use protokol_core::ClockTime;
use roxmltree::Node;

/// The first child element with this local name.
pub(crate) fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The child elements with this local name.
pub(crate) fn children<'a, 'i>(
    n: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// The element at a path of local names below `n`.
pub(crate) fn at<'a, 'i>(n: Node<'a, 'i>, path: &[&str]) -> Option<Node<'a, 'i>> {
    path.iter().try_fold(n, |n, name| child(n, name))
}

/// The text of an element (its CDATA included), whitespace collapsed; `None` when empty.
pub(crate) fn text(n: Option<Node>) -> Option<String> {
    let n = n?;
    let mut s = String::new();
    for d in n.descendants().filter(|d| d.is_text()) {
        s.push_str(d.text().unwrap_or(""));
        s.push(' ');
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The raw text of an element (HTML content keeps its markup).
pub(crate) fn raw(n: Option<Node>) -> Option<String> {
    let n = n?;
    let s: String = n
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    (!s.trim().is_empty()).then_some(s)
}

/// "true", "1", "ja" and their opposites.
pub(crate) fn yes(s: Option<String>) -> Option<bool> {
    match s?.to_lowercase().as_str() {
        "true" | "1" | "ja" => Some(true),
        "false" | "0" | "nej" => Some(false),
        _ => None,
    }
}

/// "15-05-2013 16:30:00", "02-05-2017 10:00", "2013-05-15T16:30:00".
pub(crate) fn moment(s: Option<String>) -> Option<NaiveDateTime> {
    let s = s?;
    [
        "%d-%m-%Y %H:%M:%S",
        "%d-%m-%Y %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok())
}

/// The meeting's start from the element at `path` (named in errors): the moment and its
/// date, which must be one protokol can hold.
pub(crate) fn meeting_start(
    written: Option<String>,
    path: &str,
) -> Result<(NaiveDateTime, chrono::NaiveDate), crate::ParseError> {
    use crate::ParseError;
    let begin = moment(written.clone()).ok_or_else(|| {
        ParseError::Source(match &written {
            Some(w) => format!("the meeting time {w:?} ({path}) is not a date"),
            None => format!("the meeting has no time ({path})"),
        })
    })?;
    let date = protokol_core::time::check_date_range(begin.date())
        .map_err(|e| ParseError::Source(format!("{path}: {e}")))?;
    Ok((begin, date))
}

pub(crate) fn clock(t: NaiveDateTime) -> Option<ClockTime> {
    use chrono::Timelike;
    ClockTime::from_hm(t.hour(), t.minute())
}

/// "FORRETNINGSUDVALGET" → "Forretningsudvalget"; other names as written.
pub(crate) fn name_case(s: &str) -> String {
    if s.chars().any(char::is_lowercase) {
        return s.to_string();
    }
    let lower = s.to_lowercase();
    let mut c = lower.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Parses XML; roxmltree refuses DTDs, so no entity is ever expanded or fetched.
pub(crate) fn parse(xml: &str) -> Result<roxmltree::Document<'_>, crate::ParseError> {
    roxmltree::Document::parse(xml).map_err(|e| crate::ParseError::Invalid {
        line: e.pos().row as usize,
        reason: format!("not well-formed XML: {e}"),
    })
}
