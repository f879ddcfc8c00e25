//! A self-contained HTML page describing the API, rendered from its OpenAPI document.
//!
//! No script and no external asset: the page's only style sheet is inline and allowed
//! by its hash in the page's own Content-Security-Policy.

use std::fmt::Write as _;

use app::routes::OPENAPI_JSON;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha2::{Digest, Sha256};

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:56rem;margin:0 auto;padding:0 1rem 2rem;color:#222}\
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:baseline;padding:1rem 0;border-bottom:1px solid #ddd}\
header a{color:#6b1d2a;font-weight:700}\
h1{color:#6b1d2a;overflow-wrap:anywhere}h2{border-bottom:1px solid #ddd;padding-bottom:.25rem;margin-top:2.5rem}\
.op{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}\
.method{display:inline-block;min-width:3.5rem;font-weight:700;text-transform:uppercase}\
code{background:#f4f4f4;padding:0 .25rem;border-radius:3px;overflow-wrap:anywhere}\
pre{background:#f6f4f3;border:1px solid #e4dcd8;border-radius:6px;padding:.6rem .75rem;overflow-x:auto;font-size:.85rem}\
pre code{background:none;padding:0;overflow-wrap:normal}\
pre:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}\
table{border-collapse:collapse;width:100%;table-layout:fixed}\
td,th{text-align:left;vertical-align:top;border-bottom:1px solid #eee;padding:.25rem .5rem;overflow-wrap:anywhere}";

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
         <title>{title}</title><style>{STYLE}</style></head><body>\
         <header><a href=\"/\">VinoVoyant</a><nav aria-label=\"API\"><a href=\"#operations\">Operations</a> · \
         <a href=\"#types\">Types</a> · <a href=\"{OPENAPI_JSON}\">openapi.json</a></nav></header>\
         <main><h1>{title} <small>{}</small></h1>",
        escape(&text(&info["version"]))
    );
    paragraphs(&mut html, &info["description"]);
    let _ = write!(
        html,
        "<p>Machine-readable: <a href=\"{OPENAPI_JSON}\"><code>{OPENAPI_JSON}</code></a> (OpenAPI {}).</p>",
        escape(&text(&openapi["openapi"]))
    );
    html.push_str("<h2 id=\"operations\">Operations</h2>");
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
    html.push_str("<h2 id=\"types\">Types</h2>");
    if let Some(schemas) = openapi["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            schema_html(&mut html, name, schema);
        }
    }
    html.push_str("</main></body></html>");
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
        "<section class=\"op\" id=\"{}\" aria-label=\"{} {}\"><p><span class=\"method\">{}</span> <code>{}</code></p>",
        escape(&text(&operation["operationId"])),
        escape(&method.to_uppercase()),
        escape(path),
        escape(method),
        escape(path)
    );
    paragraphs(html, &operation["summary"]);
    paragraphs(html, &operation["description"]);
    let mut request_example = None;
    if let Some(content) = operation["requestBody"]["content"].as_object() {
        for (media, body) in content {
            let _ = write!(
                html,
                "<p>Body: <code>{}</code> {}</p>",
                escape(media),
                type_of(&body["schema"])
            );
            request_example = request_example.or(body.get("example"));
        }
    }
    html.push_str("<table><tr><th>Status</th><th>Meaning</th><th>Body</th></tr>");
    let mut response_example = None;
    if let Some(responses) = operation["responses"].as_object() {
        for (status, response) in responses {
            let content = response["content"]
                .as_object()
                .and_then(|c| c.values().next());
            let body = content.map(|c| type_of(&c["schema"])).unwrap_or_default();
            if status.starts_with('2') {
                response_example = response_example.or(content.and_then(|c| c.get("example")));
            }
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{body}</td></tr>",
                escape(status),
                inline_markdown(&text(&response["description"]))
            );
        }
    }
    html.push_str("</table>");
    html.push_str("<h3>Example</h3>");
    example_html(html, "Request", &curl_line(method, path, request_example));
    if let Some(example) = response_example {
        let pretty = serde_json::to_string_pretty(example).unwrap_or_default();
        example_html(html, "Response", &pretty);
    }
    html.push_str("</section>");
}

/// The `curl` command that makes the request, with `body` as its JSON.
fn curl_line(method: &str, path: &str, body: Option<&Value>) -> String {
    let url = format!("127.0.0.1:3000{path}");
    match body {
        Some(body) => format!(
            "curl -s -X {} {url} \\\n  -H 'content-type: application/json' \\\n  -d '{}'",
            method.to_uppercase(),
            body.to_string().replace('\'', "'\\''")
        ),
        None if method.eq_ignore_ascii_case("get") => format!("curl -s {url}"),
        None => format!("curl -s -X {} {url}", method.to_uppercase()),
    }
}

/// A preformatted example a keyboard can reach and scroll sideways on a phone.
fn example_html(html: &mut String, label: &str, body: &str) {
    let _ = write!(
        html,
        "<p>{label}:</p><pre tabindex=\"0\"><code>{}</code></pre>",
        escape(body)
    );
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
            inline_markdown(&text(&property["description"]))
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
        let _ = write!(html, "<p>{}</p>", inline_markdown(paragraph));
    }
}

/// `text` escaped, with the one piece of markdown the document's prose uses:
/// `` `code` `` spans. An unpaired last backtick stays a backtick.
fn inline_markdown(text: &str) -> String {
    let mut pieces: Vec<&str> = text.split('`').collect();
    let unpaired = if pieces.len().is_multiple_of(2) {
        pieces.pop()
    } else {
        None
    };
    let mut out = String::with_capacity(text.len());
    for (index, piece) in pieces.iter().enumerate() {
        if index % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(piece));
        } else {
            out.push_str(&escape(piece));
        }
    }
    if let Some(rest) = unpaired {
        out.push('`');
        out.push_str(&escape(rest));
    }
    out
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
        assert_eq!(page.html.matches("<main>").count(), 1);
    }

    #[test]
    fn backtick_spans_become_code_and_stay_escaped() {
        assert_eq!(
            inline_markdown("errors are `{\"error\"}` & <b>"),
            "errors are <code>{&quot;error&quot;}</code> &amp; &lt;b&gt;"
        );
        assert_eq!(inline_markdown("a `b` c `d"), "a <code>b</code> c `d");
        assert_eq!(inline_markdown("plain"), "plain");
    }

    #[test]
    fn operations_show_a_curl_request_and_the_example_answer() {
        let doc = json!({
            "paths": {"/api/v1/predict": {"post": {
                "requestBody": {"content": {"application/json": {
                    "schema": {}, "example": {"description": "It's dry"}
                }}},
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {
                        "schema": {}, "example": {"country": "US"}
                    }}},
                    "422": {"description": "`not_a_tasting_note`"}
                }
            }}, "/health": {"get": {"responses": {"200": {"description": "ok"}}}}}
        });
        let html = render(&doc).html;
        assert!(html.contains("curl -s -X POST 127.0.0.1:3000/api/v1/predict"));
        // the shell quoting of the apostrophe, escaped for HTML
        assert!(html.contains(
            "-d &#39;{&quot;description&quot;:&quot;It&#39;\\&#39;&#39;s dry&quot;}&#39;"
        ));
        assert!(html.contains("&quot;country&quot;: &quot;US&quot;"));
        assert!(html.contains("<code>not_a_tasting_note</code>"));
        assert!(html.contains("curl -s 127.0.0.1:3000/health"));
    }
}
