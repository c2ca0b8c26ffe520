//! The protokol web application: Danish, server-rendered pages over the store, usable
//! without JavaScript.
//!
//! Every handler gets the [`Viewer`](protokol_core::Viewer) of the request and shows
//! meetings through `Meeting::visible_to`, so closed content is filtered in one place. Until
//! sign-in exists every request is the public.

mod cache;
mod error;
mod pages;
mod view;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use protokol_store::Store;

pub use cache::RenderCache;
pub use error::WebError;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub cache: RenderCache,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            cache: RenderCache::default(),
        }
    }
}

/// The application's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/tilgaengelighed", get(pages::accessibility))
        .route("/{body}", get(pages::body))
        .route("/static/fonts/{name}", get(pages::font))
        .route("/{body}/{date}", get(pages::meeting))
        .route("/{body}/{date}/{doc}", get(pages::meeting_document))
        .route("/{body}/{date}/punkt/{n}", get(pages::item))
        .route("/{body}/{date}/punkt/{n}/bilag/{a}", get(pages::attachment))
        .route("/{body}/{date}/punkt/{n}/{doc}", get(pages::item_document))
        .fallback(pages::not_found)
        .with_state(state)
}

/// Serves the application on `addr` until Ctrl-C.
pub async fn serve(store: Store, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("protokol serves http://{}", listener.local_addr()?);
    axum::serve(listener, app(AppState::new(store)))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        })
        .await
}
