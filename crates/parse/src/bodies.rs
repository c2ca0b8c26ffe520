//! Names of bodies as documents write them, and their codes.

/// Codes of the bodies every Danish municipality has, by name.
const KNOWN: [(&str, &str); 6] = [
    ("direktionen", "DIR"),
    ("økonomiudvalget", "ØK"),
    ("kommunalbestyrelsen", "KB"),
    ("byrådet", "BR"),
    ("borgerrepræsentationen", "BR"),
    ("hovedudvalget", "HU"),
];

/// The code of a body from its name: a known code, else the initials of the parts of its
/// name ("Miljø- og Teknikudvalget" → "MTU", "Børne- og Ungdomsudvalget" → "BUU").
pub fn code_for(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    if let Some((_, code)) = KNOWN.iter().find(|(n, _)| *n == lower) {
        return (*code).to_string();
    }
    let mut code = String::new();
    for word in name.split_whitespace() {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        if w.is_empty() || matches!(w.to_lowercase().as_str(), "og" | "for" | "i" | "af" | "til") {
            continue;
        }
        if let Some(c) = w.chars().next() {
            code.extend(c.to_uppercase());
        }
        if w.to_lowercase().ends_with("udvalget") && w.to_lowercase() != "udvalget" {
            code.push('U');
        }
    }
    if code.is_empty() {
        "UDV".into()
    } else {
        code.chars().take(8).collect()
    }
}

/// A one-word body name in its definite form, as bodies are named ("Byråd" → "Byrådet",
/// "Økonomiudvalg" → "Økonomiudvalget", "Kommunalbestyrelse" → "Kommunalbestyrelsen"). A
/// name of several words is kept as the body writes it ("Hennys testudvalg").
pub fn definite(name: &str) -> String {
    if name.contains(' ') {
        name.to_string()
    } else if name.ends_with("udvalg") || name.ends_with("råd") {
        format!("{name}et")
    } else if name.ends_with("bestyrelse") {
        format!("{name}n")
    } else {
        name.to_string()
    }
}

/// A body's name from how a sentence names it: "Økonomiudvalget", "direktionen",
/// "direktionsmøde" → "Direktionen", "økonomiudvalgsmøde" → "Økonomiudvalget".
pub fn body_from_word(word: &str) -> Option<String> {
    let w = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let base = if let Some(stem) = w.strip_suffix("møde").or_else(|| w.strip_suffix("møder")) {
        let stem = stem.strip_suffix('s').unwrap_or(stem);
        if stem.ends_with("udvalg") || stem.ends_with("byråd") {
            format!("{stem}et")
        } else if stem.ends_with("bestyrelse") {
            format!("{stem}n")
        } else if stem.ends_with("direktion") {
            format!("{stem}en")
        } else {
            return None;
        }
    } else if w.ends_with("udvalget")
        || w.ends_with("bestyrelsen")
        || w == "direktionen"
        || w == "byrådet"
        || w == "borgerrepræsentationen"
    {
        w
    } else {
        return None;
    };
    let mut c = base.chars();
    let first = c.next()?;
    Some(first.to_uppercase().chain(c).collect())
}

/// A body's reference from its name: the code [`code_for`] gives, or "UDV" where the name
/// yields no valid code.
pub fn body_ref(name: String) -> Result<protokol_core::BodyRef, crate::ParseError> {
    let code = code_for(&name).parse().or_else(|_| "UDV".parse()).map_err(
        |e: protokol_core::body::InvalidBodyCode| crate::ParseError::Source(e.to_string()),
    )?;
    Ok(protokol_core::BodyRef { name, code })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_known_and_other_bodies() {
        assert_eq!(code_for("Direktionen"), "DIR");
        assert_eq!(code_for("Økonomiudvalget"), "ØK");
        assert_eq!(code_for("Kommunalbestyrelsen"), "KB");
        assert_eq!(code_for("Miljø- og Teknikudvalget"), "MTU");
        assert_eq!(code_for("Børne- og Ungdomsudvalget"), "BUU");
    }

    #[test]
    fn definite_forms() {
        assert_eq!(definite("Byråd"), "Byrådet");
        assert_eq!(definite("Økonomiudvalg"), "Økonomiudvalget");
        assert_eq!(definite("Kommunalbestyrelse"), "Kommunalbestyrelsen");
        assert_eq!(definite("Økonomiudvalget"), "Økonomiudvalget");
        assert_eq!(definite("Hennys testudvalg"), "Hennys testudvalg");
    }

    #[test]
    fn bodies_named_in_sentences() {
        assert_eq!(
            body_from_word("direktionsmøde").as_deref(),
            Some("Direktionen")
        );
        assert_eq!(
            body_from_word("økonomiudvalgsmøde").as_deref(),
            Some("Økonomiudvalget")
        );
        assert_eq!(
            body_from_word("kommunalbestyrelsesmøde").as_deref(),
            Some("Kommunalbestyrelsen")
        );
        assert_eq!(
            body_from_word("direktionen").as_deref(),
            Some("Direktionen")
        );
        assert_eq!(
            body_from_word("Økonomiudvalget,").as_deref(),
            Some("Økonomiudvalget")
        );
        assert_eq!(body_from_word("møde"), None);
        assert_eq!(body_from_word("seminaret"), None);
    }
}
