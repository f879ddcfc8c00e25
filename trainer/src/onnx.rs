//! Writes the full model as an ONNX graph that tract-onnx (or any ONNX runtime) runs.
//!
//! Each head is a linear model over the sparse TF-IDF vector:
//! `softmax((Σ_i values[i] · W[indices[i], :] + bias) / temperature)`.
//! Weights are stored as int8 with one float16 scale per feature row (the row's
//! largest magnitude over 127), so the bundle stays small without coarse steps for
//! rarely-strong features; only the rows a text gathers are dequantised, so a
//! prediction touches a few thousand weights, not millions. The per-feature products
//! are a graph output so explanations come from the graph itself.
//!
//! The province head's probabilities are then read as shares within each country
//! and scaled to the country head's: `P(province) = P(country) · P(province |
//! country)`. A province is never more probable than its country, and the two heads
//! answer together (figures in `bench/accuracy/RESULTS.md`, "Trainer choices").
//!
//! Inputs and outputs carry the names of the bundle contract
//! ([`vinovoyant_model::bundle::graph`]), by which the server reads them.

use prost::Message;
use tract_onnx::pb;
use vinovoyant_model::bundle::graph;

use crate::linear::LinearModel;

const OPSET: i64 = 13;
const IR_VERSION: i64 = 7;

/// One head of the graph with its trained weights.
pub struct Head<'a> {
    /// Its weights.
    pub model: &'a LinearModel,
    /// Logits are divided by this before the softmax.
    pub temperature: f32,
}

/// Quantises row-major `rows × columns` weights to int8 with one scale per row.
pub fn quantize_rows(weights: &[f32], columns: usize) -> (Vec<i8>, Vec<f32>) {
    let mut quantized = Vec::with_capacity(weights.len());
    let mut scales = Vec::with_capacity(weights.len() / columns.max(1));
    for row in weights.chunks(columns.max(1)) {
        let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        // the scale is stored as float16: round it first so the int8 steps use it exactly
        let scale = half::f16::from_f32(if max > 0.0 { max / 127.0 } else { 1.0 }).to_f32();
        scales.push(scale);
        quantized.extend(
            row.iter()
                .map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8),
        );
    }
    (quantized, scales)
}

fn tensor_i8(name: &str, dims: &[usize], values: &[i8]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: pb::tensor_proto::DataType::Int8 as i32,
        raw_data: values.iter().map(|&v| v as u8).collect(),
        ..Default::default()
    }
}

fn tensor_f16(name: &str, dims: &[usize], values: &[f32]) -> pb::TensorProto {
    let raw_data = values
        .iter()
        .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
        .collect();
    pb::TensorProto {
        name: name.into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: pb::tensor_proto::DataType::Float16 as i32,
        raw_data,
        ..Default::default()
    }
}

fn tensor_f32(name: &str, dims: &[usize], values: &[f32]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: pb::tensor_proto::DataType::Float as i32,
        float_data: values.to_vec(),
        ..Default::default()
    }
}

fn tensor_i64(name: &str, values: &[i64]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: vec![values.len() as i64],
        data_type: pb::tensor_proto::DataType::Int64 as i32,
        int64_data: values.to_vec(),
        ..Default::default()
    }
}

fn value_info(
    name: &str,
    elem: pb::tensor_proto::DataType,
    dims: &[Dim<'_>],
) -> pb::ValueInfoProto {
    use pb::tensor_shape_proto::{Dimension, dimension::Value};
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Dim::Fixed(n) => Value::DimValue(*n as i64),
                Dim::Named(s) => Value::DimParam((*s).into()),
            }),
            ..Default::default()
        })
        .collect();
    pb::ValueInfoProto {
        name: name.into(),
        r#type: Some(pb::TypeProto {
            value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                elem_type: elem as i32,
                shape: Some(pb::TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

enum Dim<'a> {
    Fixed(usize),
    Named(&'a str),
}

fn node(
    op: &str,
    inputs: &[&str],
    output: &str,
    attributes: Vec<pb::AttributeProto>,
) -> pb::NodeProto {
    pb::NodeProto {
        op_type: op.into(),
        name: output.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute: attributes,
        ..Default::default()
    }
}

fn int_attribute(name: &str, value: i64) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        i: value,
        ..Default::default()
    }
}

/// Scales the province head's probabilities to shares of their country's:
/// `province_probabilities = head · country[c(p)] / Σ_{q in c(p)} head[q]`. The
/// per-country sums come from a matrix product with the province → country
/// membership matrix; a tiny constant keeps an underflowed sum from dividing by zero.
fn add_province_shares(
    graph: &mut pb::GraphProto,
    provinces: usize,
    countries: usize,
    country_of: &[u32],
) {
    let mut membership = vec![0.0f32; provinces * countries];
    for (p, &c) in country_of.iter().enumerate() {
        membership[p * countries + c as usize] = 1.0;
    }
    graph.initializer.push(tensor_f32(
        "province_membership",
        &[provinces, countries],
        &membership,
    ));
    let country_index: Vec<i64> = country_of.iter().map(|&c| i64::from(c)).collect();
    graph
        .initializer
        .push(tensor_i64("province_country", &country_index));
    graph
        .initializer
        .push(tensor_f32("share_floor", &[], &[1e-30]));
    graph.node.extend([
        node(
            "MatMul",
            &[PROVINCE_TENSORS.probabilities, "province_membership"],
            "country_province_mass",
            vec![],
        ),
        node(
            "Add",
            &["country_province_mass", "share_floor"],
            "country_province_mass_floored",
            vec![],
        ),
        node(
            "Div",
            &[
                graph::COUNTRY_PROBABILITIES,
                "country_province_mass_floored",
            ],
            "country_share_scale",
            vec![],
        ),
        node(
            "Gather",
            &["country_share_scale", "province_country"],
            "province_share_scale",
            vec![int_attribute("axis", 0)],
        ),
        node(
            "Mul",
            &[PROVINCE_TENSORS.probabilities, "province_share_scale"],
            graph::PROVINCE_PROBABILITIES,
            vec![],
        ),
    ]);
}

/// The names of one head's tensors: those the contract names, the rest
/// prefixed by `prefix`.
struct HeadTensors {
    prefix: &'static str,
    indices: &'static str,
    values: &'static str,
    length: &'static str,
    /// `entries × classes` products of weight and value.
    contributions: &'static str,
    probabilities: &'static str,
}

const COUNTRY_TENSORS: HeadTensors = HeadTensors {
    prefix: "country",
    indices: graph::COUNTRY_INDICES,
    values: graph::COUNTRY_VALUES,
    length: graph::COUNTRY_ENTRIES,
    contributions: graph::COUNTRY_CONTRIBUTIONS,
    probabilities: graph::COUNTRY_PROBABILITIES,
};

/// The province head's softmax is scaled by the country head's (see
/// [`add_province_shares`]) before it leaves as `province_probabilities`.
const PROVINCE_TENSORS: HeadTensors = HeadTensors {
    prefix: "province",
    indices: graph::PROVINCE_INDICES,
    values: graph::PROVINCE_VALUES,
    length: graph::PROVINCE_ENTRIES,
    contributions: "province_contributions",
    probabilities: "province_head_probabilities",
};

/// The variety head reads the country head's inputs and answers its own softmax.
const VARIETY_TENSORS: HeadTensors = HeadTensors {
    prefix: "variety",
    indices: graph::COUNTRY_INDICES,
    values: graph::COUNTRY_VALUES,
    length: graph::COUNTRY_ENTRIES,
    contributions: "variety_contributions",
    probabilities: graph::VARIETY_PROBABILITIES,
};

/// The heads to export beside the country head.
#[derive(Default)]
pub struct OtherHeads<'a> {
    /// The province head with the country class of each of its provinces.
    pub province: Option<(Head<'a>, &'a [u32])>,
    /// The variety head.
    pub variety: Option<Head<'a>>,
}

/// Serialises the heads as one ONNX model. The inputs are
/// `country_indices`/`country_values` (length `N`, read by the country and variety
/// heads) and, with a province head, `province_indices`/`province_values` (length
/// `M`); the outputs
/// are `country_probabilities`, then `province_probabilities` with a province head,
/// then `country_contributions` (`N × C`), then `variety_probabilities` with a
/// variety head: the contract's [`graph::inputs`] and [`graph::outputs`].
pub fn export(country: &Head<'_>, others: &OtherHeads<'_>) -> Vec<u8> {
    use pb::tensor_proto::DataType::{Float, Int64};
    let mut graph = pb::GraphProto {
        name: "vinovoyant_origin".into(),
        ..Default::default()
    };
    let with_province = others.province.is_some();
    for tensors in
        std::iter::once(&COUNTRY_TENSORS).chain(with_province.then_some(&PROVINCE_TENSORS))
    {
        let length = [Dim::Named(tensors.length)];
        graph
            .input
            .push(value_info(tensors.indices, Int64, &length));
        graph.input.push(value_info(tensors.values, Float, &length));
    }
    graph.initializer.push(tensor_i64("axis_rows", &[0]));
    graph.initializer.push(tensor_i64("axis_columns", &[1]));
    add_head(&mut graph, country, &COUNTRY_TENSORS);
    if let Some(variety) = &others.variety {
        add_head(&mut graph, variety, &VARIETY_TENSORS);
    }
    if let Some((head, countries)) = &others.province {
        add_head(&mut graph, head, &PROVINCE_TENSORS);
        add_province_shares(
            &mut graph,
            head.model.classes,
            country.model.classes,
            countries,
        );
    }
    add_outputs(&mut graph, country, others);
    let model = pb::ModelProto {
        ir_version: IR_VERSION,
        opset_import: vec![pb::OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
        producer_name: "vinovoyant-trainer".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string:
            "VinoVoyant origin model: country, province and variety heads over TF-IDF n-grams"
                .into(),
        graph: Some(graph),
        ..Default::default()
    };
    model.encode_to_vec()
}

/// Adds one head's weights and nodes over its (already declared) inputs: the gathered int8 rows are
/// dequantised, multiplied by the values into per-entry contributions, summed,
/// biased, divided by the temperature and put through a softmax.
fn add_head(graph: &mut pb::GraphProto, head: &Head<'_>, tensors: &HeadTensors) {
    use pb::tensor_proto::DataType::Float;
    let model = head.model;
    let n = |suffix: &str| format!("{}_{suffix}", tensors.prefix);
    let (quantized, scales) = quantize_rows(&model.weights, model.classes);
    graph.initializer.extend([
        tensor_i8(&n("weights"), &[model.features, model.classes], &quantized),
        tensor_f16(&n("row_scales"), &[model.features], &scales),
        tensor_f32(&n("bias"), &[model.classes], &model.bias),
        tensor_f32(&n("temperature"), &[], &[head.temperature]),
    ]);
    let gather = int_attribute("axis", 0);
    let to_float = int_attribute("to", Float as i64);
    graph.node.extend([
        node(
            "Gather",
            &[&n("weights"), tensors.indices],
            &n("rows_i8"),
            vec![gather.clone()],
        ),
        node("Cast", &[&n("rows_i8")], &n("rows"), vec![to_float.clone()]),
        node(
            "Gather",
            &[&n("row_scales"), tensors.indices],
            &n("scales_f16"),
            vec![gather],
        ),
        node("Cast", &[&n("scales_f16")], &n("scales"), vec![to_float]),
        node(
            "Mul",
            &[tensors.values, &n("scales")],
            &n("scaled_values"),
            vec![],
        ),
        node(
            "Unsqueeze",
            &[&n("scaled_values"), "axis_columns"],
            &n("values_column"),
            vec![],
        ),
        node(
            "Mul",
            &[&n("rows"), &n("values_column")],
            tensors.contributions,
            vec![],
        ),
        node(
            "ReduceSum",
            &[tensors.contributions, "axis_rows"],
            &n("sums"),
            vec![int_attribute("keepdims", 0)],
        ),
        node("Add", &[&n("sums"), &n("bias")], &n("logits"), vec![]),
        node(
            "Div",
            &[&n("logits"), &n("temperature")],
            &n("scaled"),
            vec![],
        ),
        node(
            "Softmax",
            &[&n("scaled")],
            tensors.probabilities,
            vec![int_attribute("axis", -1)],
        ),
    ]);
}

/// Declares the contract's outputs, in its order.
fn add_outputs(graph: &mut pb::GraphProto, country: &Head<'_>, others: &OtherHeads<'_>) {
    use pb::tensor_proto::DataType::Float;
    let countries = country.model.classes;
    graph.output.push(value_info(
        graph::COUNTRY_PROBABILITIES,
        Float,
        &[Dim::Fixed(countries)],
    ));
    if let Some((province, _)) = &others.province {
        graph.output.push(value_info(
            graph::PROVINCE_PROBABILITIES,
            Float,
            &[Dim::Fixed(province.model.classes)],
        ));
    }
    graph.output.push(value_info(
        graph::COUNTRY_CONTRIBUTIONS,
        Float,
        &[Dim::Named(graph::COUNTRY_ENTRIES), Dim::Fixed(countries)],
    ));
    if let Some(variety) = &others.variety {
        graph.output.push(value_info(
            graph::VARIETY_PROBABILITIES,
            Float,
            &[Dim::Fixed(variety.model.classes)],
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(values: &[pb::ValueInfoProto]) -> Vec<&str> {
        values.iter().map(|v| v.name.as_str()).collect()
    }

    #[test]
    fn the_graph_has_the_contract_s_inputs_and_outputs_in_order() {
        let model = |classes: usize| LinearModel {
            features: 3,
            classes,
            weights: vec![0.5; 3 * classes],
            bias: vec![0.0; classes],
        };
        let (country, province, variety) = (model(2), model(3), model(4));
        let head = |model| Head {
            model,
            temperature: 1.0,
        };
        let province_countries = [0u32, 0, 1];
        for (with_province, with_variety) in
            [(false, false), (true, false), (false, true), (true, true)]
        {
            let others = OtherHeads {
                province: with_province.then(|| (head(&province), &province_countries[..])),
                variety: with_variety.then(|| head(&variety)),
            };
            let bytes = export(&head(&country), &others);
            let decoded = pb::ModelProto::decode(bytes.as_slice()).unwrap();
            let graph_proto = decoded.graph.unwrap();
            let case = format!("province {with_province}, variety {with_variety}");
            assert_eq!(
                names(&graph_proto.input),
                graph::inputs(with_province),
                "{case}"
            );
            assert_eq!(
                names(&graph_proto.output),
                graph::outputs(with_province, with_variety),
                "{case}"
            );
        }
    }

    #[test]
    fn row_quantisation_keeps_each_row_within_half_a_step() {
        let weights = [0.5, -2.0, 0.01, 0.0, 0.0, 0.0, 1e-3, 3e-4, -2e-4];
        let (quantized, scales) = quantize_rows(&weights, 3);
        assert_eq!(scales.len(), 3);
        assert_eq!(&quantized[3..6], &[0, 0, 0]);
        for (i, (&q, &w)) in quantized.iter().zip(&weights).enumerate() {
            let scale = scales[i / 3];
            assert!(
                (f32::from(q) * scale - w).abs() <= scale * 0.51,
                "{i}: {q} * {scale} vs {w}"
            );
        }
    }
}
