"""The Matryoshka idea on the Python side: nesting list, heads and loss."""
import torch
import torch.nn as nn
import torch.nn.functional as F

NESTING = [8, 16, 32, 64, 128, 256, 512]


class MRLHeads(nn.Module):
    """MRL: one linear classifier per prefix z[:m]."""

    def __init__(self, nesting, num_classes):
        super().__init__()
        self.nesting = list(nesting)
        self.heads = nn.ModuleList(nn.Linear(m, num_classes) for m in self.nesting)

    def forward(self, z):
        return [head(z[:, :m]) for m, head in zip(self.nesting, self.heads)]

    def weights(self):
        """(m, weight, bias) per prefix, for the sidecar file the app reads."""
        return [(m, h.weight.detach(), h.bias.detach()) for m, h in zip(self.nesting, self.heads)]


class MRLEHeads(nn.Module):
    """MRL-E: one classifier whose first m columns serve z[:m]."""

    def __init__(self, nesting, num_classes):
        super().__init__()
        self.nesting = list(nesting)
        self.head = nn.Linear(self.nesting[-1], num_classes)

    def forward(self, z):
        w, b = self.head.weight, self.head.bias
        return [z[:, :m] @ w[:, :m].t() + b for m in self.nesting]

    def weights(self):
        w, b = self.head.weight.detach(), self.head.bias.detach()
        return [(m, w[:, :m], b) for m in self.nesting]


class FixedHead(nn.Module):
    """FF-d: a plain classifier on the whole d-dim representation."""

    def __init__(self, dim, num_classes):
        super().__init__()
        self.nesting = [dim]
        self.head = nn.Linear(dim, num_classes)

    def forward(self, z):
        return [self.head(z)]

    def weights(self):
        return [(self.nesting[0], self.head.weight.detach(), self.head.bias.detach())]


def matryoshka_loss(logits_per_prefix, target, weights=None, label_smoothing=0.0):
    """Sum over prefixes of (optionally weighted) cross-entropy."""
    weights = weights or [1.0] * len(logits_per_prefix)
    return sum(w * F.cross_entropy(lg.float(), target, label_smoothing=label_smoothing)
               for w, lg in zip(weights, logits_per_prefix))


def normalize_prefix(z, m):
    return F.normalize(z[:, :m].float(), dim=1)
