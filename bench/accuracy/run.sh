#!/usr/bin/env bash
# Accuracy of VinoVoyant's full model against the strong baseline issue 2 quotes (a
# tuned word + character n-gram TF-IDF linear SVM in scikit-learn), on exactly the
# same reviews: for each seed, `vinovoyant split` writes the rows `vinovoyant train`
# trains on and holds out, the trainer builds a bundle from them, and the reference
# is trained and scored on the same CSVs. The first seed also runs the new-writer
# check (whole writers held out) for both. Paired splits cancel most of the noise of
# any one split: the difference per split is the figure to read.
#
# Usage: bench/accuracy/run.sh     (SEEDS="42 7 99 1 2 3", COST=1 by default)
# Results: bench/out/accuracy/summary.md; the data never enters the repository.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/accuracy"
out="$root/bench/out/accuracy"
csv="${VINOVOYANT_DATA:-$root/../shared/data/wine_reviews.csv}"
read -r -a seeds <<<"${SEEDS:-42 7 99 1 2 3}"
cost="${COST:-1}"
writers="${NEW_WRITERS:-Kerin O’Keefe,Virginie Boone,Michael Schachner}"

if [[ ! -f "$csv" ]]; then
    echo "bench/accuracy: no review data at $csv (set VINOVOYANT_DATA); nothing to measure."
    exit 0
fi
mkdir -p "$out"

if [[ ! -x "$out/venv/bin/python" ]]; then
    echo "== scikit-learn in $out/venv"
    python3 -m venv "$out/venv"
    "$out/venv/bin/pip" install --quiet "scikit-learn==1.9.1"
fi

echo "== building the release binary"
(cd "$root" && cargo build --release -p server)
vinovoyant="$root/target/release/vinovoyant"

first=1
for seed in "${seeds[@]}"; do
    dir="$out/$seed"
    check=()
    if ((first)); then check=(--new-writers "$writers"); fi
    echo "== seed $seed: split, train, reference"
    "$vinovoyant" split --data "$csv" --out "$dir" --seed "$seed" "${check[@]}"
    "$vinovoyant" train --data "$csv" --out "$dir/bundle" --seed "$seed" "${check[@]}"
    "$out/venv/bin/python" "$here/reference_svm.py" "$dir/train.csv" "$dir/validation.csv" "$cost" \
        >"$dir/reference.json"
    if ((first)); then
        "$out/venv/bin/python" "$here/reference_svm.py" "$dir/new-writers-train.csv" \
            "$dir/new-writers.csv" "$cost" >"$dir/reference-new-writers.json"
    fi
    first=0
done

python3 "$here/summarize.py" "$out" "${seeds[@]}" | tee "$out/summary.md"
