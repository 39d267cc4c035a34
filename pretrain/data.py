"""Labelled images from a CIFAR-style tar.gz or a folder of class/image files, as uint8 arrays."""
import io
import multiprocessing
import os
import tarfile
import hashlib

import numpy as np
from PIL import Image, ImageOps

IMAGE_EXT = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff")


def _to_array(data, size):
    img = Image.open(io.BytesIO(data)).convert("RGB")
    if img.size != (size, size):
        # centre square crop, then resize: the same framing the app's embedder uses
        w, h = img.size
        s = min(w, h)
        img = img.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
        img = img.resize((size, size), Image.BILINEAR)
    return np.asarray(img, dtype=np.uint8)


def photo_array(path, size):
    """A photo framed the way the app's embedder frames it (src/main/engine/preprocess.ts, sharp):
    EXIF orientation applied, centre square, Lanczos-3 to size x size, RGB. Close to sharp's
    pixels, not bit-identical; the app hands over its own decode instead (finetune --pixels)."""
    with Image.open(path) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
    w, h = img.size
    s = min(w, h)
    img = img.resize((size, size), Image.LANCZOS, box=((w - s) / 2, (h - s) / 2, (w + s) / 2, (h + s) / 2))
    return np.asarray(img, dtype=np.uint8)


def _iter_source(source):
    """Yields (class_name, sort_key, bytes) from a tar.gz or a directory tree."""
    if os.path.isfile(source):
        with tarfile.open(source, "r:*") as tar:
            for member in tar:
                if member.isfile() and member.name.lower().endswith(IMAGE_EXT):
                    parts = member.name.split("/")
                    yield parts[-2], member.name, tar.extractfile(member).read()
    else:
        for root, _dirs, files in os.walk(source):
            for name in files:
                if name.lower().endswith(IMAGE_EXT):
                    path = os.path.join(root, name)
                    with open(path, "rb") as f:
                        yield os.path.basename(root), path, f.read()


def load_split(source, size=32, classes=None, limit_per_class=None, cache_dir=None):
    """Returns (images NxHxWx3 uint8, labels N int64, class names)."""
    key = hashlib.sha1(f"{os.path.abspath(source)}|{size}|{limit_per_class}|{classes}".encode()).hexdigest()[:16]
    cache = os.path.join(cache_dir, f"{key}.npz") if cache_dir else None
    if cache and os.path.exists(cache):
        d = np.load(cache, allow_pickle=False)
        return d["x"], d["y"], [str(c) for c in d["classes"]]
    items = []
    counts = {}
    for cls, sort_key, data in _iter_source(source):
        if classes is not None and cls not in classes:
            continue
        if limit_per_class and counts.get(cls, 0) >= limit_per_class:
            continue
        counts[cls] = counts.get(cls, 0) + 1
        items.append((cls, sort_key, data))
    if not items:
        raise ValueError(f"no images found in {source}")
    names = classes or sorted({c for c, _, _ in items})
    items.sort(key=lambda t: t[1])
    # decoding 60,000 JPEGs is a minute on one core; every core shares it
    with multiprocessing.get_context("fork").Pool() as pool:
        x = np.stack(pool.starmap(_to_array, [(d, size) for _, _, d in items], chunksize=512))
    y = np.array([names.index(c) for c, _, _ in items], dtype=np.int64)
    if cache:
        os.makedirs(cache_dir, exist_ok=True)
        np.savez(cache, x=x, y=y, classes=np.array(names))
    return x, y, list(names)


def find_splits(data):
    """`data` holds train/test as tar.gz files or as folders."""
    out = {}
    for split in ("train", "test"):
        for cand in (os.path.join(data, f"{split}.tar.gz"), os.path.join(data, split)):
            if os.path.exists(cand):
                out[split] = cand
                break
        else:
            raise FileNotFoundError(f"{data} has neither {split}.tar.gz nor {split}/")
    return out
