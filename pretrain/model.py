"""ResNet with a 3x3 stem (stride 1 for 32x32 input, stride 2 for 64x64 photos; no max-pool) and a d-dim
representation layer."""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as parametrize

from .mrl import MRLHeads, MRLEHeads, FixedHead


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class Backbone(nn.Module):
    """Widths (64,128,256,512) with blocks (2,2,2,2) is ResNet-18.

    The representation layer is a 1x1 conv + BN + ReLU to `rep_dim` channels before pooling:
    it costs little at 4x4, gives every FF-d baseline the same trunk, and gives a narrow trunk
    a full-rank 512-d z.
    """

    def __init__(self, widths, blocks, rep_dim, stem_stride=1):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, stem_stride, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True))
        layers, cin = [], widths[0]
        for i, (w, n) in enumerate(zip(widths, blocks)):
            for j in range(n):
                layers.append(BasicBlock(cin, w, 2 if (i > 0 and j == 0) else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.rep = nn.Sequential(nn.Conv2d(cin, rep_dim, 1, bias=False), nn.BatchNorm2d(rep_dim), nn.ReLU(inplace=True))
        self.rep_dim = rep_dim

    def forward(self, x):
        x = self.rep(self.layers(self.stem(x)))
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


class Net(nn.Module):
    def __init__(self, kind, dim, nesting, num_classes, widths, blocks, stem_stride=1):
        super().__init__()
        self.kind = kind
        self.backbone = Backbone(widths, blocks, dim, stem_stride)
        if kind == "mrl":
            self.heads = MRLHeads(nesting, num_classes)
        elif kind == "mrle":
            self.heads = MRLEHeads(nesting, num_classes)
        else:
            self.heads = FixedHead(dim, num_classes)

    def forward(self, x):
        z = self.backbone(x)
        return z, self.heads(z)


class ExportWrapper(nn.Module):
    """The graph the app runs: image -> (embedding, logits of every prefix head)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image):
        z, logits = self.net(image)
        return (z, *logits)


class _AsFloat(nn.Module):
    def forward(self, x):
        return x.float()


def half_stored_weights(net):
    """ExportWrapper over a copy of `net` whose float weights and buffers are held as fp16 and cast to
    fp32 where used, so the exported graph stores them at half the size and computes in fp32."""
    net = copy.deepcopy(net)
    for module in list(net.modules()):
        for name, t in list(module.named_parameters(recurse=False)) + list(module.named_buffers(recurse=False)):
            if t is not None and t.is_floating_point():
                parametrize.register_parametrization(module, name, _AsFloat())
                stored = module.parametrizations[name]
                # torch 1.13 refuses a right_inverse that changes dtype: swap the stored tensor after
                half = t.detach().half()
                stored.original = nn.Parameter(half, requires_grad=False) if isinstance(t, nn.Parameter) else half
    return ExportWrapper(net)


@torch.no_grad()
def round_to_fp16(net):
    """Rounds every float weight and buffer to the nearest fp16 value, kept in fp32."""
    for t in net.state_dict().values():
        if t.is_floating_point():
            t.copy_(t.half().float())


def stored_state(net, half):
    """The state dict on the CPU as files store it: float tensors in fp16 when `half`."""
    return {k: v.detach().cpu().half() if half and v.is_floating_point() else v.detach().cpu()
            for k, v in net.state_dict().items()}
