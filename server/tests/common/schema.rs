//! Checks a JSON value against a schema of an OpenAPI 3.1 document: the parts of
//! JSON Schema the document uses (`$ref`, `type` with `null`, `properties`,
//! `required`, `items`, `oneOf`/`anyOf`/`allOf`, `enum`, `minimum`, `maxItems`).

use serde_json::Value;

/// Where `value` breaks `schema` (resolving `$ref`s in `document`), one line per
/// problem with its JSON path; empty when it conforms.
pub fn violations(document: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(document, schema, value, "$", &mut found);
    found
}

fn check(document: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        match resolve(document, reference) {
            Some(target) => check(document, target, value, at, found),
            None => found.push(format!("{at}: unresolvable $ref {reference}")),
        }
        return;
    }
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            check(document, part, value, at, found);
        }
    }
    for (combinator, exactly_one) in [("oneOf", true), ("anyOf", false)] {
        if let Some(parts) = schema[combinator].as_array() {
            let matching = parts
                .iter()
                .filter(|part| violations(document, part, value).is_empty())
                .count();
            let fine = if exactly_one {
                matching == 1
            } else {
                matching >= 1
            };
            if !fine {
                found.push(format!(
                    "{at}: {matching} alternatives of {combinator} match"
                ));
            }
        }
    }
    if !type_matches(&schema["type"], value) {
        found.push(format!("{at}: {value} is not of type {}", schema["type"]));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        found.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let (Some(minimum), Some(number)) = (schema["minimum"].as_f64(), value.as_f64())
        && number < minimum
    {
        found.push(format!("{at}: {number} is under the minimum {minimum}"));
    }
    if let Some(object) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            if let Some(name) = name.as_str()
                && !object.contains_key(name)
            {
                found.push(format!("{at}: required field {name} is missing"));
            }
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (name, field) in object {
                if let Some(property) = properties.get(name) {
                    check(document, property, field, &format!("{at}.{name}"), found);
                } else if schema["additionalProperties"] == Value::Bool(false) {
                    found.push(format!("{at}: field {name} is not in the schema"));
                }
            }
        }
    }
    if let Some(items) = value.as_array() {
        if let Some(max) = schema["maxItems"].as_u64()
            && items.len() as u64 > max
        {
            found.push(format!("{at}: {} items, at most {max}", items.len()));
        }
        if schema["items"].is_object() {
            for (index, item) in items.iter().enumerate() {
                check(
                    document,
                    &schema["items"],
                    item,
                    &format!("{at}[{index}]"),
                    found,
                );
            }
        }
    }
}

/// The schema `#/components/schemas/Name` names.
fn resolve<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    document.pointer(pointer)
}

fn type_matches(declared: &Value, value: &Value) -> bool {
    let one = |name: &str| match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        _ => false,
    };
    match declared {
        Value::Null => true,
        Value::String(name) => one(name),
        Value::Array(names) => names.iter().filter_map(Value::as_str).any(one),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_checker_finds_what_breaks_a_schema() {
        let document = json!({"components": {"schemas": {
            "Item": {"type": "object", "required": ["label"], "properties": {
                "label": {"type": "string"}, "p": {"type": ["number", "null"], "minimum": 0}
            }}
        }}});
        let schema =
            json!({"type": "array", "maxItems": 2, "items": {"$ref": "#/components/schemas/Item"}});
        assert!(violations(&document, &schema, &json!([{"label": "US", "p": 0.5}])).is_empty());
        assert!(violations(&document, &schema, &json!([{"label": "US", "p": null}])).is_empty());
        assert_eq!(
            violations(&document, &schema, &json!([{"p": 0.5}])).len(),
            1
        );
        assert_eq!(
            violations(&document, &schema, &json!([{"label": 3}])).len(),
            1
        );
        assert_eq!(
            violations(&document, &schema, &json!([{"label": "x", "p": -1}])).len(),
            1
        );
        assert_eq!(
            violations(&document, &schema, &json!([{}, {}, {}])).len(),
            4
        );
        assert_eq!(
            violations(&document, &schema, &json!({"label": "US"})).len(),
            1
        );
        let either = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
        assert!(violations(&document, &either, &json!(3)).is_empty());
        assert_eq!(violations(&document, &either, &json!(true)).len(), 1);
    }
}
