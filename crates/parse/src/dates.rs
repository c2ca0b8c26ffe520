//! Dates and clock times as Danish documents write them: "Onsdag den 6. september 2023",
//! "06-09-2023", "13. Sep.", "d. 6. februar", "9.05", "10.45-".

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use protokol_core::ClockTime;
use regex::Regex;

/// Month number of a Danish month name or abbreviation ("september", "Sep.", "okt").
pub fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    let months = [
        ("januar", "jan"),
        ("februar", "feb"),
        ("marts", "mar"),
        ("april", "apr"),
        ("maj", "maj"),
        ("juni", "jun"),
        ("juli", "jul"),
        ("august", "aug"),
        ("september", "sep"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("december", "dec"),
    ];
    months
        .iter()
        .position(|(full, short)| {
            w == *full || (w.len() >= 3 && full.starts_with(&w)) || w == *short
        })
        .map(|i| i as u32 + 1)
}

static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})\.\s*(januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|nov|dec)\b\.?(?:\s+(\d{4}))?")
        .unwrap_or_else(|e| panic!("{e}"))
});
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})[-./](\d{1,2})[-./](\d{4})\b").unwrap_or_else(|e| panic!("{e}"))
});
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:kl\.?\s*)?(\d{1,2})[.:](\d{2})\b").unwrap_or_else(|e| panic!("{e}"))
});

/// Why a date in the text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadDate(pub String);

/// The first date written in `text` in words ("Onsdag den 6. september 2023") or digits
/// ("06-09-2023"). `Err` when a date is written but does not exist ("31-02-2024").
pub fn find_date(text: &str) -> Option<Result<NaiveDate, BadDate>> {
    let words = DAY_MONTH.captures(text).and_then(|c| {
        let year = c.get(3)?;
        Some((
            c.get(0)?.start(),
            c[1].parse::<u32>().ok()?,
            month_number(&c[2])?,
            year.as_str().parse::<i32>().ok()?,
            c[0].to_string(),
        ))
    });
    let digits = NUMERIC.captures(text).and_then(|c| {
        Some((
            c.get(0)?.start(),
            c[1].parse().ok()?,
            c[2].parse().ok()?,
            c[3].parse().ok()?,
            c[0].to_string(),
        ))
    });
    let (_, d, m, y, written) = match (words, digits) {
        (Some(a), Some(b)) => {
            if a.0 <= b.0 {
                a
            } else {
                b
            }
        }
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => return None,
    };
    Some(NaiveDate::from_ymd_opt(y, m, d).ok_or(BadDate(written)))
}

/// Day and month (and year, if written) of every "13. september", "d. 6. feb." in `text`,
/// with their byte positions.
pub fn day_months(text: &str) -> Vec<(usize, usize, u32, u32, Option<i32>)> {
    DAY_MONTH
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(0)?;
            Some((
                m.start(),
                m.end(),
                c[1].parse().ok()?,
                month_number(&c[2])?,
                c.get(3).and_then(|y| y.as_str().parse().ok()),
            ))
        })
        .collect()
}

/// The date of day/month: the given year, or else the first such day after `after`.
pub fn resolve(day: u32, month: u32, year: Option<i32>, after: NaiveDate) -> Option<NaiveDate> {
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, month, day);
    }
    (after.year()..=after.year() + 4)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .find(|d| *d > after)
}

/// A clock time at the start of `text`: "9.05", "09:05", "10.45-", "kl. 9.00".
pub fn leading_clock(text: &str) -> Option<(ClockTime, usize)> {
    // Most lines begin with neither a digit nor "kl": no need to ask the pattern.
    if !text
        .trim_start()
        .starts_with(|c: char| c.is_ascii_digit() || c == 'k')
    {
        return None;
    }
    let c = CLOCK.captures(text.trim_start())?;
    let t = ClockTime::from_hm(c[1].parse().ok()?, c[2].parse().ok()?)?;
    let offset = text.len() - text.trim_start().len();
    Some((t, offset + c.get(0)?.end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_words_and_digits() {
        assert_eq!(
            find_date("Dato: Onsdag den 6. september 2023"),
            Some(Ok(d(2023, 9, 6)))
        );
        assert_eq!(
            find_date("Direktionen 24-01-2024"),
            Some(Ok(d(2024, 1, 24)))
        );
        assert_eq!(
            find_date("Beslutning i Direktionen den 31-02-2024"),
            Some(Err(BadDate("31-02-2024".into())))
        );
        assert_eq!(find_date("ingen dato"), None);
    }

    #[test]
    fn year_is_inferred_as_the_first_such_day_after_the_meeting() {
        let meeting = d(2023, 9, 6);
        assert_eq!(resolve(13, 9, None, meeting), Some(d(2023, 9, 13)));
        assert_eq!(resolve(6, 2, None, d(2024, 1, 24)), Some(d(2024, 2, 6)));
        assert_eq!(resolve(20, 12, None, meeting), Some(d(2023, 12, 20)));
        assert_eq!(resolve(10, 1, None, d(2023, 12, 20)), Some(d(2024, 1, 10)));
    }

    #[test]
    fn abbreviated_months_are_understood() {
        let found = day_months("13. Sep. og 4. Okt. samt d. 6. februar 2025");
        let v: Vec<_> = found.iter().map(|f| (f.2, f.3, f.4)).collect();
        assert_eq!(v, [(13, 9, None), (4, 10, None), (6, 2, Some(2025))]);
    }

    #[test]
    fn clock_times_are_normalised() {
        let t = |s: &str| leading_clock(s).map(|(t, _)| t.to_string());
        assert_eq!(t("9.05 Punkt 1"), Some("09:05".into()));
        assert_eq!(t("10.45- Kerneopgaven"), Some("10:45".into()));
        assert_eq!(t("9:00"), Some("09:00".into()));
        assert_eq!(t("25.61 x"), None);
        assert_eq!(t("Punkt"), None);
    }
}
