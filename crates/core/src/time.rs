//! Clock times as meetings use them: "HH:MM", 24-hour, zero-padded.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A time of day to the minute, written "09:05". Only valid times can be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(NaiveTime);

/// Why a text is not a clock time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid time {0:?}: expected HH:MM between 00:00 and 23:59")]
pub struct InvalidTime(pub String);

impl ClockTime {
    pub fn from_hm(hour: u32, minute: u32) -> Option<Self> {
        NaiveTime::from_hms_opt(hour, minute, 0).map(Self)
    }

    pub fn hour(&self) -> u32 {
        self.0.hour()
    }

    pub fn minute(&self) -> u32 {
        self.0.minute()
    }

    pub fn as_naive(&self) -> NaiveTime {
        self.0
    }
}

impl FromStr for ClockTime {
    type Err = InvalidTime;

    /// Parses exactly "HH:MM" (the exchange format). Lenient forms such as "9.05" are the
    /// importer's business, not this type's.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || InvalidTime(s.to_string());
        let b = s.as_bytes();
        if b.len() != 5 || b[2] != b':' {
            return Err(err());
        }
        let digits = |r: &[u8]| -> Option<u32> {
            r.iter().try_fold(0u32, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let (h, m) = (
            digits(&b[0..2]).ok_or_else(err)?,
            digits(&b[3..5]).ok_or_else(err)?,
        );
        Self::from_hm(h, m).ok_or_else(err)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_zero_padded_times() {
        let t: ClockTime = "09:05".parse().unwrap();
        assert_eq!((t.hour(), t.minute()), (9, 5));
        assert_eq!(t.to_string(), "09:05");
    }

    #[test]
    fn rejects_impossible_and_sloppy_times() {
        for bad in [
            "25:61", "24:00", "9:05", "09.05", "0905", "", "ab:cd", "09:5 ",
        ] {
            assert!(
                bad.parse::<ClockTime>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}

/// The years protokol accepts in any date (meeting dates, decisions, plans, next steps),
/// whichever way the date arrives: a form, an import, the API.
pub const FIRST_YEAR: i32 = 1800;
pub const LAST_YEAR: i32 = 2199;

/// Why a text is not an acceptable date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("invalid date {0:?}: expected YYYY-MM-DD")]
    Shape(String),
    #[error("invalid date {0:?}: there is no such day in the calendar")]
    NoSuchDay(String),
    #[error("date {0} is outside the years protokol accepts ({FIRST_YEAR}–{LAST_YEAR})")]
    OutOfRange(String),
}

/// Checks that a date lies within [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub fn check_date_range(d: chrono::NaiveDate) -> Result<chrono::NaiveDate, DateError> {
    use chrono::Datelike;
    if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(DateError::OutOfRange(d.format("%Y-%m-%d").to_string()))
    }
}

/// Reads a date written "YYYY-MM-DD" within the accepted years: the one date reader for
/// forms, addresses, imports and the API.
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, DateError> {
    iso_date::parse(s)
}

/// Serde for calendar dates written "YYYY-MM-DD", with errors that say what is wrong
/// ("2024-02-31 is not a date in the calendar").
pub mod iso_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::DateError;

    pub fn parse(s: &str) -> Result<NaiveDate, DateError> {
        let shaped = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !shaped {
            return Err(DateError::Shape(s.to_string()));
        }
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| DateError::NoSuchDay(s.to_string()))?;
        super::check_date_range(d)
    }

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&d.format("%Y-%m-%d"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }

    /// The same for optional dates (`null` allowed).
    pub mod option {
        use chrono::NaiveDate;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| super::parse(&s).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

#[cfg(test)]
mod date_tests {
    use super::iso_date::parse;

    #[test]
    fn impossible_and_misshapen_dates_are_explained() {
        let err = |s: &str| parse(s).unwrap_err().to_string();
        assert!(parse("2024-02-29").is_ok());
        assert!(err("2024-02-31").contains("no such day"));
        assert!(err("31-02-2024").contains("expected YYYY-MM-DD"));
        assert!(err("2024-2-3").contains("expected YYYY-MM-DD"));
        assert!(err("-0001-01-01").contains("expected YYYY-MM-DD"));
        assert!(err("+2024-01-01").contains("expected YYYY-MM-DD"));
    }

    #[test]
    fn dates_outside_the_accepted_years_are_refused() {
        assert!(parse("1800-01-01").is_ok());
        assert!(parse("2199-12-31").is_ok());
        for bad in ["0000-01-01", "1799-12-31", "2200-01-01", "9999-12-31"] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(
                e.contains("outside the years protokol accepts (1800–2199)"),
                "{e}"
            );
        }
    }
}
