"""Full-backbone fine-tuning of an MRL model on a user's labelled photos, exported like the bundled one.

    /usr/bin/python3 -m pretrain.finetune --labels LABELS.json --out DIR [--epochs N] [--init MODEL.onnx|CKPT.pt]

LABELS.json: [{"path": "...", "label": "..."}, ...]. Starts from --init, with its card (.json)
beside it, which gives the architecture (training.config) and the input size: by default the bundled
model, resources/models/mrl-photo.onnx, whose fp16 initializers are its PyTorch state dict (one copy
of the weights); or a PyTorch state dict .pt, such as a previous run's. Fits fresh MRL heads over the
user's classes on the frozen backbone (the "before" accuracy, and a start that keeps random heads
from scrambling the features), then trains the whole network with the Matryoshka loss and keeps the
epoch with the best held-out accuracy, head top-1 and 1-NN averaged over the prefixes (early stopping).
--pixels: the photos as the app decoded them (N x 3 x S x S uint8, S the card's input size,
LABELS.json's order), so training sees exactly what the app's embedder sees; without it they are
decoded here with Pillow at that size.
stdout: one JSON object per line (event: data, before, epoch, stopped, done, error); logs go to stderr.
"""
import argparse
import copy
import json
import os
import re
import sys
import time

import numpy as np
import torch

from .configs import Config
from .data import photo_array
from .evaluate import embed, prefix_metrics
from .export import export_model, sha256
from .mrl import matryoshka_loss
from .train import augment, autocast, build, hardware, normalize_batch, pick_device, sgd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_INIT = os.path.join(ROOT, "resources", "models", "mrl-photo.onnx")
MIN_PER_CLASS = 2


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--labels", required=True, help="JSON list of {path, label}")
    p.add_argument("--out", required=True, help="folder for <name>.onnx, .json, .heads.json, .pt")
    p.add_argument("--epochs", type=int, default=30, help="at most this many; 0: heads only (a linear probe)")
    p.add_argument("--init", default=DEFAULT_INIT, help="the model to start from: an .onnx exported by pretrain/ or a PyTorch state dict .pt, with its card (.json) beside it")
    p.add_argument("--pixels", help="the photos decoded by the app: N x 3 x S x S uint8")
    p.add_argument("--name", default="mrl-finetuned", help="the model's name (and file names)")
    p.add_argument("--holdout", type=float, default=0.2, help="held-out fraction per label")
    p.add_argument("--patience", type=int, default=5, help="stop after this many epochs without a better held-out score")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: one per core)")
    return p.parse_args(argv)


def onnx_state_dict(onnx_path):
    """The PyTorch state dict held by an ONNX file pretrain/export.py wrote with fp16 initializers
    (no constant folding): initializer "net.<key>.parametrizations.<tensor>.original" is state-dict
    entry "<key>.<tensor>", as fp32 (every value is the fp16 one). The exporter keeps one copy of
    identical tensors and names the others through Identity nodes; those are followed. Only the
    "net." tensors are weights (the graph's other constants are not)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(onnx_path).graph
    tensors = {t.name: t for t in graph.initializer}
    alias = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Identity" and len(n.input) == 1}
    state = {}
    for name in [*tensors, *alias]:
        if not name.startswith("net."):
            continue
        src = name
        while src not in tensors and src in alias:
            src = alias[src]
        if src not in tensors:
            continue  # an Identity of a computed value, not of a stored tensor
        key = re.sub(r"\.parametrizations\.([^.]+)\.original$", r".\1", name[len("net."):])
        array = numpy_helper.to_array(tensors[src])
        t = torch.from_numpy(array.copy())
        state[key] = t.float() if t.is_floating_point() else t
    if not state:
        raise ValueError(f"{onnx_path} holds no weights named net.* (was it exported by pretrain/ with fp16 weights?)")
    return state


def load_strict(net, state, source):
    """Loads every tensor of `net` from `state`, failing on any missing or unexpected one. Only the
    BatchNorm batch counters (unused in evaluation, not stored in ONNX) may be missing: they start at 0."""
    own = net.state_dict()
    missing = [k for k in own if k not in state and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        raise ValueError(f"{source} does not match the network its card describes: "
                         f"missing {missing[:8]}{' …' if len(missing) > 8 else ''} ({len(missing)}), "
                         f"unexpected {unexpected[:8]}{' …' if len(unexpected) > 8 else ''} ({len(unexpected)})")
    full = {k: state.get(k, torch.zeros_like(v)) for k, v in own.items()}
    try:
        net.load_state_dict(full, strict=True)
    except RuntimeError as err:  # a shape differs
        raise ValueError(f"{source} does not match the network its card describes: {err}") from None
    return net


def init_config(card):
    """The architecture and input of the card's network (pretrain/configs.py Config), for a Matryoshka net."""
    c = card["training"]["config"]
    return Config("finetune", widths=tuple(c["widths"]), blocks=tuple(c["blocks"]), epochs=0,
                  nesting=list(card["nesting"]), models=["mrl"], stem_stride=int(c.get("stem_stride", 1)),
                  input_size=int(card["input"]["size"]), fp16_weights=False)


def load_init(path):
    """(card, Config with the architecture, the whole starting network with its own heads) from an
    .onnx (its initializers) or a PyTorch state dict .pt, each with its card beside it."""
    card_path = os.path.splitext(path)[0] + ".json"
    for p in (path, card_path):
        if not os.path.isfile(p):
            raise ValueError(f"starting model not found: {p}")
    with open(card_path) as f:
        card = json.load(f)
    if "training" not in card or "config" not in card["training"]:
        raise ValueError(f"{card_path} has no training.config: the architecture to rebuild is unknown")
    if len(card["nesting"]) < 2:
        raise ValueError(f"{card['name']} is not a Matryoshka model (nesting {card['nesting']})")
    cfg = init_config(card)
    if path.endswith(".onnx"):
        state = onnx_state_dict(path)
    else:
        state = torch.load(path, map_location="cpu")
    net = build("mrl", cfg, len(card["classes"]))
    load_strict(net, state, path)
    return card, cfg, net.eval()


def read_labels(path):
    with open(path) as f:
        items = json.load(f)
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("path"), str)
                                              and isinstance(i.get("label"), str) for i in items):
        raise ValueError(f"{path} must be a JSON list of {{\"path\": string, \"label\": string}}")
    return items


def load_photos(items, size, pixels):
    """(uint8 N x 3 x S x S, the items kept): the app's decode when given, else Pillow's."""
    if pixels:
        x = np.fromfile(pixels, dtype=np.uint8)
        if x.size != len(items) * 3 * size * size:
            raise ValueError(f"{pixels} holds {x.size} bytes; {len(items)} photos of 3x{size}x{size} need {len(items) * 3 * size * size}")
        return torch.from_numpy(x.reshape(len(items), 3, size, size)), items
    arrays, kept = [], []
    for item in items:
        try:
            arrays.append(photo_array(item["path"], size))
            kept.append(item)
        except (OSError, ValueError) as err:
            log(f"skipped {item['path']}: {err}")
    if not arrays:
        raise ValueError("none of the labelled photos could be read")
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous(), kept


def usable_classes(items):
    counts = {}
    for i in items:
        counts[i["label"]] = counts.get(i["label"], 0) + 1
    classes = sorted(c for c, n in counts.items() if n >= MIN_PER_CLASS)
    if len(classes) < 2:
        raise ValueError(f"label at least {MIN_PER_CLASS} photos in each of at least 2 labels first")
    return classes


def split(y, frac, seed):
    """Per class, round(frac * n) photos (at least 1) held out; the rest train."""
    g = torch.Generator().manual_seed(seed)
    held = []
    for c in y.unique():
        idx = (y == c).nonzero().flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        held.append(idx[:max(1, round(frac * len(idx)))])
    mask = torch.zeros(len(y), dtype=torch.bool)
    mask[torch.cat(held)] = True
    return (~mask).nonzero().flatten(), mask.nonzero().flatten()


def heldout_metrics(net, data, mean, std, device, nesting):
    """(held-out loss, per-prefix head top-1, 1-NN and mAP@10 with the training photos as database)."""
    x_tr, y_tr, x_te, y_te = data
    z_tr, _ = embed(net, x_tr, mean, std, device)
    z_te, logits = embed(net, x_te, mean, std, device)
    loss = matryoshka_loss(logits, y_te).item()
    m = prefix_metrics(z_tr, y_tr, z_te, y_te, nesting, logits=logits, k=min(10, len(z_tr)))
    return loss, {k: {str(d): round(v, 2) for d, v in s.items()} for k, s in m.items()}


def fit_heads(net, x, y, mean, std, device, steps=300):
    """Fresh heads on the frozen backbone's features: a linear probe per prefix."""
    z, _ = embed(net, x, mean, std, device)
    z, y = z.to(device), y.to(device)
    opt = torch.optim.Adam(net.heads.parameters(), lr=1e-2, weight_decay=1e-4)
    for _ in range(steps):
        loss = matryoshka_loss(net.heads(z), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()


def score(metrics):
    """What early stopping keeps: the mean over prefixes of head top-1 (labels, auto-tags) and of
    1-NN accuracy (search ranks by the embedding itself)."""
    values = [*metrics["top1"].values(), *metrics["nn1"].values()]
    return sum(values) / len(values)


def finetune(net, data, mean, std, device, args, start, baseline):
    """The whole network, MRL loss; returns (best epoch, epochs run) and leaves `net` at its best epoch."""
    x_tr, y_tr = data[0].to(device), data[1].to(device)
    n = len(x_tr)
    batch = min(args.batch, n)
    steps = max(1, n // batch)
    opt = sgd(net, args.lr, 5e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, args.epochs * steps))
    cuda = device.type == "cuda"
    nesting = net.heads.nesting
    loss0, m0 = baseline
    best = (score(m0), -loss0, 0, copy.deepcopy(net.state_dict()))
    stale, epoch = 0, 0
    for epoch in range(1, args.epochs + 1):
        net.train()
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(args.seed * 1000 + epoch))[: steps * batch].to(device)
        total = 0.0
        for s in range(steps):
            idx = perm[s * batch:(s + 1) * batch]
            x = augment(normalize_batch(x_tr[idx], mean, std)).contiguous(memory_format=torch.channels_last)
            with autocast(cuda):
                _z, logits = net(x)
                loss = matryoshka_loss(logits, y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        held_loss, m = heldout_metrics(net, data, mean, std, device, nesting)
        better = (score(m), -held_loss) > best[:2]
        if better:
            best, stale = (score(m), -held_loss, epoch, copy.deepcopy(net.state_dict())), 0
        else:
            stale += 1
        emit("epoch", epoch=epoch, epochs=args.epochs, loss=total / steps, heldout_loss=held_loss,
             accuracy=m["top1"], nn1=m["nn1"], best=better, seconds=round(time.time() - start, 2))
        if stale >= args.patience:
            emit("stopped", epoch=epoch, best_epoch=best[2], reason=f"no better held-out accuracy in {args.patience} epochs")
            break
    net.load_state_dict(best[3])
    return best[2], epoch


def main(argv=None):
    args = parse(argv)
    start = time.time()
    device = pick_device()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    init_card, cfg, base = load_init(args.init)
    size = cfg.input_size
    mean = torch.tensor(init_card["input"]["mean"]).view(1, 3, 1, 1).to(device)
    std = torch.tensor(init_card["input"]["std"]).view(1, 3, 1, 1).to(device)

    items = read_labels(args.labels)
    x, items = load_photos(items, size, args.pixels)
    classes = usable_classes(items)
    keep = [i for i, it in enumerate(items) if it["label"] in classes]
    x = x[keep]
    y = torch.tensor([classes.index(items[i]["label"]) for i in keep])
    tr, te = split(y, args.holdout, args.seed)
    data = (x[tr], y[tr], x[te], y[te])
    emit("data", photos=len(keep), classes=classes, train=len(tr), heldout=len(te),
         ignored=len(items) - len(keep), device=str(device), threads=torch.get_num_threads())

    net = build("mrl", cfg, len(classes))
    net.backbone.load_state_dict(base.backbone.state_dict())  # fresh heads over the user's labels
    del base
    net = net.to(device).to(memory_format=torch.channels_last)
    fit_heads(net, data[0], data[1], mean, std, device)
    loss0, before = heldout_metrics(net, data, mean, std, device, cfg.nesting)
    emit("before", epoch=0, heldout_loss=loss0, accuracy=before["top1"], nn1=before["nn1"], seconds=round(time.time() - start, 2))

    best_epoch, epochs_run = finetune(net, data, mean, std, device, args, start, (loss0, before)) if args.epochs > 0 else (0, 0)
    _loss, after = heldout_metrics(net, data, mean, std, device, cfg.nesting)
    seconds = round(time.time() - start, 1)
    os.makedirs(args.out, exist_ok=True)
    card = model_card(args, init_card, cfg, classes, before, after, data, best_epoch, epochs_run, seconds, device)
    x_batch = normalize_batch(data[2][:16].to(device), mean, std).cpu()
    net = net.cpu().to(memory_format=torch.contiguous_format)
    torch.save(net.state_dict(), os.path.join(args.out, f"{args.name}.pt"))
    onnx_path = export_model(net, args.out, card, x_batch, log)
    emit("done", onnx=onnx_path, card=os.path.join(args.out, f"{args.name}.json"), checkpoint=os.path.join(args.out, f"{args.name}.pt"),
         best_epoch=best_epoch, epochs_run=epochs_run, seconds=seconds, parity=card["parity"],
         before=before["top1"], after=after["top1"])


def model_card(args, init_card, cfg, classes, before, after, data, best_epoch, epochs_run, seconds, device):
    """The bundled model's card format (resources/models/*.json); the training config keeps the
    architecture, so a fine-tuned model can itself be --init for the next run."""
    cfg.epochs, cfg.batch, cfg.lr, cfg.seed = epochs_run, args.batch, args.lr, args.seed
    return {"name": args.name, "arch": init_card["arch"], "embedding_dim": cfg.nesting[-1], "nesting": cfg.nesting,
            "input": init_card["input"],
            "outputs": {"embedding": "embedding", "logits": {str(m): f"logits_{m}" for m in cfg.nesting}},
            "classes": classes, "heads_file": f"{args.name}.heads.json",
            "metrics": {"mrl": after, "before": before},
            "metric_definitions": {"top1": "head top-1 on the held-out photos (before: fresh heads on the starting backbone)",
                                   "nn1": "1-NN accuracy on the held-out photos, cosine on the L2-normalised prefix, the training photos as database",
                                   "map10": "mAP@10, same retrieval; AP normalised by relevant items in the top 10"},
            "training": {"config": cfg.to_dict(), "seed": args.seed, "train_images": len(data[0]), "test_images": len(data[2]),
                         "base": {"name": init_card["name"], "sha256": init_card.get("sha256"), "weights_sha256": sha256(args.init)},
                         "finetune": {"best_epoch": best_epoch, "epochs_run": epochs_run, "max_epochs": args.epochs,
                                      "patience": args.patience, "holdout": args.holdout, "pixels": "app" if args.pixels else "pillow"},
                         "hardware": hardware(device), "world_size": 1, "seconds": seconds,
                         "command": "python3 -m pretrain.finetune " + " ".join(sys.argv[1:])}}


if __name__ == "__main__":
    try:
        main()
    except (ValueError, OSError, RuntimeError) as err:
        emit("error", message=str(err))
        log(f"error: {err}")
        sys.exit(1)
