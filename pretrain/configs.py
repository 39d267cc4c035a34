"""Named training configurations. `gpu` is the ResNet-18 the issue targets; `cpu` is what a
2-core machine trains in under an hour; `smoke` proves the whole pipeline in CI."""
from dataclasses import dataclass, field, asdict

from .mrl import NESTING

ALL_MODELS = ["mrl", "mrle", "ff8", "ff16", "ff32", "ff64", "ff512"]


@dataclass
class Config:
    name: str
    widths: tuple
    blocks: tuple
    epochs: int
    batch: int = 256
    lr: float = 0.1
    weight_decay: float = 5e-4
    label_smoothing: float = 0.0
    warmup_frac: float = 0.2
    train_limit_per_class: int = 0
    test_limit_per_class: int = 0
    nesting: list = field(default_factory=lambda: list(NESTING))
    prefix_weights: list = None
    models: list = field(default_factory=lambda: list(ALL_MODELS))
    seed: int = 0
    # weights rounded to fp16 after training (metrics are measured on the rounded weights): a
    # ResNet-18's ONNX and PyTorch files at half size, which keeps the bundled model under 50 MB
    fp16_weights: bool = False
    # the photo model (pretrain/photo.py): input size, stem stride, CIFAR images per class, Tiny
    # ImageNet classes held out (the new-class transfer run)
    input_size: int = 32
    stem_stride: int = 1
    cifar_per_class: int = 0
    holdout: int = 0

    def to_dict(self):
        return asdict(self)


CONFIGS = {
    "smoke": Config("smoke", widths=(8, 16, 32, 64), blocks=(1, 1, 1, 1), epochs=1, batch=64,
                    train_limit_per_class=30, test_limit_per_class=20, fp16_weights=True),
    # ResNet-18 at a quarter of the width: 54 s/epoch on 2 CPU cores
    "cpu": Config("cpu", widths=(16, 32, 64, 128), blocks=(2, 2, 2, 2), epochs=8, batch=128, lr=0.1),
    "gpu": Config("gpu", widths=(64, 128, 256, 512), blocks=(2, 2, 2, 2), epochs=30, batch=512, lr=0.2,
                  label_smoothing=0.1, fp16_weights=True),
}


# The photo model (pretrain/photo.py): Tiny ImageNet + Imagenette + CIFAR-10 as ~220 concepts at 64 px.
# A stride-2 stem gives 64-px input the compute of the 32-px network: what 2 CPU cores train in ~30 min.
PHOTO_CONFIGS = {
    "photo-smoke": Config("photo-smoke", widths=(8, 16, 32, 64), blocks=(1, 1, 1, 1), epochs=1, batch=64,
                          train_limit_per_class=6, test_limit_per_class=4, cifar_per_class=6, input_size=64,
                          stem_stride=2, models=["mrl", "ff512"], fp16_weights=True),
    "photo-cpu": Config("photo-cpu", widths=(16, 32, 64, 128), blocks=(2, 2, 2, 2), epochs=8, batch=128, lr=0.1,
                        label_smoothing=0.1, cifar_per_class=2000, input_size=64, stem_stride=2,
                        models=["mrl", "ff512"], fp16_weights=True),
    "photo-gpu": Config("photo-gpu", widths=(64, 128, 256, 512), blocks=(2, 2, 2, 2), epochs=40, batch=512, lr=0.2,
                        label_smoothing=0.1, input_size=64, stem_stride=1, fp16_weights=True),
}


def arch_name(cfg):
    depth = 2 + 2 * sum(cfg.blocks)
    stem = f"-s{cfg.stem_stride}" if cfg.stem_stride != 1 else ""
    return f"resnet{depth}-w{cfg.widths[0]}{stem}"
