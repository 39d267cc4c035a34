"""Random-init ONNX variants of the photo architecture at other input sizes, for the indexing
benchmark's input-size choice (throughput does not depend on the weights).

    /usr/bin/python3 bench/photo_variants.py OUT_DIR 64 96 128

Writes OUT_DIR/mrl-photo-cpu-<size>.onnx, .heads.json and .json (the card: resources/models/
mrl-photo.json with the name, arch and input.size changed, its trained-run fields dropped, and
heads from the random net). Skips a size whose three files are there already.
"""
import copy
import dataclasses
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from pretrain.configs import PHOTO_CONFIGS, arch_name  # noqa: E402
from pretrain.export import export_onnx, write_card, write_heads  # noqa: E402
from pretrain.train import build  # noqa: E402

CONFIG = "photo-cpu"


def main():
    out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]] or [64, 96, 128]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    with open(os.path.join(ROOT, "resources", "models", "mrl-photo.json")) as f:
        base = json.load(f)
    for size in sizes:
        name = f"mrl-photo-cpu-{size}"
        paths = [os.path.join(out, f"{name}{ext}") for ext in (".onnx", ".heads.json", ".json")]
        if all(os.path.exists(p) for p in paths):
            print(f"{name}: there already", flush=True)
            continue
        cfg = dataclasses.replace(PHOTO_CONFIGS[CONFIG], input_size=size)
        torch.manual_seed(0)
        net = build("mrl", cfg, len(base["classes"]))
        export_onnx(net, paths[0], size, cfg.nesting, half_weights=cfg.fp16_weights)
        write_heads(net, paths[1], base["classes"])
        card = copy.deepcopy(base)
        for k in ("metrics", "metric_definitions", "training", "calibration", "parity", "sha256"):
            card.pop(k, None)
        card.update(name=name, arch=arch_name(cfg), nesting=list(cfg.nesting), heads_file=os.path.basename(paths[1]),
                    bench_variant=f"random-init {CONFIG} at {size} px (bench/photo_variants.py), for throughput only")
        card["input"]["size"] = size
        write_card(paths[2], card)
        params = sum(p.numel() for p in net.parameters())
        print(f"{name}: {arch_name(cfg)}, {params / 1e6:.2f} M parameters, {os.path.getsize(paths[0]) / 1e6:.1f} MB ONNX", flush=True)


if __name__ == "__main__":
    main()
