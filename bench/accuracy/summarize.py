"""Table of VinoVoyant's full model against the reference SVM, split by split.

Usage: summarize.py OUT_DIR SEED... ; reads OUT_DIR/<seed>/bundle/manifest.json
(written by `vinovoyant train`) and OUT_DIR/<seed>/reference*.json.
"""

import json
import statistics
import sys
from pathlib import Path


def main():
    out = Path(sys.argv[1])
    seeds = sys.argv[2:]
    lines = [
        "| split | reviews | VinoVoyant top-1 | reference top-1 | difference | VinoVoyant macro-F1 | reference macro-F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    differences = []
    rows = []
    for seed in seeds:
        metrics = json.loads((out / seed / "bundle" / "manifest.json").read_text())["metrics"]
        checks = [(f"random, seed {seed}", metrics["random_split"], "reference.json", True)]
        if metrics.get("new_writers") and (out / seed / "reference-new-writers.json").exists():
            checks.append((f"new writers, seed {seed}", metrics["new_writers"], "reference-new-writers.json", False))
        for name, ours, reference_file, random_split in checks:
            reference = json.loads((out / seed / reference_file).read_text())
            difference = ours["full"]["accuracy"] - reference["accuracy"]
            if random_split:
                differences.append(difference)
                rows.append((ours["full"]["accuracy"], reference["accuracy"]))
            lines.append(
                f"| {name} | {reference['n']} | {ours['full']['accuracy']:.4f} | {reference['accuracy']:.4f} "
                f"| {difference * 100:+.2f} points | {ours['full']['macro_f1']:.3f} | {reference['macro_f1']:.3f} |"
            )
    if rows:
        lines.append(
            f"| mean of {len(rows)} random splits | | {statistics.mean(r[0] for r in rows):.4f} "
            f"| {statistics.mean(r[1] for r in rows):.4f} | {statistics.mean(differences) * 100:+.2f} points "
            f"(smallest {min(differences) * 100:+.2f}) | | |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
