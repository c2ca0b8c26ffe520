//! Which publishing system produced a document, for the import report.
//!
//! Structured sources name their system by their shape (FirstAgenda's JSON, eDoc's XML).
//! For published documents the system is recognised from what it leaves behind: a PDF's
//! producer and creator (its Info dictionary and XMP metadata), a saved web page's markup,
//! and the text's own markings where they belong to one system. A document without such a
//! trace is named by no system: the report then says only which reader read it.

use std::sync::LazyLock;

use regex::Regex;

use crate::re;

/// A publishing system of Danish municipalities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum System {
    /// FirstAgenda (Prepare → Publication), used by most municipalities.
    FirstAgenda,
    /// Formpipe Meetings+ (as Norddjurs publishes with it).
    FormpipeMeetings,
    /// Acadre (Formpipe's ESDH system, with its own meeting module).
    Acadre,
    /// eDoc (Fujitsu).
    Edoc,
    /// SBSYS.
    Sbsys,
}

impl System {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::FirstAgenda => "FirstAgenda",
            Self::FormpipeMeetings => "Formpipe Meetings+",
            Self::Acadre => "Acadre",
            Self::Edoc => "eDoc",
            Self::Sbsys => "SBSYS",
        }
    }
}

/// Names in producer/creator metadata or markup, lower case, and the system they belong to.
const NAMES: [(&str, System); 8] = [
    ("firstagenda", System::FirstAgenda),
    ("first agenda", System::FirstAgenda),
    ("meetings+", System::FormpipeMeetings),
    ("formpipe meetings", System::FormpipeMeetings),
    ("acadre", System::Acadre),
    ("fujitsu.dk/agenda", System::Edoc),
    ("edoc", System::Edoc),
    ("sbsys", System::Sbsys),
];

/// The system a PDF's producer or creator (or a page's generator) names.
pub fn from_metadata(metadata: &str) -> Option<System> {
    let m = metadata.to_lowercase();
    NAMES
        .iter()
        .find(|(name, _)| m.contains(name))
        .map(|(_, s)| *s)
}

/// The producer and creator a PDF states (Info dictionary or XMP), as one line; literal
/// strings only (hex-encoded UTF-16 values are not read).
pub fn pdf_metadata(pdf: &[u8]) -> String {
    static FIELD: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(
            r"(?:/(?:Producer|Creator)\s*\(([^)]{0,200})\))|(?:<(?:xmp:CreatorTool|pdf:Producer)>([^<]{0,200})<)",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    });
    let mut out = String::new();
    for c in FIELD.captures_iter(pdf).take(8) {
        if let Some(v) = c.get(1).or_else(|| c.get(2)) {
            out.push_str(&String::from_utf8_lossy(v.as_bytes()));
            out.push(' ');
        }
    }
    out
}

/// The system a saved web page comes from, by its markup (eDoc's agenda web, FirstAgenda's
/// publication portal).
pub fn from_html(html: &str) -> Option<System> {
    let head: String = html.chars().take(20_000).collect::<String>().to_lowercase();
    if head.contains("fujitsu.dk/agenda") || head.contains("/agendaweb/") {
        return Some(System::Edoc);
    }
    if head.contains("firstagenda") {
        return Some(System::FirstAgenda);
    }
    static GENERATOR: LazyLock<Regex> =
        LazyLock::new(|| re(r#"(?i)<meta\s+name="generator"\s+content="([^"]{0,200})""#));
    GENERATOR.captures(&head).and_then(|c| from_metadata(&c[1]))
}

/// The system a document's text shows: markings one system prints.
/// - Formpipe Meetings+: each item's access line "Åben sag" / "Lukket sag" and attachment
///   lines "1 - 3514806 Åben Titel" (as in Norddjurs's records);
/// - Acadre, SBSYS: case numbers labelled with the system ("Acadre sagsnr.", "SBSYS sag").
pub fn from_text(text: &str) -> Option<System> {
    static ACCESS_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"(?mi)^\s*(Åben|Lukket) sag\s*$"));
    static LABELLED: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)\b(acadre|sbsys)[ -]?(sagsnr|sags nr|sag|dok(ument)?nr)"));
    if ACCESS_LINE.find_iter(text).take(1).count() > 0 {
        return Some(System::FormpipeMeetings);
    }
    LABELLED
        .captures(text)
        .map(|c| match c[1].to_lowercase().as_str() {
            "acadre" => System::Acadre,
            _ => System::Sbsys,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systems_are_named_by_their_traces() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Producer (FirstAgenda PDF Engine) /Title (x) >>";
        assert_eq!(from_metadata(&pdf_metadata(pdf)), Some(System::FirstAgenda));
        let xmp = b"<x:xmpmeta><xmp:CreatorTool>Acadre MM 7.2</xmp:CreatorTool></x:xmpmeta>";
        assert_eq!(from_metadata(&pdf_metadata(xmp)), Some(System::Acadre));
        assert_eq!(
            from_metadata(&pdf_metadata(b"/Producer (Microsoft Word)")),
            None
        );
        assert_eq!(
            from_html(r#"<link href="http://edocprod/AgendaWeb/xslt/Layout.css"/>"#),
            Some(System::Edoc)
        );
        assert_eq!(
            from_html(r#"<meta name="generator" content="Formpipe Meetings+ 4.1">"#),
            Some(System::FormpipeMeetings)
        );
        assert_eq!(from_html("<p>Referat</p>"), None);
        assert_eq!(
            from_text("Godkendelse af dagsorden\nÅben sag\nSagsfremstilling"),
            Some(System::FormpipeMeetings)
        );
        assert_eq!(from_text("Acadre sagsnr. 14/2231"), Some(System::Acadre));
        // The name in running text (an item about the system) is not a trace.
        assert_eq!(from_text("Punkt 3: Status på Acadre-projektet"), None);
        assert_eq!(from_text("1. First Agenda\nStatus"), None);
    }
}
