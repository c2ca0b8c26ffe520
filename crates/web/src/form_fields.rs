//! Reading the workspace's form fields: clock times, name lists, "Name: text" lines and the
//! standard decision phrases. Each reader returns a Danish message for the field on failure.

use chrono::NaiveDate;
use protokol_core::{ClockTime, DateError, Followup};

/// The phrases secretaries start most decisions with; the editor offers them in a list so
/// the minutes use the same words every time.
pub(crate) const STANDARD_DECISIONS: &[&str] = &[
    "Godkendt.",
    "Godkendt med de faldne bemærkninger.",
    "Taget til efterretning.",
    "Drøftet.",
    "Anbefales.",
    "Ikke godkendt.",
    "Udsat.",
];

/// The decision text with the chosen standard phrase in front, unless the text already
/// starts with it. An unknown phrase (a forged form) is ignored.
pub(crate) fn with_phrase(phrase: &str, text: &str) -> String {
    let phrase = phrase.trim();
    let text = text.trim();
    let Some(phrase) = STANDARD_DECISIONS.iter().find(|p| **p == phrase) else {
        return text.to_string();
    };
    let bare = phrase.trim_end_matches('.');
    if text.to_lowercase().starts_with(&bare.to_lowercase()) {
        text.to_string()
    } else if text.is_empty() {
        phrase.to_string()
    } else {
        format!("{phrase} {text}")
    }
}

/// A date typed as ÅÅÅÅ-MM-DD, within the years protokol accepts (the one reader shared with
/// imports and the API: `protokol_core::parse_date`), with a Danish message.
pub(crate) fn date(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    protokol_core::parse_date(raw).map_err(|e| match e {
        DateError::Shape(_) => {
            format!("Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-12-02 (ikke \"{raw}\").")
        }
        DateError::NoSuchDay(_) => format!("Datoen {raw} findes ikke i kalenderen."),
        DateError::OutOfRange(_) => format!(
            "Datoen skal ligge mellem år {} og {}.",
            protokol_core::time::FIRST_YEAR,
            protokol_core::time::LAST_YEAR
        ),
    })
}

/// A Danish message when `value` is longer than `max` characters.
pub(crate) fn too_long(value: &str, max: usize) -> Option<String> {
    protokol_core::limits::over(value, max)
        .map(|n| format!("Teksten er for lang: højst {max} tegn (her er {n})."))
}

/// A clock time as people type it: "9:30", "09.30", "kl. 9.30". Empty is `None`.
pub(crate) fn clock(raw: &str) -> Result<Option<ClockTime>, String> {
    let raw = raw.trim();
    let raw = raw
        .strip_prefix("kl.")
        .or_else(|| raw.strip_prefix("Kl."))
        .unwrap_or(raw)
        .trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let unreadable = || format!("Skriv tidspunktet som TT:MM, fx 09:30 (ikke \"{raw}\").");
    let (h, m) = raw.split_once([':', '.']).ok_or_else(unreadable)?;
    let digits = |s: &str| {
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (Some(hour), Some(minute)) = (digits(h), digits(m)) else {
        return Err(unreadable());
    };
    if m.len() != 2 {
        return Err(unreadable());
    }
    ClockTime::from_hm(hour, minute).map(Some).ok_or_else(|| {
        format!("Tidspunktet {raw} findes ikke: timer går fra 00 til 23 og minutter fra 00 til 59.")
    })
}

/// A comma-separated list of names.
pub(crate) fn names(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Lines "Name: text"; `what` names the field in the message. A follow-up may name only
/// its owner ("HR"), so a line without a colon is allowed when `name_alone` is set.
pub(crate) fn parse_lines(
    raw: &str,
    what: &str,
    name_alone: bool,
) -> Result<Vec<(String, Option<String>)>, String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((who, text)) if !who.trim().is_empty() => Ok((
                who.trim().to_string(),
                Some(text.trim().to_string()).filter(|t| !t.is_empty()),
            )),
            None if name_alone && l.chars().count() <= 80 => Ok((l.to_string(), None)),
            _ => Err(format!("Skriv {what} som \"Navn: tekst\", én pr. linje.")),
        })
        .collect()
}

/// Follow-ups as the form shows them: "Owner: task", one per line.
pub(crate) fn followup_lines(followups: &[Followup]) -> String {
    followups
        .iter()
        .map(|f| match &f.text {
            Some(t) => format!("{}: {t}", f.owner),
            None => f.owner.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The follow-ups of `raw` ("Owner: task" lines), each keeping the status it had in
/// `before` under the same owner.
pub(crate) fn followups_from(raw: &str, before: &[Followup]) -> Result<Vec<Followup>, String> {
    Ok(parse_lines(raw, "opfølgningerne", true)?
        .into_iter()
        .map(|(owner, text)| Followup {
            id: None,
            status: before
                .iter()
                .find(|f| f.owner == owner)
                .map(|f| f.status)
                .unwrap_or_default(),
            owner,
            text,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_are_read_as_typed_and_impossible_ones_refused() {
        let t = |s: &str| clock(s).map(|t| t.map(|t| t.to_string()));
        assert_eq!(t("9:30"), Ok(Some("09:30".into())));
        assert_eq!(t(" kl. 14.05 "), Ok(Some("14:05".into())));
        assert_eq!(t(""), Ok(None));
        let impossible = clock("25:61").unwrap_err();
        assert!(impossible.contains("25:61") && impossible.contains("findes ikke"));
        for bad in ["halv ti", "9", "9:5", "123:00", "9:30:00", "-1:30"] {
            let why = clock(bad).unwrap_err();
            assert!(why.contains("TT:MM"), "{bad}: {why}");
        }
    }

    #[test]
    fn a_standard_phrase_goes_in_front_once() {
        assert_eq!(with_phrase("Godkendt.", ""), "Godkendt.");
        assert_eq!(
            with_phrase("Drøftet.", "Direktionen bad om en ny sag."),
            "Drøftet. Direktionen bad om en ny sag."
        );
        assert_eq!(
            with_phrase("Godkendt.", "Godkendt, idet …"),
            "Godkendt, idet …"
        );
        assert_eq!(with_phrase("", "Egen tekst."), "Egen tekst.");
        assert_eq!(with_phrase("Vedtaget med 99 stemmer", "x"), "x");
    }
}
