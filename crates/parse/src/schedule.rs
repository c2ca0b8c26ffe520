//! The timed sub-points of an item (the "Tid / Punkt" table) and, in minutes, their
//! decisions: in the decision section each sub-point's agenda text is repeated and the
//! decision sentences follow it, so the repeated sentences are taken out.

use std::cell::OnceCell;

use protokol_core::{ClockTime, SubPoint};

use crate::dates::leading_clock;
use crate::facts::{first_sentence_end, sentences};
use crate::text::{Flow, Line, join_broken, list_item, similar};

/// Whether a line is the header of the table ("Tid Punkt", "Tid<TAB>Punkt").
pub fn is_table_header(t: &str) -> bool {
    let t = t.trim_start();
    if !t.starts_with(['T', 't']) {
        return false;
    }
    let mut words = t.split_whitespace();
    words.next().is_some_and(|w| w.eq_ignore_ascii_case("tid"))
        && words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("punkt"))
        && words.next().is_none()
}

/// Whether a line can be the title of a row without a time: a short phrase that is not a
/// list item, ends like a title, and is not boilerplate such as "Bilag er vedlagt.".
fn looks_like_title(t: &str) -> bool {
    let words = t.split_whitespace().count();
    list_item(t).is_none()
        && (1..=12).contains(&words)
        && !t.ends_with([',', ';', ':'])
        && t.chars().next().is_some_and(char::is_uppercase)
        && !t.to_lowercase().starts_with("bilag")
        && first_sentence_end(t).is_none()
}

struct Row {
    time: Option<ClockTime>,
    lines: Vec<Line>,
}

fn ends_sentence(s: &str) -> bool {
    s.trim_end().ends_with(['.', '!', '?', ':'])
}

/// Splits the table's lines into rows: a row starts with a time ("10.00", "9.05",
/// "10.45-"), or, without a time, with an indented line after a blank line once the row
/// before has ended its last sentence (an empty time cell).
fn rows(lines: &[Line]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut prev_blank = false;
    for l in lines {
        // A table that runs over a page break repeats its header on the next page.
        if l.is_blank() || is_table_header(l.trimmed()) {
            prev_blank = true;
            if let Some(r) = rows.last_mut() {
                r.lines.push(Line {
                    no: l.no,
                    text: String::new(),
                });
            }
            continue;
        }
        if let Some((t, end)) = leading_clock(&l.text) {
            let rest = l.text[end..].trim_start_matches(['-', '–', ' ', '\t']);
            rows.push(Row {
                time: Some(t),
                lines: vec![Line {
                    no: l.no,
                    text: rest.to_string(),
                }],
            });
            prev_blank = false;
            continue;
        }
        let indented = l.text.starts_with([' ', '\t']);
        let last_done = rows
            .last()
            .and_then(|r| r.lines.iter().rev().find(|x| !x.is_blank()))
            .is_some_and(|x| ends_sentence(x.trimmed()));
        if prev_blank
            && indented
            && last_done
            && looks_like_title(l.trimmed())
            && !crate::stated::is_stated(&l.text)
        {
            rows.push(Row {
                time: None,
                lines: vec![Line {
                    no: l.no,
                    text: l.trimmed().to_string(),
                }],
            });
        } else if let Some(r) = rows.last_mut() {
            r.lines.push(l.clone());
        } else {
            rows.push(Row {
                time: None,
                lines: vec![l.clone()],
            });
        }
        prev_blank = false;
    }
    rows
}

/// A sub-point's title is its first sentence, or its first line (continued onto the next
/// line only when that line goes on in lower case). Returns the title and the lines left.
fn title_and_rest(lines: &[Line]) -> (String, Vec<Line>) {
    let text_lines: Vec<&Line> = lines.iter().filter(|l| !l.is_blank()).collect();
    let Some(first) = text_lines.first() else {
        return (String::new(), Vec::new());
    };
    let mut title = first.trimmed().to_string();
    let mut used = 1;
    while !ends_sentence(&title)
        && used < text_lines.len()
        && text_lines[used]
            .trimmed()
            .chars()
            .next()
            .is_some_and(char::is_lowercase)
    {
        title = join_broken(&title, text_lines[used].trimmed());
        used += 1;
    }
    let mut rest: Vec<Line> = Vec::new();
    if let Some(end) = first_sentence_end(&title) {
        let tail = title[end..].trim().to_string();
        title.truncate(end);
        rest.push(Line {
            no: first.no,
            text: tail,
        });
    }
    let last_used_no = text_lines[used - 1].no;
    let mut past = false;
    let mut skipped = 0;
    for l in lines {
        if !past {
            if !l.is_blank() {
                skipped += 1;
            }
            if skipped == used && l.no >= last_used_no {
                past = true;
            }
            continue;
        }
        rest.push(l.clone());
    }
    let title = title.trim().trim_end_matches('.').trim().to_string();
    (title, rest)
}

/// The sub-points of a "Tid / Punkt" table.
pub fn parse_table(lines: &[Line], flow: Flow) -> Vec<SubPoint> {
    rows(lines)
        .into_iter()
        .filter_map(|r| {
            let (title, rest) = title_and_rest(&r.lines);
            if title.is_empty() {
                return None;
            }
            let text = flow.reflow(&rest);
            Some(SubPoint {
                id: None,
                time: r.time,
                title,
                text: (!text.is_empty()).then_some(text),
                decision: None,
                participants: Vec::new(),
                followups: Vec::new(),
                next: Vec::new(),
            })
        })
        .collect()
}

/// Text compared loosely: case, spacing, quotes and dashes ignored (one pass).
pub fn loose(s: &str) -> String {
    let mut out = Loose::with_capacity(s.len());
    out.push_str(s);
    out.text
}

/// [`loose`] built piece by piece, so a prefix can be compared as it grows.
struct Loose {
    text: String,
    space: bool,
}

/// ASCII whitespace as `char::is_whitespace` sees it (U+0009–U+000D and the space).
fn ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

impl Loose {
    fn with_capacity(n: usize) -> Self {
        Self {
            text: String::with_capacity(n),
            space: false,
        }
    }

    fn push_str(&mut self, s: &str) {
        let mut rest = s;
        while !rest.is_empty() {
            // A run of ASCII that is neither whitespace nor a quote to change is copied and
            // lower-cased at once.
            let run = rest
                .bytes()
                .position(|b| !b.is_ascii() || ascii_space(b) || b == b'`')
                .unwrap_or(rest.len());
            if run > 0 {
                self.flush_space();
                let at = self.text.len();
                self.text.push_str(&rest[..run]);
                self.text[at..].make_ascii_lowercase();
                rest = &rest[run..];
                continue;
            }
            let Some(c) = rest.chars().next() else { break };
            self.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }

    fn flush_space(&mut self) {
        if self.space {
            self.text.push(' ');
            self.space = false;
        }
    }

    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.space = !self.text.is_empty();
            return;
        }
        self.flush_space();
        let out = &mut self.text;
        match c {
            '–' | '—' | '‐' | '‑' => out.push('-'),
            '”' | '“' | '„' | '»' | '«' => out.push('"'),
            '’' | '‘' | '`' | '´' => out.push('\''),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            // Danish letters, the common case, without a look in the Unicode tables.
            'æ' | 'ø' | 'å' | 'é' => out.push(c),
            'Æ' => out.push('æ'),
            'Ø' => out.push('ø'),
            'Å' => out.push('å'),
            'É' => out.push('é'),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// The words of a loose text as sorted hashes, for cheap "how many words are shared".
fn word_hashes(loose: &str) -> Vec<u64> {
    let mut v: Vec<u64> = loose.split(' ').map(word_hash).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// A sub-point's agenda text, prepared for asking whether a decision sentence repeats it.
/// Most repeated sentences are found whole; the loose full text and the word hashes for
/// near repeats are worked out only when a sentence needs them.
struct Agenda<'a> {
    text: &'a str,
    /// Each sentence, loose and without its final period.
    sentences: Vec<String>,
    loose: OnceCell<String>,
    /// The hashes of each sentence's words, and of all the words.
    words: OnceCell<(Vec<Vec<u64>>, Vec<u64>)>,
}

impl<'a> Agenda<'a> {
    fn new(text: &'a str) -> Self {
        let sentences = sentences(text)
            .iter()
            .map(|s| {
                let mut l = loose(s);
                l.truncate(l.trim_end_matches(['.', ' ']).len());
                l
            })
            .collect();
        Self {
            text,
            sentences,
            loose: OnceCell::new(),
            words: OnceCell::new(),
        }
    }

    fn words(&self) -> &(Vec<Vec<u64>>, Vec<u64>) {
        self.words.get_or_init(|| {
            let each: Vec<Vec<u64>> = self.sentences.iter().map(|l| word_hashes(l)).collect();
            let mut all: Vec<u64> = each.iter().flatten().copied().collect();
            all.sort_unstable();
            all.dedup();
            (each, all)
        })
    }

    /// Whether `sentence` repeats something the agenda text already says.
    fn repeats(&self, sentence: &str) -> bool {
        let s = loose(sentence);
        let s = s.trim_end_matches(['.', ' ']);
        if s.is_empty() {
            return true;
        }
        // Who actually took part ("X deltog …") is a fact of the minutes, even when the
        // agenda said who would ("X deltager …").
        if s.contains(" deltog ") {
            return false;
        }
        // Most repeats are whole sentences; a cheap look at those before searching the text.
        if self.sentences.iter().any(|a| a == s)
            || self.loose.get_or_init(|| loose(self.text)).contains(s)
        {
            return true;
        }
        // A near repeat shares most of its words; only then is the edit distance worth it.
        let words: Vec<u64> = s.split(' ').map(word_hash).collect();
        let (each, all) = self.words();
        let known = words
            .iter()
            .filter(|w| all.binary_search(w).is_ok())
            .count();
        if known * 10 < words.len() * 6 {
            return false;
        }
        self.sentences.iter().zip(each).any(|(a, aw)| {
            let shared = words.iter().filter(|w| aw.binary_search(w).is_ok()).count();
            shared * 10 >= words.len() * 6 && similar(a, s, 0.85)
        })
    }
}

/// FNV-1a: words are short, and only compared within one document.
fn word_hash(w: &str) -> u64 {
    w.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Removes from a decision segment the sentences that repeat the sub-point's agenda text,
/// keeping paragraphs and list lines.
fn decision_only(segment: &str, agenda: &str) -> Option<String> {
    let agenda = Agenda::new(agenda);
    let mut paragraphs: Vec<String> = Vec::new();
    for para in segment.split("\n\n") {
        let mut lines_out: Vec<String> = Vec::new();
        for line in para.lines() {
            let (prefix, body) = match list_item(line) {
                Some(b) => ("- ", b),
                None => ("", line.trim()),
            };
            let all = sentences(body);
            let kept: Vec<&str> = all.iter().copied().filter(|s| !agenda.repeats(s)).collect();
            // A list item whose own words were a repeat leaves text that followed it, not an item.
            let prefix = if kept.first() == all.first() {
                prefix
            } else {
                ""
            };
            if !kept.is_empty() {
                lines_out.push(format!("{prefix}{}", kept.join(" ")));
            }
        }
        if !lines_out.is_empty() {
            paragraphs.push(lines_out.join("\n"));
        }
    }
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

/// Whether a line of the decision text (made [`loose`] and trimmed) starts the sub-point
/// with the given loose title: it begins with the title (or, where the title wraps, with most
/// of it).
fn starts_with_loose_title(u: &str, t: &str) -> bool {
    if t.is_empty() || u.is_empty() {
        return false;
    }
    if u.starts_with(t) {
        return true;
    }
    let (ul, tl) = (u.chars().count(), t.chars().count());
    if ul * 10 >= tl * 6 && ul < tl && t.starts_with(u) {
        return true; // the title goes on on the next line
    }
    // Near matches ("Norrdjurs" for "Norddjurs") must at least begin alike.
    if u.chars().take(3).ne(t.chars().take(3)) {
        return false;
    }
    let head: String = u.chars().take(tl).collect();
    head.chars().count() == tl && similar(&head, t, 0.9)
}

/// Strips the title from the start of a text.
fn without_title(text: &str, title: &str) -> String {
    let t = loose(title);
    let t = t.trim_end_matches(['.', ' ']);
    let limit = t.len() + 12; // a few characters past the title, in bytes
    let mut acc = Loose::with_capacity(limit);
    for (i, c) in text.char_indices() {
        acc.push(c);
        if acc.text == t {
            let rest = &text[i + c.len_utf8()..];
            return rest.trim_start_matches(['.', ' ', '\n']).to_string();
        }
        if acc.text.len() > limit {
            break;
        }
    }
    text.to_string()
}

/// Splits the decision section of an item with sub-points: a line that begins with the next
/// sub-point's title starts that sub-point's part; the text before the first is the item's
/// own decision. Each sub-point keeps the sentences of its part that do not repeat its
/// agenda text.
pub fn assign_decisions(lines: &[Line], schedule: &mut [SubPoint], flow: Flow) -> Option<String> {
    let mut intro: Vec<Line> = Vec::new();
    let mut parts: Vec<(usize, Vec<Line>)> = Vec::new();
    let mut next_index = 0;
    let titles: Vec<String> = schedule
        .iter()
        .map(|s| loose(&s.title).trim_end_matches(['.', ' ']).to_string())
        .collect();
    // A line can only start a sub-point whose title begins with the line's first letter.
    let firsts: Vec<Option<char>> = titles.iter().map(|t| t.chars().next()).collect();
    for l in lines {
        let body = list_item(l.trimmed()).unwrap_or(l.trimmed());
        let first = body.chars().next().and_then(|c| {
            let mut one = Loose::with_capacity(4);
            one.push(c);
            one.text.chars().next()
        });
        let found = if body.is_empty() || !firsts[next_index.min(firsts.len())..].contains(&first) {
            None
        } else {
            let lb = loose(body);
            let lb = lb.trim_end_matches(['.', ' ']);
            (next_index..schedule.len()).find(|&k| starts_with_loose_title(lb, &titles[k]))
        };
        match found {
            Some(k) => {
                parts.push((
                    k,
                    vec![Line {
                        no: l.no,
                        text: body.to_string(),
                    }],
                ));
                next_index = k + 1;
            }
            None => match parts.last_mut() {
                Some((_, part)) => part.push(l.clone()),
                None => intro.push(l.clone()),
            },
        }
    }
    for (k, part) in parts {
        let text = flow.reflow(&part);
        let segment = without_title(&text, &schedule[k].title);
        let agenda = format!(
            "{}. {}",
            schedule[k].title,
            schedule[k].text.as_deref().unwrap_or("")
        );
        schedule[k].decision = decision_only(&segment, &agenda);
    }
    let intro = flow.reflow(&intro);
    (!intro.is_empty()).then_some(intro)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    #[test]
    fn rows_with_times_untimed_rows_and_wrapped_titles() {
        let raw = "10.00  APV for ledere. Direktionen har udtrykt ønske om at drøfte APV.\n10.15 Forebyggelse af sygefravær – herunder STAR-puljeansøgning og \nandre indsatser på området.  \nVedhæftede notat har til formål at sætte fokus.\n10.45- Kerneopgaven i sekretariatet. \nBilag er vedlagt.\n\n Klimakompetencer og klimaadfærd hos ansatte.  \nAf klimahandlingskataloget fremgår det.\n";
        let s = parse_table(&normalize(raw), Flow::default());
        let got: Vec<_> = s
            .iter()
            .map(|s| (s.time.map(|t| t.to_string()), s.title.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Some("10:00".into()), "APV for ledere"),
                (
                    Some("10:15".into()),
                    "Forebyggelse af sygefravær – herunder STAR-puljeansøgning og andre indsatser på området"
                ),
                (Some("10:45".into()), "Kerneopgaven i sekretariatet"),
                (None, "Klimakompetencer og klimaadfærd hos ansatte"),
            ]
        );
        assert_eq!(
            s[0].text.as_deref(),
            Some("Direktionen har udtrykt ønske om at drøfte APV.")
        );
        assert_eq!(
            s[1].text.as_deref(),
            Some("Vedhæftede notat har til formål at sætte fokus.")
        );
    }

    #[test]
    fn a_first_line_without_a_sentence_end_is_the_title() {
        let s = parse_table(
            &normalize(
                "10.00 Rammer og vilkår for Hjerteløbere \nDer er udarbejdet et notat.\n11.00 Chefforum d. 23. feb. \nReferencegruppen mødtes.\n",
            ),
            Flow::default(),
        );
        assert_eq!(s[0].title, "Rammer og vilkår for Hjerteløbere");
        assert_eq!(s[0].text.as_deref(), Some("Der er udarbejdet et notat."));
        assert_eq!(s[1].title, "Chefforum d. 23. feb");
    }

    #[test]
    fn loose_text_ignores_case_spacing_quotes_and_dashes() {
        assert_eq!(
            loose("  Ærø\u{a0}og   ØSTER–Å `sagen´ \u{201c}X\u{201d}\t"),
            "ærø og øster-å 'sagen' \"x\""
        );
        assert_eq!(loose("ΣΊΣΥΦΟΣ Straße"), "σίσυφοσ straße");
        assert_eq!(loose(""), "");
    }

    #[test]
    fn decisions_lose_the_repeated_agenda_text() {
        let mut s = parse_table(
            &normalize(
                "10.00 APV for ledere. Direktionen drøfter APV. Konsulent Mette Løvholm deltager i behandlingen af punktet.\n10.30 Klima.\nBilag er vedlagt.\n",
            ),
            Flow::default(),
        );
        let decision = "Direktionen havde følgende punkter:\n\n- APV for ledere. Direktionen drøfter APV. Konsulent Mette Løvholm deltog i behandlingen af punktet. Velfærdsdirektøren drøfter APV i egen chefgruppe.\n Klima\nPunktet blev udskudt til direktionsmøde den 13. september.";
        let intro = assign_decisions(&normalize(decision), &mut s, Flow::default());
        assert_eq!(
            intro.as_deref(),
            Some("Direktionen havde følgende punkter:")
        );
        assert_eq!(
            s[0].decision.as_deref(),
            Some(
                "Konsulent Mette Løvholm deltog i behandlingen af punktet. Velfærdsdirektøren drøfter APV i egen chefgruppe."
            )
        );
        assert_eq!(
            s[1].decision.as_deref(),
            Some("Punktet blev udskudt til direktionsmøde den 13. september.")
        );
    }
}
