"""Memory soak of a running VinoVoyant server on 127.0.0.1.

Sends varied requests at a fixed rate for a bounded time and samples the server's
resident memory (VmRSS from /proc) every `--sample` seconds:

* predictions of varied notes (`POST /api/v1/predict`; real notes when a review CSV
  is given, otherwise notes assembled from wine words), about 80 % of requests;
* the analytics filter with a fresh `?country=` value each time (`/analytics/charts`
  and `/analytics`), about 20 %, so any per-value cache or metric label would grow.

Prints one line per sample and a verdict: memory levels off when the largest RSS of
the last third of the run is within `--tolerance` of the RSS at the start of it.
Exits 1 when it does not level off, when any answer was a 5xx or when none was a
2xx, 0 otherwise; with `--smoke` (a run of seconds, to show the script works) the
memory verdict is printed but not enforced.
"""

import argparse
import csv
import http.client
import json
import random
import sys
import threading
import time

WINE_WORDS = (
    "cherry plum cassis tar roses leather tobacco violet oak vanilla citrus lime "
    "petrol slate flint honey apricot peach pepper spice earthy firm tannins bright "
    "acidity long finish Nebbiolo Riesling Malbec Syrah Pinot Noir Chardonnay Chenin "
    "Tempranillo Sangiovese Barolo Rioja Napa Mendoza Marlborough Mosel Stellenbosch"
).split()


def notes_from(path, limit):
    """Up to `limit` descriptions from a review CSV, or None when it is absent."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = csv.DictReader(handle)
            return [row["description"] for _, row in zip(range(limit), rows)]
    except OSError:
        return None


def made_up_notes(count, rng):
    return [" ".join(rng.choice(WINE_WORDS) for _ in range(rng.randint(5, 40))) for _ in range(count)]


def rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_status = {}
        self.errors = 0

    def add(self, status):
        with self.lock:
            self.by_status[status] = self.by_status.get(status, 0) + 1

    def error(self):
        with self.lock:
            self.errors += 1


def worker(port, rate, deadline, notes, counters, seed):
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    interval = 1.0 / rate
    next_at = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        if next_at > now:
            time.sleep(next_at - now)
        next_at += interval
        roll = rng.random()
        try:
            if roll < 0.8:
                body = json.dumps({"description": rng.choice(notes)})
                connection.request(
                    "POST", "/api/v1/predict", body, {"content-type": "application/json"}
                )
            else:
                country = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(12))
                path = "/analytics/charts" if roll < 0.9 else "/analytics"
                connection.request("GET", f"{path}?country={country}")
            response = connection.getresponse()
            response.read()
            counters.add(response.status)
        except (OSError, http.client.HTTPException):
            counters.error()
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--rate", type=float, default=300, help="requests per second in all")
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--sample", type=float, default=10)
    parser.add_argument("--tolerance", type=float, default=0.05)
    parser.add_argument("--data", default="")
    parser.add_argument("--smoke", action="store_true", help="do not enforce the memory verdict")
    args = parser.parse_args()

    rng = random.Random(7)
    notes = notes_from(args.data, 5_000) if args.data else None
    source = f"{len(notes)} review notes" if notes else "made-up notes"
    notes = notes or made_up_notes(2_000, rng)
    print(f"soak: {args.seconds:.0f} s at {args.rate:.0f} req/s, {source}, RSS every {args.sample:.0f} s")

    counters = Counters()
    start = time.monotonic()
    deadline = start + args.seconds
    threads = [
        threading.Thread(
            target=worker,
            args=(args.port, args.rate / args.threads, deadline, notes, counters, seed),
            daemon=True,
        )
        for seed in range(args.threads)
    ]
    for thread in threads:
        thread.start()
    samples = [(0.0, rss_kib(args.pid))]
    print(f"  t={0:6.0f} s  RSS {samples[0][1] / 1024:7.1f} MiB")
    while time.monotonic() < deadline:
        time.sleep(min(args.sample, max(0.0, deadline - time.monotonic())))
        elapsed = time.monotonic() - start
        samples.append((elapsed, rss_kib(args.pid)))
        print(f"  t={elapsed:6.0f} s  RSS {samples[-1][1] / 1024:7.1f} MiB", flush=True)
    for thread in threads:
        thread.join()

    done = sum(counters.by_status.values())
    print(f"requests: {done} ({done / args.seconds:.0f}/s), by status {dict(sorted(counters.by_status.items()))}, "
          f"transport errors {counters.errors}")
    last_third = [rss for at, rss in samples if at >= args.seconds * 2 / 3]
    start_of_third = last_third[0]
    peak = max(last_third)
    growth = (peak - start_of_third) / start_of_third
    print(f"last third: RSS {start_of_third / 1024:.1f} -> peak {peak / 1024:.1f} MiB ({growth * 100:+.1f} %)")
    server_errors = sum(n for status, n in counters.by_status.items() if status >= 500)
    answered_ok = sum(n for status, n in counters.by_status.items() if 200 <= status < 300)
    if server_errors or not answered_ok:
        print(f"soak: FAILED ({server_errors} 5xx answers, {answered_ok} 2xx answers)")
        return 1
    if growth > args.tolerance:
        if args.smoke:
            print(f"soak: smoke run, memory grew {growth * 100:+.1f} % (not enforced)")
            return 0
        print(f"soak: FAILED (growth over {args.tolerance * 100:.0f} %)")
        return 1
    print("soak: memory levels off")
    return 0


if __name__ == "__main__":
    sys.exit(main())
