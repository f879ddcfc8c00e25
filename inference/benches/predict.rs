//! Featurise + predict on typical ~300-character descriptions, for both models of
//! the committed default bundle. Targets: distilled ≤ 50 µs, full ≤ 300 µs.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vinovoyant_inference::{Bundle, default_model_dir};

/// Tasting notes written for this benchmark, about 300 characters each.
const NOTES: &[&str] = &[
    "Deep garnet in the glass, this opens with aromas of black cherry, cassis, cedar and a hint of graphite. The palate is firm and structured, with fine-grained tannins, bright acidity and a long, savory finish that suggests a decade of cellaring will reward patience. Decant before serving.",
    "Pale straw with green glints, it bursts with passion fruit, lime zest and freshly cut grass. Racy acidity drives the light-bodied palate toward a mouthwatering, mineral finish. Drink young and well chilled, alongside goat cheese or a plate of oysters on a warm evening by the water.",
    "Ripe plum, dried fig and sweet baking spice lead the nose, with smoky oak in the background. Full bodied and plush, the palate layers mocha and blackberry jam over soft tannins, finishing warm and generous. A crowd-pleasing red to pour with grilled meats and barbecue this summer.",
];

fn predict(c: &mut Criterion) {
    let bundle = Bundle::load(&default_model_dir()).expect("the default bundle loads");
    let mut group = c.benchmark_group("predict");
    group.bench_function("distilled", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % NOTES.len();
            black_box(
                bundle
                    .predict_distilled(black_box(NOTES[i]))
                    .expect("notes are valid"),
            )
        })
    });
    group.bench_function("full", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % NOTES.len();
            black_box(
                bundle
                    .predict(black_box(NOTES[i]))
                    .expect("notes are valid"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, predict);
criterion_main!(benches);
