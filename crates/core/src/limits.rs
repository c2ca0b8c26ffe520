//! How long texts may be. The same limits hold for every way text arrives — a form, an
//! import, the API — so nothing stored can only have come in one way. Lengths are in
//! characters (what people count), not bytes.

/// Titles: items, sub-points, attachments, public titles, plan topics.
pub const TITLE_CHARS: usize = 500;
/// Names and short values: people, roles, parties, places, owners, document and journal
/// numbers, reasons for closing an item.
pub const NAME_CHARS: usize = 300;
/// Running text: the sections of an item, decisions, sub-point texts, follow-ups, dissents,
/// corrections, reservations.
pub const TEXT_CHARS: usize = 100_000;

/// The length of `s` in characters if it is longer than `max`.
pub fn over(s: &str, max: usize) -> Option<usize> {
    // Counting stops early for the common case of a short text.
    if s.len() <= max {
        return None;
    }
    let n = s.chars().count();
    (n > max).then_some(n)
}
