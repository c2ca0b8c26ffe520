//! Attachment lists ("Bilag:") in the layouts published documents use:
//! - "N - DOCID Åben TITLE (JOURNAL) (H)" / "N - Lukket TITLE () ()", wrapped over lines;
//! - tab-separated rows "N<TAB>Åben<TAB>TITLE<TAB>JOURNAL";
//! - the overview at the end, "N. TITLE (JOURNAL)" or "N. (Lukket bilag)".

use std::sync::LazyLock;

use protokol_core::{Access, Attachment};
use regex::Regex;

use crate::Warning;
use crate::text::{Line, collapse_spaces, join_broken};

/// The title given to a closed attachment whose title the document withholds.
pub const WITHHELD_TITLE: &str = "Lukket bilag";

static ENTRY_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,3})\s*-\s*").unwrap_or_else(|e| panic!("{e}")));
static OVERVIEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?P<no>\d{1,3})\.\s+(?P<title>.*?)\s*(?:\((?P<journal>\d+/\d+)\))?\s*$")
        .unwrap_or_else(|e| panic!("{e}"))
});

fn access(word: &str) -> Access {
    if word.eq_ignore_ascii_case("lukket") {
        Access::Closed
    } else {
        Access::Open
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

static COLUMNS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?P<no>\d{1,3})\s{2,}(?P<access>Åben|Lukket)\b(?:\s{2,}(?P<title>.*?))?(?:\s{2,}(?P<doc>\d{4,}))?(?:\s{2,}(?P<journal>\d+/\d{2,4}))?\s*$")
        .unwrap_or_else(|e| panic!("{e}"))
});
static COLUMN_GAP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s{2,}").unwrap_or_else(|e| panic!("{e}")));
static JOURNAL_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d+/\d{2,4})\s*$").unwrap_or_else(|e| panic!("{e}")));

/// Parses the lines of a "Bilag:" section.
pub fn parse(lines: &[Line], warnings: &mut Vec<Warning>) -> Vec<Attachment> {
    // A table's header row ("Nr.  Adgang  Titel  Dok.nr.  J.nr.") names the columns the
    // rows below already show; it carries no attachment.
    let text_lines: Vec<&Line> = lines
        .iter()
        .filter(|l| !l.is_blank() && !is_header_row(l.trimmed()))
        .collect();
    if text_lines.iter().any(|l| l.text.matches('\t').count() >= 2) {
        return parse_tabbed(&text_lines, warnings);
    }
    if text_lines
        .first()
        .is_some_and(|l| COLUMNS.is_match(&l.text))
    {
        return parse_columns(&text_lines, warnings);
    }
    // Group wrapped lines into entries, each starting with "N -".
    let mut entries: Vec<(usize, String)> = Vec::new();
    for l in text_lines {
        let t = l.trimmed();
        if ENTRY_START.is_match(t) {
            entries.push((l.no, t.to_string()));
        } else if let Some((_, e)) = entries.last_mut() {
            *e = join_broken(e, t);
        } else {
            warnings.push(Warning {
                line: l.no,
                message: format!("attachment line not understood: {t:?}"),
            });
        }
    }
    let mut out = Vec::new();
    for (no, e) in entries {
        let e = collapse_spaces(&e);
        match entry(&e) {
            Some(a) => out.push(a),
            None => warnings.push(Warning {
                line: no,
                message: format!("attachment not understood: {e:?}"),
            }),
        }
    }
    out
}

/// Whether a line is a table header naming the columns: it begins "Nr." (or "Nr") and
/// names the access column.
fn is_header_row(t: &str) -> bool {
    let mut words = t.split_whitespace();
    matches!(words.next(), Some("Nr." | "Nr" | "Nummer"))
        && words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("adgang"))
}

/// One entry "N - [DOCID] Åben|Lukket TITLE [(JOURNAL) (X)]", read from both ends.
fn entry(e: &str) -> Option<Attachment> {
    let (no, rest) = e.split_once('-')?;
    let number: u32 = no.trim().parse().ok()?;
    let mut rest = rest.trim_start();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let doc_id = if digits >= 4 {
        let d = rest[..digits].to_string();
        rest = rest[digits..].trim_start();
        Some(d)
    } else {
        None
    };
    let (word, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    let acc = match word.to_lowercase().as_str() {
        "åben" => Access::Open,
        "lukket" => Access::Closed,
        _ => return None,
    };
    // "(JOURNAL) (H)" or "() ()" at the end.
    let mut title = tail.trim();
    let mut journal = None;
    if let Some(last) = title
        .strip_suffix(')')
        .and_then(|t| t.rfind('(').map(|k| (k, t)))
    {
        let (k, t) = last;
        let before = t[..k].trim_end();
        if let Some(j) = before
            .strip_suffix(')')
            .and_then(|b| b.rfind('(').map(|m| (m, b)))
        {
            let (m, b) = j;
            if !b[m + 1..].contains(['(', ')']) && !t[k + 1..].contains(['(', ')']) {
                journal = non_empty(Some(&b[m + 1..]));
                title = b[..m].trim_end();
            }
        }
    }
    Some(Attachment {
        id: None,
        number,
        title: non_empty(Some(title)).unwrap_or_else(|| WITHHELD_TITLE.to_string()),
        access: acc,
        doc_id,
        journal,
        file: None,
    })
}

/// Rows laid out in columns by spaces (a table as `pdftotext -layout` renders it):
/// "1    Åben    TITLE    91141/23", a wrapped title or a journal number on the next line.
fn parse_columns(lines: &[&Line], warnings: &mut Vec<Warning>) -> Vec<Attachment> {
    let mut out: Vec<Attachment> = Vec::new();
    for l in lines {
        if let Some(c) = COLUMNS.captures(&l.text) {
            out.push(Attachment {
                id: None,
                number: c["no"].parse().unwrap_or(0),
                title: non_empty(c.name("title").map(|m| m.as_str()))
                    .unwrap_or_else(|| WITHHELD_TITLE.to_string()),
                access: access(&c["access"]),
                doc_id: non_empty(c.name("doc").map(|m| m.as_str())),
                journal: non_empty(c.name("journal").map(|m| m.as_str())),
                file: None,
            });
            continue;
        }
        // A wrapped row: more title, and perhaps the journal number in its column.
        let cells: Vec<&str> = COLUMN_GAP.split(l.trimmed()).collect();
        let (text, journal) = match cells.split_last() {
            Some((last, rest)) if JOURNAL_ONLY.is_match(last) => {
                (rest.join(" "), Some(last.trim().to_string()))
            }
            _ => (cells.join(" "), None),
        };
        match out.last_mut() {
            Some(a) if a.title != WITHHELD_TITLE || text.is_empty() => {
                if !text.is_empty() {
                    a.title = join_broken(&a.title, &text);
                }
                if a.journal.is_none() {
                    a.journal = journal;
                }
            }
            _ => warnings.push(Warning {
                line: l.no,
                message: format!("attachment row not understood: {:?}", l.trimmed()),
            }),
        }
    }
    out
}

fn parse_tabbed(lines: &[&Line], warnings: &mut Vec<Warning>) -> Vec<Attachment> {
    let mut out = Vec::new();
    for l in lines {
        let cells: Vec<&str> = l.text.split('\t').map(str::trim).collect();
        let number = cells.first().and_then(|c| c.parse::<u32>().ok());
        let acc = cells
            .get(1)
            .filter(|c| matches!(c.to_lowercase().as_str(), "åben" | "lukket"));
        match (number, acc) {
            (Some(number), Some(acc)) => out.push(Attachment {
                id: None,
                number,
                title: non_empty(cells.get(2).copied())
                    .unwrap_or_else(|| WITHHELD_TITLE.to_string()),
                access: access(acc),
                doc_id: None,
                journal: non_empty(cells.get(3).copied()),
                file: None,
            }),
            _ => warnings.push(Warning {
                line: l.no,
                message: format!("attachment row not understood: {:?}", l.trimmed()),
            }),
        }
    }
    out
}

/// "2847563 - Lokalplan 123", "Bilag 2: Notat", "1. Kort.pdf", "- Høringssvar (lukket)".
static LIST_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:[-•·*]\s*)?(?:bilag\s*)?(?:(\d{1,3})\s*[.):]\s*|(\d{1,3})\s+[-–]\s+)?(?:(\d{5,}(?:[-/]\d+)*)\s*[-–]\s*)?(.+?)\s*$",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});
/// A file name's extension, left out of a title.
static FILE_EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\.(pdf|docx?|xlsx?|pptx?|msg|txt|jpe?g|png|tiff?)$")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Reads an attachment list in the forms publishing systems print it — the seeds' "N -
/// DOCID Åben TITLE (JOURNAL)" entries and tables first, then one attachment a line:
/// "DOKNR - Title", "Bilag 2: Title", "1. Title", "- Title", or a file name (its extension
/// left out of the title). "(lukket)" or "Lukket:" marks a closed attachment; in a closed
/// item every attachment is closed.
pub fn parse_list(
    lines: &[Line],
    closed_item: bool,
    warnings: &mut Vec<Warning>,
) -> Vec<Attachment> {
    let mut ignored = Vec::new();
    let known = parse(lines, &mut ignored);
    if !known.is_empty() {
        warnings.extend(ignored);
        return known;
    }
    let mut out: Vec<Attachment> = Vec::new();
    for l in lines.iter().filter(|l| !l.is_blank()) {
        let Some(c) = LIST_ENTRY.captures(l.trimmed()) else {
            continue;
        };
        let (closed_mark, title) = crate::sections::closed_marking(&c[4]);
        let title = FILE_EXTENSION.replace(title.trim(), "").trim().to_string();
        if title.is_empty() {
            continue;
        }
        let number = c
            .get(1)
            .or_else(|| c.get(2))
            .and_then(|n| n.as_str().parse::<u32>().ok())
            .filter(|n| *n > 0 && !out.iter().any(|a| a.number == *n))
            .unwrap_or(u32::try_from(out.len() + 1).unwrap_or(u32::MAX));
        out.push(Attachment {
            id: None,
            number,
            title,
            access: if closed_item || closed_mark {
                Access::Closed
            } else {
                Access::Open
            },
            doc_id: c.get(3).map(|d| d.as_str().to_string()),
            journal: None,
            file: None,
        });
    }
    out
}

/// Parses the attachment overview at the end of a full document: item heading lines
/// ("3. Punkter til behandling") followed by "N. TITLE (JOURNAL)" lines. Returns the
/// attachments by item title.
pub fn parse_overview(lines: &[Line], item_titles: &[String]) -> Vec<(String, Vec<Attachment>)> {
    let mut out: Vec<(String, Vec<Attachment>)> = Vec::new();
    for l in lines.iter().filter(|l| !l.is_blank()) {
        let t = l.trimmed();
        let heading = item_titles.iter().find(|title| {
            t.strip_prefix(|c: char| c.is_ascii_digit())
                .map(|r| {
                    r.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                        .trim()
                })
                .is_some_and(|r| r == title.as_str())
        });
        if let Some(title) = heading {
            out.push((title.clone(), Vec::new()));
            continue;
        }
        let (Some((_, list)), Some(c)) = (out.last_mut(), OVERVIEW.captures(t)) else {
            continue;
        };
        let title = c["title"].trim();
        let closed = title.eq_ignore_ascii_case("(lukket bilag)");
        list.push(Attachment {
            id: None,
            number: c["no"].parse().unwrap_or(0),
            title: if closed {
                WITHHELD_TITLE.to_string()
            } else {
                title.to_string()
            },
            access: if closed { Access::Closed } else { Access::Open },
            doc_id: None,
            journal: non_empty(c.name("journal").map(|m| m.as_str())),
            file: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    #[test]
    fn wrapped_entries_with_document_and_journal_numbers() {
        let raw = "1 - \n3514050 \nÅben APV for ledere - hovedside på intra (91141/23) (H) \n4 - \n3514054 \nÅben Skema 2 prioritering – APV for ledere BFA \nskemametoden \n(91145/23) (H) \n9 -  Lukket Bilag 3 - opsummering af erfaringer fra STAR-\nprojekter \n() () \n10 -  Lukket Bilag 4 - Inspiration tilsygefraværsindsatsen i 45 kommuner (STAR) () ()\n";
        let mut w = Vec::new();
        let a = parse(&normalize(raw), &mut w);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(a.len(), 4);
        assert_eq!(
            (a[0].number, a[0].doc_id.as_deref(), a[0].journal.as_deref()),
            (1, Some("3514050"), Some("91141/23"))
        );
        assert_eq!(a[0].title, "APV for ledere - hovedside på intra");
        assert_eq!(
            a[1].title,
            "Skema 2 prioritering – APV for ledere BFA skemametoden"
        );
        assert_eq!(
            (a[2].title.as_str(), a[2].access, a[2].journal.as_deref()),
            (
                "Bilag 3 - opsummering af erfaringer fra STAR-projekter",
                Access::Closed,
                None
            )
        );
        assert_eq!(
            a[3].title,
            "Bilag 4 - Inspiration tilsygefraværsindsatsen i 45 kommuner (STAR)"
        );
    }

    #[test]
    fn space_aligned_columns_with_wrapped_rows() {
        let raw = "1        Åben      APV for ledere - hovedside på intra                  91141/23\n4      Åben       Skema 2 prioritering – APV for ledere BFA\n                   skemametoden              91145/23\n7      Lukket\n";
        let mut w = Vec::new();
        let a = parse(&normalize(raw), &mut w);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            (a[0].number, a[0].title.as_str(), a[0].journal.as_deref()),
            (1, "APV for ledere - hovedside på intra", Some("91141/23"))
        );
        assert_eq!(
            (a[1].title.as_str(), a[1].journal.as_deref()),
            (
                "Skema 2 prioritering – APV for ledere BFA skemametoden",
                Some("91145/23")
            )
        );
        assert_eq!(
            (a[2].title.as_str(), a[2].access),
            (WITHHELD_TITLE, Access::Closed)
        );
    }

    #[test]
    fn column_table_with_header_and_document_numbers() {
        let raw = "Nr.    Adgang     Titel                         Dok.nr.    J.nr.\n1      Åben       APV for ledere                3514050    91141/23\n7      Lukket     Indstilling om sygefravær DIR 6 sep\n                  2023\n8      Åben       Notat                                    12/2024\n";
        let mut w = Vec::new();
        let a = parse(&normalize(raw), &mut w);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(a.len(), 3);
        assert_eq!(
            (
                a[0].title.as_str(),
                a[0].doc_id.as_deref(),
                a[0].journal.as_deref()
            ),
            ("APV for ledere", Some("3514050"), Some("91141/23"))
        );
        assert_eq!(
            (a[1].title.as_str(), a[1].access),
            ("Indstilling om sygefravær DIR 6 sep 2023", Access::Closed)
        );
        assert_eq!(
            (a[2].doc_id.as_deref(), a[2].journal.as_deref()),
            (None, Some("12/2024"))
        );
    }

    #[test]
    fn tabbed_rows_with_withheld_titles() {
        let raw = "1\tÅben\tAPV for ledere - hovedside på intra\t91141/23\n7\tLukket\t\t\n";
        let a = parse(&normalize(raw), &mut Vec::new());
        assert_eq!(
            (a[0].title.as_str(), a[0].journal.as_deref()),
            ("APV for ledere - hovedside på intra", Some("91141/23"))
        );
        assert_eq!(
            (a[1].title.as_str(), a[1].access),
            (WITHHELD_TITLE, Access::Closed)
        );
    }
}
