//! Turning extracted document text into clean lines and paragraphs: characters and HTML
//! left-overs normalised, running page headers and footers removed, lines broken by the PDF
//! layout re-flowed into paragraphs, words hyphenated across lines joined, lists kept as
//! "- " lines.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// One line of the document, with its line number in the original file (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub no: usize,
    /// The text, trailing whitespace removed; leading whitespace kept (it carries layout).
    pub text: String,
}

impl Line {
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }

    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

static HTML_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)</?(p|ul|ol|li|br|div|span|strong|em|b|i|u|table|tr|td|th|tbody|thead)\b[^>]*>",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

static INLINE_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+-\s+(\p{Lu})").unwrap_or_else(|e| panic!("{e}")));

/// Characters PDF and word-processor exports use as list bullets.
const BULLETS: [char; 8] = [
    '\u{f0b7}', '\u{2022}', '\u{25cf}', '\u{25aa}', '\u{25a0}', '\u{f0a7}', '\u{2023}', '\u{2043}',
];

fn is_bullet(c: char) -> bool {
    BULLETS.contains(&c)
}

/// Replaces HTML tags left in the text by their layout meaning: paragraphs become blank
/// lines, list containers line breaks, list items "- ". Entities are decoded.
fn strip_html(line: &str) -> String {
    if !line.contains('<') && !line.contains('&') {
        return line.to_string();
    }
    // Inside a list, items exported inline ("<ul> - a - b") become lines of their own.
    let owned;
    let line = match line.to_ascii_lowercase().find("<ul") {
        Some(at) => {
            let (head, tail) = line.split_at(at);
            owned = format!("{head}{}", INLINE_ITEM.replace_all(tail, "\n- $1"));
            owned.as_str()
        }
        None => line,
    };
    let out = HTML_TAG.replace_all(line, |c: &regex::Captures| {
        let tag = c[0].to_ascii_lowercase();
        let closing = tag.starts_with("</");
        match &c[1].to_ascii_lowercase()[..] {
            "p" | "div" | "table" | "tr" => "\n\n".to_string(),
            "ul" | "ol" | "tbody" | "thead" => "\n".to_string(),
            "li" if !closing => "\n- ".to_string(),
            "br" => "\n".to_string(),
            "td" | "th" if !closing => "\t".to_string(),
            _ => String::new(),
        }
    });
    out.replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// Splits a run of inline bullets ("• a • b") into list lines, and turns a leading bullet
/// glyph into "- ".
fn bullets_to_dashes(line: &str) -> Vec<String> {
    let lead: String = line.chars().take_while(|c| c.is_whitespace()).collect();
    let rest = &line[lead.len()..];
    if !rest.chars().any(is_bullet) {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut parts = rest.split(is_bullet);
    if let Some(first) = parts.next()
        && !first.trim().is_empty()
    {
        out.push(format!("{lead}{}", first.trim_end()));
    }
    for p in parts {
        let p = p.trim();
        if !p.is_empty() {
            out.push(format!("{lead}- {p}"));
        }
    }
    out
}

/// Normalises the raw text of a document into lines: line endings, odd spaces, invisible
/// characters, HTML left-overs and bullet glyphs. Each output line keeps the number of the
/// input line it came from.
pub fn normalize(raw: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let text: std::borrow::Cow<str> = if raw.contains('\r') {
        raw.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        raw.into()
    };
    for (i, raw_line) in text.split('\n').enumerate() {
        let no = i + 1;
        let special = |c: char| {
            matches!(
                c,
                '\u{2060}'
                    | '\u{00ad}'
                    | '\u{200b}'
                    | '\u{feff}'
                    | '\u{00a0}'
                    | '\u{2007}'
                    | '\u{202f}'
            ) || (c.is_control() && c != '\t' && c != '\u{000c}')
        };
        // One look at the line's bytes rules out the work below for most lines: every
        // character it handles is an ASCII control, '<', '&', or starts with the byte
        // 0xC2, 0xE2 or 0xEF in UTF-8 (Danish letters start with 0xC3).
        let maybe = raw_line.bytes().fold(false, |acc, b| {
            acc | (b < 0x20 && b != b'\t') | matches!(b, b'<' | b'&' | 0x7f | 0xc2 | 0xe2 | 0xef)
        });
        if !maybe {
            out.push(Line {
                no,
                text: raw_line.trim_end().to_string(),
            });
            continue;
        }
        let (mut has_special, mut has_markup) = (false, false);
        for c in raw_line.chars() {
            if c.is_ascii() {
                has_markup |= matches!(c, '<' | '&' | '\u{000c}');
                has_special |= c.is_ascii_control() && c != '\t' && c != '\u{000c}';
            } else {
                has_special |= special(c);
                has_markup |= is_bullet(c);
            }
        }
        let cleaned: std::borrow::Cow<str> = if has_special {
            raw_line
                .chars()
                .filter(|c| !matches!(c, '\u{2060}' | '\u{00ad}' | '\u{200b}' | '\u{feff}'))
                .map(|c| match c {
                    '\u{00a0}' | '\u{2007}' | '\u{202f}' => ' ',
                    '\u{000c}' => '\u{000c}',
                    c if c.is_control() && c != '\t' => ' ',
                    c => c,
                })
                .collect::<String>()
                .into()
        } else {
            raw_line.into()
        };
        if !has_markup {
            // The common case: an ordinary line.
            out.push(Line {
                no,
                text: cleaned.trim_end().to_string(),
            });
            continue;
        }
        // A form feed marks a page break: keep it as a line of its own.
        for (k, page_part) in cleaned.split('\u{000c}').enumerate() {
            if k > 0 {
                out.push(Line {
                    no,
                    text: "\u{000c}".to_string(),
                });
            }
            // Leading whitespace (an empty table cell) stays with the first text that
            // follows, even when an HTML tag put a line break in between.
            let lead: String = page_part
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let mut lead_pending = !lead.is_empty();
            for piece in strip_html(page_part).split('\n') {
                let piece = if lead_pending && !piece.trim().is_empty() {
                    lead_pending = false;
                    if piece.starts_with([' ', '\t']) {
                        piece.to_string()
                    } else {
                        format!("{lead}{piece}")
                    }
                } else {
                    piece.to_string()
                };
                for l in bullets_to_dashes(&piece) {
                    out.push(Line {
                        no,
                        text: l.trim_end().to_string(),
                    });
                }
            }
        }
    }
    out
}

static RUNNING_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    // The name's length is checked after the match: a counted repeat of a Unicode class
    // ({2,60}) compiles into a very large automaton.
    Regex::new(r"^\s*(\p{Lu}[\p{L}\- ]+?)\s+(\d{2})-(\d{2})-(\d{4})\s*$")
        .unwrap_or_else(|e| panic!("{e}"))
});
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(side\s+)?-?\s*\d{1,4}\s*-?(\s*(af|/)\s*\d{1,4})?\s*$")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// A running page header such as "Direktionen 06-09-2023": the body's name and the
/// meeting's date. Returns (name, "DD-MM-YYYY").
pub fn running_header(line: &str) -> Option<(String, String)> {
    let c = RUNNING_HEADER.captures(line)?;
    if !(3..=61).contains(&c[1].chars().count()) {
        return None;
    }
    Some((
        c[1].trim().to_string(),
        format!("{}-{}-{}", &c[2], &c[3], &c[4]),
    ))
}

/// The shape of a line with digits blurred, to find lines that repeat on every page.
fn shape(line: &str) -> String {
    // Column gaps vary with the page's layout; the words do not.
    line.split_whitespace()
        .flat_map(|w| std::iter::once(' ').chain(w.chars()))
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Removes page furniture: running headers (body name and date), lines that repeat at the
/// top or bottom of several pages, page numbers next to page breaks, and the page-break
/// marks themselves.
pub fn remove_page_furniture(lines: Vec<Line>) -> Vec<Line> {
    // The running header of extracts: the "<name> DD-MM-YYYY" line that opens the
    // document, removed wherever it recurs (not other lines of that shape, such as
    // "Beslutning i Direktionen den 06-09-2023").
    let header: Option<String> = lines
        .iter()
        .filter(|l| !l.is_blank() && l.text != "\u{000c}")
        .take(3)
        .find(|l| running_header(&l.text).is_some())
        .map(|l| l.trimmed().to_string());
    // Lines next to page breaks that repeat (digits blurred) on two or more pages in the
    // same place: the first or second line of a page, the last or second last. A line of
    // text that happens to fall next to two breaks ("Åben sag") is at different places.
    let mut edge_shapes: HashMap<(u8, String), usize> = HashMap::new();
    let breaks: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.text == "\u{000c}")
        .map(|(i, _)| i)
        .collect();
    // (line, place): 0/1 the first/second line of a page, 2/3 the last/second last.
    let mut edges: Vec<(usize, u8)> = Vec::new();
    // The start and the end of the document are page edges too.
    edges.extend(lines.iter().position(|l| !l.is_blank()).map(|i| (i, 0)));
    edges.extend(lines.iter().rposition(|l| !l.is_blank()).map(|i| (i, 2)));
    for &b in &breaks {
        // Up to two non-blank lines before and after each break.
        edges.extend(neighbours(&lines, b, true).into_iter().zip([2, 3]));
        edges.extend(neighbours(&lines, b, false).into_iter().zip([0, 1]));
    }
    for &(i, place) in &edges {
        *edge_shapes
            .entry((place, shape(&lines[i].text)))
            .or_default() += 1;
    }
    let furniture: std::collections::HashSet<usize> = edges
        .iter()
        .filter(|&&(i, place)| {
            let s = shape(&lines[i].text);
            edge_shapes.get(&(place, s)).copied().unwrap_or(0) >= 2
                || PAGE_NUMBER.is_match(&lines[i].text)
        })
        .map(|&(i, _)| i)
        .collect();
    lines
        .into_iter()
        .enumerate()
        .filter(|(i, l)| {
            l.text != "\u{000c}" && !furniture.contains(i) && header.as_deref() != Some(l.trimmed())
        })
        .map(|(_, l)| l)
        .collect()
}

fn neighbours(lines: &[Line], at: usize, before: bool) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = at;
    while out.len() < 2 {
        if before {
            if i == 0 {
                break;
            }
            i -= 1;
        } else {
            i += 1;
            if i >= lines.len() {
                break;
            }
        }
        if lines[i].text == "\u{000c}" {
            break;
        }
        if !lines[i].is_blank() {
            out.push(i);
        }
    }
    out
}

/// How a document spaces its lines, decided once for the whole document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Flow {
    /// Every text line is followed by an empty line (see [`double_spaced`]).
    pub double: bool,
}

impl Flow {
    pub fn of(lines: &[Line]) -> Self {
        Self {
            double: double_spaced(lines),
        }
    }

    /// Re-flows lines into clean text (see [`reflow`]).
    pub fn reflow(&self, lines: &[Line]) -> String {
        reflow_blocks(blocks_with(lines, self.double))
    }
}

/// Whether the lines are "double spaced": nearly every text line followed by an empty
/// line, as some PDF extractions produce. Then a single empty line is a line break and a
/// paragraph break shows as a whitespace-only line or several empty lines.
fn double_spaced(lines: &[Line]) -> bool {
    let mut text_lines = 0;
    let mut followed_by_empty = 0;
    for w in lines.windows(2) {
        if !w[0].is_blank() {
            text_lines += 1;
            if w[1].text.is_empty() {
                followed_by_empty += 1;
            }
        }
    }
    text_lines >= 6 && followed_by_empty * 10 >= text_lines * 8
}

/// Groups lines into blocks of lines separated by paragraph breaks, understanding
/// double-spaced text.
pub fn blocks(lines: &[Line]) -> Vec<Vec<&Line>> {
    blocks_with(lines, double_spaced(lines))
}

fn blocks_with(lines: &[Line], double: bool) -> Vec<Vec<&Line>> {
    let mut out: Vec<Vec<&Line>> = Vec::new();
    let mut cur: Vec<&Line> = Vec::new();
    let mut empties = 0;
    for l in lines {
        if l.is_blank() {
            let is_break = if double {
                !l.text.is_empty() || empties >= 1
            } else {
                true
            };
            empties += 1;
            if is_break && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        empties = 0;
        cur.push(l);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn ends_sentence(s: &str) -> bool {
    s.ends_with(['.', ':', '!', '?', ';'])
}

fn starts_lower(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_lowercase())
}

/// Joins two pieces of a line broken by the layout, mending a word hyphenated across the
/// break ("op-" + "hæng" → "ophæng") but keeping compound hyphens ("STAR-" + "projekter",
/// "Børne-" + "og Unge…").
pub fn join_broken(a: &str, b: &str) -> String {
    let a = a.trim_end();
    let b = b.trim_start();
    if a.is_empty() {
        return b.to_string();
    }
    if let Some(stem) = a.strip_suffix('-')
        && !stem.ends_with(' ')
    {
        let before = stem.chars().last();
        let next_word = b.split_whitespace().next().unwrap_or("");
        if matches!(next_word, "og" | "eller" | "til" | "samt") {
            return format!("{a} {b}");
        }
        if before.is_some_and(|c| c.is_lowercase()) && starts_lower(b) {
            return format!("{stem}{b}");
        }
        return format!("{a}{b}");
    }
    format!("{a} {b}")
}

/// [`join_broken`] in place: appends `b` to `a`.
pub fn join_onto(a: &mut String, b: &str) {
    let b = b.trim_start();
    while a.ends_with(char::is_whitespace) {
        a.pop();
    }
    if a.ends_with('-') && !a[..a.len() - 1].ends_with(' ') {
        let joined = join_broken(a, b);
        *a = joined;
        return;
    }
    if !a.is_empty() {
        a.push(' ');
    }
    a.push_str(b);
}

/// Re-flows lines into clean text: paragraphs separated by one blank line, list items one
/// per line starting with "- ", lines broken by the layout joined.
pub fn reflow(lines: &[Line]) -> String {
    reflow_blocks(blocks(lines))
}

fn reflow_blocks(all: Vec<Vec<&Line>>) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut lengths: Vec<usize> = Vec::new();
    for block in all {
        lengths.clear();
        lengths.extend(block.iter().map(|l| l.trimmed().chars().count()));
        let width = lengths.iter().copied().max().unwrap_or(0);
        let mut items: Vec<(bool, String)> = Vec::new(); // (is list item, text)
        let mut prev_len = usize::MAX; // length of the line before, for "short line" checks
        for (l, &this_len) in block.iter().zip(&lengths) {
            let prev_short = prev_len < width * 3 / 4;
            prev_len = this_len;
            let t = collapse_spaces(l.trimmed());
            if let Some(rest) = list_item(&t) {
                items.push((true, rest.to_string()));
                continue;
            }
            match items.last_mut() {
                Some((is_list, prev)) => {
                    let continues = if *is_list {
                        // A list item goes on over a line break unless its line ended a
                        // sentence or stopped short of the margin, or the next starts lower case.
                        (!ends_sentence(prev) && !prev_short) || starts_lower(&t)
                    } else {
                        // A short line that ends a sentence ends its paragraph.
                        !(ends_sentence(prev) && !starts_lower(&t) && prev_short)
                    };
                    if continues {
                        join_onto(prev, &t);
                    } else {
                        items.push((false, t.into_owned()));
                    }
                }
                None => items.push((false, t.into_owned())),
            }
        }
        // Consecutive list items form one paragraph of lines; other text its own.
        let mut list: Vec<String> = Vec::new();
        for (is_list, t) in items {
            if is_list {
                list.push(format!("- {t}"));
            } else {
                if !list.is_empty() {
                    paragraphs.push(list.join("\n"));
                    list.clear();
                }
                paragraphs.push(t);
            }
        }
        if !list.is_empty() {
            paragraphs.push(list.join("\n"));
        }
    }
    paragraphs.retain(|p| !p.trim().is_empty());
    paragraphs.join("\n\n")
}

/// "- item" (or "– item") → "item".
pub fn list_item(t: &str) -> Option<&str> {
    let t = t.trim_start();
    t.strip_prefix("- ")
        .or_else(|| t.strip_prefix("– "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

pub fn collapse_spaces(s: &str) -> Cow<'_, str> {
    // Plain text (single ASCII spaces between words, no other whitespace) is returned as
    // it is. Other whitespace is ASCII or starts with the byte 0xC2 (U+0085, U+00A0),
    // 0xE1 (U+1680), 0xE2 (U+2000–U+205F) or 0xE3 (U+3000) in UTF-8.
    let b = s.as_bytes();
    let odd = b.iter().fold(false, |acc, &c| {
        acc | matches!(
            c,
            b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xc2 | 0xe1 | 0xe2 | 0xe3
        )
    });
    let plain = !odd && !s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  ");
    if plain {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    Cow::Owned(out)
}

/// Whether two strings are at least `min` similar: 1 − (Levenshtein distance ÷ the longer
/// length in characters). The comparison is skipped when the lengths alone rule it out, and
/// the distance is computed only up to the number of edits `min` allows (rapidfuzz's
/// bit-parallel algorithm with a cutoff), which matters for long sentences.
pub fn similar(a: &str, b: &str, min: f64) -> bool {
    use rapidfuzz::distance::levenshtein;
    let (la, lb) = (a.chars().count(), b.chars().count());
    let longest = la.max(lb);
    if longest == 0 {
        return true;
    }
    if (la.abs_diff(lb) as f64) / (longest as f64) > 1.0 - min {
        return false;
    }
    // One edit more than `min` allows, so rounding cannot cut off a pair that passes.
    let allowed = ((1.0 - min) * longest as f64).floor() as usize + 1;
    levenshtein::distance_with_args(
        a.chars(),
        b.chars(),
        &levenshtein::Args::default().score_cutoff(allowed),
    )
    .is_some_and(|d| 1.0 - (d as f64) / (longest as f64) >= min)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<Line> {
        normalize(s)
    }

    #[test]
    fn html_left_overs_become_paragraphs_and_lists() {
        let l = lines(
            "10.15\t<p>Titel.</p> <p>Tekst: </p> <ul style=\"x\"> <li>en</li><li>to</li></ul>",
        );
        let text: Vec<_> = l
            .iter()
            .map(|l| l.trimmed())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(text, ["10.15", "Titel.", "Tekst:", "- en", "- to"]);
    }

    #[test]
    fn bullet_glyphs_become_list_items() {
        let l =
            lines("\u{f0b7} Fokus på sletning\n<ul> \u{2022} DK2020 \u{2022} KB-håndbogen</ul>");
        let text: Vec<_> = l
            .iter()
            .map(|l| l.trimmed())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(text, ["- Fokus på sletning", "- DK2020", "- KB-håndbogen"]);
    }

    #[test]
    fn running_headers_and_page_numbers_are_removed() {
        let raw = "Direktionen 13-09-2023\n\nPunkter\n\ntekst\n\u{000c}Direktionen 13-09-2023\n\nmere tekst\n\nSide 2 af 2\n";
        let kept: Vec<_> = remove_page_furniture(lines(raw))
            .into_iter()
            .filter(|l| !l.is_blank())
            .map(|l| l.text)
            .collect();
        assert_eq!(kept, ["Punkter", "tekst", "mere tekst"]);
    }

    #[test]
    fn double_spaced_text_reflows_into_paragraphs() {
        let raw = "I økonomiaftalen mellem regeringen og KL for 2019 understreges kommunernes rolle mht. at \n\nimplementere verdensmålene lokalt igennem partnerskaber om bæredygtig lokal udvikling, og \n\nmålene indgår også som ramme for udviklingsstrategi. \n\n \n\nDirektionen i Norddjurs Kommune arbejder med FN’s 17 verdensmål for bæredygtig udvikling som \n\nen overordnet begrebsramme med strategisk op-\n\nhæng. \n";
        let text = reflow(&lines(raw));
        let paras: Vec<_> = text.split("\n\n").collect();
        assert_eq!(paras.len(), 2, "{text}");
        assert!(
            paras[0].starts_with("I økonomiaftalen") && paras[0].ends_with("udviklingsstrategi.")
        );
        assert!(paras[1].contains("strategisk ophæng."), "{text}");
    }

    #[test]
    fn similar_is_normalised_levenshtein_with_a_threshold() {
        // One edit in 20 characters: 0.95 similar.
        let a = "direktionen drøftede";
        let b = "direktionen drøfted";
        assert!(similar(a, b, 0.95));
        assert!(!similar(a, b, 0.96));
        assert!(similar("", "", 0.85));
        assert!(!similar("abc", "", 0.85));
        // Characters, not bytes: "ø" for "o" is one edit.
        assert!(similar("ombudsmand", "ømbudsmand", 0.9));
        assert!(!similar("apv for ledere", "klima og miljø", 0.85));
    }

    #[test]
    fn hyphens_across_lines_are_mended_or_kept_as_the_word_needs() {
        assert_eq!(
            join_broken("strategisk op-", "hæng i"),
            "strategisk ophæng i"
        );
        assert_eq!(
            join_broken("erfaringer fra STAR-", "projekter"),
            "erfaringer fra STAR-projekter"
        );
        assert_eq!(
            join_broken("Arbejdsmarkedsudvalget, Børne-", "og Ungdomsudvalget"),
            "Arbejdsmarkedsudvalget, Børne- og Ungdomsudvalget"
        );
    }

    #[test]
    fn list_items_continue_over_broken_lines() {
        let raw = "Tekst:\n- Om og eventuelt hvordan organisationen skal styrke arbejdet med\nforebyggelse af sygefravær\n- Hvorvidt Norddjurs skal ansøge\n";
        assert_eq!(
            reflow(&lines(raw)),
            "Tekst:\n\n- Om og eventuelt hvordan organisationen skal styrke arbejdet med forebyggelse af sygefravær\n- Hvorvidt Norddjurs skal ansøge"
        );
    }
}
