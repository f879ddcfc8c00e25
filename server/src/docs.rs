//! A self-contained HTML page describing the API, rendered from its OpenAPI document.
//!
//! No script and no external asset: the page's only style sheet is inline and allowed
//! by its hash in the page's own Content-Security-Policy.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha2::{Digest, Sha256};

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{color:#6b1d2a}h2{border-bottom:1px solid #ddd;padding-bottom:.25rem;margin-top:2.5rem}\
.op{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}\
.method{display:inline-block;min-width:3.5rem;font-weight:700;text-transform:uppercase}\
code{background:#f4f4f4;padding:0 .25rem;border-radius:3px}\
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;border-bottom:1px solid #eee;padding:.25rem .5rem}";

/// The page and the Content-Security-Policy it must be served with.
pub struct DocsPage {
    /// The HTML.
    pub html: String,
    /// A policy allowing nothing but the page's inline style sheet.
    pub csp: String,
}

/// Renders `openapi` (the serialised OpenAPI document) as an HTML page.
pub fn render(openapi: &Value) -> DocsPage {
    let info = &openapi["info"];
    let title = escape(&text(&info["title"]));
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><h1>{title} <small>{}</small></h1>",
        escape(&text(&info["version"]))
    );
    paragraphs(&mut html, &info["description"]);
    let _ = write!(
        html,
        "<p>Machine-readable: <a href=\"/api/openapi.json\"><code>/api/openapi.json</code></a> (OpenAPI {}).</p>",
        escape(&text(&openapi["openapi"]))
    );
    html.push_str("<h2>Operations</h2>");
    if let Some(paths) = openapi["paths"].as_object() {
        for (path, item) in paths {
            let Some(methods) = item.as_object() else {
                continue;
            };
            for (method, operation) in methods {
                operation_html(&mut html, path, method, operation);
            }
        }
    }
    html.push_str("<h2>Types</h2>");
    if let Some(schemas) = openapi["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            schema_html(&mut html, name, schema);
        }
    }
    html.push_str("</body></html>");
    let hash = STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    DocsPage {
        html,
        csp: format!(
            "default-src 'none'; style-src 'sha256-{hash}'; frame-ancestors 'none'; base-uri 'none'"
        ),
    }
}

fn operation_html(html: &mut String, path: &str, method: &str, operation: &Value) {
    let _ = write!(
        html,
        "<div class=\"op\" id=\"{}\"><p><span class=\"method\">{}</span> <code>{}</code></p>",
        escape(&text(&operation["operationId"])),
        escape(method),
        escape(path)
    );
    paragraphs(html, &operation["summary"]);
    paragraphs(html, &operation["description"]);
    if let Some(content) = operation["requestBody"]["content"].as_object() {
        for (media, body) in content {
            let _ = write!(
                html,
                "<p>Body: <code>{}</code> {}</p>",
                escape(media),
                type_of(&body["schema"])
            );
        }
    }
    html.push_str("<table><tr><th>Status</th><th>Meaning</th><th>Body</th></tr>");
    if let Some(responses) = operation["responses"].as_object() {
        for (status, response) in responses {
            let body = response["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .map(|c| type_of(&c["schema"]))
                .unwrap_or_default();
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{body}</td></tr>",
                escape(status),
                escape(&text(&response["description"]))
            );
        }
    }
    html.push_str("</table></div>");
}

fn schema_html(html: &mut String, name: &str, schema: &Value) {
    let _ = write!(html, "<h3 id=\"{0}\">{0}</h3>", escape(name));
    paragraphs(html, &schema["description"]);
    if let Some(variants) = schema["oneOf"].as_array() {
        let alternatives: Vec<String> = variants.iter().map(type_of).collect();
        let _ = write!(html, "<p>One of: {}</p>", alternatives.join(", "));
    }
    let Some(properties) = schema["properties"].as_object() else {
        if schema["oneOf"].is_null() {
            let _ = write!(html, "<p>{}</p>", type_of(schema));
        }
        return;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    html.push_str("<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>");
    for (field, property) in properties {
        let optional = if required.contains(&field.as_str()) {
            ""
        } else {
            " (optional)"
        };
        let _ = write!(
            html,
            "<tr><td><code>{}</code>{optional}</td><td>{}</td><td>{}</td></tr>",
            escape(field),
            type_of(property),
            escape(&text(&property["description"]))
        );
    }
    html.push_str("</table>");
}

/// A short, linked, HTML-escaped rendering of a schema's type.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#{0}\">{0}</a>", escape(name));
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema[combinator].as_array() {
            let parts: Vec<String> = parts.iter().map(type_of).collect();
            return parts.join(" or ");
        }
    }
    let types: Vec<String> = match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    let rendered: Vec<String> = types
        .iter()
        .map(|t| match t.as_str() {
            "array" => format!("array of {}", type_of(&schema["items"])),
            other => escape(other),
        })
        .collect();
    if rendered.is_empty() {
        "any".to_string()
    } else {
        rendered.join(" or ")
    }
}

fn paragraphs(html: &mut String, value: &Value) {
    for paragraph in text(value).split("\n\n").filter(|p| !p.trim().is_empty()) {
        let _ = write!(html, "<p>{}</p>", escape(paragraph));
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_operations_and_types_and_escapes_text() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "T <api>", "version": "1"},
            "paths": {"/x": {"post": {
                "operationId": "x",
                "summary": "Does x",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}},
                "responses": {"200": {"description": "fine", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}}
            }}},
            "components": {"schemas": {"In": {
                "type": "object",
                "required": ["a"],
                "properties": {"a": {"type": "string", "description": "an \"a\""}, "b": {"type": ["integer", "null"]}}
            }}}
        });
        let page = render(&doc);
        assert!(page.html.contains("T &lt;api&gt;"));
        assert!(page.html.contains("<code>/x</code>"));
        assert!(page.html.contains("<a href=\"#In\">In</a>"));
        assert!(page.html.contains("array of string"));
        assert!(page.html.contains("an &quot;a&quot;"));
        assert!(page.html.contains("integer or null"));
        assert!(page.html.contains("(optional)"));
        assert!(!page.html.contains("<script"));
        assert!(page.csp.contains("style-src 'sha256-"));
    }
}
