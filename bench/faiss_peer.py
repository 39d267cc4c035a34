#!/usr/bin/env python3
"""FAISS on the benchmark's vectors: IndexFlatIP and IndexHNSWFlat at full dims, cosine (both
sides L2-normalised). Reads the raw float32 files the benchmark wrote, writes each configuration's
top-10 ids (int32, nq x 10) next to them for the benchmark to score, prints JSON on stdout.

usage: faiss_peer.py DB.f32 QUERIES.f32 DIMS OUT_DIR --speed N [--ef 16,32,...] [--hnsw-m 16]
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
    a = ap.parse_args()
    faiss.omp_set_num_threads(a.threads)
    db = load(a.db, a.dims)
    queries = load(a.queries, a.dims)
    n, d = db.shape
    log(f"{n} x {d} database, {len(queries)} queries, {a.threads} threads")
    out = []

    t0 = time.perf_counter()
    flat = faiss.IndexFlatIP(d)
    flat.add(db)
    build = time.perf_counter() - t0
    r = measure(flat, queries, a.speed, "faiss-flat", a.out_dir)
    out.append({"name": "FAISS IndexFlatIP", "family": "faiss-flat", "source": "IndexFlatIP", "build_s": build, "index_bytes": n * d * 4, **r})
    log(f"IndexFlatIP: p50 {r['p50_ms']:.2f} ms, {r['qps']:.0f} QPS")
    del flat

    t0 = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(d, a.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = a.ef_construction
    step = 100_000
    for s in range(0, n, step):
        hnsw.add(db[s:s + step])
        log(f"IndexHNSWFlat M={a.hnsw_m} efConstruction={a.ef_construction}: {min(n, s + step)}/{n} added, {time.perf_counter() - t0:.0f} s")
    build = time.perf_counter() - t0
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
