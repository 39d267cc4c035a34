"""Train MRL, MRL-E and the FF-d baselines, evaluate every prefix, export the app's model.

    python3 -m pretrain.run --config cpu --data ../shared/datasets/cifar10 --out pretrain/runs/cpu --install
    torchrun --nproc_per_node 2 -m pretrain.run --config smoke ...   (DistributedDataParallel)
"""
import argparse
import io
import json
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.distributed as dist

from .configs import CONFIGS, Config, arch_name
from .data import find_splits, load_split
from .evaluate import embed, pca_basis, prefix_metrics
from .model import round_to_fp16, stored_state
from .export import check_parity, export_model, export_onnx, sha256, write_card, write_parity_batch
from .plot import plot_metrics
from .train import build, dist_info, hardware, normalize_batch, pick_device, train_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_NAME = "mrl-resnet18-cifar10"
BASELINE_NAME = "ff512-resnet18-cifar10"


def log(msg):
    print(msg, flush=True)


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", choices=sorted(CONFIGS), default="cpu")
    p.add_argument("--smoke", action="store_const", const="smoke", dest="config")
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "datasets", "cifar10"),
                   help="folder with train/test as .tar.gz or as class/image folders")
    p.add_argument("--out", default=None)
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch", type=int)
    p.add_argument("--lr", type=float, help="peak one-cycle learning rate")
    p.add_argument("--models", help="comma list, e.g. mrl,ff512 (default: all)")
    p.add_argument("--seed", type=int)
    p.add_argument("--prefix-weights", help="comma list of per-prefix loss weights")
    p.add_argument("--install", action="store_true", help="copy model, card and results into resources/ and pretrain/results/")
    p.add_argument("--budget", type=float, help="seconds this run may take: a model that will not fit is skipped (a lent GPU's time is fixed)")
    p.add_argument("--ship", help="on a machine without the app's runtime: write the card and the MRL weights here, export nothing")
    p.add_argument("--finish", help="export and install a run shipped to this folder (with --ship)")
    return p.parse_args()


def main():
    args = parse()
    if args.finish:
        return finish(args)
    cfg = CONFIGS[args.config]
    if args.epochs:
        cfg.epochs = args.epochs
    if args.batch:
        cfg.batch = args.batch
    if args.lr:
        cfg.lr = args.lr
    if args.models:
        cfg.models = args.models.split(",")
    if args.seed is not None:
        cfg.seed = args.seed
    if args.prefix_weights:
        cfg.prefix_weights = [float(w) for w in args.prefix_weights.split(",")]
    out = args.out or os.path.join(ROOT, "pretrain", "runs", cfg.name)
    os.makedirs(os.path.join(out, "ckpt"), exist_ok=True)
    deadline = time.time() + args.budget if args.budget else None
    rank, world = dist_info()
    torch.manual_seed(cfg.seed)

    splits = find_splits(args.data)
    cache = os.path.join(ROOT, ".cache", "pretrain")
    t0 = time.time()
    x_tr, y_tr, classes = load_split(splits["train"], 32, None, cfg.train_limit_per_class or None, cache)
    x_te, y_te, _ = load_split(splits["test"], 32, classes, cfg.test_limit_per_class or None, cache)
    if rank == 0:
        log(f"data: {len(x_tr)} train, {len(x_te)} test, {len(classes)} classes ({time.time() - t0:.0f}s)")
    device = pick_device()  # after decoding: its worker processes are forked without a CUDA context
    x_tr = torch.from_numpy(x_tr).permute(0, 3, 1, 2).contiguous().to(device)
    x_te = torch.from_numpy(x_te).permute(0, 3, 1, 2).contiguous().to(device)
    y_tr, y_te = torch.from_numpy(y_tr).to(device), torch.from_numpy(y_te)
    flat = x_tr.float().div(255)
    mean = flat.mean((0, 2, 3)).view(1, 3, 1, 1)
    std = flat.std((0, 2, 3)).view(1, 3, 1, 1)
    del flat

    nets, timings, metrics, skipped = {}, {}, {}, []
    for name in cfg.models:
        ckpt = os.path.join(out, "ckpt", f"{name}.pt")
        timing_file = ckpt.replace(".pt", ".json")
        if os.path.exists(ckpt):
            net = build(name, cfg, len(classes))
            net.load_state_dict(torch.load(ckpt, map_location="cpu"))
            nets[name] = net.to(device)
            if os.path.exists(timing_file):
                with open(timing_file) as f:
                    timings[name] = json.load(f)["seconds"]
            if rank == 0:
                log(f"[{name}] loaded {ckpt}")
        else:
            # a lent machine's time is fixed: skip what the models trained so far say will not fit
            if out_of_time(deadline, timings, world):
                skipped.append(name)
                if rank == 0:
                    log(f"[{name}] skipped: the --budget leaves {deadline - time.time():.0f}s, a model takes {max(timings.values()):.0f}s")
                continue
            t = time.time()
            net = train_model(name, cfg, x_tr, y_tr, mean, std, device, log)
            if cfg.fp16_weights:
                round_to_fp16(net)
            nets[name] = net
            timings[name] = round(time.time() - t, 1)
            if rank == 0:
                torch.save(net.state_dict(), ckpt)
                with open(timing_file, "w") as f:
                    json.dump({"seconds": timings[name], "epochs": cfg.epochs, "hardware": hardware(device)}, f)
        if rank == 0:
            # evaluated as each model lands, so a run cut short keeps what it finished
            feats = features(name, nets[name], out, x_tr, x_te, mean, std, device)
            metrics = merge_metrics(metrics, evaluate_one(name, feats, cfg, y_tr.cpu(), y_te, len(classes)))
            if args.ship:
                ship_card(args.ship, make_card(cfg, classes, mean, std, metrics, timings, skipped, device, world, len(x_tr), len(x_te)))
                if name == "mrl":
                    ship_weights(args.ship, nets[name], cfg.fp16_weights)
    if world > 1:
        dist.barrier()
    if rank != 0:
        return
    card = make_card(cfg, classes, mean, std, metrics, timings, skipped, device, world, len(x_tr), len(x_te))
    log(json.dumps(metrics))
    if args.ship:
        ship_card(args.ship, card)  # with the models skipped at the end, too
        log(f"shipped to {args.ship}: finish with `python3 -m pretrain.run --finish DIR --install`")
        return
    write_outputs(out, card, nets, normalize_batch(x_te[:16].cpu(), mean.cpu(), std.cpu()), cfg)
    if args.install:
        install(out)
    log(f"done: {out}")


def make_card(cfg, classes, mean, std, metrics, timings, skipped, device, world, n_train, n_test):
    return {"name": MODEL_NAME, "arch": arch_name(cfg), "embedding_dim": cfg.nesting[-1], "nesting": cfg.nesting,
            "input": {"name": "image", "size": 32, "layout": "NCHW", "channels": "RGB", "scale": "0..1 then (x-mean)/std",
                      "mean": mean.flatten().tolist(), "std": std.flatten().tolist(), "resize": "centre square crop, bilinear"},
            "outputs": {"embedding": "embedding", "logits": {str(m): f"logits_{m}" for m in cfg.nesting}},
            "classes": classes, "heads_file": f"{MODEL_NAME}.heads.json", "metrics": metrics,
            "metric_definitions": {"top1": "head top-1 on the test split (FF-512 truncated/PCA: closed-form least-squares linear probe on the frozen features)",
                                   "nn1": "1-NN accuracy, cosine on the L2-normalised prefix, train split as database",
                                   "map10": "mAP@10, same retrieval; AP normalised by relevant items in the top 10"},
            "training": {"config": cfg.to_dict(), "seed": cfg.seed, "train_images": n_train, "test_images": n_test,
                         "hardware": hardware(device), "world_size": world, "seconds_per_model": dict(timings),
                         "skipped_for_time": list(skipped), "command": "python3 -m pretrain.run " + " ".join(sys.argv[1:])}}


def write_outputs(out, card, nets, batch, cfg):
    """The app's model (and the FF-512 baseline when trained), results table, card and plot."""
    if "mrl" in nets:
        export_model(nets["mrl"], out, card, batch, half_weights=cfg.fp16_weights)
        # the starting point of full-backbone fine-tuning (pretrain/finetune.py)
        torch.save(stored_state(nets["mrl"], cfg.fp16_weights), os.path.join(out, f"{MODEL_NAME}.pt"))
    if "ff512" in nets:
        export_baseline(nets["ff512"], out, card, batch)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(card, f, indent=1)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(results_table(card["metrics"], cfg.nesting))
    t = card["training"]
    plot_metrics(card["metrics"], os.path.join(out, "accuracy-vs-dims.png"),
                 f"{card['arch']} on {t['train_images']} images, {cfg.epochs} epochs ({t['hardware']})")


SHIP_PART = 15 << 20  # a lent machine hands back files of at most 16 MiB


def out_of_time(deadline, timings, world):
    """Whether the next model would run past the deadline, judging by the slowest so far; under
    DistributedDataParallel rank 0 decides for all, so no rank waits for a model the others skip."""
    decision = [bool(deadline and timings and time.time() + 1.1 * max(timings.values()) > deadline)]
    if world > 1:
        dist.broadcast_object_list(decision, src=0)
    return decision[0]


def ship_card(folder, card):
    """What a lent machine hands back, part one: the card so far."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "results.json"), "w") as f:
        json.dump(card, f, indent=1)


def ship_weights(folder, net, half):
    """Part two: the MRL weights as an npz in parts a lent machine can hand back."""
    buf = io.BytesIO()
    np.savez(buf, **{k: v.numpy() for k, v in stored_state(net, half).items()})
    data = buf.getvalue()
    for i in range(0, len(data), SHIP_PART):
        with open(os.path.join(folder, f"mrl.weights.npz.{i // SHIP_PART}"), "wb") as f:
            f.write(data[i:i + SHIP_PART])
    log(f"[mrl] shipped {len(data) / 1e6:.1f} MB of weights")


def finish(args):
    """Exports and installs a run trained elsewhere (--ship): its card and MRL weights."""
    with open(os.path.join(args.finish, "results.json")) as f:
        card = json.load(f)
    c = card["training"]["config"]
    cfg = Config(**{**c, "widths": tuple(c["widths"]), "blocks": tuple(c["blocks"])})
    parts = sorted((p for p in os.listdir(args.finish) if p.startswith("mrl.weights.npz.")), key=lambda p: int(p.rsplit(".", 1)[1]))
    data = b"".join(open(os.path.join(args.finish, p), "rb").read() for p in parts)
    arrays = np.load(io.BytesIO(data))
    net = build("mrl", cfg, len(card["classes"]))
    net.load_state_dict({k: torch.from_numpy(arrays[k]) for k in arrays.files})  # fp16 is widened on copy
    splits = find_splits(args.data)
    x_te, _y, _c = load_split(splits["test"], 32, card["classes"], cfg.test_limit_per_class or None, os.path.join(ROOT, ".cache", "pretrain"))
    mean = torch.tensor(card["input"]["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(card["input"]["std"]).view(1, 3, 1, 1)
    batch = normalize_batch(torch.from_numpy(x_te[:16]).permute(0, 3, 1, 2).contiguous(), mean, std)
    card["training"]["finish_command"] = "python3 -m pretrain.run " + " ".join(sys.argv[1:])
    out = args.out or os.path.join(ROOT, "pretrain", "runs", cfg.name)
    os.makedirs(out, exist_ok=True)
    write_outputs(out, card, {"mrl": net}, batch, cfg)
    if args.install:
        install(out)
    log(f"done: {out}")


def features(name, net, out, x_tr, x_te, mean, std, device):
    """(train z, test z, test logits), cached beside the checkpoint they come from."""
    ckpt = os.path.join(out, "ckpt", f"{name}.pt")
    cache = os.path.join(out, "ckpt", f"{name}.features.pt")
    if os.path.exists(cache) and os.path.getmtime(cache) > os.path.getmtime(ckpt):
        z_tr, z_te, logits = torch.load(cache)
        if len(z_tr) == len(x_tr) and len(z_te) == len(x_te):
            return z_tr, z_te, logits
    z_tr = embed(net, x_tr, mean, std, device)[0]
    z_te, logits = embed(net, x_te, mean, std, device)
    torch.save((z_tr, z_te, logits), cache)
    return z_tr, z_te, logits


def evaluate_one(name, feats, cfg, y_tr, y_te, num_classes):
    """The card's metrics that one model gives: its heads, or its FF-d point (and, for FF-512, the
    truncated and PCA baselines). JSON keys are strings; rounded for a readable card."""
    z_tr, z_te, logits = feats
    metrics = {}
    if name in ("mrl", "mrle"):
        metrics[name] = prefix_metrics(z_tr, y_tr, z_te, y_te, cfg.nesting, logits=logits)
    else:
        metrics["ff"] = prefix_metrics(z_tr, y_tr, z_te, y_te, [int(name[2:])], logits=logits)
    if name == "ff512":
        metrics["ff512_truncated"] = prefix_metrics(z_tr, y_tr, z_te, y_te, cfg.nesting, probe=True, num_classes=num_classes)
        mu, basis = pca_basis(z_tr)
        p_tr, p_te = (z_tr - mu) @ basis.t(), (z_te - mu) @ basis.t()
        metrics["ff512_pca"] = prefix_metrics(p_tr, y_tr, p_te, y_te, cfg.nesting, probe=True, num_classes=num_classes)
    return {h: {k: {str(d): round(v, 2) for d, v in s.items()} for k, s in m.items()} for h, m in metrics.items()}


def merge_metrics(metrics, new):
    """FF-d points of several models share the card's `ff` head, in dimension order."""
    out = {h: {k: dict(s) for k, s in m.items()} for h, m in metrics.items()}
    for head, m in new.items():
        for k, series in m.items():
            merged = {**out.setdefault(head, {}).get(k, {}), **series}
            out[head][k] = dict(sorted(merged.items(), key=lambda kv: int(kv[0])))
    order = ["mrl", "mrle", "ff", "ff512_truncated", "ff512_pca"]
    return {h: out[h] for h in order if h in out}


def export_baseline(net, out, mrl_card, x_batch):
    """FF-512, a fixed-feature (non-Matryoshka) encoder with the same interface: what a user's own
    model looks like to the app's import and its unsupervised Matryoshka adaptor."""
    onnx_path = os.path.join(out, f"{BASELINE_NAME}.onnx")
    export_onnx(net, onnx_path, 32, [512])
    batch_path = os.path.join(out, "parity-batch-ff512.json")
    write_parity_batch(net, x_batch, batch_path)
    check_parity(onnx_path, batch_path)
    card = {k: mrl_card[k] for k in ("input", "classes", "training")}
    card.update({"name": BASELINE_NAME, "arch": mrl_card["arch"], "embedding_dim": 512, "nesting": [512],
                 "outputs": {"embedding": "embedding", "logits": {"512": "logits_512"}},
                 "metrics": {k: mrl_card["metrics"][k] for k in ("ff", "ff512_truncated", "ff512_pca") if k in mrl_card["metrics"]},
                 "sha256": sha256(onnx_path)})
    write_card(os.path.join(out, f"{BASELINE_NAME}.json"), card)


def install(out):
    models = os.path.join(ROOT, "resources", "models")
    results = os.path.join(ROOT, "pretrain", "results")
    os.makedirs(models, exist_ok=True)
    os.makedirs(results, exist_ok=True)
    for f in (f"{MODEL_NAME}.onnx", f"{MODEL_NAME}.json", f"{MODEL_NAME}.heads.json", f"{MODEL_NAME}.pt"):
        shutil.copy(os.path.join(out, f), models)
    # a run finished from --ship has no FF-512 export: the baseline already installed stays
    for f in (f"{BASELINE_NAME}.onnx", f"{BASELINE_NAME}.json"):
        if os.path.exists(os.path.join(out, f)):
            shutil.copy(os.path.join(out, f), models)
    for f in ("results.json", "results.md", "accuracy-vs-dims.png"):
        shutil.copy(os.path.join(out, f), results)
    update_readme(os.path.join(results, "results.json"), os.path.join(results, "results.md"))
    log(f"installed into {models} and {results}")


def update_readme(results_json, results_md):
    """The results table in pretrain/README.md, between its markers, with command and hardware."""
    readme = os.path.join(ROOT, "pretrain", "README.md")
    with open(results_json) as f:
        card = json.load(f)
    with open(results_md) as f:
        table = f.read()
    t = card["training"]
    block = (f"Produced by `{t['command']}` on {t['hardware']}: {card['arch']}, {t['config']['epochs']} epochs, "
             f"{t['train_images']} training images, seed {t['seed']}; training seconds per model: "
             f"{', '.join(f'{k} {v:.0f}' for k, v in t['seconds_per_model'].items()) or 'n/a'}"
             + (f"; not trained for lack of time: {', '.join(t['skipped_for_time'])}" if t.get("skipped_for_time") else "")
             + (f". Exported and installed here by `{t['finish_command']}`" if t.get("finish_command") else "")
             + f".\n\n{table}")
    with open(readme) as f:
        text = f.read()
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    with open(readme, "w") as f:
        f.write(f"{head}{start}\n{block}\n{end}{tail}")


def results_table(metrics, nesting):
    lines = []
    for metric, title in (("top1", "Top-1 (%)"), ("nn1", "1-NN (%)"), ("map10", "mAP@10 (%)")):
        lines += [f"### {title}", "", "| head | " + " | ".join(str(d) for d in nesting) + " |",
                  "|---|" + "---:|" * len(nesting)]
        for head in ("mrl", "mrle", "ff", "ff512_truncated", "ff512_pca"):
            series = metrics.get(head, {}).get(metric, {})
            if series:
                lines.append(f"| {head} | " + " | ".join(f"{series[str(d)]:.2f}" if str(d) in series else "" for d in nesting) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
