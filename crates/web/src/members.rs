//! The members' area (`/mit`): the signed-in person's bodies, minutes waiting for their
//! signature, and follow-ups across the meetings of their bodies (their own first).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use protokol_core::danish::{long_date, slug};
use protokol_core::{FollowupStatus, MeetingKind, MeetingStatus};

use crate::AppState;
use crate::error::WebError;
use crate::view::{FollowupRow, MembersPage, SignatureWanted};
use crate::visitor::Visitor;

/// How many of each body's newest meetings are read for follow-ups.
const MEETINGS_PER_BODY: i64 = 30;

/// `GET /mit`.
pub async fn page(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let session = visitor
        .session
        .as_ref()
        .ok_or_else(|| WebError::SignIn("/mit".into()))?;
    let account = &session.account;
    let name = account.name().to_lowercase();
    let viewer = account.viewer();
    let mut bodies = Vec::new();
    let mut to_sign = Vec::new();
    let mut mine = Vec::new();
    let mut others = Vec::new();
    for body in state.store.bodies().await? {
        if !viewer.sees_closed_of(&body.code) {
            continue;
        }
        bodies.push((body.name.clone(), format!("/{}", slug(&body.name))));
        // The newest meetings (by index): signatures and open follow-ups live there.
        let summaries = state
            .store
            .meetings_before(&body.code, None, MEETINGS_PER_BODY)
            .await?;
        for s in &summaries {
            let Some((m, _)) = state.store.meeting(s.id).await? else {
                continue;
            };
            let href = format!("/{}/{}", slug(&body.name), m.date.format("%Y-%m-%d"));
            if m.kind == MeetingKind::Minutes
                && m.status == Some(MeetingStatus::Held)
                && m.unsigned().iter().any(|u| u.to_lowercase() == name)
            {
                to_sign.push(SignatureWanted {
                    text: format!("{} {}", body.name, long_date(m.date).to_lowercase()),
                    href: href.clone(),
                });
            }
            for item in &m.items {
                let item_href = match item.number {
                    Some(n) => format!("{href}/punkt/{n}"),
                    None => href.clone(),
                };
                let followups = item
                    .followups
                    .iter()
                    .chain(item.schedule.iter().flat_map(|sp| sp.followups.iter()));
                for f in followups.filter(|f| f.status == FollowupStatus::Open) {
                    let row = FollowupRow {
                        owner: f.owner.clone(),
                        text: f.text.clone().unwrap_or_default(),
                        meeting: format!("{} {}", body.name, long_date(m.date).to_lowercase()),
                        item: item.title.clone(),
                        href: item_href.clone(),
                    };
                    if f.owner.to_lowercase().contains(&name) {
                        mine.push(row);
                    } else {
                        others.push(row);
                    }
                }
            }
        }
    }
    let page = MembersPage {
        title: "Mine sider".into(),
        nav: visitor.nav(),
        name: account.name().to_string(),
        bodies,
        to_sign,
        mine,
        others,
    };
    Ok(Html(page.render()?).into_response())
}
