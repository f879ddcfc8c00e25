"""HTTP/1.1 load generator for bench/load/run.sh, standard library only.

Sends `POST` requests with a body picked at random from a JSON-lines file, over
`--connections` kept-alive connections to a plain-HTTP URL, for `--duration`
seconds, in one of two modes:

* closed loop (no `--rate`): every connection sends its next request as soon as
  the previous answer is in: the server's maximum throughput at that concurrency;
* fixed rate (`--rate R`): request i is due at start + i / R, taken by whichever
  connection is free; its latency counts from when it was *due*, not from when
  it was sent, so a server that stalls cannot hide the queue it causes
  (correction for coordinated omission, as wrk2 and `oha --latency-correction` do).

`--processes P` spreads the connections (and the rate) over P processes, each with
its own event loop, when one Python process cannot keep up with the server. The
generator shares the machine with the server it measures; the report gives the
CPU seconds it used (`client_cpu_s`), so a saturated client can be seen.

Requests still unanswered `--grace` seconds after the end are cancelled and
counted as errors (`timeout`). Prints one JSON object (or writes it to `--out`):
requests, requests_per_sec, success_rate (share answered 2xx), status_codes,
errors, latency_ms (min, mean, p50, p90, p99, p99.9, max). Exits 1 when no
request was answered 2xx.

Usage: loadgen.py URL --bodies FILE [--duration S] [--connections N] [--rate R]
                      [--processes P] [--out FILE]
"""

import argparse
import array
import asyncio
import concurrent.futures
import json
import math
import random
import sys
import time
from urllib.parse import urlsplit


class Closed(Exception):
    """The server closed the connection before a whole answer arrived."""


class BadResponse(Exception):
    """The answer was not HTTP/1.x."""


def parse_response(buf):
    """(status, bytes used, close) for a whole response at the start of buf, or None."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = bytes(buf[:head_end]).lower()
    if not head.startswith(b"http/1."):
        raise BadResponse(bytes(buf[:40]))
    status = int(head[9:12])
    close = b"\nconnection: close" in head
    start = head_end + 4
    cl_at = head.find(b"\ncontent-length:")
    if cl_at >= 0:
        line_end = head.find(b"\r\n", cl_at + 1)
        length = int(head[cl_at + 16 : line_end if line_end >= 0 else len(head)])
        end = start + length
        return (status, end, close) if len(buf) >= end else None
    if b"\ntransfer-encoding: chunked" in head:
        at = start
        while True:
            line_end = buf.find(b"\r\n", at)
            if line_end < 0:
                return None
            size = int(bytes(buf[at:line_end]).split(b";")[0], 16)
            at = line_end + 2
            if size == 0:
                # Trailers, if any, end with an empty line.
                trailer_end = buf.find(b"\r\n\r\n", at - 2)
                return (status, trailer_end + 4, close) if trailer_end >= 0 else None
            at += size + 2
            if len(buf) < at:
                return None
    if status in (204, 304) or 100 <= status < 200:
        return (status, start, close)
    return None  # body until close: not something this generator expects


class Connection(asyncio.Protocol):
    """One kept-alive connection; `request` sends one request and waits for its answer."""

    def __init__(self):
        self.transport = None
        self.buf = bytearray()
        self.waiter = None
        self.lost = False

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buf += data
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        try:
            parsed = parse_response(self.buf)
        except (BadResponse, ValueError) as error:
            waiter.set_exception(BadResponse(str(error)))
            return
        if parsed is not None:
            status, used, close = parsed
            del self.buf[:used]
            waiter.set_result((status, close))

    def connection_lost(self, exc):
        self.lost = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(Closed())

    def request(self, payload):
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(payload)
        return self.waiter

    def close(self):
        if self.transport is not None:
            self.transport.close()


def request_bytes(url, body):
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("ascii") + body


class Tally:
    def __init__(self):
        self.latency = array.array("d")
        self.status = {}
        self.errors = {}
        self.late = 0

    def error(self, name):
        self.errors[name] = self.errors.get(name, 0) + 1


async def run_loop(job):
    """One process's share of the run: job is a dict made by main()."""
    loop = asyncio.get_running_loop()
    parts = urlsplit(job["url"])
    host, port = parts.hostname, parts.port or 80
    payloads = job["payloads"]
    rng = random.Random(job["seed"])
    tally = Tally()
    clock = time.perf_counter

    async def connect():
        _, conn = await loop.create_connection(Connection, host, port)
        return conn

    conns = []
    for _ in range(job["connections"]):
        try:
            conns.append(await connect())
        except OSError as error:
            tally.error(type(error).__name__)
            conns.append(None)
    start = job["start"]
    now = clock()
    if start > now:
        await asyncio.sleep(start - now)
    deadline = start + job["duration"]
    rate = job["rate"]
    interval = 1.0 / rate if rate else 0.0
    offset = job["offset"]
    stride = job["stride"]
    due_index = 0

    async def worker(conn):
        nonlocal due_index
        while True:
            if rate:
                # The next due request, whichever connection takes it.
                due = start + (offset + due_index * stride) * interval
                due_index += 1
                if due >= deadline:
                    break
                now = clock()
                if due > now:
                    await asyncio.sleep(due - now)
                elif now - due > 0.001:
                    tally.late += 1
                begin = due
            else:
                begin = clock()
                if begin >= deadline:
                    break
            try:
                if conn is None or conn.lost:
                    conn = await connect()
                status, close = await conn.request(payloads[rng.randrange(len(payloads))])
            except (OSError, Closed, BadResponse) as error:
                tally.error(type(error).__name__)
                if conn is not None:
                    conn.close()
                conn = None
                # A refused connection must not become a busy loop.
                await asyncio.sleep(0.01)
                continue
            tally.latency.append(clock() - begin)
            tally.status[status] = tally.status.get(status, 0) + 1
            if close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    tasks = [asyncio.ensure_future(worker(conn)) for conn in conns]
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - clock()) + job["grace"])
    for task in pending:
        task.cancel()
        tally.error("timeout")
    if pending:
        await asyncio.wait(pending)
    return tally


def run_process(job):
    cpu = time.process_time()
    tally = asyncio.run(run_loop(job))
    return {
        "latency": tally.latency.tobytes(),
        "status": tally.status,
        "errors": tally.errors,
        "late": tally.late,
        "cpu": time.process_time() - cpu,
        "ended": time.perf_counter(),
    }


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--bodies", required=True, help="JSON lines, one request body per line")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=0.0, help="requests/s in all; 0: closed loop")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--grace", type=float, default=5.0, help="seconds to wait for answers after the end")
    parser.add_argument("--out", help="write the JSON report here instead of standard output")
    args = parser.parse_args()
    if urlsplit(args.url).scheme != "http":
        parser.error("only plain http:// URLs")
    if not (0 < args.duration <= 3600 and 1 <= args.connections <= 10_000 and 1 <= args.processes <= 64):
        parser.error("duration 0-3600 s, connections 1-10000, processes 1-64")
    if args.rate < 0 or not math.isfinite(args.rate):
        parser.error("--rate must be 0 or more")

    with open(args.bodies, "rb") as f:
        payloads = [request_bytes(args.url, line.rstrip(b"\n")) for line in f if line.strip()]
    if not payloads:
        parser.error(f"no bodies in {args.bodies}")

    processes = min(args.processes, args.connections)
    began = time.perf_counter()
    start = began + (0.2 if processes == 1 else 1.0)  # time to connect (and fork)
    jobs = [
        {
            "url": args.url,
            "payloads": payloads,
            "seed": 7 + k,
            "connections": args.connections // processes + (1 if k < args.connections % processes else 0),
            "start": start,
            "duration": args.duration,
            "rate": args.rate,
            "offset": k,
            "stride": processes,
            "grace": args.grace,
        }
        for k in range(processes)
    ]
    if processes == 1:
        results = [run_process(jobs[0])]
    else:
        with concurrent.futures.ProcessPoolExecutor(processes) as pool:
            results = list(pool.map(run_process, jobs))

    latency = array.array("d")
    status, errors = {}, {}
    for result in results:
        latency.frombytes(result["latency"])
        for key, n in result["status"].items():
            status[key] = status.get(key, 0) + n
        for key, n in result["errors"].items():
            errors[key] = errors.get(key, 0) + n
    elapsed = max(r["ended"] for r in results) - start
    ms = sorted(x * 1000 for x in latency)
    answered = len(ms)
    total = answered + sum(errors.values())
    ok = sum(n for code, n in status.items() if 200 <= code < 300)
    report = {
        "mode": f"fixed rate {args.rate:g}/s, latency from the due time" if args.rate else "closed loop",
        "url": args.url,
        "connections": args.connections,
        "processes": processes,
        "rate": args.rate or None,
        "duration_s": args.duration,
        "elapsed_s": round(elapsed, 3),
        "requests": total,
        "answered": answered,
        "requests_per_sec": round(answered / elapsed, 1) if elapsed > 0 else 0.0,
        "success_rate": round(ok / total, 6) if total else 0.0,
        "status_codes": {str(code): n for code, n in sorted(status.items())},
        "errors": errors,
        "late_starts": sum(r["late"] for r in results) if args.rate else None,
        "client_cpu_s": round(sum(r["cpu"] for r in results), 3),
        "latency_ms": {
            name: round(value, 3) if value is not None else None
            for name, value in (
                ("min", ms[0] if ms else None),
                ("mean", sum(ms) / answered if ms else None),
                ("p50", percentile(ms, 0.50)),
                ("p90", percentile(ms, 0.90)),
                ("p99", percentile(ms, 0.99)),
                ("p99.9", percentile(ms, 0.999)),
                ("max", ms[-1] if ms else None),
            )
        },
    }
    text = json.dumps(report, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    if ok == 0:
        print(f"loadgen: no request to {args.url} was answered 2xx ({status}, errors {errors})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
