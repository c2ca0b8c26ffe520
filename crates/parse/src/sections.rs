//! The section headings of Danish agenda items, as the publishing systems print them, and
//! the part of an item each one fills.

/// Where the text under a heading belongs in an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectionKind {
    /// Sagsfremstilling (also "Sagsbeskrivelse", "Fremstilling", "Beskrivelse af sagen").
    Case,
    /// Økonomiske konsekvenser (and "Økonomi", "Økonomi og finansiering", …); a qualified
    /// heading ("Økonomiske konsekvenser scenarie 1 og 2") keeps its own name.
    Economy,
    /// Indstilling ("Indstillinger", "Administrationens indstilling", "Forslag til
    /// beslutning"); "Supplerende indstilling" keeps its own name.
    Recommendation,
    /// Beslutning ("Beslutninger", "Beslutning i Økonomiudvalget den 6. februar 2024").
    Decision,
    /// Any other heading, kept under its own name ("Resumé", "Lovgrundlag", "Tidsplan").
    Other,
}

/// A heading as written, made comparable: lower case, whitespace collapsed, without a
/// trailing colon or full stop.
pub fn normalise_heading(heading: &str) -> String {
    let words: Vec<&str> = heading.split_whitespace().collect();
    words
        .join(" ")
        .trim_end_matches([':', '.'])
        .trim()
        .to_lowercase()
}

/// A heading as it should be shown: whitespace collapsed, without a trailing colon.
pub fn tidy_heading(heading: &str) -> String {
    let words: Vec<&str> = heading.split_whitespace().collect();
    words.join(" ").trim_end_matches(':').trim().to_string()
}

/// A title's closed marking ("Lukket: …", "Lukket punkt: …", "LUKKET - …", "… (lukket)"),
/// and the title without it.
pub fn closed_marking(title: &str) -> (bool, String) {
    // The markings are ASCII: compared byte-wise without changing case, so that slicing
    // stays on the title's own character boundaries.
    for mark in ["lukket punkt", "lukket sag", "lukket"] {
        if let Some(head) = title.get(..mark.len())
            && head.eq_ignore_ascii_case(mark)
        {
            let rest = title[mark.len()..].trim_start();
            if let Some(after) = rest
                .strip_prefix(':')
                .or_else(|| rest.strip_prefix('-'))
                .or_else(|| rest.strip_prefix('–'))
            {
                return (true, after.trim().to_string());
            }
        }
    }
    let t = title.trim_end();
    // "Orientering - (FOR LUKKEDE DØRE)", "Personalesag (for lukkede døre)".
    let lower = t.to_lowercase();
    for mark in [
        "- (for lukkede døre)",
        "(for lukkede døre)",
        "- for lukkede døre",
    ] {
        if lower.ends_with(mark) {
            let keep = lower.len() - mark.len();
            if t.is_char_boundary(keep) && lower.len() == t.len() {
                return (true, t[..keep].trim().to_string());
            }
            // Case changes changed the length: keep the title whole, closed.
            return (true, t.to_string());
        }
    }
    for mark in ["(lukket)", "(lukket punkt)"] {
        if let Some(cut) = t.len().checked_sub(mark.len())
            && let Some(tail) = t.get(cut..)
            && tail.eq_ignore_ascii_case(mark)
        {
            return (true, t[..cut].trim().to_string());
        }
    }
    (false, title.trim().to_string())
}

/// Adds `text` to a section as a further paragraph (nothing for blank text).
pub fn append_paragraph(to: &mut Option<String>, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    match to {
        Some(t) => {
            t.push_str("\n\n");
            t.push_str(text);
        }
        None => *to = Some(text.to_string()),
    }
}

/// Files the text under a heading in its place in an item: Sagsfremstilling, Økonomi,
/// Indstilling and Beslutning in their fields, any other heading as a named section (text
/// under a heading already there is added to it). Blank text is left out.
pub fn file_section(item: &mut protokol_core::Item, heading: &str, text: &str) {
    match classify(heading) {
        SectionKind::Case => append_paragraph(&mut item.case, text),
        SectionKind::Economy => append_paragraph(&mut item.economy, text),
        SectionKind::Recommendation => append_paragraph(&mut item.recommendation, text),
        SectionKind::Decision => append_paragraph(&mut item.decision, text),
        SectionKind::Other => {
            let text = text.trim();
            if text.is_empty() {
                return;
            }
            let heading = tidy_heading(heading);
            match item.sections.iter_mut().find(|x| x.heading == heading) {
                Some(same) => {
                    same.text.push_str("\n\n");
                    same.text.push_str(text);
                }
                None => item.sections.push(protokol_core::Section {
                    heading,
                    text: text.to_string(),
                }),
            }
        }
    }
}

/// "Forretningsudvalgets beslutning", "Børne- og ungeudvalgets beslutning": `word` after a
/// name in the genitive.
fn possessive(h: &str, word: &str) -> bool {
    h.strip_suffix(word)
        .and_then(|before| before.strip_suffix(' '))
        .and_then(|before| before.split_whitespace().last())
        .is_some_and(|w| w.len() > 3 && w.ends_with('s'))
}

/// The part of an item a heading introduces.
pub fn classify(heading: &str) -> SectionKind {
    let h = normalise_heading(heading);
    let h = h.as_str();
    if matches!(
        h,
        "sagsfremstilling"
            | "sagsbeskrivelse"
            | "fremstilling"
            | "beskrivelse"
            | "beskrivelse af sagen"
            | "sagen"
            | "sagsfremstilling og vurdering"
    ) || h.starts_with("sagsfremstilling")
    {
        SectionKind::Case
    } else if matches!(
        h,
        "økonomi"
            | "økonomiske konsekvenser"
            | "økonomisk konsekvens"
            | "økonomiske forhold"
            | "økonomi og finansiering"
            | "økonomiske konsekvenser og finansiering"
            | "økonomiske og personalemæssige konsekvenser"
            | "bevillingsmæssige konsekvenser"
    ) {
        SectionKind::Economy
    } else if matches!(
        h,
        "indstilling"
            | "indstillinger"
            | "forslag til beslutning"
            | "administrationens indstilling"
            | "forvaltningens indstilling"
            | "direktionens indstilling"
            | "direktørens indstilling"
            | "forvaltningen foreslår"
            | "administrationen foreslår"
            | "direktionen foreslår"
    ) || possessive(h, "indstilling")
    {
        SectionKind::Recommendation
    } else if possessive(h, "beslutning")
        || h == "beslutning"
        || h == "beslutninger"
        || h.starts_with("beslutning i ")
        || h.starts_with("beslutning den ")
        || h.starts_with("beslutning fra ")
    {
        SectionKind::Decision
    } else {
        SectionKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_of_several_systems() {
        for (h, kind) in [
            ("Sagsfremstilling", SectionKind::Case),
            ("Sagsbeskrivelse", SectionKind::Case),
            ("Fremstilling:", SectionKind::Case),
            ("Økonomiske  konsekvenser", SectionKind::Economy),
            ("Økonomi og finansiering", SectionKind::Economy),
            ("Økonomi", SectionKind::Economy),
            (
                "Økonomiske konsekvenser scenarie 1 og 2",
                SectionKind::Other,
            ),
            ("Supplerende indstilling", SectionKind::Other),
            ("FORRETNINGSUDVALGETS BESLUTNING", SectionKind::Decision),
            ("Børne- og Ungeudvalgets beslutning", SectionKind::Decision),
            ("Borgmesterens indstilling", SectionKind::Recommendation),
            ("Indstilling", SectionKind::Recommendation),
            ("Administrationens indstilling", SectionKind::Recommendation),
            ("INDSTILLING", SectionKind::Recommendation),
            ("Beslutning", SectionKind::Decision),
            (
                "Beslutning i Økonomiudvalget den 6. februar 2024",
                SectionKind::Decision,
            ),
            ("Resume", SectionKind::Other),
            ("Lovgrundlag", SectionKind::Other),
            ("Sagens forløb", SectionKind::Other),
            ("Beslutningskompetence", SectionKind::Other),
        ] {
            assert_eq!(classify(h), kind, "{h}");
        }
        assert_eq!(
            tidy_heading(" Økonomiske  konsekvenser: "),
            "Økonomiske konsekvenser"
        );
    }
}
