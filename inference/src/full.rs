//! The full model: the shared featuriser feeds an ONNX graph run by tract.
//!
//! The graph's inputs are the sparse TF-IDF vector as parallel index and value
//! tensors, once for the country head and once for the province head (which reads
//! the first features of the vocabulary only). Its outputs are each head's
//! probabilities and the country head's per-feature contributions, from which
//! explanations are built, so every number shown comes from the graph itself.
//! Inputs and outputs are found by the names of the bundle contract
//! ([`vinovoyant_model::bundle::graph`]), whatever their order in the file.

use std::sync::Arc;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::dims;
use vinovoyant_model::bundle::graph;
use vinovoyant_model::calibration::TopCalibrations;
use vinovoyant_model::manifest::LabelSets;
use vinovoyant_model::prediction::{EXPLAINED_CLASSES, Trace, explain, rank, ranked_labels};
use vinovoyant_model::{
    Featurized, InputError, Knowledge, LabelScore, Prediction, Token, Vocabulary,
};

/// Why the full model could not answer.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    /// The description was refused; the caller's fault.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The graph failed to run; the server's fault.
    #[error("the model failed to run: {0}")]
    Runtime(String),
}

/// Probabilities of both heads, in label order.
#[derive(Debug, Clone, PartialEq)]
pub struct FullScores {
    /// One probability per country.
    pub countries: Vec<f32>,
    /// One probability per province. Graphs written since provinces became shares of
    /// their country's give `P(country) · P(province | country)`, so they sum to the
    /// probability of the countries that have provinces, not to one.
    pub provinces: Vec<f32>,
    /// One probability per grape variety; empty when the bundle has no variety head.
    pub varieties: Vec<f32>,
}

/// The full model, ready to run.
pub struct FullModel {
    vocabulary: Vocabulary,
    labels: LabelSets,
    plan: Arc<TypedRunnableModel>,
    /// Applied to the graph's probabilities (the graph applies the temperatures).
    calibration: TopCalibrations,
    knowledge: Knowledge,
    has_province: bool,
    has_variety: bool,
}

impl std::fmt::Debug for FullModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FullModel")
            .field("features", &self.vocabulary.len())
            .field("countries", &self.labels.countries.len())
            .field("provinces", &self.labels.provinces.len())
            .field("varieties", &self.labels.varieties.len())
            .finish()
    }
}

/// Inputs are padded with zero-valued entries to at least this length. Promising
/// tract a minimum length lets it multiply the gathered weight rows by the values
/// with its vectorised by-scalar kernel; without the promise it falls back to a
/// generic element-by-element broadcast several times slower.
const MIN_ENTRIES: usize = 16;

struct Outputs {
    featurized: Featurized,
    scores: FullScores,
    /// Entry-major `entries × classes` products of weight and value, as the graph
    /// left them (read in place: a copy would move ~60 KB per prediction).
    contributions: TValue,
    /// Classes per entry in `contributions`.
    classes: usize,
}

impl FullModel {
    /// Parses and optimises the ONNX graph for variable-length sparse inputs.
    /// The graph must have exactly the contract's inputs and outputs; they are
    /// put in the contract's order, which [`FullModel::run`] relies on. The
    /// country and variety maps of `calibration` are applied to every answer,
    /// after the countries a note names are raised by `knowledge`.
    pub fn new(
        onnx: &[u8],
        vocabulary: Vocabulary,
        labels: LabelSets,
        calibration: TopCalibrations,
        knowledge: Knowledge,
    ) -> TractResult<Self> {
        let mut model = tract_onnx::onnx().model_for_read(&mut &onnx[..])?;
        let has_province = !labels.provinces.is_empty();
        let has_variety = !labels.varieties.is_empty();
        let inputs = graph::inputs(has_province);
        let outputs = graph::outputs(has_province, has_variety);
        let found = |outlets: &[OutletId]| -> Vec<String> {
            let mut names: Vec<String> = outlets
                .iter()
                .map(|&outlet| {
                    model
                        .outlet_label(outlet)
                        .unwrap_or(&model.node(outlet.node).name)
                        .to_string()
                })
                .collect();
            names.sort();
            names
        };
        let expected = |names: &[&str]| -> Vec<String> {
            let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            names.sort();
            names
        };
        for (what, found, contract) in [
            ("inputs", found(model.input_outlets()?), expected(inputs)),
            ("outputs", found(model.output_outlets()?), expected(outputs)),
        ] {
            if found != contract {
                return Err(TractError::msg(format!(
                    "graph {what} are {found:?}, the bundle contract expects {contract:?}"
                )));
            }
        }
        model.select_inputs_by_name(inputs)?;
        model.select_outputs_by_name(outputs)?;
        for (head, symbol) in [graph::COUNTRY_ENTRIES, graph::PROVINCE_ENTRIES]
            .into_iter()
            .take(inputs.len() / 2)
            .enumerate()
        {
            let length = model.sym(symbol);
            model
                .symbols
                .add_assertion(format!("{symbol}>={MIN_ENTRIES}"))?;
            model.set_input_fact(2 * head, i64::fact(dims!(length)).into())?;
            model.set_input_fact(2 * head + 1, f32::fact(dims!(length)).into())?;
        }
        let plan = model.into_optimized()?.into_runnable()?;
        let full = Self {
            vocabulary,
            labels,
            plan,
            calibration,
            knowledge,
            has_province,
            has_variety,
        };
        full.check_shapes()?;
        Ok(full)
    }

    fn check_shapes(&self) -> TractResult<()> {
        let (scores, _) = self.run(&Featurized {
            tokens: Vec::new(),
            hits: Vec::new(),
            vector: Default::default(),
        })?;
        let countries = scores.countries.len();
        let provinces = scores.provinces.len();
        let varieties = scores.varieties.len();
        let labels = &self.labels;
        if countries != labels.countries.len()
            || provinces != labels.provinces.len()
            || varieties != labels.varieties.len()
        {
            return Err(TractError::msg(format!(
                "graph answers {countries} countries, {provinces} provinces and {varieties} varieties, labels list {}, {} and {}",
                labels.countries.len(),
                labels.provinces.len(),
                labels.varieties.len()
            )));
        }
        Ok(())
    }

    /// The label sets of both heads.
    pub fn labels(&self) -> &LabelSets {
        &self.labels
    }

    /// The names that raise the countries they name, at this model's weight.
    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// The feature vocabulary.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// Probabilities of both heads for a description.
    pub fn scores(&self, text: &str) -> Result<FullScores, PredictError> {
        Ok(self.outputs(text)?.scores)
    }

    /// The full answer: countries, provinces and the explanation of the top countries.
    pub fn predict(&self, text: &str) -> Result<Prediction, PredictError> {
        let outputs = self.outputs(text)?;
        let contributions = outputs
            .contributions
            .try_as_plain_ram()
            .and_then(|c| c.as_slice::<f32>())
            .map_err(|e| PredictError::Runtime(format!("{e:#}")))?;
        let countries = &self.labels.countries;
        let top: Vec<usize> = rank(&outputs.scores.countries)
            .into_iter()
            .take(EXPLAINED_CLASSES)
            .collect();
        let trace = Trace {
            text,
            tokens: &outputs.featurized.tokens,
            hits: &outputs.featurized.hits,
            vector: &outputs.featurized.vector,
        };
        let explanation = explain(&trace, countries, &top, |entry, class| {
            contributions[entry * outputs.classes + class]
        });
        Ok(Prediction {
            countries: ranked_labels(countries, &outputs.scores.countries),
            provinces: self.provinces_of_top_country(&outputs.scores),
            varieties: ranked_labels(&self.labels.varieties, &outputs.scores.varieties),
            explanation,
        })
    }

    /// The provinces, most probable first, kept to those of the most probable
    /// country when the bundle records each province's country: a province of the
    /// runner-up country would read as the answer's. Without that record, all.
    fn provinces_of_top_country(&self, scores: &FullScores) -> Vec<LabelScore> {
        let ranked = ranked_labels(&self.labels.provinces, &scores.provinces);
        let countries_of = &self.labels.province_countries;
        let Some(&top) = rank(&scores.countries).first() else {
            return ranked;
        };
        if countries_of.len() != self.labels.provinces.len() {
            return ranked;
        }
        let of_top: std::collections::HashSet<&str> = self
            .labels
            .provinces
            .iter()
            .zip(countries_of)
            .filter(|&(_, &country)| country as usize == top)
            .map(|(province, _)| province.as_str())
            .collect();
        ranked
            .into_iter()
            .filter(|province| of_top.contains(province.label.as_str()))
            .collect()
    }

    fn outputs(&self, text: &str) -> Result<Outputs, PredictError> {
        let featurized = self.vocabulary.featurize(text)?;
        let (mut scores, contributions) = self
            .run(&featurized)
            .map_err(|e| PredictError::Runtime(format!("{e:#}")))?;
        self.calibrate(&mut scores, &featurized.tokens);
        Ok(Outputs {
            classes: scores.countries.len(),
            featurized,
            scores,
            contributions,
        })
    }

    /// Raises the countries the note's `tokens` name by the knowledge weight, then
    /// applies the top-label calibrations. A province's probability is its
    /// country's times its share of it, so it follows its country's change.
    fn calibrate(&self, scores: &mut FullScores, tokens: &[Token]) {
        let before = scores.countries.clone();
        self.knowledge
            .reweigh(&self.knowledge.named(tokens), &mut scores.countries);
        self.calibration.country.apply(&mut scores.countries);
        let countries_of = &self.labels.province_countries;
        if countries_of.len() == scores.provinces.len() {
            for (province, &country) in scores.provinces.iter_mut().zip(countries_of) {
                let country = country as usize;
                if let (Some(&was), Some(&now)) =
                    (before.get(country), scores.countries.get(country))
                    && was > 0.0
                {
                    *province *= now / was;
                }
            }
        }
        self.calibration.variety.apply(&mut scores.varieties);
    }

    /// Runs the graph on the vector padded to [`MIN_ENTRIES`]; padding entries have
    /// value zero, so they change no score. Returns the scores and the
    /// contributions.
    fn run(&self, featurized: &Featurized) -> TractResult<(FullScores, TValue)> {
        let vector = &featurized.vector;
        let province_limit = self.vocabulary.province_features();
        let mut country_indices: Vec<i64> = vector.indices.iter().map(|&i| i64::from(i)).collect();
        let mut country_values = vector.values.clone();
        let (mut province_indices, mut province_values): (Vec<i64>, Vec<f32>) = vector
            .indices
            .iter()
            .zip(&vector.values)
            .filter(|(i, _)| **i < province_limit)
            .map(|(&i, &v)| (i64::from(i), v))
            .unzip();
        for (indices, values) in [
            (&mut country_indices, &mut country_values),
            (&mut province_indices, &mut province_values),
        ] {
            let missing = MIN_ENTRIES.saturating_sub(indices.len());
            indices.extend(std::iter::repeat_n(0, missing));
            values.extend(std::iter::repeat_n(0.0, missing));
        }
        let tensor_i64 = |v: Vec<i64>| tract_ndarray::Array1::from(v).into_tensor().into_tvalue();
        let tensor_f32 = |v: Vec<f32>| tract_ndarray::Array1::from(v).into_tensor().into_tvalue();
        // In the contract's order of inputs, as `new` selected them.
        let mut inputs = tvec!(tensor_i64(country_indices), tensor_f32(country_values));
        if self.has_province {
            inputs.push(tensor_i64(province_indices));
            inputs.push(tensor_f32(province_values));
        }
        let mut outputs = self.plan.run(inputs)?;
        // `new` put the outputs in the contract's order.
        let position = |name: &str| {
            graph::outputs(self.has_province, self.has_variety)
                .iter()
                .position(|n| *n == name)
        };
        let read = |name: &str| -> TractResult<Vec<f32>> {
            let output = position(name)
                .and_then(|i| outputs.get(i))
                .ok_or_else(|| TractError::msg(format!("the graph returned no {name}")))?;
            Ok(output.try_as_plain_ram()?.as_slice::<f32>()?.to_vec())
        };
        let countries = read(graph::COUNTRY_PROBABILITIES)?;
        let provinces = if self.has_province {
            read(graph::PROVINCE_PROBABILITIES)?
        } else {
            Vec::new()
        };
        let varieties = if self.has_variety {
            read(graph::VARIETY_PROBABILITIES)?
        } else {
            Vec::new()
        };
        let contributions = position(graph::COUNTRY_CONTRIBUTIONS)
            .filter(|&i| i < outputs.len())
            .map(|i| outputs.swap_remove(i))
            .ok_or_else(|| TractError::msg("the graph returned no contributions"))?;
        Ok((
            FullScores {
                countries,
                provinces,
                varieties,
            },
            contributions,
        ))
    }
}
