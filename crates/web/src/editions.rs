//! Published editions and corrections on the pages.
//!
//! Outsiders read the newest published edition of a meeting published in protokol, not the
//! secretary's later, unpublished edits ([`public_view`]); everyone sees the list of
//! editions with what changed from one to the next, compared as that reader may see them
//! ([`history`]); the agenda editor lists the unpublished changes ([`pending`]). Dated
//! corrections to approved minutes are shown with the minutes ([`corrections`]); one about
//! a closed item only to those who see the item.

use chrono::{DateTime, Utc};
use protokol_core::danish::local_moment;
use protokol_core::versions::{change_lines, changes};
use protokol_core::{Body, Meeting, MeetingStatus, PublicationKind, Viewer};

use crate::AppState;
use crate::error::WebError;

/// A stored instant ("2026-11-24T13:03:00Z") in Danish time; the text itself if it does not
/// read.
pub(crate) fn moment(stored: &str) -> String {
    stored
        .parse::<DateTime<Utc>>()
        .map(local_moment)
        .unwrap_or_else(|_| stored.to_string())
}

/// One published edition as a reader sees it in the list.
pub struct EditionRow {
    pub label: &'static str,
    pub when: String,
    pub changes: Vec<String>,
}

/// The meeting as `viewer` reads it: for someone who does not see the body's closed
/// content, the newest published edition (with the live status and signatures, which are
/// not part of the text), and its number; for insiders, and for meetings never published
/// in protokol (imported ones), the meeting as stored and 0.
pub(crate) async fn public_view(
    state: &AppState,
    viewer: &Viewer,
    meeting: Meeting,
) -> Result<(Meeting, i64), WebError> {
    if viewer.sees_closed_of(&meeting.body.code) {
        return Ok((meeting, 0));
    }
    let Some(id) = meeting.id else {
        return Ok((meeting, 0));
    };
    match state.store.newest_publication(id).await? {
        Some(p) => {
            let mut edition = p.meeting;
            edition.status = meeting.status;
            edition.signatures = meeting.signatures;
            Ok((edition, p.seq))
        }
        None => Ok((meeting, 0)),
    }
}

/// The editions of a meeting, each with what changed from the one before, as `viewer` may
/// see them. Empty for a meeting never published in protokol.
pub(crate) async fn history(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    meeting: &Meeting,
) -> Result<Vec<EditionRow>, WebError> {
    let Some(id) = meeting.id else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut before: Option<Meeting> = None;
    for p in state.store.publications(id).await? {
        let seen = p.meeting.visible_to(viewer, &body.settings);
        out.push(EditionRow {
            label: p.kind.label(),
            when: moment(&p.published_at),
            changes: before
                .as_ref()
                .map(|b| change_lines(&changes(b, &seen)))
                .unwrap_or_default(),
        });
        before = Some(seen);
    }
    Ok(out)
}

/// What the agenda editor says about editions: the unpublished changes since the newest
/// edition, and which kind of edition publishing them makes.
pub struct Pending {
    pub kind: PublicationKind,
    pub label: &'static str,
    pub changes: Vec<String>,
    /// Revised minutes: signatures given so far are for the old text.
    pub signed_again: bool,
}

/// The unpublished changes of a published meeting (everything, closed content included:
/// the secretary sees it), or `None` when there is nothing to publish again.
pub(crate) async fn pending(state: &AppState, m: &Meeting) -> Result<Option<Pending>, WebError> {
    let Some(id) = m.id else { return Ok(None) };
    let Some(newest) = state.store.newest_publication(id).await? else {
        return Ok(None);
    };
    let kind = match m.status {
        Some(MeetingStatus::AgendaPublished) => PublicationKind::next_agenda(&newest.meeting, m),
        Some(MeetingStatus::Held) => PublicationKind::RevisedMinutes,
        _ => return Ok(None),
    };
    let found = change_lines(&changes(&newest.meeting, m));
    if found.is_empty() {
        return Ok(None);
    }
    Ok(Some(Pending {
        kind,
        label: kind.label(),
        changes: found,
        signed_again: kind == PublicationKind::RevisedMinutes && !m.signatures.is_empty(),
    }))
}

/// A correction as shown with the minutes.
pub struct CorrectionRow {
    pub when: String,
    pub about: String,
    pub text: String,
}

/// The dated corrections of approved minutes that `viewer` may see: one about a closed
/// item is shown only to those who see the item's closed content.
pub(crate) async fn corrections(
    state: &AppState,
    viewer: &Viewer,
    meeting: &Meeting,
) -> Result<Vec<CorrectionRow>, WebError> {
    let Some(id) = meeting.id else {
        return Ok(Vec::new());
    };
    if meeting.status != Some(MeetingStatus::MinutesApproved) {
        return Ok(Vec::new());
    }
    let insider = viewer.sees_closed_of(&meeting.body.code);
    Ok(state
        .store
        .corrections(id)
        .await?
        .into_iter()
        .filter(|c| {
            insider
                || c.item_number.is_none_or(|n| {
                    meeting
                        .items
                        .iter()
                        .any(|i| i.number == Some(n) && !i.access.is_closed())
                })
        })
        .map(|c| CorrectionRow {
            when: moment(&c.added_at),
            about: c
                .item_number
                .map(|n| format!("Punkt {n}"))
                .unwrap_or_else(|| "Referatet".to_string()),
            text: c.text,
        })
        .collect())
}
