"""Summarises the loadgen.py results of bench/load/run.sh: `python3 summarize.py OUT RATE`."""

import json
import os
import sys


def read(out, name):
    with open(os.path.join(out, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def row(label, result):
    latency = result["latency_ms"]
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result["status_codes"].items()))
    errors = sum(result["errors"].values())
    # Share of one core the load generator used: near its process count, the client
    # (not the server) set the pace.
    client = result["client_cpu_s"] / max(result["elapsed_s"], 1e-9)
    return (
        f"| {label} | {result['requests_per_sec']:,.0f} | {latency['p50']:.2f} | "
        f"{latency['p99']:.2f} | {result['success_rate'] * 100:.2f} % | {statuses} | {errors} | "
        f"{client:.2f} of {result['processes']} |"
    )


def main():
    out, rate = sys.argv[1], sys.argv[2]
    ours_max, ours_fixed = read(out, "vinovoyant-max"), read(out, "vinovoyant-fixed")
    ref_max, ref_fixed = read(out, "reference-max"), read(out, "reference-fixed")
    print("| run | req/s | p50 ms | p99 ms | 2xx | statuses | client errors | client CPU (cores) |")
    print("|---|---|---|---|---|---|---|---|")
    print(row("VinoVoyant, max throughput", ours_max))
    print(row(f"VinoVoyant, {rate} req/s", ours_fixed))
    print(row("reference, max throughput", ref_max))
    print(row(f"reference, {rate} req/s", ref_fixed))
    ratio = ours_max["requests_per_sec"] / max(ref_max["requests_per_sec"], 1e-9)
    p99 = ours_fixed["latency_ms"]["p99"]
    print()
    print(f"Throughput ratio VinoVoyant / reference: {ratio:,.1f}x (goal >= 20x)")
    print(f"VinoVoyant p99 at {rate} req/s: {p99:.2f} ms (goal <= 10 ms)")
    late = ours_fixed.get("late_starts")
    if late:
        print(f"({late} of {ours_fixed['requests']} fixed-rate requests to VinoVoyant started over 1 ms late: "
              "all connections were busy or the client was; their wait is in the latency)")


if __name__ == "__main__":
    main()
