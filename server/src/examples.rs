//! The examples of the OpenAPI document: one request and one abridged answer per
//! operation, as the served default bundle gives them. The docs page shows them,
//! and `tests/openapi_examples.rs` sends each request to a live server and checks
//! the answer against the documented schema, so they cannot drift from the API.

use serde_json::{Value, json};

/// The note every example places.
pub const NOTE: &str = "Ripe blackberry and cassis with cedar and firm tannins, from Napa Valley.";

/// `POST /api/v1/predict`: the request.
pub fn predict_request() -> Value {
    json!({ "description": NOTE })
}

/// `POST /api/v1/predict`: the answer (explanation shortened to its first words
/// for the top country and one for the second).
pub fn predict_response() -> Value {
    json!({
        "model_version": "20261205-031257-dec218cb",
        "country": "US",
        "certainty": "high",
        "predictions": [
            { "label": "US", "probability": 0.99569494 },
            { "label": "Bulgaria", "probability": 0.0004392798 },
            { "label": "Portugal", "probability": 0.00038585754 },
            { "label": "Chile", "probability": 0.0003133663 },
            { "label": "Canada", "probability": 0.00028903285 }
        ],
        "province": { "label": "California", "probability": 0.9956946 },
        "variety": [
            { "label": "Cabernet Sauvignon", "probability": 0.8697624 },
            { "label": "Bordeaux-style Red Blend", "probability": 0.06582876 },
            { "label": "Merlot", "probability": 0.032922544 }
        ],
        "explanation": [
            { "token": "Napa", "label": "US", "weight": 6.06468, "start": 61, "end": 65,
              "start_utf16": 61, "end_utf16": 65 },
            { "token": "Valley", "label": "US", "weight": 2.9652045, "start": 66, "end": 72,
              "start_utf16": 66, "end_utf16": 72 },
            { "token": "blackberry", "label": "US", "weight": 1.323027, "start": 5, "end": 15,
              "start_utf16": 5, "end_utf16": 15 },
            { "token": "cedar", "label": "US", "weight": 0.9282507, "start": 32, "end": 37,
              "start_utf16": 32, "end_utf16": 37 },
            { "token": "Valley", "label": "Bulgaria", "weight": 0.62232536, "start": 66, "end": 72,
              "start_utf16": 66, "end_utf16": 72 }
        ]
    })
}

/// `POST /api/v1/predict/batch`: the request, with one note the model refuses.
pub fn batch_request() -> Value {
    json!({ "descriptions": [NOTE, "asdf qwerty zzkx"] })
}

/// `POST /api/v1/predict/batch`: one result or error per note, in order
/// (the prediction shortened to its top country and no explanation).
pub fn batch_response() -> Value {
    json!({
        "results": [
            {
                "model_version": "20261205-031257-dec218cb",
                "country": "US",
                "certainty": "high",
                "predictions": [{ "label": "US", "probability": 0.99569494 }],
                "province": { "label": "California", "probability": 0.9956946 },
                "variety": [{ "label": "Cabernet Sauvignon", "probability": 0.8697624 }],
                "explanation": []
            },
            {
                "error": {
                    "code": "not_a_tasting_note",
                    "message": "this does not read like a tasting note: none of its words are ones \
                                wine writing uses; describe the wine (its colour, aromas, flavours, \
                                structure, grape or place)"
                }
            }
        ]
    })
}

/// `POST /api/v1/similar`: the request.
pub fn similar_request() -> Value {
    json!({ "description": NOTE, "count": 5 })
}

/// `GET`/`POST /api/v1/similar`: the answer, cut to one review (a made-up one:
/// the review data is not ours to reprint in documentation).
pub fn similar_response() -> Value {
    json!({
        "source": "local file (data/wine_reviews.csv)",
        "results": [{
            "title": "Example Cellars 2019 Reserve Cabernet Sauvignon (Napa Valley)",
            "country": "US",
            "province": "California",
            "variety": "Cabernet Sauvignon",
            "points": 92.0,
            "price": 65.0,
            "first_sentence": "Blackberry, cassis and cedar meet firm tannins in this Napa Valley Cabernet.",
            "score": 0.41
        }]
    })
}

/// `GET /health`: serving.
pub fn health_response() -> Value {
    json!({ "status": "ok", "model_version": "20261205-031257-dec218cb" })
}

/// `GET /health/details`: serving, with nothing to add.
pub fn health_details_response() -> Value {
    json!({ "status": "ok", "model_version": "20261205-031257-dec218cb" })
}

/// `GET /health/live`.
pub fn live_response() -> Value {
    json!({ "status": "alive" })
}

/// `GET /api/v1/model`: the manifest, abridged (labels, training options, metrics
/// and files cut short).
pub fn model_response() -> Value {
    json!({
        "format": 4,
        "version": "20261205-031257-dec218cb",
        "created": "2026-12-05T03:12:57.910998423Z",
        "training_data": {
            "sha256": "dec218cbc42a181d83529a9e6b9579307c79c6874a2e187db4a6495b7a9f909e",
            "rows": 30520, "training_rows": 27465, "validation_rows": 3055
        },
        "labels": {
            "countries": ["US", "France", "Italy"],
            "provinces": ["California", "Washington"],
            "varieties": ["Chardonnay", "Cabernet Sauvignon", "Pinot Noir"]
        },
        "metrics": { "random_split": { "n": 3055, "full": {
            "accuracy": 0.8801963993453356, "macro_f1": 0.4508480799513218,
            "top3": 0.9787234042553191, "log_loss": 0.46354924488843247
        } } },
        "files": { "full.onnx.gz": {
            "sha256": "ddb0821f7c0e74923352390db5e33067f67d83beeb000bf8bb98d3aab69cda81",
            "bytes": 6537147
        } }
    })
}
