//! Putting back the line breaks of a text that lost them (a page copied from the web, a
//! text layer without line ends): every reader works on lines, so a flat text is broken
//! again where meeting records break — around running page headers, the front page's
//! labels, the kind word (DAGSORDEN, REFERAT), item headings and their access lines ("Åben
//! sag"), section headings, the table of contents and the members of a member list.
//!
//! Only a text whose lines are very long on average is touched; a text with its own line
//! structure is returned as it is.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::re;

/// Average characters per non-blank line above which a text counts as flat.
const FLAT_LINE: usize = 300;

/// "Direktionen 06-09-2023": a running page header, on a line of its own.
static HEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(\p{Lu}[\p{L}-]*(?:en|et|rådet|udvalget)) (\d{2}-\d{2}-\d{4})\s+"));
/// Front-page labels and list headings, which start a line.
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\s+(Sted:|Dato:|Start kl\.:?|Slut kl\.:?|Mødetidspunkt:|Mødested:|Medlemmer:|Deltagere:|Fraværende:|Afbud:|Indholdsfortegnelse|Bilagsoversigt|Sagsnr\.|Bilag\s*:|(?i:punkt|pkt\.)\s*\d{1,4}\s*[:.])",
    )
});
/// The kind word of a front page, on a line of its own.
static KIND: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\s+(DAGSORDEN|TILLÆGSDAGSORDEN|REFERAT|BESLUTNINGSPROTOKOL|BESLUTNINGSREFERAT)\s+")
});
/// An item's access line ("Åben sag", "Lukket sag"), on a line of its own.
static ACCESS: LazyLock<Regex> = LazyLock::new(|| re(r"\s+((?i:åben|lukket) (?i:sag|punkt))\s+"));
/// Section headings (capitalised, so that the words of a sentence stay where they are).
static SECTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\s+(Sagsgang|Sagsfremstilling|Sagsbeskrivelse|Resumé|Resume|Indstilling|Indstillinger|Beslutning(?: i [\p{Lu}][\p{L}-]+ den \d{1,2}(?:\.\s+\p{L}+\s+\d{4}|-\d{2}-\d{4}))?|Økonomiske konsekvenser|Lukket punkt)\s+",
    )
});
/// A numbered heading "3. Punkter til behandling": a number, a full stop and a word.
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|\s)(\d{1,3})\. (\p{L}+)"));
/// A heading's next line that shows the heading was an item's: its access line or case
/// number.
static ITEM_NEXT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:(?i:åben|lukket)(?: (?i:sag|punkt))?\s*$|Sagsnr\.)"));
/// A table of contents entry "2. Økonomi 4": title, then its page number.
static CONTENTS_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\s(\d{1,3}\. [^\n]{1,150}?) (\d{1,4})\s+(?:(\d{1,3}\. \p{Lu})|(Bilagsoversigt))")
});
/// A role that opens a member's entry ("Velfærdsdirektør Lene Mehlsen Thomsen",
/// "Borgmester Anne Hansen").
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\s+(\p{Lu}\p{Ll}*(?:direktør|chef|formand|borgmester|leder|sekretær)|Formand|Næstformand|Borgmester)\s",
    )
});
/// "Anne Hansen (A) Bo Berg (V)": a party letter ends a member's entry.
static PARTY_END: LazyLock<Regex> = LazyLock::new(|| re(r"(\(\p{Lu}{1,3}\))\s+(\p{Lu})"));

/// Whether a text has lost its line breaks.
pub fn is_flat(raw: &str) -> bool {
    let lines = raw.lines().filter(|l| !l.trim().is_empty()).count().max(1);
    raw.len() / lines >= FLAT_LINE
}

/// The text with its line breaks put back where meeting records break; an unchanged
/// borrow when it kept them.
pub fn restore_breaks(raw: &str) -> Cow<'_, str> {
    if !is_flat(raw) {
        return Cow::Borrowed(raw);
    }
    let t = HEADER.replace_all(raw, "\n$1 $2\n\n");
    let t = KIND.replace_all(&t, "\n\n$1\n\n");
    let t = LABEL.replace_all(&t, "\n$1");
    let t = contents(&t);
    let t = ACCESS.replace_all(&t, "\n\n$1\n\n");
    let t = numbered_runs(&t);
    let t = item_headings(&t);
    let t = SECTION.replace_all(&t, "\n\n$1\n\n");
    let t = members(&t);
    Cow::Owned(t)
}

/// Breaks a flat table of contents into its entries.
fn contents(t: &str) -> String {
    let mut out = t.to_string();
    // Each replacement moves one entry to its own line; entries overlap (the next entry's
    // number ends a match), so this runs until nothing changes.
    for _ in 0..500 {
        let next = CONTENTS_ENTRY.replace(&out, |c: &regex::Captures| {
            let follow = c.get(3).or_else(|| c.get(4)).map_or("", |m| m.as_str());
            format!("\n{}\t{}\n{follow}", &c[1], &c[2])
        });
        if next == out {
            break;
        }
        out = next.into_owned();
    }
    out
}

/// "2. maj": a number before a month is a date, not a heading.
fn is_month(word: &str) -> bool {
    crate::dates::month_number(word).is_some()
}

/// A numbered list on one line ("Dagsorden 2. test 3. test tabel 4. Fejloprettet …"):
/// three or more consecutive numbers close together, each put on a line of its own.
fn numbered_runs(t: &str) -> String {
    let marks: Vec<(usize, u32)> = NUMBERED
        .captures_iter(t)
        .filter(|c| !is_month(&c[2]))
        .filter_map(|c| {
            let m = c.get(1)?;
            Some((m.start(), c[1].parse().ok()?))
        })
        .collect();
    let mut cuts = Vec::new();
    let mut k = 0;
    while k < marks.len() {
        let mut run = vec![marks[k].0];
        let mut last = marks[k];
        for next in &marks[k + 1..] {
            if next.0 - last.0 > 300 {
                break;
            }
            if next.1 == last.1 + 1 {
                run.push(next.0);
                last = *next;
            }
        }
        if run.len() >= 3 {
            cuts.extend(run);
            k = marks
                .iter()
                .position(|m| m.0 == last.0)
                .map_or(k + 1, |p| p + 1);
        } else {
            k += 1;
        }
    }
    let mut out = String::with_capacity(t.len() + cuts.len());
    let mut at = 0;
    for cut in cuts {
        out.push_str(t[at..cut].trim_end_matches(' '));
        out.push('\n');
        at = cut;
    }
    out.push_str(&t[at..]);
    out
}

/// Puts a numbered heading that ends just before an access line or case number on a line
/// of its own: "… Bilagsoversigt 12 1. Beslutningsprotokoller og dagsordener\nÅben sag".
fn item_headings(t: &str) -> String {
    let lines: Vec<&str> = t.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for (k, line) in lines.iter().enumerate() {
        let next_is_access = lines[k + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| ITEM_NEXT.is_match(l) || ACCESS.is_match(&format!(" {} ", l.trim())));
        if next_is_access
            && let Some(c) = NUMBERED
                .captures_iter(line)
                .filter(|c| !is_month(&c[2]))
                .last()
            && let Some(m) = c.get(0)
            && m.start() > 0
        {
            let cut = m.start() + (m.as_str().len() - m.as_str().trim_start().len());
            out.push(line[..cut].trim_end().to_string());
            out.push(line[cut..].to_string());
            continue;
        }
        out.push((*line).to_string());
    }
    out.join("\n")
}

/// A member list on one line ("Medlemmer: Kommunaldirektør Vakant Velfærdsdirektør Lene
/// Mehlsen Thomsen …") split into one member per line, by the roles or party letters that
/// open or close each entry.
fn members(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for line in t.split_inclusive('\n') {
        if let Some(rest) = line
            .strip_prefix("Medlemmer:")
            .or_else(|| line.strip_prefix("Deltagere:"))
        {
            let label = &line[..line.len() - rest.len()];
            let split = ROLE.replace_all(rest, "\n$1 ");
            let split = PARTY_END.replace_all(&split, "$1\n$2");
            out.push_str(label);
            out.push(' ');
            out.push_str(split.trim_start());
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_with_their_lines_are_left_alone() {
        let t = "Direktionen\n\nREFERAT\n\nSted: Rådhuset\n";
        assert!(matches!(restore_breaks(t), Cow::Borrowed(_)));
    }

    #[test]
    fn a_flat_front_page_and_contents_are_broken_again() {
        let filler = "Teksten fortsætter her med mange ord om sagen. ".repeat(10);
        let flat = format!(
            "Direktionen REFERAT Sted: Mødelokale 250 Dato: Onsdag den 6. september 2023 Start kl.: 9:00 Medlemmer: Kommunaldirektør Vakant Velfærdsdirektør Lene Thomsen Fraværende: Indholdsfortegnelse Side 1. Beslutningsprotokoller 1 2. Økonomi 4 Bilagsoversigt..... 12 1. Beslutningsprotokoller Åben sag Sagsfremstilling {filler} 2. Økonomi Lukket sag Beslutning {filler}"
        );
        let t = restore_breaks(&flat);
        let lines: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        for want in [
            "REFERAT",
            "Sted: Mødelokale 250",
            "Dato: Onsdag den 6. september 2023",
            "Medlemmer: Kommunaldirektør Vakant",
            "Velfærdsdirektør Lene Thomsen",
            "1. Beslutningsprotokoller\t1",
            "2. Økonomi\t4",
            "1. Beslutningsprotokoller",
            "Åben sag",
            "2. Økonomi",
            "Lukket sag",
            "Sagsfremstilling",
        ] {
            assert!(lines.contains(&want), "{want:?} not a line in {lines:#?}");
        }
    }
}
