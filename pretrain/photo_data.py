"""The photo model's training data: Tiny ImageNet (32 px), Imagenette (128 px) and CIFAR-10 (32 px) as
one set of concept labels (pretrain/concepts.json), every image framed at the model's input size.

Each training image is held twice: as decoded, and once more through a JPEG re-compression at a
random quality (20-70), so training sees the blocky thumbnails and re-saved photos a library holds.
"""
import hashlib
import io
import json
import multiprocessing
import os
import random
import tarfile

import numpy as np
from PIL import Image

from .data import IMAGE_EXT

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONCEPTS = os.path.join(ROOT, "pretrain", "concepts.json")
DATASETS = os.path.join(ROOT, "..", "shared", "datasets")
# dataset -> (folder under the datasets root, train archive, evaluation archive)
SOURCES = {
    "tinyimagenet": ("tinyimagenet32", "train.tar.gz", "val.tar.gz"),
    "cifar10": ("cifar10", "train.tar.gz", "test.tar.gz"),
    "imagenette": ("imagenette128", "train.tar.gz", "val.tar.gz"),
}


def load_concepts(path=CONCEPTS):
    with open(path) as f:
        return json.load(f)["concepts"]


def subtree_mask(concepts):
    """K x K bool: mask[c, k] when concept k is c or below it ("dog" holds every dog breed)."""
    k = len(concepts)
    mask = np.eye(k, dtype=bool)
    for i, c in enumerate(concepts):
        for a in c["ancestors"]:
            mask[a, i] = True
    return mask


def _decode(data, size, seed):
    """(image, its JPEG re-compression) at size x size: centre square, Lanczos-3 (as the app's sharp)."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = img.size
    s = min(w, h)
    img = img.resize((size, size), Image.LANCZOS, box=((w - s) / 2, (h - s) / 2, (w + s) / 2, (h + s) / 2))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=random.Random(seed).randint(20, 70))
    buf.seek(0)
    return np.asarray(img, dtype=np.uint8), np.asarray(Image.open(buf).convert("RGB"), dtype=np.uint8)


def _read_tar(path, keep, limit_per_class):
    items, counts = [], {}
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            if not (member.isfile() and member.name.lower().endswith(IMAGE_EXT)):
                continue
            folder = member.name.split("/")[-2]
            if folder not in keep or (limit_per_class and counts.get(folder, 0) >= limit_per_class):
                continue
            counts[folder] = counts.get(folder, 0) + 1
            items.append((member.name, folder, tar.extractfile(member).read()))
    items.sort(key=lambda t: t[0])
    return items


def load_dataset(name, split, size, concepts, limit_per_class=0, datasets=DATASETS, cache_dir=None):
    """(x N x size x size x 3 uint8, x_jpeg like x, concept index per image) of one split."""
    folder, train_tar, eval_tar = SOURCES[name]
    path = os.path.join(datasets, folder, train_tar if split == "train" else eval_tar)
    folder_to_concept = {c["sources"][name]: i for i, c in enumerate(concepts) if name in c.get("sources", {})}
    key = hashlib.sha1(f"{os.path.abspath(path)}|{size}|{limit_per_class}|{sorted(folder_to_concept.items())}".encode()).hexdigest()[:16]
    cache = os.path.join(cache_dir, f"photo-{name}-{split}-{key}.npz") if cache_dir else None
    if cache and os.path.exists(cache):
        d = np.load(cache)
        return d["x"], d["xj"], d["y"]
    items = _read_tar(path, folder_to_concept, limit_per_class)
    if not items:
        raise ValueError(f"no images of the vocabulary's classes in {path}")
    with multiprocessing.get_context("fork").Pool() as pool:
        pairs = pool.starmap(_decode, [(d, size, i) for i, (_n, _f, d) in enumerate(items)], chunksize=256)
    x = np.stack([p[0] for p in pairs])
    xj = np.stack([p[1] for p in pairs])
    y = np.array([folder_to_concept[f] for _n, f, _d in items], dtype=np.int64)
    if cache:
        os.makedirs(cache_dir, exist_ok=True)
        np.savez(cache, x=x, xj=xj, y=y)
    return x, xj, y
