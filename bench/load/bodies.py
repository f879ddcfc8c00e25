"""Writes request bodies for the load benchmark, one JSON object per line, from real
tasting notes of the review CSV: `python3 bodies.py CSV OUT [COUNT]`."""

import csv
import json
import random
import sys


def main():
    source, target = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    with open(source, newline="", encoding="utf-8") as f:
        descriptions = [
            row["description"]
            for row in csv.DictReader(f)
            if row["description"].strip() and len(row["description"]) <= 5000
        ]
    random.Random(7).shuffle(descriptions)
    with open(target, "w", encoding="utf-8") as out:
        for description in descriptions[:count]:
            out.write(json.dumps({"description": description}) + "\n")


if __name__ == "__main__":
    main()
