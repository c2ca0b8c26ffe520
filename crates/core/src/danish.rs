//! Danish words for dates and names as the documents write them: "Onsdag den 6. september
//! 2023", "06-09-2023", and URL slugs for body names ("Økonomiudvalget" → "oekonomiudvalget").

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Europe::Copenhagen;

const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

/// The Danish name of a weekday, lower case ("onsdag").
pub fn weekday(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "mandag",
        Weekday::Tue => "tirsdag",
        Weekday::Wed => "onsdag",
        Weekday::Thu => "torsdag",
        Weekday::Fri => "fredag",
        Weekday::Sat => "lørdag",
        Weekday::Sun => "søndag",
    }
}

/// The Danish name of a month (1-12), lower case ("september").
pub fn month(m: u32) -> &'static str {
    MONTHS
        .get(m.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("")
}

/// "Onsdag den 6. september 2023", as on a front page.
pub fn long_date(d: NaiveDate) -> String {
    capitalise(&format!(
        "{} den {}. {} {}",
        weekday(d.weekday()),
        d.day(),
        month(d.month()),
        d.year()
    ))
}

/// The text with its first letter in upper case ("punkt 2" → "Punkt 2", "øvrigt" → "Øvrigt").
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "6. september 2023".
pub fn day_month_year(d: NaiveDate) -> String {
    format!("{}. {} {}", d.day(), month(d.month()), d.year())
}

/// Today's date in Denmark.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&Copenhagen).date_naive()
}

/// A moment with any offset as the clocks in Denmark showed it (CET/CEST).
pub fn local_date_time<Tz: chrono::TimeZone>(t: &DateTime<Tz>) -> chrono::NaiveDateTime {
    t.with_timezone(&Copenhagen).naive_local()
}

/// The instant the clocks in Denmark show `hour`:`minute` on `date`, with its offset
/// (+01:00 in winter, +02:00 in summer). `None` for a time the clocks skip in spring; the
/// earlier of the two in autumn.
pub fn danish_instant(
    date: NaiveDate,
    hour: u32,
    minute: u32,
) -> Option<DateTime<chrono::FixedOffset>> {
    use chrono::TimeZone;
    let local = date.and_hms_opt(hour, minute, 0)?;
    Copenhagen
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.fixed_offset())
}

/// A moment in Danish time: "24. november 2026 kl. 14.03" (CET/CEST, as the clocks in
/// the town hall show it).
pub fn local_moment(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Copenhagen);
    format!(
        "{} kl. {:02}.{:02}",
        day_month_year(local.date_naive()),
        local.hour(),
        local.minute()
    )
}

/// "06-09-2023", as in "Beslutning i Direktionen den 06-09-2023".
pub fn numeric_date(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// A URL-safe slug of a name: lower case ASCII, æ/ø/å spelt ae/oe/aa, other runs of
/// non-alphanumerics as one '-'.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'æ' => out.push_str("ae"),
            'ø' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            'é' | 'è' => out.push('e'),
            'ü' => out.push('u'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.is_empty() && !out.ends_with('-') {
                    out.push('-');
                }
            }
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// A count as Danish writes it, with a point between thousands: 12.345.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_a_point_between_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1.000");
        assert_eq!(count(12_345), "12.345");
        assert_eq!(count(1_234_567), "1.234.567");
    }

    #[test]
    fn moments_are_shown_in_danish_time_summer_and_winter() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            local_moment(at("2026-11-24T13:03:00Z")),
            "24. november 2026 kl. 14.03"
        );
        assert_eq!(
            local_moment(at("2026-06-30T22:30:00Z")),
            "1. juli 2026 kl. 00.30"
        );
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn front_page_dates_read_as_in_the_documents() {
        assert_eq!(long_date(d(2023, 9, 6)), "Onsdag den 6. september 2023");
        assert_eq!(long_date(d(2024, 5, 15)), "Onsdag den 15. maj 2024");
        assert_eq!(long_date(d(2024, 6, 1)), "Lørdag den 1. juni 2024");
        assert_eq!(numeric_date(d(2023, 9, 6)), "06-09-2023");
        assert_eq!(day_month_year(d(2024, 2, 6)), "6. februar 2024");
    }

    #[test]
    fn slugs_spell_out_danish_letters() {
        assert_eq!(slug("Direktionen"), "direktionen");
        assert_eq!(slug("Økonomiudvalget"), "oekonomiudvalget");
        assert_eq!(
            slug("Børne- og Ungdomsudvalget"),
            "boerne-og-ungdomsudvalget"
        );
        assert_eq!(
            slug("Kultur- og Fritidsudvalget "),
            "kultur-og-fritidsudvalget"
        );
    }
}
