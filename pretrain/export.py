"""ONNX export, heads sidecar and model card."""
import hashlib
import json
import os
import subprocess

import torch

from .model import ExportWrapper, half_stored_weights

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def export_onnx(net, path, size, nesting, half_weights=False):
    """half_weights: fp16 initializers, each cast to fp32 in the graph (onnxruntime folds the casts
    when it loads the model); constant folding is off so the export keeps them in fp16."""
    net = net.cpu().eval()
    wrapper = half_stored_weights(net) if half_weights else ExportWrapper(net)
    names = ["embedding"] + [f"logits_{m}" for m in nesting]
    dummy = torch.zeros(2, 3, size, size)
    torch.onnx.export(wrapper, dummy, path, input_names=["image"], output_names=names,
                      dynamic_axes={n: {0: "batch"} for n in ["image"] + names}, opset_version=13,
                      do_constant_folding=not half_weights)
    return names


def write_heads(net, path, classes):
    heads = {str(m): {"weight": w.tolist(), "bias": b.tolist()} for m, w, b in net.heads.weights()}
    with open(path, "w") as f:
        json.dump({"classes": classes, "heads": heads}, f)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_parity_batch(net, x_norm, path):
    """A batch and PyTorch's outputs on it, for the onnxruntime check (pretrain/onnx_parity.mjs)."""
    with torch.no_grad():
        z, logits = net.cpu().eval()(x_norm)
    with open(path, "w") as f:
        json.dump({"shape": list(x_norm.shape), "image": x_norm.flatten().tolist(),
                   "embedding": z.flatten().tolist(),
                   "logits": {str(m): l.flatten().tolist() for m, l in zip(net.heads.nesting, logits)}}, f)


def write_card(path, card):
    with open(path, "w") as f:
        json.dump(card, f, indent=1)


def check_parity(onnx_path, batch_path, log=lambda msg: print(msg, flush=True)):
    """onnxruntime-node (the app's runtime) must agree with PyTorch on the batch, or the export fails."""
    # MRL_NODE: the app's own runtime (Electron's binary, run as node), which may not be on PATH
    node = os.environ.get("MRL_NODE", "node")
    res = subprocess.run([node, os.path.join(ROOT, "pretrain", "onnx_parity.mjs"), onnx_path, batch_path],
                         capture_output=True, text=True, cwd=ROOT)
    if res.returncode != 0:
        raise RuntimeError(f"onnxruntime parity check failed to run: {res.stderr}")
    parity = json.loads(res.stdout)
    log(f"onnxruntime vs PyTorch ({os.path.basename(onnx_path)}): max abs diff {parity['max_abs_diff']:.2e}")
    if parity["max_abs_diff"] >= 1e-3:
        raise RuntimeError(f"onnxruntime and PyTorch disagree: {parity}")
    return parity


def export_model(net, out, card, x_batch, log=lambda msg: print(msg, flush=True), half_weights=False):
    """An MRL model as the app loads it: <name>.onnx, its heads sidecar and card, parity-checked."""
    name = card["name"]
    onnx_path = os.path.join(out, f"{name}.onnx")
    export_onnx(net, onnx_path, card["input"]["size"], card["nesting"], half_weights)
    write_heads(net, os.path.join(out, card["heads_file"]), card["classes"])
    batch_path = os.path.join(out, f"parity-batch-{name}.json")
    write_parity_batch(net, x_batch, batch_path)
    parity = check_parity(onnx_path, batch_path, log)
    card["parity"] = {"max_abs_diff": parity["max_abs_diff"], "batch": len(x_batch), "runtime": "onnxruntime-node"}
    card["sha256"] = sha256(onnx_path)
    write_card(os.path.join(out, f"{name}.json"), card)
    return onnx_path
