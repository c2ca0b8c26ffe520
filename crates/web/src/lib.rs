//! The protokol web application: Danish, server-rendered pages over the store, usable
//! without JavaScript.
//!
//! Every handler gets the [`Visitor`](visitor::Visitor) of the request (the public, or a
//! signed-in account found by its session cookie) and shows meetings through
//! `Meeting::visible_to` for that visitor's viewer, so closed content is filtered in one
//! place. Responses to signed-in visitors are marked `Cache-Control: private, no-store`, so
//! no shared cache keeps closed content.

mod admin;
mod attendance;
mod bodies;
mod cache;
mod cases;
mod client;
mod conditional;
mod documents;
mod editions;
mod error;
mod export;
mod feeds;
mod files;
mod form_fields;
mod members;
mod oparl;
pub mod openapi;
mod page_cache;
mod pages;
mod pdf_worker;
mod plan;
mod schedule;
mod search;
pub mod search_sync;
mod signin;
mod signing;
mod uploads;
mod view;
mod visitor;
mod workspace;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use protokol_store::Store;

pub use cache::RenderCache;
pub use error::WebError;
pub use page_cache::PageCache;
pub use pdf_worker::PdfLayout;
pub use uploads::MAX_UPLOAD_BYTES;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub cache: RenderCache,
    /// Public pages and documents as sent, by the version of the record they show.
    pub pages: PageCache,
    /// Small stored files (attachments) by their hash.
    pub files: PageCache,
    /// Whether requests arrive through a reverse proxy that appends the client's address
    /// to `X-Forwarded-For` (otherwise that header is ignored: clients could forge it).
    pub behind_proxy: bool,
    /// The limits text extraction from uploaded PDFs runs under.
    pub pdf_limits: protokol_import::PdfLimits,
    /// Where PDFs are laid out (a worker process in the server).
    pub pdf_layout: PdfLayout,
    /// This node's search indexes (none: search answers that it is not set up).
    pub search: Option<std::sync::Arc<search_sync::SearchService>>,
    /// The address clients reach the site at ("https://dagsordener.kommune.dk"), for links
    /// in the open-data API and feeds; unset: taken from each request's `Host`.
    pub public_url: Option<String>,
    /// The municipality's name ("Norddjurs Kommune"), for the open-data API and feeds.
    pub municipality: String,
    /// The people the open-data API names, per version of the published record.
    pub roster: oparl::RosterCache,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            cache: RenderCache::default(),
            pages: PageCache::default(),
            files: PageCache::default(),
            behind_proxy: false,
            pdf_limits: protokol_import::PdfLimits::default(),
            pdf_layout: PdfLayout::default(),
            search: None,
            public_url: None,
            municipality: "Kommunen".into(),
            roster: oparl::RosterCache::default(),
        }
    }
}

/// The application's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/tilgaengelighed", get(pages::accessibility))
        .route("/soeg", get(search::page))
        .route("/soeg/atom", get(search::atom))
        .route("/data/moeder.jsonl", get(export::meetings))
        .route("/abonner/kalender", get(feeds::calendar_all))
        .route("/abonner/kalender/{body}", get(feeds::calendar_body))
        .route("/abonner/nyt", get(feeds::news_all))
        .route("/abonner/nyt/{body}", get(feeds::news_body))
        .route("/sag/{key}", get(cases::page))
        .route("/api/search", get(search::api))
        .route("/api/openapi.json", get(openapi::document))
        .nest("/oparl/v1", oparl_routes())
        .route("/logind", get(signin::form).post(signin::sign_in))
        .route("/logud", post(signin::sign_out))
        .route("/mit", get(members::page))
        .route("/admin/aendringer", get(admin::changes))
        .route("/admin/aendringer/{seq}", get(admin::change))
        .route("/arbejde", get(workspace::overview))
        .route("/arbejde/{body}/nyt-moede", post(workspace::new_meeting))
        .route(
            "/arbejde/{body}/indstillinger",
            get(bodies::form).post(bodies::save),
        )
        .route("/arbejde/{body}/plan", get(plan::page).post(plan::add))
        .route("/arbejde/{body}/plan/{topic}/dagsorden", post(plan::pull))
        .route("/arbejde/{body}/{date}", get(workspace::meeting))
        .route("/arbejde/{body}/{date}/punkter", post(workspace::add_item))
        .route(
            "/arbejde/{body}/{date}/fremmoede",
            get(attendance::form).post(attendance::save),
        )
        .route("/arbejde/{body}/{date}/flyt", post(workspace::move_item))
        .route(
            "/arbejde/{body}/{date}/ny-udgave",
            post(workspace::republish),
        )
        .route(
            "/arbejde/{body}/{date}/rettelse",
            post(workspace::add_correction),
        )
        .route(
            "/arbejde/{body}/{date}/offentliggoer",
            post(workspace::publish),
        )
        .route(
            "/arbejde/{body}/{date}/referat",
            post(workspace::publish_minutes),
        )
        .route(
            "/arbejde/{body}/{date}/punkt/{id}",
            get(workspace::item).post(workspace::save_item),
        )
        .route(
            "/arbejde/{body}/{date}/punkt/{id}/tidsplan",
            get(schedule::form).post(schedule::save),
        )
        .route(
            "/arbejde/{body}/{date}/punkt/{id}/udsaet",
            post(workspace::postpone),
        )
        .route(
            "/arbejde/{body}/{date}/punkt/{id}/bilag",
            post(uploads::add_attachment).layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        )
        .route("/{body}", get(pages::body))
        .route("/static/fonts/{name}", get(pages::font))
        .route("/static/{name}", get(pages::stylesheet))
        .route("/{body}/{date}", get(documents::meeting))
        .route("/{body}/{date}/underskriv", post(signing::sign))
        .route("/{body}/{date}/{doc}", get(documents::meeting_document))
        .route("/{body}/{date}/punkt/{n}", get(documents::item))
        .route(
            "/{body}/{date}/punkt/{n}/bilag/{a}",
            get(documents::attachment),
        )
        .route(
            "/{body}/{date}/punkt/{n}/{doc}",
            get(documents::item_document),
        )
        .fallback(pages::not_found)
        .layer(middleware::from_fn(conditional::conditional))
        .layer(middleware::from_fn(private_when_signed_in))
        .layer(middleware::from_fn(security_headers))
        .layer(compression())
        .with_state(state)
}

/// The open-data API (see [`oparl`]).
fn oparl_routes() -> Router<AppState> {
    use oparl::*;
    Router::new()
        .route("/", get(system))
        .route("/body", get(bodies))
        .route("/body/{id}", get(body))
        .route("/body/{id}/organization", get(organizations))
        .route("/body/{id}/person", get(persons))
        .route("/body/{id}/membership", get(memberships))
        .route("/body/{id}/meeting", get(meetings))
        .route("/body/{id}/paper", get(papers))
        .route("/body/{id}/legislativeterm", get(body_terms))
        .route("/legislativeterm/{start}", get(legislative_term))
        .route("/organization/{code}", get(organization_one))
        .route("/organization/{code}/meeting", get(organization_meetings))
        .route("/person/{key}", get(person_one))
        .route("/membership/{code}/{key}", get(membership_one))
        .route("/meeting/{id}", get(meeting))
        .route("/agendaitem/{id}/{key}", get(agenda_item))
        .route("/consultation/{id}/{key}", get(consultation))
        .route("/location/{id}", get(location))
        .route("/file/{id}/{doc}", get(document_file))
        .route("/file/{id}/{item}/{attachment}", get(attachment_file))
        .route("/paper/{key}", get(paper_one))
        .fallback(unknown)
}

/// gzip for clients that accept it, except for what is compressed already (PDFs, fonts).
fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    tower_http::compression::CompressionLayer::new().compress_when(
        DefaultPredicate::new()
            .and(NotForContentType::new("application/pdf"))
            .and(NotForContentType::new("font/woff2")),
    )
}

/// Marks every answer to a request that carries a session cookie as private and not to be
/// stored, whatever the handler set (the fonts under /static/ are the same for everyone).
async fn private_when_signed_in(request: Request, next: Next) -> Response {
    let signed_in = visitor::cookie(request.headers(), visitor::SESSION_COOKIE).is_some()
        && !request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    if signed_in {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

/// What pages may load and do: only this site's styles, fonts and images; no scripts, no
/// plugins; forms only to this site; never inside another site's frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Security headers on every response: no framing by other sites, no MIME sniffing, no
/// addresses leaked to other sites, and for pages the Content-Security-Policy.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if is_html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    response
}

/// Serves the application on `addr` until Ctrl-C.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("protokol serves http://{}", listener.local_addr()?);
    // Answers go out at once, not held back until the client acknowledges the headers
    // (Nagle's algorithm with delayed acknowledgements costs 40 ms a response).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await
}
