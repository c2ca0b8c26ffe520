//! The administrators' change log (`/admin/aendringer`): every change with who, when and
//! what, and for edits the record before and after.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;
use crate::error::WebError;
use crate::view::{ChangePage, ChangeRow, ChangesPage};
use crate::visitor::Visitor;

/// How many changes the list shows.
const SHOWN: i64 = 300;

fn administrator(visitor: &Visitor, here: &str) -> Result<(), WebError> {
    let session = visitor
        .session
        .as_ref()
        .ok_or_else(|| WebError::SignIn(here.to_string()))?;
    if session.account.administrator {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

fn row(c: &protokol_store::Change) -> ChangeRow {
    ChangeRow {
        seq: c.seq,
        at: c.at.chars().take(19).collect::<String>().replace('T', " "),
        actor: c.actor.clone(),
        action: c.action.clone(),
        detail: c.detail.clone().unwrap_or_default(),
        has_snapshots: c.before.is_some() || c.after.is_some(),
    }
}

/// `GET /admin/aendringer`.
pub async fn changes(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    administrator(&visitor, "/admin/aendringer")?;
    let rows = state
        .store
        .latest_changes(SHOWN)
        .await?
        .iter()
        .map(row)
        .collect();
    let page = ChangesPage {
        title: "Ændringslog".into(),
        nav: visitor.nav(),
        rows,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /admin/aendringer/{seq}`.
pub async fn change(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(seq): Path<String>,
) -> Result<Response, WebError> {
    administrator(&visitor, &format!("/admin/aendringer/{seq}"))?;
    let seq: i64 = seq.parse().map_err(|_| WebError::NotFound)?;
    let c = state.store.change(seq).await?.ok_or(WebError::NotFound)?;
    let page = ChangePage {
        title: format!("Ændring {seq}"),
        nav: visitor.nav(),
        row: row(&c),
        before: c.before.unwrap_or_default(),
        after: c.after.unwrap_or_default(),
    };
    Ok(Html(page.render()?).into_response())
}
