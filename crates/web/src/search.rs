//! Search: the page `/soeg` and `GET /api/search`.
//!
//! The public searches the public index only. A member or secretary also finds their own
//! bodies' closed content (see `protokol_search::Search`); an administrator that of every
//! body. Whatever the reader types or puts in the address gives results, an empty list or a
//! Danish message, never an error page.

use std::collections::HashMap;

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use protokol_core::Viewer;
use protokol_search::{Request, Results, Sort};
use serde::Serialize;

use crate::AppState;
use crate::error::WebError;
use crate::visitor::{Nav, Visitor};

/// The parameters of a search address, as read from it.
#[derive(Clone, Debug, Default)]
struct Asked {
    request: Option<Request>,
    /// What could not be read, in Danish.
    notices: Vec<String>,
    /// The pairs as given (for links that change one of them).
    pairs: Vec<(String, String)>,
}

fn read_date(value: &str, name: &str, notices: &mut Vec<String>) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            notices.push(format!(
                "Datoen i «{name}» kunne ikke læses og er ikke brugt (skriv den som ÅÅÅÅ-MM-DD)."
            ));
            None
        }
    }
}

fn read(query: Option<&str>) -> Asked {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .take(64)
        .collect();
    let mut asked = Asked {
        pairs: pairs.clone(),
        ..Asked::default()
    };
    let mut request = Request::new("");
    let mut any = false;
    for (k, v) in &pairs {
        match k.as_str() {
            "q" => {
                request.query = v.clone();
                any = true;
            }
            "organ" if !v.is_empty() => request.filters.bodies.push(v.clone()),
            "aar" if !v.is_empty() => match v.parse::<i32>() {
                Ok(y) if (1800..=2200).contains(&y) => request.filters.year = Some(y),
                _ => asked
                    .notices
                    .push("Året kunne ikke læses og er ikke brugt.".into()),
            },
            "dokument" if !v.is_empty() => request.filters.document = Some(v.clone()),
            "del" if !v.is_empty() => request.filters.part = Some(v.clone()),
            "beslutning" if !v.is_empty() => request.filters.decision = Some(v.clone()),
            "fra" => request.filters.from = read_date(v, "fra", &mut asked.notices),
            "til" => request.filters.to = read_date(v, "til", &mut asked.notices),
            "sortering" => {
                request.sort = Sort::from_key(v).unwrap_or_default();
            }
            "side" => match v.parse::<usize>() {
                Ok(p) if p >= 1 => request.page = p,
                _ => asked
                    .notices
                    .push("Sidetallet kunne ikke læses; første side vises.".into()),
            },
            "antal" => {
                if let Ok(n) = v.parse::<usize>() {
                    request.per_page = n.clamp(1, 100);
                }
            }
            _ => {}
        }
    }
    asked.request = any.then_some(request);
    asked
}

/// The bodies whose closed content the visitor may search (codes).
async fn own_bodies(state: &AppState, visitor: &Visitor) -> Result<Vec<String>, WebError> {
    Ok(match visitor.viewer() {
        Viewer::Public => Vec::new(),
        Viewer::Insider { bodies } => bodies.iter().map(|b| b.to_string()).collect(),
        Viewer::Administrator => state
            .store
            .bodies()
            .await?
            .into_iter()
            .map(|b| b.code.to_string())
            .collect(),
    })
}

/// Runs a search, or says why it cannot.
async fn run(state: &AppState, visitor: &Visitor, request: &Request) -> Result<Results, WebError> {
    let Some(service) = state.search.clone() else {
        return Ok(Results {
            notices: vec!["Søgning er ikke sat op på denne server.".into()],
            ..Results::default()
        });
    };
    let bodies = own_bodies(state, visitor).await?;
    let ready = service.is_ready();
    let outcome = service.search(&state.store, request.clone(), bodies).await;
    let mut results = match outcome {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("search failed: {e}");
            Results {
                notices: vec!["Søgningen kunne ikke gennemføres. Prøv igen om lidt.".into()],
                ..Results::default()
            }
        }
    };
    if !ready {
        results.notices.push(
            "Søgeindekset er ved at blive bygget; resultaterne er endnu ikke fuldstændige.".into(),
        );
    }
    Ok(results)
}

/// A link to the search with `pairs`, one key set (or removed, with an empty value) and
/// the page reset.
fn link(pairs: &[(String, String)], key: &str, value: Option<&str>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if k == key || k == "side" || v.is_empty() {
            continue;
        }
        out.append_pair(k, v);
    }
    if let Some(v) = value {
        out.append_pair(key, v);
    }
    format!("/soeg?{}", out.finish())
}

/// A count as shown: "1.234", or "ca. 12.000" for an estimate.
fn count_text(n: u64, estimated: bool) -> String {
    let n = protokol_core::danish::count(n);
    if estimated { format!("ca. {n}") } else { n }
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

pub struct FacetView {
    pub title: &'static str,
    pub values: Vec<FacetLink>,
}

pub struct FacetLink {
    pub label: String,
    /// "12", "1.234", or for an estimate "ca. 12.000".
    pub count: String,
    pub href: String,
    pub chosen: bool,
}

pub struct HitView {
    pub href: String,
    pub title: String,
    pub place: String,
    pub part: String,
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub nav: Nav,
    pub title: &'static str,
    pub query: String,
    pub asked: bool,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub hidden: Vec<(String, String)>,
    pub total: u64,
    pub items: u64,
    /// `total` and `items` as shown ("ca. 12.000" when estimated).
    pub total_text: String,
    pub items_text: String,
    pub estimated: bool,
    pub hits: Vec<HitView>,
    pub facets: Vec<FacetView>,
    pub notices: Vec<String>,
    pub suggestion: Option<(String, String)>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub page: usize,
    pub clear_filters: Option<String>,
}

fn facet_title(name: &str) -> &'static str {
    match name {
        "organ" => "Udvalg og råd",
        "år" => "År",
        "dokument" => "Dokument",
        "del" => "Del af punktet",
        "beslutning" => "Beslutning",
        _ => "Andet",
    }
}

fn facet_param(name: &str) -> &'static str {
    match name {
        "organ" => "organ",
        "år" => "aar",
        "dokument" => "dokument",
        "del" => "del",
        _ => "beslutning",
    }
}

fn danish_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(protokol_core::danish::long_date)
        .unwrap_or_else(|_| iso.to_string())
}

pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let asked = read(query.as_deref());
    let pairs = &asked.pairs;
    let mut notices = asked.notices.clone();
    let (results, request) = match &asked.request {
        Some(r) => (run(&state, &visitor, r).await?, Some(r)),
        None => (Results::default(), None),
    };
    notices.extend(results.notices.iter().cloned());
    let names: HashMap<String, String> = state
        .store
        .public_bodies()
        .await?
        .into_iter()
        .map(|b| (b.slug, b.name))
        .collect();
    let facets = results
        .facets
        .iter()
        .filter(|f| !f.values.is_empty())
        .map(|f| {
            let param = facet_param(&f.name);
            FacetView {
                title: facet_title(&f.name),
                values: f
                    .values
                    .iter()
                    .take(12)
                    .map(|v| {
                        let chosen = pairs.iter().any(|(k, x)| k == param && *x == v.key);
                        FacetLink {
                            label: if f.name == "organ" {
                                names.get(&v.key).cloned().unwrap_or_else(|| v.key.clone())
                            } else {
                                v.label.clone()
                            },
                            count: count_text(v.count, results.estimated),
                            href: if chosen {
                                link(pairs, param, None)
                            } else {
                                link(pairs, param, Some(&v.key))
                            },
                            chosen,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let page = request.map_or(1, |r| r.page);
    let page_link = |p: usize| {
        let mut l = link(pairs, "side", None);
        if p > 1 {
            l.push_str(&format!("&side={p}"));
        }
        l
    };
    let hits = results
        .hits
        .iter()
        .map(|h| {
            let item = match h.item {
                Some(n) => format!("{n}. {}", h.item_title),
                None => h.item_title.clone(),
            };
            // A sub-point is named by its own title, with the item it is under.
            let (title, part) = if h.part == "underpunkt" && !h.heading.is_empty() {
                (
                    h.heading.clone(),
                    format!("{} under «{item}»", h.part_label),
                )
            } else if h.heading.is_empty() || h.heading == h.part_label {
                (item, h.part_label.clone())
            } else {
                (item, format!("{}: {}", h.part_label, h.heading))
            };
            HitView {
                href: h.href.clone(),
                title,
                place: format!("{}, {}", h.body_name, danish_date(&h.date)),
                part,
                snippet: h.snippet.clone(),
            }
        })
        .collect();
    let filtered = pairs.iter().any(|(k, v)| {
        !v.is_empty()
            && matches!(
                k.as_str(),
                "organ" | "aar" | "dokument" | "del" | "beslutning" | "fra" | "til"
            )
    });
    let html = SearchPage {
        nav: visitor.nav(),
        title: "Søg",
        query: value(pairs, "q").chars().take(2_000).collect(),
        asked: request.is_some(),
        from: value(pairs, "fra").chars().take(20).collect(),
        to: value(pairs, "til").chars().take(20).collect(),
        sort: request.map_or("relevans", |r| r.sort.key()).to_string(),
        hidden: pairs
            .iter()
            .filter(|(k, v)| {
                !v.is_empty()
                    && matches!(
                        k.as_str(),
                        "organ" | "aar" | "dokument" | "del" | "beslutning"
                    )
            })
            .cloned()
            .collect(),
        total: results.total,
        items: results.items,
        total_text: count_text(results.total, results.estimated),
        items_text: count_text(results.items, results.estimated),
        estimated: results.estimated,
        hits,
        facets,
        notices,
        suggestion: results
            .suggestion
            .as_ref()
            .map(|s| (s.clone(), link(pairs, "q", Some(s)))),
        previous: (page > 1 && request.is_some()).then(|| page_link(page - 1)),
        next: results.more.then(|| page_link(page + 1)),
        page,
        clear_filters: filtered.then(|| {
            let mut out = form_urlencoded::Serializer::new(String::new());
            out.append_pair("q", value(pairs, "q"));
            format!("/soeg?{}", out.finish())
        }),
    }
    .render()?;
    let mut response = Html(html).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// The answer of `GET /api/search`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiAnswer {
    pub query: String,
    pub page: usize,
    pub per_page: usize,
    #[serde(flatten)]
    pub results: Results,
}

/// `GET /soeg/atom?q=…`: a saved search as an Atom feed of its newest results. Always as
/// the public sees them (feed readers are not signed in, and feeds are shared).
#[utoipa::path(
    get,
    path = "/soeg/atom",
    tag = "abonnementer",
    params(("q" = Option<String>, Query, description = "Som for /api/search; de nyeste resultater")),
    responses((status = 200, description = "Atom-feed med søgningens nyeste offentlige resultater", body = String, content_type = "application/atom+xml"))
)]
pub async fn atom(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let asked = read(query.as_deref());
    let mut request = asked.request.unwrap_or_else(|| Request::new(""));
    request.sort = Sort::Newest;
    request.page = 1;
    let public = Visitor {
        session: None,
        token_hash: None,
    };
    let results = run(&state, &public, &request).await?;
    let site = crate::oparl::site(&state, &headers);
    let entries = results
        .hits
        .iter()
        .map(|h| {
            let day = NaiveDate::parse_from_str(&h.date, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or_else(chrono::Utc::now, |t| t.and_utc());
            crate::feeds::entry(
                format!("{site}{}", h.href),
                format!("{} – {} {}", h.item_title, h.body_name, h.date),
                format!("{site}{}", h.href),
                day,
                atom_syndication::Text::html(h.snippet.clone()),
            )
        })
        .collect();
    let shown: String = request.query.chars().take(200).collect();
    let self_href = format!("/soeg/atom?{}", query.as_deref().unwrap_or(""));
    Ok(crate::feeds::send_atom(crate::feeds::atom(
        &site,
        &self_href,
        &format!("Søgning: {shown}"),
        entries,
    )))
}

/// Searches the public record (and, for a signed-in member, their bodies' closed content).
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "søgning",
    params(
        ("q" = Option<String>, Query, description = "Søgeord: ord, \"præcis frase\", -udeladt, ELLER; sags-, dokument- og journalnumre findes præcist"),
        ("organ" = Option<String>, Query, description = "Udvalgets adresse-navn (\"direktionen\"); kan gentages"),
        ("aar" = Option<i32>, Query, description = "Mødeår"),
        ("dokument" = Option<String>, Query, description = "\"dagsorden\" eller \"referat\""),
        ("del" = Option<String>, Query, description = "Del af punktet (sagsfremstilling, beslutning, bilag, …)"),
        ("beslutning" = Option<String>, Query, description = "Beslutningens art (godkendt, afvist, udsat, …)"),
        ("fra" = Option<String>, Query, description = "Første mødedato, ÅÅÅÅ-MM-DD"),
        ("til" = Option<String>, Query, description = "Sidste mødedato, ÅÅÅÅ-MM-DD"),
        ("sortering" = Option<String>, Query, description = "\"relevans\", \"nyeste\" eller \"aeldste\""),
        ("side" = Option<usize>, Query, description = "Sidenummer, fra 1"),
        ("antal" = Option<usize>, Query, description = "Resultater pr. side, 1–100"),
    ),
    responses((status = 200, description = "Resultaterne; ugyldige parametre giver en dansk besked i notices, aldrig en fejl", body = ApiAnswer))
)]
pub async fn api(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let asked = read(query.as_deref());
    let request = asked.request.clone().unwrap_or_else(|| Request::new(""));
    let mut results = run(&state, &visitor, &request).await?;
    let mut notices = asked.notices;
    notices.append(&mut results.notices);
    results.notices = notices;
    let mut response = Json(ApiAnswer {
        query: request.query.chars().take(2_000).collect(),
        page: request.page,
        per_page: request.per_page,
        results,
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::count_text;

    #[test]
    fn counts_are_written_the_danish_way_and_estimates_say_so() {
        assert_eq!(count_text(7, false), "7");
        assert_eq!(count_text(12_345, false), "12.345");
        assert_eq!(count_text(12_000, true), "ca. 12.000");
    }
}
