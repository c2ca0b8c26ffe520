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

pub struct BodyLinks {
    pub name: String,
    pub href: String,
    pub meetings: Vec<MeetingLink>,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub nav: Nav,
    pub title: &'static str,
    pub bodies: Vec<BodyLinks>,
}

pub struct Year {
    pub year: i32,
    pub meetings: Vec<MeetingLink>,
}

#[derive(Template)]
#[template(path = "body.html")]
pub struct BodyPage {
    pub nav: Nav,
    pub title: String,
    pub name: String,
    pub years: Vec<Year>,
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
    pub css: &'static str,
    pub body_name: String,
    pub body_href: String,
    pub meeting_href: String,
    pub meeting_label: String,
    /// The item page: a single item.
    pub item: bool,
    pub versions: Vec<DocLink>,
    pub pdf: DocLink,
    pub origins: Vec<Origin>,
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
