//! Editions in the workspace: the agenda editor lists the changes not yet published
//! ([`pending`]). What readers see of editions and corrections is part of the meeting's
//! record (`protokol_core::public`), derived when the meeting changes.

use protokol_core::versions::{change_lines, changes};
use protokol_core::{Meeting, MeetingStatus, PublicationKind};

use crate::AppState;
use crate::error::WebError;

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
