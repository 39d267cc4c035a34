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


def matryoshka_loss(logits_per_prefix, target, weights=None, label_smoothing=0.0, base=None):
    """Sum over prefixes of (optionally weighted) `base` loss, cross-entropy unless given: the
    Matryoshka wrapper around any classification loss."""
    weights = weights or [1.0] * len(logits_per_prefix)
    if base is None:
        def base(lg, t):
            return F.cross_entropy(lg, t, label_smoothing=label_smoothing)
    return sum(w * base(lg.float(), target) for w, lg in zip(weights, logits_per_prefix))


class HierarchicalNLL:
    """-log P(label's subtree): a photo labelled "dog" is right as any dog breed, so the loss sums the
    probability of the label and every concept below it; a golden retriever's subtree is itself.
    `subtree`: K x K bool, subtree[c, k] when k is c or below it. Label smoothing spreads `smoothing`
    of the target uniformly over all concepts, as cross-entropy's does."""

    def __init__(self, subtree, smoothing=0.0):
        self.log_member = torch.where(torch.as_tensor(subtree), 0.0, float("-inf"))
        self.smoothing = smoothing

    def __call__(self, logits, target):
        self.log_member = self.log_member.to(logits.device)
        lse = torch.logsumexp(logits, 1)
        nll = lse - torch.logsumexp(logits + self.log_member[target], 1)
        uniform = lse - logits.mean(1)
        return ((1 - self.smoothing) * nll + self.smoothing * uniform).mean()


def normalize_prefix(z, m):
    return F.normalize(z[:, :m].float(), dim=1)
