"""Summarises the oha results of bench/load/run.sh: `python3 summarize.py OUT RATE`."""

import json
import os
import sys


def read(out, name):
    with open(os.path.join(out, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def row(label, result):
    metrics = result["metrics"]
    latency = metrics["latency_ms"]
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result["statusCodeDistribution"].items()))
    errors = sum(result["errorDistribution"].values())
    return (
        f"| {label} | {metrics['requests_per_sec']:,.0f} | {latency['p50']:.2f} | "
        f"{latency['p99']:.2f} | {metrics['success_rate'] * 100:.2f} % | {statuses} | {errors} |"
    )


def main():
    out, rate = sys.argv[1], sys.argv[2]
    ours_max, ours_fixed = read(out, "vinovoyant-max"), read(out, "vinovoyant-fixed")
    ref_max, ref_fixed = read(out, "reference-max"), read(out, "reference-fixed")
    print("| run | req/s | p50 ms | p99 ms | success | statuses | client errors |")
    print("|---|---|---|---|---|---|---|")
    print(row("VinoVoyant, max throughput", ours_max))
    print(row(f"VinoVoyant, {rate} req/s", ours_fixed))
    print(row("reference, max throughput", ref_max))
    print(row(f"reference, {rate} req/s", ref_fixed))
    ratio = ours_max["metrics"]["requests_per_sec"] / max(ref_max["metrics"]["requests_per_sec"], 1e-9)
    p99 = ours_fixed["metrics"]["latency_ms"]["p99"]
    print()
    print(f"Throughput ratio VinoVoyant / reference: {ratio:,.1f}x (goal >= 20x)")
    print(f"VinoVoyant p99 at {rate} req/s: {p99:.2f} ms (goal <= 10 ms)")


if __name__ == "__main__":
    main()
