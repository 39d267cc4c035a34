# Tiny ONNX graphs for the import checks' failure cases (committed; re-run with /usr/bin/python3 to
# regenerate): a 4-D output, and a 2-D output full of NaN.
import os
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


class FeatureMap(torch.nn.Module):
    """Returns the image itself: 4-D, not one vector per photo."""

    def forward(self, image):
        return image * 2.0


class NotANumber(torch.nn.Module):
    """One vector per photo, every value sqrt of a negative number."""

    def forward(self, image):
        return torch.sqrt(-1.0 - torch.abs(torch.flatten(image, 1)[:, :64]))


for name, model in [("feature-map", FeatureMap()), ("nan", NotANumber())]:
    torch.onnx.export(
        model,
        torch.zeros(1, 3, 32, 32),
        os.path.join(HERE, f"{name}.onnx"),
        input_names=["image"],
        output_names=["embedding"],
        dynamic_axes={"image": {0: "batch"}, "embedding": {0: "batch"}},
        opset_version=13,
    )
