#!/usr/bin/env bash
# Accuracy of VinoVoyant's full model against the strong baseline issue 2 quotes (a
# tuned word + character n-gram TF-IDF linear SVM in scikit-learn), on exactly the
# same reviews: for each seed, `vinovoyant split` writes the rows `vinovoyant train`
# trains on and holds out, the trainer builds a bundle from them, and the reference
# is trained and scored on the same CSVs. The first seed also runs the new-writer
# check (whole writers held out) for both. Paired splits cancel most of the noise of
# any one split: the difference per split is the figure to read.
#
# Usage: bench/accuracy/run.sh     (SEEDS="42 7 99 1 2 3", COST=1 by default;
#                                   TRAIN_ARGS adds options to `vinovoyant train`)
#        SMOKE=1 bench/accuracy/run.sh
#            seconds, to show the script works: one seed on a made-up CSV of 400
#            reviews (bench/fixture.py), the debug binary, TRAIN_ARGS="--max-features
#            2000 --epochs 2", and the reference SVM kept (tiny: it trains on the same
#            360 made-up reviews in well under a second); the figures mean nothing
# Results: bench/out/accuracy/summary.md; the data never enters the repository.
# Needs python3 (with venv); scikit-learn comes from PyPI (bench/requirements.txt).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
root="$bench_root"
here="$root/bench/accuracy"
if [[ "$bench_smoke" == 1 ]]; then
    out="$root/bench/out/smoke/accuracy"
    csv="$out/fixture.csv"
    read -r -a seeds <<<"${SEEDS:-42}"
    writers="${NEW_WRITERS:-Dan Fixture}"
    read -r -a train_args <<<"${TRAIN_ARGS:---max-features 2000 --epochs 2}"
else
    out="$root/bench/out/accuracy"
    csv="${VINOVOYANT_DATA:-$root/../shared/data/wine_reviews.csv}"
    read -r -a seeds <<<"${SEEDS:-42 7 99 1 2 3}"
    writers="${NEW_WRITERS:-Kerin O’Keefe,Virginie Boone,Michael Schachner}"
    read -r -a train_args <<<"${TRAIN_ARGS:-}"
fi
cost="${COST:-1}"

bench_need python3
mkdir -p "$out"
if [[ "$bench_smoke" == 1 ]]; then
    echo "== smoke mode: made-up reviews in $csv"
    bench_fixture "$csv"
elif [[ ! -f "$csv" ]]; then
    echo "bench/accuracy: no review data at $csv (set VINOVOYANT_DATA); nothing to measure."
    exit 0
fi

bench_venv
python="$root/bench/out/venv/bin/python"
vinovoyant="$(bench_server_bin)"

first=1
for seed in "${seeds[@]}"; do
    dir="$out/$seed"
    check=()
    if ((first)); then check=(--new-writers "$writers"); fi
    echo "== seed $seed: split, train, reference"
    "$vinovoyant" split --data "$csv" --out "$dir" --seed "$seed" "${check[@]}"
    "$vinovoyant" train --data "$csv" --out "$dir/bundle" --seed "$seed" "${check[@]}" "${train_args[@]}"
    "$python" "$here/reference_svm.py" "$dir/train.csv" "$dir/validation.csv" "$cost" \
        >"$dir/reference.json"
    if ((first)); then
        "$python" "$here/reference_svm.py" "$dir/new-writers-train.csv" \
            "$dir/new-writers.csv" "$cost" >"$dir/reference-new-writers.json"
    fi
    first=0
done

python3 "$here/summarize.py" "$out" "${seeds[@]}" | tee "$out/summary.md"
