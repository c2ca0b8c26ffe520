//! What an import did, per file and in total.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use protokol_core::{Meeting, MeetingId};
use protokol_store::{SaveOutcome, Saved};
use serde::Serialize;

use crate::ImportError;
use crate::merge::Disagreement;

/// The kinds of file the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// JSON: `protokol.meeting/1`, or FirstAgenda's publication JSON.
    Json,
    /// Text of a published agenda or minutes.
    Text,
    /// A published agenda or minutes as PDF.
    Pdf,
    /// A page saved from a municipal portal.
    Html,
    /// An ESDH publishing export's `<Publication>` XML (its files beside it).
    Xml,
    /// An ESDH publishing export as a zip file.
    Zip,
    /// A Word document.
    Docx,
}

impl Format {
    /// The format a file's name says it has.
    pub fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            "txt" | "text" => Some(Self::Text),
            "pdf" => Some(Self::Pdf),
            "html" | "htm" => Some(Self::Html),
            "xml" => Some(Self::Xml),
            "zip" => Some(Self::Zip),
            "docx" => Some(Self::Docx),
            _ => None,
        }
    }
}

/// Which parts of a meeting record the meeting has after a file was imported: the report's
/// coverage line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub date: bool,
    pub time: bool,
    pub place: bool,
    pub members: usize,
    pub items: usize,
    /// Any item with a section (Sagsfremstilling, Indstilling, … or one of its own).
    pub sections: bool,
    pub decisions: bool,
    pub attachments: usize,
}

impl Coverage {
    pub fn of(m: &Meeting) -> Self {
        Self {
            date: true,
            time: m.start.is_some(),
            place: m.location.is_some(),
            members: m.members.len(),
            items: m.items.len(),
            sections: m.items.iter().any(|i| {
                i.case.is_some()
                    || i.economy.is_some()
                    || i.recommendation.is_some()
                    || !i.sections.is_empty()
            }),
            decisions: m
                .items
                .iter()
                .any(|i| i.decision.is_some() || i.public_decision.is_some()),
            attachments: m.items.iter().map(|i| i.attachments.len()).sum(),
        }
    }

    /// "found: date, time, 9 members, 4 items, sections, decisions; not found: place,
    /// attachments".
    pub fn line(&self) -> String {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        let mut part = |ok: bool, name: String, short: &str| {
            if ok {
                found.push(name);
            } else {
                missing.push(short.to_string());
            }
        };
        part(self.date, "date".into(), "date");
        part(self.time, "time".into(), "time");
        part(self.place, "place".into(), "place");
        part(
            self.members > 0,
            count(self.members, "member", "members"),
            "members",
        );
        part(self.items > 0, count(self.items, "item", "items"), "items");
        part(self.sections, "sections".into(), "sections");
        part(self.decisions, "decisions".into(), "decisions");
        part(
            self.attachments > 0,
            count(self.attachments, "attachment", "attachments"),
            "attachments",
        );
        let mut line = format!("found: {}", found.join(", "));
        if !missing.is_empty() {
            line.push_str(&format!("; not found: {}", missing.join(", ")));
        }
        line
    }
}

/// One meeting fed by a file.
#[derive(Clone, Debug, Serialize)]
pub struct MeetingReport {
    pub body: String,
    pub date: NaiveDate,
    pub id: MeetingId,
    pub outcome: SaveOutcome,
    pub version: i64,
    pub items: usize,
    pub sub_points: usize,
    pub attachments: usize,
    pub followups: usize,
    pub warnings: Vec<String>,
    /// Where this file and the meeting's other documents disagree, and what was kept.
    pub disagreements: Vec<Disagreement>,
    pub coverage: Coverage,
}

impl MeetingReport {
    pub(crate) fn new(m: &Meeting, s: Saved, disagreements: Vec<Disagreement>) -> Self {
        let followups = m
            .items
            .iter()
            .map(|i| {
                i.followups.len() + i.schedule.iter().map(|s| s.followups.len()).sum::<usize>()
            })
            .sum();
        Self {
            body: m.body.code.to_string(),
            date: m.date,
            id: s.id,
            outcome: s.outcome,
            version: s.version,
            items: m.items.len(),
            sub_points: m.items.iter().map(|i| i.schedule.len()).sum(),
            attachments: m.items.iter().map(|i| i.attachments.len()).sum(),
            followups,
            warnings: s.warnings,
            disagreements,
            coverage: Coverage::of(m),
        }
    }
}

/// Text made safe for one line of a terminal: control characters (a newline that would
/// forge a report line, an escape sequence that would rewrite the screen) and the Unicode
/// controls that reorder text are shown escaped, as `\n` or `\u{1b}`; everything else,
/// Danish letters included, is kept.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// "1 item", "2 items".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A line of a document the parser could not place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineWarning {
    pub line: usize,
    pub message: String,
}

/// Time spent on one file, by stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Timings {
    #[serde(with = "micros")]
    pub read: Duration,
    #[serde(with = "micros")]
    pub extract: Duration,
    #[serde(with = "micros")]
    pub parse: Duration,
    #[serde(with = "micros")]
    pub store: Duration,
}

impl std::ops::AddAssign for Timings {
    fn add_assign(&mut self, other: Self) {
        self.read += other.read;
        self.extract += other.extract;
        self.parse += other.parse;
        self.store += other.store;
    }
}

mod micros {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }
}

/// The report of one file: the layout recognised, the meetings it fed, or why it was not
/// imported; lines that could not be placed; time spent.
#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub format: Option<Format>,
    pub layout: Option<String>,
    /// The publishing system recognised ("FirstAgenda", "eDoc", "Formpipe Meetings+", …).
    pub system: Option<String>,
    pub bytes: u64,
    pub result: Result<Vec<MeetingReport>, ImportError>,
    pub line_warnings: Vec<LineWarning>,
    pub timings: Timings,
}

impl FileReport {
    pub(crate) fn failed(path: &Path, format: Option<Format>, e: ImportError) -> Self {
        Self {
            path: path.to_path_buf(),
            format,
            layout: None,
            system: None,
            bytes: 0,
            result: Err(e),
            line_warnings: Vec::new(),
            timings: Timings::default(),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }

    /// One line for people: the file, then what happened or what is wrong (control
    /// characters escaped, see [`printable`]).
    pub fn line(&self) -> String {
        match &self.result {
            Ok(meetings) => {
                let parts: Vec<String> = meetings
                    .iter()
                    .map(|m| {
                        format!(
                            "{} {} {} ({}, {}, {}, {})",
                            m.body,
                            m.date,
                            m.outcome.as_str(),
                            count(m.items, "item", "items"),
                            count(m.sub_points, "sub-point", "sub-points"),
                            count(m.attachments, "attachment", "attachments"),
                            count(m.followups, "follow-up", "follow-ups")
                        )
                    })
                    .collect();
                let layout = match (&self.layout, &self.system) {
                    (Some(l), Some(s)) => format!("[{l} · {s}] "),
                    (Some(l), None) => format!("[{l}] "),
                    _ => String::new(),
                };
                let line = format!("{}: {layout}{}", self.path.display(), parts.join("; "));
                printable(&line).into_owned()
            }
            Err(e) => printable(&format!("{}: {e}", self.path.display())).into_owned(),
        }
    }

    /// Further lines for people: lines not placed, disagreements, store warnings.
    pub fn details(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .line_warnings
            .iter()
            .map(|w| match w.line {
                0 => w.message.clone(),
                n => format!("line {n}: {}", w.message),
            })
            .collect();
        if let Ok(ms) = &self.result {
            for m in ms {
                out.insert(0, m.coverage.line());
                out.extend(m.warnings.iter().cloned());
                out.extend(m.disagreements.iter().map(|d| {
                    let (kept, other) = difference(&d.kept.0, &d.other.0);
                    format!(
                        "sources disagree on {}: kept \"{kept}\" ({}), not \"{other}\" ({})",
                        d.field, d.kept.1, d.other.1
                    )
                }));
            }
        }
        out.into_iter()
            .map(|l| printable(&l).into_owned())
            .collect()
    }
}

/// Where two texts first differ, as short excerpts ("…Norrdjurs Kommune…").
fn difference(a: &str, b: &str) -> (String, String) {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let first = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let start = first.saturating_sub(25);
    let excerpt = |v: &[char]| {
        let end = (first + 25).min(v.len());
        let s: String = v[start.min(v.len())..end].iter().collect();
        let s = s.replace('\n', " ");
        format!(
            "{}{s}{}",
            if start > 0 { "…" } else { "" },
            if end < v.len() { "…" } else { "" }
        )
    };
    (excerpt(&a), excerpt(&b))
}

impl Serialize for FileReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FileReport", 9)?;
        st.serialize_field("file", &self.path.display().to_string())?;
        st.serialize_field("format", &self.format)?;
        st.serialize_field("layout", &self.layout)?;
        st.serialize_field("system", &self.system)?;
        st.serialize_field("bytes", &self.bytes)?;
        match &self.result {
            Ok(m) => {
                st.serialize_field("meetings", m)?;
                st.serialize_field("error", &None::<String>)?;
            }
            Err(e) => {
                st.serialize_field("meetings", &Vec::<MeetingReport>::new())?;
                st.serialize_field("error", &Some(e.to_string()))?;
            }
        }
        st.serialize_field("line_warnings", &self.line_warnings)?;
        st.serialize_field("timings_us", &self.timings)?;
        st.end()
    }
}

/// Totals over a batch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub failed: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Self {
        let mut s = Summary::default();
        for r in reports {
            s.add(r);
        }
        s
    }

    /// Counts one more file.
    pub fn add(&mut self, r: &FileReport) {
        self.files += 1;
        match &r.result {
            Ok(ms) => {
                for m in ms {
                    match m.outcome {
                        SaveOutcome::Created => self.created += 1,
                        SaveOutcome::Updated => self.updated += 1,
                        SaveOutcome::Unchanged => self.unchanged += 1,
                    }
                }
            }
            Err(_) => self.failed += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped_and_danish_letters_kept() {
        assert_eq!(
            printable("Økonomiudvalget, bilag å"),
            "Økonomiudvalget, bilag å"
        );
        assert_eq!(
            printable("x.json\nok   forged.json: DIR created"),
            "x.json\\nok   forged.json: DIR created"
        );
        assert_eq!(printable("\u{1b}[2Jny"), "\\u{1b}[2Jny");
        assert_eq!(printable("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        let report =
            FileReport::failed(Path::new("d/bad\nok   fake.json"), None, ImportError::Empty);
        let line = report.line();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("bad\\nok   fake.json"), "{line}");
    }
}
