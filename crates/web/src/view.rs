//! Page templates and the view models they show. A view model holds display-ready Danish
//! strings built from the domain types; templates only lay them out (and escape them).

use askama::Template;

use crate::visitor::Nav;

pub struct MeetingLink {
    pub href: String,
    pub date: String,
    pub kind: &'static str,
    pub items: i64,
}

/// A meeting in a list that names its body ("Økonomiudvalget, tirsdag den 6. februar").
pub struct DatedLink {
    pub href: String,
    pub body: String,
    pub date: String,
    pub kind: &'static str,
    pub items: i64,
}

pub struct BodyLinks {
    pub name: String,
    pub href: String,
    /// How many public meetings the body has.
    pub count: i64,
    pub meetings: Vec<MeetingLink>,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub nav: Nav,
    pub title: &'static str,
    /// The next meetings of every body.
    pub upcoming: Vec<DatedLink>,
    /// The newest meetings held (agendas and minutes).
    pub latest: Vec<DatedLink>,
    /// Each body with its newest meetings.
    pub bodies: Vec<BodyLinks>,
    /// Draft agendas of the bodies the visitor prepares or sits on.
    pub drafts: Vec<DatedLink>,
}

/// A year in a body's archive, for the year navigation.
pub struct YearLink {
    pub year: i32,
    pub href: String,
    pub count: i64,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "body.html")]
pub struct BodyPage {
    pub nav: Nav,
    pub title: String,
    pub name: String,
    pub years: Vec<YearLink>,
    /// The year shown.
    pub year: Option<i32>,
    pub meetings: Vec<MeetingLink>,
    pub drafts: Vec<MeetingLink>,
}

/// A link in the page's list of document versions and downloads.
pub struct DocLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// Where an item's matter was treated before: a link to that meeting's item.
pub struct Origin {
    pub text: String,
    pub href: String,
}

/// A meeting's agenda or minutes, or one item of it, as a page: the document fragment
/// from the render crate with the page's own navigation around it.
#[derive(Template)]
#[template(path = "meeting.html")]
pub struct DocumentPage {
    pub nav: Nav,
    pub title: String,
    pub body_name: String,
    pub body_href: String,
    pub meeting_href: String,
    pub meeting_label: String,
    /// The item page: a single item.
    pub item: bool,
    pub versions: Vec<DocLink>,
    pub pdf: DocLink,
    pub origins: Vec<Origin>,
    /// The item page of an item whose case has no printed number: that case's page.
    pub chain: Option<String>,
    /// The member's signing form, while the minutes await signatures.
    pub sign: Option<crate::signing::SignBox>,
    /// The published editions, each with what changed (meeting page only).
    pub editions: Vec<protokol_core::public::EditionLine>,
    /// Dated corrections to approved minutes (meeting page only).
    pub corrections: Vec<protokol_core::public::CorrectionLine>,
    pub fragment: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub nav: Nav,
    pub title: &'static str,
    pub heading: &'static str,
    pub text: &'static str,
}

#[derive(Template)]
#[template(path = "accessibility.html")]
pub struct AccessibilityPage {
    pub nav: Nav,
    pub title: &'static str,
}

#[derive(Template)]
#[template(path = "signin.html")]
pub struct SignInPage {
    pub title: &'static str,
    pub nav: Nav,
    pub csrf: String,
    /// Where to go after signing in.
    pub next: String,
    pub username: String,
    pub error: Option<&'static str>,
}

/// A meeting in the workspace's list.
pub struct WorkspaceMeeting {
    pub href: String,
    pub date: String,
    pub status: &'static str,
    pub items: i64,
}

/// A body the secretary prepares meetings for, with the new-meeting form's state.
pub struct WorkspaceBody {
    pub name: String,
    pub slug: String,
    pub code: String,
    pub standing_items: String,
    pub meetings: Vec<WorkspaceMeeting>,
    pub date_value: String,
    pub start_value: String,
    pub place_value: String,
    pub date_error: Option<String>,
    pub start_error: Option<String>,
    pub place_error: Option<String>,
}

#[derive(Template)]
#[template(path = "workspace.html")]
pub struct WorkspacePage {
    pub title: String,
    pub nav: Nav,
    pub csrf: String,
    pub bodies: Vec<WorkspaceBody>,
}

/// An item in the agenda editor.
pub struct WorkspaceItem {
    pub id: String,
    pub number: String,
    pub title: String,
    pub closed: bool,
    pub edit_href: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "workspace_meeting.html")]
pub struct MeetingEditorPage {
    pub title: String,
    pub nav: Nav,
    pub csrf: String,
    pub body_name: String,
    pub date: String,
    pub status: &'static str,
    /// Not yet published.
    pub draft: bool,
    /// The agenda is out; the minutes can be published next.
    pub agenda_out: bool,
    /// Approved minutes: shown, not editable.
    pub frozen: bool,
    pub href: String,
    pub public_href: String,
    pub location: String,
    pub version: i64,
    pub items: Vec<WorkspaceItem>,
    /// A message for the whole page (e.g. someone else changed the meeting).
    pub message: Option<String>,
    /// The dispatch deadline is near or passed.
    pub warning: Option<String>,
    /// The new-item form's problem.
    pub add_error: Option<String>,
    /// The correction form's problems (text, item number).
    pub correction_error: Option<String>,
    pub correction_item_error: Option<String>,
    /// The published editions, each with what changed.
    pub editions: Vec<protokol_core::public::EditionLine>,
    /// Changes since the newest edition, not yet published.
    pub pending: Option<crate::editions::Pending>,
    /// Dated corrections to the approved minutes.
    pub corrections: Vec<protokol_core::public::CorrectionLine>,
    pub item_numbers: Vec<u32>,
}

/// An item's editable fields, as the form shows them.
#[derive(Clone, Debug, Default)]
pub struct ItemFields {
    pub title: String,
    pub closed: bool,
    pub closed_reason: String,
    pub public_title: String,
    pub public_decision: String,
    pub route: String,
    pub case: String,
    pub economy: String,
    pub recommendation: String,
    pub decision: String,
    /// Comma-separated names.
    pub participants: String,
    /// "Owner: task" lines.
    pub followups: String,
    pub votes_for: String,
    pub votes_against: String,
    pub votes_abstain: String,
    /// "Member: text" lines.
    pub dissents: String,
    /// Comma-separated names.
    pub disqualified: String,
}

/// A field that differs between the stored item and the secretary's edit.
pub struct ConflictRow {
    pub label: &'static str,
    pub stored: String,
    pub yours: String,
}

#[derive(Template)]
#[template(path = "workspace_item.html")]
pub struct ItemEditorPage {
    pub title: String,
    pub nav: Nav,
    pub csrf: String,
    pub body_name: String,
    pub date: String,
    pub meeting_href: String,
    pub action: String,
    pub number: String,
    pub version: i64,
    /// The meeting's version (for postponing, which changes the meeting).
    pub meeting_version: i64,
    pub fields: ItemFields,
    pub title_error: Option<String>,
    pub reason_error: Option<String>,
    pub public_title_error: Option<String>,
    pub followups_error: Option<String>,
    pub votes_for_error: Option<String>,
    pub votes_against_error: Option<String>,
    pub votes_abstain_error: Option<String>,
    pub dissents_error: Option<String>,
    pub postpone_error: Option<String>,
    pub attachment_number_error: Option<String>,
    pub attachment_title_error: Option<String>,
    pub attachment_file_error: Option<String>,
    pub attachment_doc_error: Option<String>,
    pub next_attachment: u32,
    pub attachments: Vec<AttachmentRow>,
    /// Body codes the item can be postponed to (the secretary's bodies).
    pub targets: Vec<String>,
    pub this_body: String,
    pub has_errors: bool,
    /// Problems with fields that have no message of their own next to them, by label.
    pub other_errors: Vec<String>,
    /// Approved minutes: shown, not editable.
    pub frozen: bool,
    pub conflict: Vec<ConflictRow>,
    /// The standard decision phrases offered.
    pub phrases: &'static [&'static str],
    /// How many timed sub-points the item has.
    pub sub_points: usize,
}

/// An attachment in the item editor.
pub struct AttachmentRow {
    pub number: u32,
    pub title: String,
    pub closed: bool,
    pub file: String,
}

/// Minutes waiting for the member's signature.
pub struct SignatureWanted {
    pub text: String,
    pub href: String,
}

/// An open follow-up in the members' area.
pub struct FollowupRow {
    pub owner: String,
    pub text: String,
    pub meeting: String,
    pub item: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "members.html")]
pub struct MembersPage {
    pub title: String,
    pub nav: Nav,
    pub name: String,
    /// (name, href) of the bodies whose closed content the person reads.
    pub bodies: Vec<(String, String)>,
    pub to_sign: Vec<SignatureWanted>,
    pub mine: Vec<FollowupRow>,
    pub others: Vec<FollowupRow>,
}

/// One member on the attendance form.
pub struct AttendanceRow {
    pub index: usize,
    pub label: String,
    /// "til_stede", "afbud" or "fravaer".
    pub status: String,
    /// Items during which the member was away, e.g. "3-5".
    pub away: String,
    pub substitute: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "attendance.html")]
pub struct AttendancePage {
    pub title: String,
    pub nav: Nav,
    pub csrf: String,
    pub body_name: String,
    pub date: String,
    pub meeting_href: String,
    pub version: i64,
    pub rows: Vec<AttendanceRow>,
    pub message: Option<String>,
}

/// One change in the administrators' log.
pub struct ChangeRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub has_snapshots: bool,
}

#[derive(Template)]
#[template(path = "changes.html")]
pub struct ChangesPage {
    pub title: String,
    pub nav: Nav,
    pub rows: Vec<ChangeRow>,
}

#[derive(Template)]
#[template(path = "change.html")]
pub struct ChangePage {
    pub title: String,
    pub nav: Nav,
    pub row: ChangeRow,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "body_settings.html")]
pub struct BodySettingsPage {
    pub title: String,
    pub nav: Nav,
    pub csrf: String,
    pub body_name: String,
    pub action: String,
    pub version: i64,
    pub standing: String,
    pub deadline: String,
    pub titles_public: bool,
    pub case_numbers_public: bool,
    pub members: String,
    pub deadline_error: Option<String>,
    pub members_error: Option<String>,
    pub message: Option<String>,
}
