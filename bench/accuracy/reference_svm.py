"""The strong baseline issue 2 quotes, trained and scored on one split.

Word 1-2-gram and character 2-5-gram (within word boundaries) TF-IDF with
sublinear term frequency, features in at least two training notes, and a linear
SVM (scikit-learn's LinearSVC). It reads the note alone, as VinoVoyant's models
do when they predict. Prints one JSON object: n, accuracy (top-1) and macro_f1,
with macro-F1 averaged over every country seen as truth or as prediction, as
`vinovoyant eval` averages it.

Usage: reference_svm.py TRAIN.csv VALIDATION.csv [C]
"""

import csv
import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.pipeline import make_union
from sklearn.svm import LinearSVC


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["description"] for r in rows], [r["country"] for r in rows]


def main():
    train_path, validation_path = sys.argv[1], sys.argv[2]
    cost = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    train_notes, train_countries = read(train_path)
    notes, countries = read(validation_path)
    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    )
    model = LinearSVC(C=cost).fit(features.fit_transform(train_notes), train_countries)
    predicted = model.predict(features.transform(notes))
    labels = sorted(set(countries) | set(predicted))
    print(
        json.dumps(
            {
                "n": len(notes),
                "accuracy": sum(p == c for p, c in zip(predicted, countries)) / len(notes),
                "macro_f1": f1_score(countries, predicted, labels=labels, average="macro", zero_division=0),
                "cost": cost,
            }
        )
    )


if __name__ == "__main__":
    main()
