//! What an import did, per file and in total.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use protokol_core::{Meeting, MeetingId};
use protokol_store::{SaveOutcome, Saved};
use serde::Serialize;

use crate::ImportError;

/// The kinds of file the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `protokol.meeting/1` JSON.
    MeetingJson,
}

impl Format {
    /// The format a file's name says it has.
    pub fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::MeetingJson),
            _ => None,
        }
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
}

impl MeetingReport {
    pub(crate) fn new(m: &Meeting, s: Saved) -> Self {
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
        }
    }
}

/// "1 item", "2 items".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The report of one file: the meetings it fed, or why it was not imported.
#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub format: Option<Format>,
    pub result: Result<Vec<MeetingReport>, ImportError>,
}

impl FileReport {
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }

    /// One line for people: the file, then what happened or what is wrong.
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
                format!("{}: {}", self.path.display(), parts.join("; "))
            }
            Err(e) => format!("{}: {e}", self.path.display()),
        }
    }
}

impl Serialize for FileReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FileReport", 4)?;
        st.serialize_field("file", &self.path.display().to_string())?;
        st.serialize_field("format", &self.format)?;
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
        let mut s = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for r in reports {
            match &r.result {
                Ok(ms) => {
                    for m in ms {
                        match m.outcome {
                            SaveOutcome::Created => s.created += 1,
                            SaveOutcome::Updated => s.updated += 1,
                            SaveOutcome::Unchanged => s.unchanged += 1,
                        }
                    }
                }
                Err(_) => s.failed += 1,
            }
        }
        s
    }
}
