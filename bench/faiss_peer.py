#!/usr/bin/env python3
"""FAISS on the benchmark's vectors: IndexFlatIP and IndexHNSWFlat at full dims, cosine (both
sides L2-normalised). Reads the raw float32 files the benchmark wrote, writes each configuration's
top-10 ids (int32, nq x 10) next to them for the benchmark to score, prints JSON on stdout.

usage: faiss_peer.py DB.f32 QUERIES.f32 DIMS OUT_DIR --speed N [--ef 16,32,...] [--hnsw-m 16]
       faiss_peer.py DB.f32 QUERIES.f32 DIMS OUT_DIR --serve [--index-cache FILE]

--serve builds (or loads from --index-cache) the HNSW index, prints {"ready": ...}, then answers one
JSON command a line on stdin, so the benchmark can alternate FAISS's query batches with its own
(bench/interleaved.ts):
  {"op": "latency", "ef": 32}              each query alone on one thread: {"ms": [...]}
  {"op": "batch", "ef": 32, "threads": 2}  every query in one call: {"s": seconds}
  {"op": "ids", "ef": 32}                  top-10 rows of every query: {"ids_file": path}
"""
import argparse
import json
import os
import resource
import sys
import time

import faiss
import numpy as np

TOP = 10


def log(msg):
    print(f"[faiss] {msg}", file=sys.stderr, flush=True)


def load(path, dims):
    x = np.fromfile(path, dtype=np.float32).reshape(-1, dims)
    x = np.ascontiguousarray(x)
    faiss.normalize_L2(x)
    return x


def measure(index, queries, speed, name, out_dir):
    """Single-query latency on the first `speed` queries, then the whole batch at once."""
    # one query at a time on one thread (OpenMP barriers only add latency to a single query,
    # badly so when another process holds the cores); the batch on every thread
    times = []
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    for i in range(min(speed, len(queries))):
        t0 = time.perf_counter()
        index.search(queries[i:i + 1], TOP)
        times.append((time.perf_counter() - t0) * 1000)
    faiss.omp_set_num_threads(threads)
    t0 = time.perf_counter()
    _, ids = index.search(queries, TOP)
    batch_s = time.perf_counter() - t0
    ids_file = os.path.join(out_dir, f"{name}.i32")
    ids.astype(np.int32).tofile(ids_file)
    times.sort()
    pct = lambda p: times[min(len(times) - 1, max(0, int(np.ceil(p / 100 * len(times))) - 1))]
    return {"p50_ms": pct(50), "p99_ms": pct(99), "qps": len(queries) / batch_s, "speed_queries": len(times), "ids_file": ids_file}


def build_hnsw(db, m, ef_construction, cache):
    if cache and os.path.exists(cache):
        log(f"loading {cache}")
        return faiss.read_index(cache), 0.0
    n, d = db.shape
    t0 = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = ef_construction
    step = 100_000
    for s in range(0, n, step):
        hnsw.add(db[s:s + step])
        log(f"IndexHNSWFlat M={m} efConstruction={ef_construction}: {min(n, s + step)}/{n} added, {time.perf_counter() - t0:.0f} s")
    build = time.perf_counter() - t0
    if cache:
        faiss.write_index(hnsw, cache + ".tmp")
        os.replace(cache + ".tmp", cache)
    return hnsw, build


def serve(hnsw, queries, out_dir, build_s):
    size = int(faiss.serialize_index(hnsw).nbytes)
    threads = faiss.omp_get_max_threads()
    print(json.dumps({"ready": True, "faiss": faiss.__version__, "threads": threads, "build_s": build_s, "index_bytes": size,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        hnsw.hnsw.efSearch = int(cmd.get("ef", 16))
        if cmd["op"] == "latency":
            faiss.omp_set_num_threads(1)
            ms = []
            for i in range(len(queries)):
                t0 = time.perf_counter()
                hnsw.search(queries[i:i + 1], TOP)
                ms.append((time.perf_counter() - t0) * 1000)
            out = {"ms": ms}
        elif cmd["op"] == "batch":
            faiss.omp_set_num_threads(int(cmd.get("threads", threads)))
            t0 = time.perf_counter()
            hnsw.search(queries, TOP)
            out = {"s": time.perf_counter() - t0}
        elif cmd["op"] == "ids":
            faiss.omp_set_num_threads(threads)
            _, ids = hnsw.search(queries, TOP)
            f = os.path.join(out_dir, f"serve-ef{hnsw.hnsw.efSearch}.i32")
            ids.astype(np.int32).tofile(f)
            out = {"ids_file": f}
        elif cmd["op"] == "peak":
            out = {}
        else:
            out = {"error": f"unknown op {cmd['op']}"}
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(out), flush=True)
    faiss.omp_set_num_threads(threads)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("queries")
    ap.add_argument("dims", type=int)
    ap.add_argument("out_dir")
    ap.add_argument("--speed", type=int, default=200)
    ap.add_argument("--ef", default="16,32,64,128,256")
    ap.add_argument("--hnsw-m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=40)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--index-cache", default=None)
    a = ap.parse_args()
    faiss.omp_set_num_threads(a.threads)
    db = load(a.db, a.dims)
    queries = load(a.queries, a.dims)
    n, d = db.shape
    log(f"{n} x {d} database, {len(queries)} queries, {a.threads} threads")
    if a.serve:
        hnsw, build = build_hnsw(db, a.hnsw_m, a.ef_construction, a.index_cache)
        del db
        serve(hnsw, queries, a.out_dir, build)
        return
    out = []

    t0 = time.perf_counter()
    flat = faiss.IndexFlatIP(d)
    flat.add(db)
    build = time.perf_counter() - t0
    r = measure(flat, queries, a.speed, "faiss-flat", a.out_dir)
    out.append({"name": "FAISS IndexFlatIP", "family": "faiss-flat", "source": "IndexFlatIP", "build_s": build, "index_bytes": n * d * 4, **r})
    log(f"IndexFlatIP: p50 {r['p50_ms']:.2f} ms, {r['qps']:.0f} QPS")
    del flat

    hnsw, build = build_hnsw(db, a.hnsw_m, a.ef_construction, a.index_cache)
    size = int(faiss.serialize_index(hnsw).nbytes)
    for ef in [int(v) for v in a.ef.split(",")]:
        hnsw.hnsw.efSearch = ef
        r = measure(hnsw, queries, a.speed, f"faiss-hnsw-ef{ef}", a.out_dir)
        out.append({"name": f"FAISS IndexHNSWFlat M={a.hnsw_m} ef={ef}", "family": "faiss-hnsw", "source": "IndexHNSWFlat", "ef": ef, "build_s": build, "index_bytes": size, **r})
        log(f"IndexHNSWFlat ef={ef}: p50 {r['p50_ms']:.3f} ms, {r['qps']:.0f} QPS")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"faiss": faiss.__version__, "threads": a.threads, "peak_rss_mb": peak_mb, "results": out}))


if __name__ == "__main__":
    main()
