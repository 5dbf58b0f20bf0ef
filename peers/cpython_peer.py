"""CPython peer of gilbench: the same workload shapes run by the real interpreter.

gilbench models CPython's GIL; this script measures the real thing so the model can be
checked against it. It runs a pure-Python CPU loop (calibrated to a target duration per
task), the same loop with a share of its time spent in one ``hashlib.sha256`` call instead
(over a buffer sized to that share, 1 MiB or more for a 1 ms share here; CPython releases the
GIL while it hashes 2 KiB or more, as zlib, numpy and Rust or C extensions do), a sleep, and a mix of loop and sleep through real ``threading``, ``multiprocessing`` (a
``Pool`` whose payloads are really pickled), ``asyncio`` and a sequential loop, on a grid of
worker counts; each case gets a warm-up batch and several timed batches, interleaved across
the cases of a shape so that load from elsewhere falls on all of them alike. It can also
record the convoy effect: how late an IO thread's ``time.sleep(0.001)`` returns while 0, 1
or 2 CPU-bound threads spin.

Standard library only, Python 3.8 or newer. It prints one JSON document on stdout
(progress, if any, goes to stderr):

    python3 peers/cpython_peer.py --workers 1,2,4 --tasks 16 --task-duration 2ms \
        --cpu-fractions 0,0.5,1 --samples 5 > cpython.json

``gilbench calibrate`` runs it (embedded in the binary) and compares the figures with its
own GIL model. Case ``params`` use gilbench's keys and display format (``workers``,
``tasks``, ``payload_bytes``, ``task_duration`` like ``2ms``, ``sleep``, ``cpu_fraction`` and
``released_fraction`` like ``0.5``) so both sides line up by parameters.
"""

import argparse
import asyncio
import hashlib
import json
import math
import multiprocessing
import os
import platform
import queue
import re
import statistics
import sys
import sysconfig
import threading
import time

PEER_VERSION = 1
MASK = (1 << 64) - 1
MUL = 0x2545F4914F6CDD1D

MODELS = ("cpython:sequential", "cpython:threads", "cpython:processes", "cpython:asyncio")


# --- the work -------------------------------------------------------------------------------


def kernel(seed, iterations):
    """The multiply-xorshift mix of gilbench's CPU kernel, in pure Python (same result)."""
    x = (seed ^ MUL) & MASK
    for i in range(iterations):
        x ^= x >> 12
        x = (x ^ (x << 25)) & MASK
        x ^= x >> 27
        x = (x * MUL + i) & MASK
    return x


# The smallest buffer built: hashlib releases the GIL for 2 KiB and more (HASHLIB_GIL_MINSIZE).
RELEASING_BYTES = 64 * 1024
_BUFFER = bytearray()


def buffer(n):
    """A fixed buffer of at least n bytes, built once per process (outside the timed work)."""
    global _BUFFER
    if len(_BUFFER) < n:
        _BUFFER = bytearray((i * 131 + 17) & 0xFF for i in range(max(n, RELEASING_BYTES)))
    return _BUFFER


def released(hash_bytes):
    """The C share of a task: one sha256 call over hash_bytes bytes, with the GIL released."""
    if not hash_bytes:
        return 0
    digest = hashlib.sha256(memoryview(buffer(hash_bytes))[:hash_bytes]).digest()
    return int.from_bytes(digest[:8], "little")


def compute(index, iterations, hash_bytes):
    """The CPU share of a task: the pure-Python loop, then the GIL-releasing hash."""
    value = kernel(index, iterations) if iterations else 0
    return value ^ released(hash_bytes)


def run_task(job):
    """One task: (index, payload, iterations, hash_bytes, sleep_s) -> (index, value, payload)."""
    index, payload, iterations, hash_bytes, sleep_s = job
    value = compute(index, iterations, hash_bytes)
    if sleep_s > 0:
        time.sleep(sleep_s)
    return index, value, payload


async def run_task_async(job):
    """The same task under asyncio: the CPU share runs inline and blocks the loop."""
    index, payload, iterations, hash_bytes, sleep_s = job
    value = compute(index, iterations, hash_bytes)
    if sleep_s > 0:
        await asyncio.sleep(sleep_s)
    return index, value, payload


def checksum(results):
    """Order-independent digest of a batch's results, identical under every model."""
    total = 0
    for index, value, payload in results:
        total = (total + (value ^ (index * 0x9E3779B97F4A7C15) ^ len(payload))) & MASK
    return "%016x" % total


def calibrate(target_s=0.05):
    """Kernel iterations per second on one core: the best of several short timings."""
    n = 2000
    while True:
        start = time.perf_counter()
        kernel(0, n)
        if time.perf_counter() - start >= target_s / 5 or n > 1 << 30:
            break
        n *= 2
    best = float("inf")
    for r in range(5):
        start = time.perf_counter()
        kernel(r, n)
        best = min(best, time.perf_counter() - start)
    return n / max(best, 1e-9)


def calibrate_hash(target_s=0.05):
    """sha256 bytes per second on one core over a buffer large enough to release the GIL."""
    n = 1 << 20
    buffer(n)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        reps = 0
        while True:
            released(n)
            reps += 1
            if time.perf_counter() - start >= target_s / 5:
                break
        best = min(best, (time.perf_counter() - start) / reps)
    return n / max(best, 1e-9)


# --- execution models -----------------------------------------------------------------------


class Sequential:
    """One task after another in the main thread: the baseline."""

    def __init__(self, workers):
        pass

    def batch(self, jobs):
        start = time.perf_counter()
        results = [run_task(j) for j in jobs]
        return time.perf_counter() - start, results

    def close(self):
        pass


class Threads:
    """W threads started once, pulling tasks from one queue.Queue."""

    def __init__(self, workers):
        self.jobs = queue.Queue()
        self.results = queue.Queue()
        self.threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(workers)]
        for t in self.threads:
            t.start()

    def _loop(self):
        while True:
            job = self.jobs.get()
            if job is None:
                return
            self.results.put(run_task(job))

    def batch(self, jobs):
        start = time.perf_counter()
        for j in jobs:
            self.jobs.put(j)
        results = [self.results.get() for _ in jobs]
        return time.perf_counter() - start, results

    def close(self):
        for _ in self.threads:
            self.jobs.put(None)
        for t in self.threads:
            t.join()


class Processes:
    """A multiprocessing Pool of W workers, started before timing; jobs and results pickled."""

    def __init__(self, workers, start_method):
        ctx = multiprocessing.get_context(start_method)
        self.pool = ctx.Pool(workers)

    def batch(self, jobs):
        start = time.perf_counter()
        results = self.pool.map(run_task, jobs, chunksize=1)
        return time.perf_counter() - start, results

    def close(self):
        self.pool.close()
        self.pool.join()


class Asyncio:
    """W asyncio tasks pulling from one asyncio.Queue on one event loop."""

    def __init__(self, workers):
        self.workers = workers
        self.loop = asyncio.new_event_loop()

    async def _batch(self, jobs):
        q = asyncio.Queue()
        for j in jobs:
            q.put_nowait(j)
        results = []

        async def worker():
            while True:
                try:
                    job = q.get_nowait()
                except asyncio.QueueEmpty:
                    return
                results.append(await run_task_async(job))

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self.workers)))
        return time.perf_counter() - start, results

    def batch(self, jobs):
        return self.loop.run_until_complete(self._batch(jobs))

    def close(self):
        self.loop.close()


def make_executor(model, workers, start_method):
    if model == "cpython:sequential":
        return Sequential(workers)
    if model == "cpython:threads":
        return Threads(workers)
    if model == "cpython:processes":
        return Processes(workers, start_method)
    return Asyncio(workers)


# --- parameters in gilbench's display format -------------------------------------------------


def parse_duration(text):
    """'2ms', '500us', '1.5ms', '1ms500us', '1s' -> seconds."""
    parts = re.findall(r"([0-9]*\.?[0-9]+)\s*(ns|us|µs|ms|s)", text)
    rest = re.sub(r"([0-9]*\.?[0-9]+)\s*(ns|us|µs|ms|s)", "", text).strip()
    if not parts or rest:
        raise argparse.ArgumentTypeError("%r: expected a duration like 2ms, 500us or 1s" % text)
    scale = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0}
    value = sum(float(n) * scale[u] for n, u in parts)
    if value <= 0:
        raise argparse.ArgumentTypeError("%r: must be positive" % text)
    return value


def show_duration(seconds):
    """A duration as gilbench (humantime) shows it: '2ms', '1ms500us', '1s'."""
    ns = int(round(seconds * 1e9))
    if ns == 0:
        return "0s"
    parts = []
    for unit, size in (("s", 10**9), ("ms", 10**6), ("us", 10**3), ("ns", 1)):
        if ns >= size:
            parts.append("%d%s" % (ns // size, unit))
            ns %= size
    return "".join(parts)


def show_fraction(f):
    """A fraction as gilbench shows it: shortest round-trip decimal, '0', '0.5', '1'."""
    text = repr(float(f))
    return text[:-2] if text.endswith(".0") else text


def int_list(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("%r: expected integers like 1,2,4" % text)
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("%r: expected positive integers" % text)
    return values


def fraction_list(text):
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("%r: expected fractions like 0,0.5,1" % text)
    if any(not 0.0 <= v <= 1.0 for v in values):
        raise argparse.ArgumentTypeError("%r: fractions must lie in 0..1" % text)
    return values


def shapes(args):
    """Workload points: (workload, its own params, iterations, hash bytes, sleep per task)."""
    d = args.task_duration
    ips = args.iterations_per_s
    out = []
    if "cpu" in args.workloads:
        out.append(("cpu", {"task_duration": show_duration(d)}, int(round(d * ips)), 0, 0.0))
        for r in args.released_fractions:
            # As gilbench does: the held share in loop rounds, the released share last, here
            # as hashed bytes of the same duration.
            params = {"task_duration": show_duration(d), "released_fraction": show_fraction(r)}
            iterations = int(round(d * (1.0 - r) * ips))
            hash_bytes = int(round(d * r * args.hash_bytes_per_s))
            out.append(("cpu", params, iterations, hash_bytes, 0.0))
    if "io-sleep" in args.workloads:
        out.append(("io-sleep", {"sleep": show_duration(d)}, 0, 0, d))
    if "mixed" in args.workloads:
        for f in args.cpu_fractions:
            # As gilbench does: the CPU share in kernel iterations, the rest asleep (whole
            # microseconds), no sleep call at all when there is no IO share.
            sleep_s = int((d * (1.0 - f)) * 1e6) / 1e6
            params = {"task_duration": show_duration(d), "cpu_fraction": show_fraction(f)}
            out.append(("mixed", params, int(round(d * f * ips)), 0, sleep_s))
    return out


# --- measuring ------------------------------------------------------------------------------


class Case:
    """One model at one worker count on one shape: its record, executor and samples."""

    def __init__(self, model, workers, record):
        self.model = model
        self.workers = workers
        self.record = record
        self.executor = None
        self.samples = []
        self.sums = set()
        self.error = None
        self.per_task = None

    def open(self, args):
        if self.executor is None and self.error is None:
            try:
                self.executor = make_executor(self.model, self.workers, args.start_method)
            except Exception as e:  # a failing case is recorded, not fatal
                self.fail(e)

    def lead_in(self, jobs, seconds):
        """Untimed work of the case's own before an interleaved batch, as gilbench's runner
        does where two or more threads or processes run the tasks: the OS places a unit woken
        while another runs by the load each CPU has shown over the last tens of milliseconds,
        so a case that waited while a single-thread case ran would start with its units packed
        onto one CPU. Runs parts of the batch (first two tasks a unit, then as many as the time
        left needs, at most half the batch unless that is fewer) for about `seconds`."""
        spread = self.model in ("cpython:threads", "cpython:processes") and self.workers >= 2
        if self.executor is None or not spread or seconds <= 0:
            return
        fewest = min(2 * self.workers, len(jobs))
        most = max(len(jobs) // 2, fewest)
        start, walls = time.perf_counter(), 0.0
        try:
            while True:
                left = seconds - max(walls, time.perf_counter() - start)
                if left <= 0:
                    break
                count = fewest
                if self.per_task:
                    count = min(max(int(math.ceil(left / self.per_task)), fewest), most)
                wall, results = self.executor.batch(jobs[:count])
                if len(results) != count:
                    raise RuntimeError("%d of %d tasks returned" % (len(results), count))
                walls += wall
                self.per_task = wall / count
        except Exception as e:
            self.fail(e)

    def step(self, jobs, keep):
        """One batch; its wall time is kept unless it is a warm-up."""
        if self.executor is None:
            return
        try:
            wall, results = self.executor.batch(jobs)
            if len(results) != len(jobs):
                raise RuntimeError("%d of %d tasks returned" % (len(results), len(jobs)))
            self.sums.add(checksum(results))
            if len(self.sums) != 1:
                raise RuntimeError("checksum differs between batches")
            if keep:
                self.samples.append(wall)
        except Exception as e:
            self.fail(e)

    def fail(self, e):
        self.error = "%s: %s" % (type(e).__name__, e)
        self.close()

    def close(self):
        if self.executor is not None:
            ex, self.executor = self.executor, None
            try:
                ex.close()
            except Exception:
                pass

    def finish(self):
        self.close()
        if self.error is None and self.samples:
            self.record.update({"status": "ok", "samples": self.samples,
                                "median": statistics.median(self.samples),
                                "checksum": self.sums.pop()})
        else:
            self.record.update({"status": "failed", "reason": self.error or "no sample",
                                "samples": [], "median": None})
        return self.record


def run_cases(args):
    """Every case of every shape. Interleaved (the default), each round runs one batch of every
    case of a shape in turn, so a burst of load from elsewhere falls on all of them alike and
    the ratios between them (the speedups) stay fair; by case, each case runs all its batches
    in a row, as gilbench's runner does."""
    records = []
    payload = bytes((i * 31 + 7) & 0xFF for i in range(args.payload_bytes))
    rounds = args.warmup + args.samples
    for workload, own, iterations, hash_bytes, sleep_s in shapes(args):
        buffer(hash_bytes)
        jobs = [(i, payload, iterations, hash_bytes, sleep_s) for i in range(args.tasks)]
        cases = []
        for model in args.models:
            counts = [1] if model == "cpython:sequential" else args.workers
            for w in counts:
                params = dict(own)
                params.update(
                    {"tasks": str(args.tasks), "payload_bytes": str(args.payload_bytes), "workers": str(w)}
                )
                if model == "cpython:threads":
                    params["switch_interval"] = show_duration(sys.getswitchinterval())
                record = {"model": model, "workload": workload, "params": params, "workers": w,
                          "tasks": args.tasks, "iterations": iterations, "hash_bytes": hash_bytes,
                          "sleep_s": sleep_s}
                cases.append(Case(model, w, record))
        if args.verbose:
            print("%s %s: %d cases" % (workload, own, len(cases)), file=sys.stderr)
        try:
            if args.order == "interleaved":
                for case in cases:
                    case.open(args)
                for i in range(rounds):
                    for case in cases:
                        case.lead_in(jobs, args.lead_in)
                        case.step(jobs, i >= args.warmup)
            else:
                for case in cases:
                    case.open(args)
                    for i in range(rounds):
                        case.step(jobs, i >= args.warmup)
                    case.close()
        finally:
            records.extend(case.finish() for case in cases)
    return records


def empty_task(x):
    """Nothing: what a Pool's own per-task cost is measured with."""
    return x


def pool_task_overhead(start_method, tasks=2000, rounds=3):
    """Seconds per empty task through a one-worker Pool (map, chunksize 1): pickling, the
    pool's queues and its result thread, as every task of a Pool pays them. Best of rounds."""
    ctx = multiprocessing.get_context(start_method)
    with ctx.Pool(1) as pool:
        pool.map(empty_task, range(100), chunksize=1)
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            pool.map(empty_task, range(tasks), chunksize=1)
            best = min(best, (time.perf_counter() - start) / tasks)
    return best


def asyncio_sleep(seconds, count=16):
    """Mean seconds one asyncio.sleep(seconds) takes, awaited one after another."""
    async def sleeps():
        start = time.perf_counter()
        for _ in range(count):
            await asyncio.sleep(seconds)
        return (time.perf_counter() - start) / count
    return asyncio.run(sleeps())


def percentile(xs, p):
    """The p-th percentile (0..100), linear between closest ranks."""
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def convoy(spinners, iterations, sleep_s=0.001, budget_s=2.0):
    """Oversleep of an IO thread's time.sleep(sleep_s) while `spinners` threads spin."""
    stop = threading.Event()
    started = threading.Barrier(spinners + 1)

    def spin():
        started.wait()
        x = 1
        while not stop.is_set():
            for i in range(200):
                x = (x * MUL + i) & MASK

    def io(out):
        started.wait()
        deadline = time.perf_counter() + budget_s
        for _ in range(iterations):
            t = time.perf_counter()
            time.sleep(sleep_s)
            out.append(time.perf_counter() - t - sleep_s)
            if time.perf_counter() > deadline:
                break

    over = []
    threads = [threading.Thread(target=spin) for _ in range(spinners)]
    io_thread = threading.Thread(target=io, args=(over,))
    for t in threads + [io_thread]:
        t.start()
    io_thread.join()
    stop.set()
    for t in threads:
        t.join()
    return {
        "cpu_threads": spinners,
        "sleep": show_duration(sleep_s),
        "n": len(over),
        "median_oversleep_s": statistics.median(over),
        "p99_oversleep_s": percentile(over, 99),
        "max_oversleep_s": max(over),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int_list, default=[1, 2, 4], help="worker counts, e.g. 1,2,4")
    p.add_argument("--tasks", type=int, default=16, help="tasks per batch")
    p.add_argument("--task-duration", type=parse_duration, default=0.002,
                   help="duration of one task on one core, e.g. 2ms")
    p.add_argument("--cpu-fractions", type=fraction_list, default=[0.5],
                   help="CPU shares of the mixed workload, e.g. 0,0.5,1 (empty: no mixed)")
    p.add_argument("--released-fractions", type=fraction_list, default=[],
                   help="shares of the cpu workload spent in hashlib.sha256 with the GIL "
                        "released, e.g. 0.5,1 (empty: none)")
    p.add_argument("--workloads", default="cpu,io-sleep,mixed",
                   help="comma-separated subset of cpu,io-sleep,mixed")
    p.add_argument("--models", default="sequential,threads,processes,asyncio",
                   help="comma-separated subset of sequential,threads,processes,asyncio")
    p.add_argument("--payload-bytes", type=int, default=1024, help="payload carried each way")
    p.add_argument("--samples", type=int, default=5, help="timed batches per case")
    p.add_argument("--warmup", type=int, default=1, help="untimed batches per case")
    p.add_argument("--lead-in", type=parse_duration, default=0.0,
                   help="untimed work of a case's own before each interleaved batch, where two or "
                   "more threads or processes run it (e.g. 40ms; default none)")
    p.add_argument("--order", choices=("interleaved", "case"), default="interleaved",
                   help="interleaved: one batch of every case of a shape per round; case: all of "
                        "a case's batches in a row")
    p.add_argument("--start-method", default=None,
                   help="multiprocessing start method (default: forkserver where available)")
    p.add_argument("--convoy-iterations", type=int, default=100,
                   help="IO sleeps per convoy point (0: skip the convoy shape)")
    p.add_argument("--verbose", action="store_true", help="name each case on stderr")
    args = p.parse_args(argv)

    if args.tasks < 1 or args.samples < 1 or args.warmup < 0 or args.payload_bytes < 0:
        p.error("--tasks and --samples must be positive, --warmup and --payload-bytes not negative")
    args.workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    bad = [w for w in args.workloads if w not in ("cpu", "io-sleep", "mixed")]
    if bad:
        p.error("unknown workload(s): %s" % ", ".join(bad))
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    bad = [m for m in models if "cpython:" + m not in MODELS]
    if bad:
        p.error("unknown model(s): %s" % ", ".join(bad))
    args.models = ["cpython:" + m for m in models]
    methods = multiprocessing.get_all_start_methods()
    if args.start_method is None:
        args.start_method = "forkserver" if "forkserver" in methods else "spawn"
    elif args.start_method not in methods:
        p.error("start method %r not available here (have %s)" % (args.start_method, ", ".join(methods)))

    args.iterations_per_s = calibrate()
    args.hash_bytes_per_s = calibrate_hash() if args.released_fractions else None
    started = time.time()
    cases = run_cases(args)
    convoy_points = []
    if args.convoy_iterations > 0:
        convoy_points = [convoy(n, args.convoy_iterations) for n in (0, 1, 2)]
    pool_overhead_s = pool_task_overhead(args.start_method) if "cpython:processes" in args.models else None
    sleep_requested_s = 0.002
    sleep_actual_s = asyncio_sleep(sleep_requested_s) if "cpython:asyncio" in args.models else None
    gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    gil_disabled_build = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    doc = {
        "peer": "cpython_peer",
        "peer_version": PEER_VERSION,
        "python_version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "gil_enabled": gil_enabled,
        "gil_disabled_build": gil_disabled_build,
        "switch_interval_s": sys.getswitchinterval(),
        "start_method": args.start_method,
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_iterations_per_s": args.iterations_per_s,
        "hash_bytes_per_s": args.hash_bytes_per_s,
        "warmup": args.warmup,
        "order": args.order,
        "lead_in_s": args.lead_in,
        "elapsed_s": time.time() - started,
        "pool_task_overhead_s": pool_overhead_s,
        "asyncio_sleep_requested_s": sleep_requested_s,
        "asyncio_sleep_actual_s": sleep_actual_s,
        "cases": cases,
        "convoy": convoy_points,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
