"""ONNX export, heads sidecar and model card."""
import hashlib
import json
import os

import torch

from .model import ExportWrapper


def export_onnx(net, path, size, nesting):
    wrapper = ExportWrapper(net.cpu().eval())
    names = ["embedding"] + [f"logits_{m}" for m in nesting]
    dummy = torch.zeros(2, 3, size, size)
    torch.onnx.export(wrapper, dummy, path, input_names=["image"], output_names=names,
                      dynamic_axes={n: {0: "batch"} for n in ["image"] + names}, opset_version=13,
                      do_constant_folding=True)
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
