//! The `protokol.meeting/1` JSON exchange format: parsing with errors that name the JSON
//! path and the reason, and deterministic printing (so that export → import → export gives
//! identical bytes).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::meeting::Meeting;
use crate::validate::{Invalid, validate_meeting};

/// The schema name every meeting document carries.
pub const SCHEMA: &str = "protokol.meeting/1";

/// The `"schema"` field: serialises as [`SCHEMA`], and refuses any other value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SchemaTag;

impl Serialize for SchemaTag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(SCHEMA)
    }
}

impl<'de> Deserialize<'de> for SchemaTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == SCHEMA {
            Ok(SchemaTag)
        } else {
            Err(serde::de::Error::custom(format!(
                "unsupported schema {s:?}: expected {SCHEMA:?}"
            )))
        }
    }
}

/// Why a document could not be read as a meeting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Not JSON at all, or cut off.
    #[error("malformed JSON at line {line}, column {column}: {reason}")]
    Syntax {
        line: usize,
        column: usize,
        reason: String,
    },
    /// JSON, but not a valid meeting: each problem with its JSON path.
    #[error("{}", join_invalid(.0))]
    Invalid(Vec<Invalid>),
}

fn join_invalid(v: &[Invalid]) -> String {
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads one meeting document and validates it.
pub fn parse_meeting(json: &str) -> Result<Meeting, DocumentError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let meeting: Meeting = serde_path_to_error::deserialize(de).map_err(document_error)?;
    let problems = validate_meeting(&meeting);
    if problems.is_empty() {
        Ok(meeting)
    } else {
        Err(DocumentError::Invalid(problems))
    }
}

/// Reads a document holding one meeting (an object) or several (an array of objects), and
/// validates each. Paths in errors of an array start with the element's index (`[2].date`).
pub fn parse_meetings(json: &str) -> Result<Vec<Meeting>, DocumentError> {
    if !json.trim_start().starts_with('[') {
        return parse_meeting(json).map(|m| vec![m]);
    }
    let de = &mut serde_json::Deserializer::from_str(json);
    let meetings: Vec<Meeting> = serde_path_to_error::deserialize(de).map_err(document_error)?;
    let problems: Vec<Invalid> = meetings
        .iter()
        .enumerate()
        .flat_map(|(i, m)| {
            validate_meeting(m)
                .into_iter()
                .map(move |p| Invalid::new(format!("[{i}].{}", p.path), p.reason))
        })
        .collect();
    if problems.is_empty() {
        Ok(meetings)
    } else {
        Err(DocumentError::Invalid(problems))
    }
}

/// A serde error as a document error: syntax with line and column, anything else with the
/// JSON path of the value ("$" for the document itself).
fn document_error(e: serde_path_to_error::Error<serde_json::Error>) -> DocumentError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            DocumentError::Syntax {
                line: inner.line(),
                column: inner.column(),
                reason: strip_position(&inner.to_string()),
            }
        }
        _ => DocumentError::Invalid(vec![Invalid::new(
            if path == "." { "$".to_string() } else { path },
            strip_position(&inner.to_string()),
        )]),
    }
}

/// serde_json appends " at line L column C"; the path says more, so drop it.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Prints a meeting as a pretty, deterministic `protokol.meeting/1` document (ending in a
/// newline).
pub fn to_json(meeting: &Meeting) -> String {
    // Serialising plain structs, strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(meeting).unwrap_or_default();
    s.push('\n');
    s
}

/// Prints a meeting as one line of JSON Lines: a compact `protokol.meeting/1` document
/// followed by a newline (JSON escapes every newline inside strings).
pub fn to_json_line(meeting: &Meeting) -> String {
    let mut s = serde_json::to_string(meeting).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"schema":"protokol.meeting/1","body":{"name":"Direktionen","code":"DIR"},
        "kind":"agenda","date":"2023-09-13","items":[]}"#;

    fn invalid_paths(json: &str) -> Vec<(String, String)> {
        match parse_meeting(json) {
            Err(DocumentError::Invalid(v)) => v.into_iter().map(|i| (i.path, i.reason)).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn minimal_document_parses_with_absent_facts_empty() {
        let m = parse_meeting(MINIMAL).unwrap();
        assert_eq!(m.date.to_string(), "2023-09-13");
        assert!(m.start.is_none() && m.members.is_empty());
    }

    #[test]
    fn printed_document_parses_back_to_the_same_meeting() {
        let m = parse_meeting(MINIMAL).unwrap();
        let printed = to_json(&m);
        assert!(printed.starts_with("{\n  \"schema\": \"protokol.meeting/1\""));
        assert_eq!(parse_meeting(&printed).unwrap(), m);
    }

    #[test]
    fn unknown_fields_are_ignored_as_the_format_says() {
        let json = MINIMAL.replace(
            "\"items\":[]",
            "\"items\":[],\"sources\":[\"a.txt\"],\"x_extra\":1",
        );
        assert!(parse_meeting(&json).is_ok());
    }

    #[test]
    fn wrong_schema_names_the_field() {
        let json = MINIMAL.replace("protokol.meeting/1", "protokol.meeting/2");
        let errs = invalid_paths(&json);
        assert_eq!(errs[0].0, "schema");
        assert!(errs[0].1.contains("unsupported schema"), "{errs:?}");
    }

    #[test]
    fn impossible_date_names_the_field() {
        let json = MINIMAL.replace("2023-09-13", "2024-02-31");
        let errs = invalid_paths(&json);
        assert_eq!(errs[0].0, "date");
    }

    #[test]
    fn impossible_time_names_the_path() {
        let json = MINIMAL.replace(
            "\"items\":[]",
            r#""items":[{"number":1,"title":"T","access":"open","schedule":[{"time":"25:61","title":"x"}]}]"#,
        );
        let errs = invalid_paths(&json);
        assert_eq!(errs[0].0, "items[0].schedule[0].time");
        assert!(errs[0].1.contains("25:61"));
    }

    #[test]
    fn unknown_access_value_names_the_path() {
        let json = MINIMAL.replace(
            "\"items\":[]",
            r#""items":[{"number":1,"title":"T","access":"secret"}]"#,
        );
        let errs = invalid_paths(&json);
        assert_eq!(errs[0].0, "items[0].access");
        assert!(errs[0].1.contains("secret"));
    }

    #[test]
    fn a_list_of_meetings_names_the_element_in_paths() {
        let bad = MINIMAL.replace("2023-09-13", "2023-13-01");
        let list = format!("[{MINIMAL}, {bad}]");
        match parse_meetings(&list) {
            Err(DocumentError::Invalid(v)) => assert_eq!(v[0].path, "[1].date"),
            other => panic!("expected invalid, got {other:?}"),
        }
        assert_eq!(parse_meetings(&format!("[{MINIMAL}]")).unwrap().len(), 1);
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        match parse_meeting("{\n  \"schema\": ") {
            Err(DocumentError::Syntax { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected syntax error, got {other:?}"),
        }
    }
}
