#!/usr/bin/env python3
"""Plots from the benchmark's JSON: mAP@10 vs dims, recall vs latency (our funnels vs the peers),
cascade accuracy vs expected dims.   usage: plot.py RESULTS.json OUT_DIR"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def frontier(entries):
    """Points no faster point beats on recall, fastest first."""
    out = []
    for e in sorted(entries, key=lambda e: (e["p50_ms"], -e["recall10"])):
        if not out or e["recall10"] > out[-1]["recall10"]:
            out.append(e)
    return out


def main():
    r = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    entries = r["entries"]
    scales = [s["scale"] for s in r["scales"]]
    real = next(s["scale"] for s in r["scales"] if s["real"])

    # mAP@10 vs dims: exact search at each prefix, and funnels by rerank dims (best over K, f16)
    fig, ax = plt.subplots(figsize=(6, 4))
    ex = sorted((e for e in entries if e["scale"] == real and e["system"] == "ours" and e["family"] == "exact"), key=lambda e: e["dr"])
    ax.plot([e["dr"] for e in ex], [e["map10"] for e in ex], "o-", label="exact search on the prefix")
    for ds in sorted({e["ds"] for e in entries if e["family"] == "funnel"}):
        fs = [e for e in entries if e["scale"] == real and e["family"] == "funnel" and e["source"] == "f16" and e["ds"] == ds]
        drs = sorted({e["dr"] for e in fs})
        best = [max(e["map10"] for e in fs if e["dr"] == dr) for dr in drs]
        ax.plot(drs, best, ".--", label=f"funnel Ds={ds} (f16 HNSW, best K)")
    for e in entries:
        if e["scale"] == real and e["family"] == "faiss-flat":
            ax.axhline(e["map10"], color="grey", lw=0.8, ls=":", label="FAISS IndexFlatIP (512)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("dims (rerank prefix)")
    ax.set_ylabel("mAP@10 (%)")
    ax.set_title(f"mAP@10 vs dims, {real} CIFAR-10 train")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "map10_vs_dims.png"), dpi=120)

    # recall vs latency per scale
    fig, axes = plt.subplots(1, len(scales), figsize=(6 * len(scales), 4.5), squeeze=False)
    for ax, scale in zip(axes[0], scales):
        at = [e for e in entries if e["scale"] == scale and e["p50_ms"]]
        ours = [e for e in at if e["system"] == "ours" and e["family"] in ("funnel", "multi")]
        ax.scatter([e["p50_ms"] for e in ours], [e["recall10"] for e in ours], s=5, color="lightgrey", label="our funnels (all)")
        for source in sorted({e["source"] for e in ours}):
            front = frontier([e for e in ours if e["source"] == source])
            ax.plot([e["p50_ms"] for e in front], [e["recall10"] for e in front], ".-", ms=5, label=f"our funnels, {source} shortlist (frontier)")
        ex = sorted((e for e in at if e["system"] == "ours" and e["family"] == "exact"), key=lambda e: e["dr"])
        ax.scatter([e["p50_ms"] for e in ex], [e["recall10"] for e in ex], marker="x", color="black", label="our exact search per prefix")
        for fam in sorted({e["family"] for e in at if e["system"] != "ours"}):
            es = sorted((e for e in at if e["family"] == fam), key=lambda e: e["p50_ms"])
            ax.plot([e["p50_ms"] for e in es], [e["recall10"] for e in es], "s--", ms=4, label=fam)
        ax.set_xscale("log")
        ax.set_xlabel("p50 single-query latency (ms)")
        ax.set_ylabel("recall@10 vs exact 512-d")
        ax.set_title(f"recall vs latency, {scale}")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "recall_vs_latency.png"), dpi=120)

    # cascade
    c = r["cascade"]
    fig, ax = plt.subplots(figsize=(6, 4))
    pts = sorted(c["points"], key=lambda p: p["expected_dims"])
    ax.plot([p["expected_dims"] for p in pts], [p["accuracy"] for p in pts], "o-", label="MRL cascade (one threshold)")
    for key, marker, label in [("stable", "*", "one stable threshold"), ("per_prefix", "P", "per-prefix thresholds")]:
        h = c.get("calibrated", {}).get(key)
        if h:
            ax.errorbar([h["expected_dims"]], [h["accuracy"]], yerr=[[h["accuracy"] - h["min_accuracy"]], [h["max_accuracy"] - h["accuracy"]]], fmt=marker, ms=10, capsize=3, label=f"MRL cascade, {label} (held out, range over splits)")
    ax.plot([f["dims"] for f in c["fixed"]], [f["accuracy"] for f in c["fixed"]], "s--", label="MRL head at a fixed prefix")
    if c["ff"]:
        ax.plot([f["dims"] for f in c["ff"]], [f["accuracy"] for f in c["ff"]], "^:", label="FF-d (model card)")
    ax.axvline(c["full_dims"] / 8, color="grey", lw=0.8, ls=":")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("dims (expected, for the cascade)")
    ax.set_ylabel("top-1 accuracy (%)")
    ax.set_title("adaptive classification, CIFAR-10 test")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "cascade.png"), dpi=120)


if __name__ == "__main__":
    main()
