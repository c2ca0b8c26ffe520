//! The domain model of protokol: bodies, meetings, agenda items, timed sub-points,
//! attachments, decisions, follow-ups, forward plans and signatures.
//!
//! This crate holds types and pure functions only. It does no I/O: no files, no SQL, no
//! network. Other crates (store, import, web, cli) depend on it; it depends on none of them.
//!
//! The types are shaped so that wrong states are hard to write: newtype IDs, enums for
//! access, kind and status, real date and time types, and constructors that validate.
//! The same types serialise to and from the `protokol.meeting/1` JSON exchange format
//! (see [`exchange`]).

pub mod access;
pub mod account;
pub mod body;
pub mod danish;
pub mod exchange;
pub mod ids;
pub mod item;
pub mod limits;
pub mod meeting;
pub mod public;
pub mod time;
pub mod validate;
pub mod versions;

pub use access::{Access, Viewer};
pub use account::{Account, Grant, Role, normalise_username};
pub use body::{Body, BodyCode, BodyRef, BodySettings, Membership, dispatch_deadline};
pub use ids::{AttachmentId, BodyId, DocumentId, FollowupId, ItemId, MeetingId, SubPointId};
pub use item::{
    Attachment, AttachmentFile, Dissent, Followup, FollowupStatus, Item, NextKind, NextStep,
    Section, SubPoint, Vote, VoteOption,
};
pub use meeting::{
    Absence, ForwardPlanEntry, Meeting, MeetingKind, MeetingStatus, Member, Signature,
};
pub use time::{ClockTime, DateError, parse_date};
pub use validate::{Invalid, validate_meeting};
pub use versions::{Change, Part, PublicationKind};
