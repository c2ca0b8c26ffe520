//! Conversions between domain values and their portable column forms (text and integers),
//! so that both backends store exactly the same thing.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use protokol_core::ClockTime;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Result, StoreError};

pub(crate) fn now() -> String {
    Utc::now().to_rfc3339()
}

pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
}

pub(crate) fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(date).transpose()
}

pub(crate) fn opt_time(s: Option<String>) -> Result<Option<ClockTime>> {
    s.map(|t| {
        t.parse()
            .map_err(|e| StoreError::Corrupt(format!("time: {e}")))
    })
    .transpose()
}

pub(crate) fn timestamp(s: &str) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

pub(crate) fn json_text<T: Serialize>(v: &T) -> String {
    // Lists of strings and plain structs always serialise.
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}

pub(crate) fn from_json<T: DeserializeOwned>(column: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

/// Parses an enum stored as text with its `parse` function.
pub(crate) fn enum_value<T>(column: &str, s: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(s).ok_or_else(|| StoreError::Corrupt(format!("{column}: unknown value {s:?}")))
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

pub(crate) fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn small(column: &str, n: Option<i64>) -> Result<Option<u32>> {
    n.map(|v| {
        u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{column}: {v} out of range")))
    })
    .transpose()
}
