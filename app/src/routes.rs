//! The site's addresses, defined once: the app draws its links and forms with
//! them and the server mounts its routes at them.

/// The predict page (and its no-JavaScript form's target).
pub const PREDICT: &str = "/";

/// The analytics page.
pub const ANALYTICS: &str = "/analytics";

/// The analytics charts for one country, as an HTML fragment: the filter's redraw.
pub const ANALYTICS_CHARTS: &str = "/analytics/charts";

/// The model card.
pub const MODEL_CARD: &str = "/model";

/// The batch page: a shop's whole list of notes, uploaded as a file.
pub const BATCH: &str = "/batch";

/// The JSON API's batch endpoint, which the batch page's script calls.
pub const API_PREDICT_BATCH: &str = "/api/v1/predict/batch";

/// The distilled model of one bundle version, as an axum route pattern; the
/// address of one version is [`distilled_model`].
pub const DISTILLED_MODEL: &str = "/model/{version}/distilled.bin";

/// The page documenting the JSON API (served by the server, not by the app).
pub const API_DOCS: &str = "/api/docs";

/// The OpenAPI document of the JSON API.
pub const OPENAPI_JSON: &str = "/api/openapi.json";

/// The address of the distilled model of bundle `version`: immutable for that
/// version, so browsers cache it for good.
pub fn distilled_model(version: &str) -> String {
    DISTILLED_MODEL.replace("{version}", version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distilled_model_address_names_its_version() {
        assert_eq!(distilled_model("v1.2"), "/model/v1.2/distilled.bin");
    }
}
