"""The bundled photo model: one Matryoshka ResNet on Tiny ImageNet, Imagenette and CIFAR-10 together,
~220 concepts with their WordNet hierarchy, at photo input size. Evaluates every prefix per dataset,
exports resources/models/mrl-photo.{onnx,json,heads.json} with --install.

    python3 -m pretrain.photo --config photo-cpu --install                 # the shipped CPU model
    python3 -m pretrain.photo --config photo-cpu --holdout 20 --models mrl,ff512 --out pretrain/runs/transfer
    python3 -m pretrain.photo --config photo-smoke --out /tmp/photo-smoke    # the pipeline in seconds
"""
import argparse
import json
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from .calibrate import calibrate
from .configs import PHOTO_CONFIGS, arch_name
from .evaluate import embed, linear_probe_logits, pca_basis, retrieval
from .export import export_model, sha256
from .model import round_to_fp16
from .mrl import HierarchicalNLL
from .photo_data import DATASETS, load_concepts, load_dataset, subtree_mask
from .plot import plot_metrics
from .train import build, hardware, normalize_batch, photo_augment, pick_device, train_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_NAME = "mrl-photo"
EVAL_SETS = ("tinyimagenet", "cifar10", "imagenette")


def log(msg):
    print(msg, flush=True)


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", choices=sorted(PHOTO_CONFIGS), default="photo-cpu")
    p.add_argument("--datasets", default=DATASETS, help="folder holding tinyimagenet32/, imagenette128/, cifar10/")
    p.add_argument("--out")
    p.add_argument("--epochs", type=int)
    p.add_argument("--models", help="comma list of mrl, mrle, ff<d> (default: the config's)")
    p.add_argument("--holdout", type=int, help="Tiny ImageNet classes left out of training: the new-class transfer run")
    p.add_argument("--prefix-weights", help="comma list of per-prefix loss weights")
    p.add_argument("--transfer", help="a --holdout run's folder whose transfer metrics join this card")
    p.add_argument("--install", action="store_true")
    return p.parse_args()


def held_out_classes(concepts, n):
    """Every k-th Tiny ImageNet concept that has no concept above or below it: n of them."""
    tin = [i for i, c in enumerate(concepts) if "tinyimagenet" in c["sources"] and not c["ancestors"]
           and not any(i in d["ancestors"] for d in concepts)]
    step = max(1, len(tin) // n)
    return tin[::step][:n]


def to_tensor(x):
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()


def load_all(cfg, concepts, datasets, cache):
    """Training arrays (all sets) and per-set evaluation arrays, as N x 3 x S x S uint8 tensors."""
    train, evals = [], {}
    for name in EVAL_SETS:
        per_class = cfg.cifar_per_class if name == "cifar10" else cfg.train_limit_per_class
        x, xj, y = load_dataset(name, "train", cfg.input_size, concepts, per_class or 0, datasets, cache)
        xe, _xje, ye = load_dataset(name, "eval", cfg.input_size, concepts, cfg.test_limit_per_class or 0, datasets, cache)
        train.append((name, x, xj, y))
        evals[name] = {"x": to_tensor(xe), "y": torch.from_numpy(ye)}
    return train, evals


def main():
    args = parse()
    cfg = PHOTO_CONFIGS[args.config]
    if args.epochs:
        cfg.epochs = args.epochs
    if args.models:
        cfg.models = args.models.split(",")
    if args.holdout is not None:
        cfg.holdout = args.holdout
    if args.prefix_weights:
        cfg.prefix_weights = [float(w) for w in args.prefix_weights.split(",")]
    out = args.out or os.path.join(ROOT, "pretrain", "runs", cfg.name + (f"-holdout{cfg.holdout}" if cfg.holdout else ""))
    os.makedirs(os.path.join(out, "ckpt"), exist_ok=True)
    torch.manual_seed(cfg.seed)
    concepts = load_concepts()
    subtree = torch.from_numpy(subtree_mask(concepts))
    t0 = time.time()
    train, evals = load_all(cfg, concepts, args.datasets, os.path.join(ROOT, ".cache", "pretrain"))
    held = held_out_classes(concepts, cfg.holdout) if cfg.holdout else []
    x_tr = torch.cat([to_tensor(x) for _n, x, _xj, _y in train])
    xj_tr = torch.cat([to_tensor(xj) for _n, _x, xj, _y in train])
    y_tr = torch.cat([torch.from_numpy(y) for _n, _x, _xj, y in train])
    source = torch.cat([torch.full((len(y),), i) for i, (_n, _x, _xj, y) in enumerate(train)])
    if held:
        keep = ~torch.isin(y_tr, torch.tensor(held))
        x_tr, xj_tr, y_tr, source = x_tr[keep], xj_tr[keep], y_tr[keep], source[keep]
    log(f"data: {len(x_tr)} train images ({', '.join(f'{n} {int((source == i).sum())}' for i, (n, *_r) in enumerate(train))}), "
        f"{sum(len(e['y']) for e in evals.values())} evaluation, {len(concepts)} concepts, {len(held)} held out ({time.time() - t0:.0f}s)")
    device = pick_device()
    flat = x_tr.float().div(255)
    mean, std = flat.mean((0, 2, 3)).view(1, 3, 1, 1), flat.std((0, 2, 3)).view(1, 3, 1, 1)
    del flat
    loss = HierarchicalNLL(subtree, cfg.label_smoothing)
    metrics, timings = {}, {}
    nets = {}
    for name in cfg.models:
        ckpt = os.path.join(out, "ckpt", f"{name}.pt")
        if os.path.exists(ckpt):
            net = build(name, cfg, len(concepts))
            net.load_state_dict(torch.load(ckpt, map_location="cpu"))
            with open(ckpt.replace(".pt", ".json")) as f:
                timings[name] = json.load(f)["seconds"]
            log(f"[{name}] loaded {ckpt}")
        else:
            t = time.time()
            net = train_model(name, cfg, x_tr.to(device), y_tr.to(device), mean.to(device), std.to(device), device, log,
                              num_classes=len(concepts), augment_fn=photo_augment, base_loss=loss, x_alt=xj_tr.to(device))
            if cfg.fp16_weights:
                round_to_fp16(net)
            timings[name] = round(time.time() - t, 1)
            torch.save(net.state_dict(), ckpt)
            with open(ckpt.replace(".pt", ".json"), "w") as f:
                json.dump({"seconds": timings[name], "epochs": cfg.epochs, "hardware": hardware(device)}, f)
        nets[name] = net.cpu().eval()
        t = time.time()
        new = evaluate_model(name, net, cfg, concepts, subtree, train, evals, held, mean, std, device)
        metrics = merge(metrics, new)
        log(f"[{name}] evaluated in {time.time() - t:.0f}s: {json.dumps(summary(new))}")
        write_results(out, cfg, concepts, mean, std, metrics, timings, device, len(x_tr), held)
    card = write_results(out, cfg, concepts, mean, std, metrics, timings, device, len(x_tr), held)
    if args.transfer:
        card = join_transfer(out, card, args.transfer)
    if "mrl" in nets and not held:
        card["calibration"] = calibration(nets["mrl"], cfg, evals, subtree, mean, std, device)
        log(f"calibration: {json.dumps({k: card['calibration'][k] for k in ('label', 'temperature')})}")
        batch = normalize_batch(evals["tinyimagenet"]["x"][:16], mean, std)
        export_model(nets["mrl"], out, card, batch, half_weights=cfg.fp16_weights)
    if args.install:
        install(out)
    log(f"done: {out}")


def calibration(net, cfg, evals, subtree, mean, std, device):
    """The card's calibration (pretrain/calibrate.py) on every set's held-out photos together."""
    x = torch.cat([evals[ds]["x"] for ds in EVAL_SETS])
    y = torch.cat([evals[ds]["y"] for ds in EVAL_SETS])
    z, logits = embed(net, x, mean, std, device)
    heads = [w.cpu() for _m, w, _b in net.heads.weights()]
    return calibrate(z, logits, y, heads, subtree, cfg.nesting)


def summary(metrics):
    """One line per model for the log: every set's head top-1 and mAP@10 at the shortest and longest prefix."""
    out = {}
    for ds, heads in metrics.items():
        for head, m in heads.items():
            for k in ("top1", "map10", "nn1"):
                if k in m and m[k]:
                    dims = sorted(m[k], key=int)
                    out[f"{ds}.{head}.{k}"] = {dims[0]: m[k][dims[0]], dims[-1]: m[k][dims[-1]]}
    return out


def dataset_scores(probs, subtree, ds_concepts):
    """Each of a set's classes scored as the probability of its subtree (a CIFAR "dog" is any breed)."""
    return probs @ subtree[ds_concepts].t().float()


def head_top1(logits, y, subtree, ds_concepts, concepts):
    """(top1 through the hierarchy in the set's own label space, top1 exact over all concepts)."""
    probs = F.softmax(logits.float(), 1)
    pos = {c: i for i, c in enumerate(ds_concepts)}
    y_local = torch.tensor([pos[int(c)] for c in y])
    scores = dataset_scores(probs, subtree, ds_concepts)
    tree = 100.0 * (scores.argmax(1) == y_local).float().mean().item()
    exact = 100.0 * (logits.argmax(1) == y).float().mean().item()
    return tree, exact


def prefix_rows(z_q, y_q, z_db, y_db, dims, exclude_self=False):
    rows = {"nn1": {}, "map10": {}}
    for m in dims:
        rows["nn1"][m], rows["map10"][m] = retrieval(z_q[:, :m], y_q, z_db[:, :m], y_db, exclude_self=exclude_self)
    return rows


def evaluate_model(name, net, cfg, concepts, subtree, train, evals, held, mean, std, device):
    """metrics[dataset][head][metric][dim] for one model (FF-512 also gives truncated and PCA)."""
    heads = ["mrl"] if name in ("mrl", "mrle") else ["ff"]
    if name == "mrle":
        heads = ["mrle"]
    dims = cfg.nesting if name in ("mrl", "mrle") else [int(name[2:])]
    out = {}
    feats = {}
    for i, (ds, x, _xj, y) in enumerate(train):
        z_db = embed(net, to_tensor(x), mean, std, device)[0]
        z_q, logits = embed(net, evals[ds]["x"], mean, std, device)
        feats[ds] = (z_db, torch.from_numpy(y), z_q, logits)
    if held:
        # new-class transfer: retrieval among the held-out classes' evaluation photos, each query against the rest
        z_q, _lg = embed(net, evals["tinyimagenet"]["x"], mean, std, device)
        y_q = evals["tinyimagenet"]["y"]
        sel = torch.isin(y_q, torch.tensor(held))
        rows = prefix_rows(z_q[sel], y_q[sel], z_q[sel], y_q[sel], dims, exclude_self=True)
        out.setdefault("transfer", {})[heads[0]] = rows
        if name == "ff512":
            mu, basis = pca_basis(feats["tinyimagenet"][0])
            out["transfer"]["ff512_truncated"] = prefix_rows(z_q[sel], y_q[sel], z_q[sel], y_q[sel], cfg.nesting, True)
            p = (z_q[sel] - mu) @ basis.t()
            out["transfer"]["ff512_pca"] = prefix_rows(p, y_q[sel], p, y_q[sel], cfg.nesting, True)
        return rounded(out)
    all_db = torch.cat([f[0] for f in feats.values()])
    all_y = torch.cat([f[1] for f in feats.values()])
    for ds, (z_db, y_db, z_q, logits) in feats.items():
        ds_concepts = sorted(set(int(c) for c in y_db.tolist()))
        y_q = evals[ds]["y"]
        m = prefix_rows(z_q, y_q, z_db, y_db, dims)
        m["top1"], m["top1_exact"] = {}, {}
        for j, d in enumerate(dims):
            m["top1"][d], m["top1_exact"][d] = head_top1(logits[j], y_q, subtree, ds_concepts, concepts)
        out.setdefault(ds, {})[heads[0]] = m
        if name == "ff512":
            mu, basis = pca_basis(all_db)
            for base, tr_db, tr_q in (("ff512_truncated", z_db, z_q),
                                      ("ff512_pca", (z_db - mu) @ basis.t(), (z_q - mu) @ basis.t())):
                fit = all_db if base == "ff512_truncated" else (all_db - mu) @ basis.t()
                r = prefix_rows(tr_q, y_q, tr_db, y_db, cfg.nesting)
                r["top1"], r["top1_exact"] = {}, {}
                for d in cfg.nesting:
                    scores = linear_probe_logits(fit[:, :d], all_y, tr_q[:, :d], len(concepts))
                    r["top1"][d], r["top1_exact"][d] = head_top1(scores * 20, y_q, subtree, ds_concepts, concepts)
                out[ds][base] = r
    return rounded(out)


def rounded(metrics):
    return {ds: {h: {k: {str(d): round(v, 2) for d, v in s.items()} for k, s in m.items()} for h, m in heads.items()}
            for ds, heads in metrics.items()}


def merge(metrics, new):
    out = json.loads(json.dumps(metrics))
    for ds, heads in new.items():
        for head, m in heads.items():
            for k, series in m.items():
                merged = {**out.setdefault(ds, {}).setdefault(head, {}).get(k, {}), **series}
                out[ds][head][k] = dict(sorted(merged.items(), key=lambda kv: int(kv[0])))
    return out


def card_classes(concepts):
    """The card's vocabulary: WordNet 3.0 id, name, synonyms, gloss and parent concepts (by index)."""
    return [{"wnid": c["wnid"], "name": c["name"], "words": c["words"], "gloss": c["gloss"], "parents": c["parents"]}
            for c in concepts]


def make_card(cfg, concepts, mean, std, metrics, timings, device, n_train, held):
    return {
        "name": MODEL_NAME, "arch": arch_name(cfg), "embedding_dim": cfg.nesting[-1], "nesting": cfg.nesting,
        "input": {"name": "image", "size": cfg.input_size, "layout": "NCHW", "channels": "RGB",
                  "scale": "0..1 then (x-mean)/std", "mean": mean.flatten().tolist(), "std": std.flatten().tolist(),
                  "resize": "centre square crop, Lanczos-3"},
        "outputs": {"embedding": "embedding", "logits": {str(m): f"logits_{m}" for m in cfg.nesting}},
        "classes": card_classes(concepts), "heads_file": f"{MODEL_NAME}.heads.json", "metrics": metrics,
        "metric_definitions": {
            "top1": "head top-1 through the hierarchy in the set's own label space: each class scored as the probability of its subtree (CIFAR's dog = any dog breed)",
            "top1_exact": "head argmax over all concepts equals the label exactly",
            "nn1": "1-NN accuracy, cosine on the L2-normalised prefix, the set's training images as database",
            "map10": "mAP@10, same retrieval; AP normalised by relevant items in the top 10",
            "transfer": "Tiny ImageNet classes held out of training: retrieval among their val photos, each against the others",
            "ff512_truncated/ff512_pca top1": "closed-form least-squares linear probe on the frozen FF-512 features"},
        "training": {"config": cfg.to_dict(), "seed": cfg.seed, "train_images": n_train, "held_out": [concepts[i]["name"] for i in held],
                     "hardware": hardware(device), "seconds_per_model": dict(timings),
                     "command": "python3 -m pretrain.photo " + " ".join(sys.argv[1:])},
    }


def write_results(out, cfg, concepts, mean, std, metrics, timings, device, n_train, held):
    card = make_card(cfg, concepts, mean, std, metrics, timings, device, n_train, held)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(card, f, indent=1)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(results_table(metrics, cfg.nesting))
    for ds in metrics:
        plot_metrics(metrics[ds], os.path.join(out, f"accuracy-vs-dims-{ds}.png"),
                     f"{card['arch']} {ds}, {cfg.epochs} epochs ({card['training']['hardware']})")
    return card


def join_transfer(out, card, transfer_dir):
    with open(os.path.join(transfer_dir, "results.json")) as f:
        other = json.load(f)
    card["metrics"]["transfer"] = other["metrics"]["transfer"]
    card["training"]["transfer_run"] = {k: other["training"][k] for k in ("command", "held_out", "seconds_per_model", "train_images")}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(card, f, indent=1)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(results_table(card["metrics"], card["nesting"]))
    plot_metrics(card["metrics"]["transfer"], os.path.join(out, "accuracy-vs-dims-transfer.png"),
                 f"{card['arch']} new-class transfer ({len(other['training']['held_out'])} held-out classes)")
    return card


def results_table(metrics, nesting):
    lines = []
    for ds, heads in metrics.items():
        for metric in ("top1", "top1_exact", "nn1", "map10"):
            rows = [(h, heads[h][metric]) for h in ("mrl", "mrle", "ff", "ff512_truncated", "ff512_pca")
                    if h in heads and heads[h].get(metric)]
            if not rows:
                continue
            lines += [f"### {ds} {metric} (%)", "", "| head | " + " | ".join(str(d) for d in nesting) + " |",
                      "|---|" + "---:|" * len(nesting)]
            for h, s in rows:
                lines.append(f"| {h} | " + " | ".join(f"{s[str(d)]:.2f}" if str(d) in s else "" for d in nesting) + " |")
            lines.append("")
    return "\n".join(lines)


def install(out):
    models = os.path.join(ROOT, "resources", "models")
    results = os.path.join(ROOT, "pretrain", "results", "photo")
    os.makedirs(results, exist_ok=True)
    for f in (f"{MODEL_NAME}.onnx", f"{MODEL_NAME}.json", f"{MODEL_NAME}.heads.json"):
        shutil.copy(os.path.join(out, f), models)
    for f in os.listdir(out):
        if f.startswith("results.") or f.endswith(".png"):
            shutil.copy(os.path.join(out, f), results)
    log(f"installed into {models} and {results} (sha256 {sha256(os.path.join(models, MODEL_NAME + '.onnx'))[:12]})")


if __name__ == "__main__":
    main()
