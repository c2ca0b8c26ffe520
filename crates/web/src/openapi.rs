//! `GET /api/openapi.json`: the OpenAPI 3.1 description of protokol's own JSON and data
//! endpoints (search, bulk export, feeds), generated from the handlers' annotations and
//! the answer types with utoipa, so it cannot drift from the code. The open-data API under
//! `/oparl/v1` follows the OParl 1.1 standard and is described by its schemas.

use axum::Json;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "protokol",
        description = "Mødereferater og dagsordener: søgning, data og abonnementer. Det åbne data-API følger OParl 1.1 under /oparl/v1."
    ),
    paths(
        crate::search::api,
        crate::search::atom,
        crate::export::meetings,
        crate::feeds::calendar_all,
        crate::feeds::calendar_body,
        crate::feeds::news_all,
        crate::feeds::news_body,
    ),
    components(schemas(
        crate::search::ApiAnswer,
        protokol_search::Results,
        protokol_search::Hit,
        protokol_search::Facet,
        protokol_search::FacetValue,
    ))
)]
struct ApiDoc;

/// The description as a value.
pub fn description() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /api/openapi.json`.
pub async fn document() -> Response {
    Json(description()).into_response()
}
