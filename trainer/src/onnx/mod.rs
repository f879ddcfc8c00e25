//! Writes the full model as an ONNX graph that tract-onnx (or any ONNX runtime) runs.
//!
//! Each head is a linear model over the sparse TF-IDF vector:
//! `softmax((Σ_i values[i] · W[indices[i], :] + bias) / temperature)`.
//! Weights are stored as four-bit levels with one float16 scale per feature row
//! ([`packing`]), so the bundle stays small without coarse steps for rarely-strong
//! features. The graph unpacks them into int8 levels with constant-only nodes,
//! which the runtime folds once at load; a prediction gathers only the rows a text
//! reads, a few thousand weights, not millions. A head may read fewer features
//! than the vocabulary holds (the variety head reads its first
//! [`FitOptions::variety_features`](crate::fit::FitOptions::variety_features)): an
//! index past a head's rows reads a zero row. The per-feature products are a graph
//! output so explanations come from the graph itself.
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

pub mod packing;
mod proto;

use proto::{
    Dim, int_attribute, node, tensor_f16, tensor_f32, tensor_i8, tensor_i64, tensor_u8, value_info,
};

const OPSET: i64 = 13;
const IR_VERSION: i64 = 7;

/// One head of the graph with its trained weights.
pub struct Head<'a> {
    /// Its weights.
    pub model: &'a LinearModel,
    /// Logits are divided by this before the softmax.
    pub temperature: f32,
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

/// The variety head reads the country head's inputs (up to its own rows) and
/// answers its own softmax.
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
    graph.initializer.extend([
        tensor_u8("nibble_base", &[], vec![16]),
        tensor_i8("nibble_offset", &[], &[packing::OFFSET as i8]),
    ]);
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

/// Adds one head's weights and nodes over its (already declared) inputs: indices
/// past the head's rows are clamped onto an extra zero row, the rows are gathered
/// from the unpacked levels ([`add_levels`]), scaled, multiplied by the values into
/// per-entry contributions, summed, biased, divided by the temperature and put
/// through a softmax.
fn add_head(graph: &mut pb::GraphProto, head: &Head<'_>, tensors: &HeadTensors) {
    use pb::tensor_proto::DataType::Float;
    let model = head.model;
    let n = |suffix: &str| format!("{}_{suffix}", tensors.prefix);
    let mut packed = packing::pack_rows(&model.weights, model.classes);
    packed.push_zero_row();
    graph.initializer.extend([
        tensor_f16(&n("row_scales"), &[model.features + 1], &packed.scales),
        tensor_i64(&n("last_row"), &[model.features as i64]),
        tensor_f32(&n("bias"), &[model.classes], &model.bias),
        tensor_f32(&n("temperature"), &[], &[head.temperature]),
    ]);
    add_levels(graph, tensors.prefix, model.classes, &packed);
    let gather = int_attribute("axis", 0);
    let to_float = int_attribute("to", Float as i64);
    graph.node.extend([
        node(
            "Min",
            &[tensors.indices, &n("last_row")],
            &n("rows_read"),
            vec![],
        ),
        node(
            "Gather",
            &[&n("levels"), &n("rows_read")],
            &n("rows_i8"),
            vec![gather.clone()],
        ),
        node("Cast", &[&n("rows_i8")], &n("rows"), vec![to_float.clone()]),
        node(
            "Gather",
            &[&n("row_scales"), &n("rows_read")],
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

/// Stores the packed rows in blocks and adds the nodes that turn them into
/// `{prefix}_levels`, `rows × classes` int8 levels: per block, the high nibbles
/// (`b / 16`) and the low ones (`b − 16·high`) side by side, less the offset, an
/// odd last column cut off; then the blocks one under the other. Every input is a
/// constant, so a runtime that folds constants does this once, at load, and a
/// prediction only gathers int8 rows. tract folds a constant that two nodes read
/// only up to [`packing::FOLD_BLOCK_BYTES`], hence the blocks.
fn add_levels(
    graph: &mut pb::GraphProto,
    prefix: &str,
    classes: usize,
    packed: &packing::PackedRows,
) {
    use pb::tensor_proto::DataType::Int8;
    let n = |suffix: &str| format!("{prefix}_{suffix}");
    let width = packed.packed_columns;
    let odd = 2 * width != classes;
    if odd {
        graph.initializer.extend([
            tensor_i64(&n("columns_from"), &[0]),
            tensor_i64(&n("columns_to"), &[classes as i64]),
        ]);
    }
    let mut blocks = Vec::new();
    let block_rows = packing::rows_per_block(width);
    for (i, bytes) in packed.bytes.chunks(block_rows * width).enumerate() {
        let b = |suffix: &str| format!("{prefix}_weights_{i}{suffix}");
        graph.initializer.push(tensor_u8(
            &b(""),
            &[bytes.len() / width, width],
            bytes.to_vec(),
        ));
        let levels = b("_levels");
        let signed_levels = if odd { b("_padded") } else { levels.clone() };
        graph.node.extend([
            node("Div", &[&b(""), "nibble_base"], &b("_high"), vec![]),
            node("Mul", &[&b("_high"), "nibble_base"], &b("_high16"), vec![]),
            node("Sub", &[&b(""), &b("_high16")], &b("_low"), vec![]),
            node(
                "Concat",
                &[&b("_high"), &b("_low")],
                &b("_nibbles"),
                vec![int_attribute("axis", 1)],
            ),
            node(
                "Cast",
                &[&b("_nibbles")],
                &b("_signed"),
                vec![int_attribute("to", Int8 as i64)],
            ),
            node(
                "Sub",
                &[&b("_signed"), "nibble_offset"],
                &signed_levels,
                vec![],
            ),
        ]);
        if odd {
            graph.node.push(node(
                "Slice",
                &[
                    &signed_levels,
                    &n("columns_from"),
                    &n("columns_to"),
                    "axis_columns",
                ],
                &levels,
                vec![],
            ));
        }
        blocks.push(levels);
    }
    let blocks: Vec<&str> = blocks.iter().map(String::as_str).collect();
    graph.node.push(node(
        "Concat",
        &blocks,
        &n("levels"),
        vec![int_attribute("axis", 0)],
    ));
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

    /// A head whose rows each hold a level of ±7 and whose step is a power of two:
    /// four-bit packing keeps every weight exactly.
    fn exact_model(features: usize, classes: usize) -> LinearModel {
        let weights = (0..features * classes)
            .map(|i| {
                let level = if i % classes == 0 {
                    7
                } else {
                    (i * 5 % 15) as i32 - 7
                };
                level as f32 * 0.25
            })
            .collect();
        LinearModel {
            features,
            classes,
            weights,
            bias: (0..classes).map(|c| c as f32 * 0.1 - 0.2).collect(),
        }
    }

    /// Runs the exported country and variety heads on one sparse row and checks
    /// both answers against the float heads, and the country contributions.
    fn check_graph(country: &LinearModel, variety: &LinearModel, indices: [u32; 3]) {
        use tract_onnx::prelude::*;
        let others = OtherHeads {
            province: None,
            variety: Some(Head {
                model: variety,
                temperature: 1.0,
            }),
        };
        let bytes = export(
            &Head {
                model: country,
                temperature: 1.5,
            },
            &others,
        );
        let plan = tract_onnx::onnx()
            .model_for_read(&mut bytes.as_slice())
            .unwrap()
            .with_input_fact(0, i64::fact([3]).into())
            .unwrap()
            .with_input_fact(1, f32::fact([3]).into())
            .unwrap()
            .into_optimized()
            .unwrap()
            .into_runnable()
            .unwrap();
        let values = [0.5f32, 1.0, 2.0];
        let outputs = plan
            .run(tvec!(
                tensor1(&indices.map(i64::from)).into(),
                tensor1(&values).into()
            ))
            .unwrap();
        let read = |output: usize| {
            outputs[output]
                .try_as_plain_ram()
                .and_then(|t| t.as_slice::<f32>())
                .unwrap()
                .to_vec()
        };
        let expected = |model: &LinearModel, temperature| {
            vinovoyant_model::prediction::softmax(&model.logits(&indices, &values), temperature)
        };
        for (got, want, head) in [
            (read(0), expected(country, 1.5), "country"),
            (read(2), expected(variety, 1.0), "variety"),
        ] {
            assert_eq!(got.len(), want.len(), "{head}");
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() < 1e-5, "{head}: {got:?} vs {want:?}");
            }
        }
        // the contributions of entry 1 to the country head
        let classes = country.classes;
        let contributions = read(1);
        assert_eq!(contributions.len(), 3 * classes);
        for class in 0..classes {
            let row = indices[1] as usize;
            let want = if row < country.features {
                values[1] * country.weights[row * classes + class]
            } else {
                0.0
            };
            assert!((contributions[classes + class] - want).abs() < 1e-6);
        }
    }

    #[test]
    fn the_graph_answers_what_the_heads_answer_and_reads_no_row_past_a_head_s_own() {
        // an even and an odd number of classes; the variety head reads 3 of 5 features
        check_graph(&exact_model(5, 4), &exact_model(3, 5), [0, 2, 4]);
    }

    #[test]
    fn a_head_stored_in_several_blocks_reads_rows_from_each() {
        let variety = exact_model(70_000, 121);
        let block_rows = packing::rows_per_block(packing::packed_columns(121));
        assert!(block_rows < 70_000, "the head spans two blocks");
        check_graph(
            &exact_model(5, 4),
            &variety,
            [2, block_rows as u32 - 1, block_rows as u32 + 3],
        );
    }
}
