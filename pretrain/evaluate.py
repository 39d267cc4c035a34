"""Per-prefix metrics: head top-1, 1-NN accuracy and mAP@10 (train split as the database)."""
import torch
import torch.nn.functional as F

from .train import normalize_batch


@torch.no_grad()
def embed(net, x_uint8, mean, std, device, batch=1000):
    """Returns (z N x d float32 on CPU, list of logits per prefix on CPU)."""
    net.eval()
    zs, logits = [], None
    for i in range(0, x_uint8.shape[0], batch):
        x = normalize_batch(x_uint8[i:i + batch].to(device), mean, std)
        z, lg = net(x)
        zs.append(z.float().cpu())
        lg = [l.float().cpu() for l in lg]
        logits = [[l] for l in lg] if logits is None else [acc + [l] for acc, l in zip(logits, lg)]
    return torch.cat(zs), [torch.cat(l) for l in logits]


def top1(logits, y):
    return 100.0 * (logits.argmax(1) == y).float().mean().item()


@torch.no_grad()
def retrieval(q, qy, db, dby, k=10, chunk=1000, exclude_self=False):
    """Cosine retrieval. Returns (1-NN accuracy %, mAP@k %). exclude_self: q is db, and each query's
    own row is not an answer.

    AP@k = sum_{i<=k} P@i * rel_i / (relevant items among the top k), the definition of the
    MRL paper's retrieval code; the app's benchmark uses the same (src/main/engine/mrl.ts).
    """
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    q, qy, dby = F.normalize(q.float().to(dev), dim=1), qy.to(dev), dby.to(dev)
    db = F.normalize(db.float().to(dev), dim=1)
    nn_hits, ap_sum = 0.0, 0.0
    ranks = torch.arange(1, k + 1, dtype=torch.float32, device=dev)
    for i in range(0, q.shape[0], chunk):
        sims = q[i:i + chunk] @ db.t()
        if exclude_self:
            rows = torch.arange(sims.shape[0], device=dev)
            sims[rows, rows + i] = float("-inf")
        top = sims.topk(k, dim=1).indices
        rel = (dby[top] == qy[i:i + chunk, None]).float()
        nn_hits += rel[:, 0].sum().item()
        prec = rel.cumsum(1) / ranks
        ap_sum += ((prec * rel).sum(1) / rel.sum(1).clamp(min=1)).sum().item()
    return 100.0 * nn_hits / q.shape[0], 100.0 * ap_sum / q.shape[0]


def linear_probe(xtr, ytr, xte, yte, num_classes, ridge=1e-2):
    """Least-squares linear classifier on frozen, standardised features (closed form): how the
    training-free alternatives get a top-1. Logistic regression by gradient descent took ~20 min
    for the 14 probes on 2 CPU cores; this takes seconds."""
    return top1(linear_probe_logits(xtr, ytr, xte, num_classes, ridge), yte)


def linear_probe_logits(xtr, ytr, xte, num_classes, ridge=1e-2):
    """The probe's scores for xte (one column per class)."""
    mu, sd = xtr.mean(0), xtr.std(0).clamp(min=1e-6)
    xtr = torch.cat([(xtr - mu) / sd, torch.ones(len(xtr), 1)], 1).double()
    xte = torch.cat([(xte - mu) / sd, torch.ones(len(xte), 1)], 1).double()
    targets = F.one_hot(ytr, num_classes).double()
    gram = xtr.t() @ xtr + ridge * len(xtr) * torch.eye(xtr.shape[1], dtype=torch.float64)
    w = torch.linalg.solve(gram, xtr.t() @ targets)
    return (xte @ w).float()


def pca_basis(x):
    mu = x.mean(0)
    _u, _s, v = torch.linalg.svd(x - mu, full_matrices=False)
    return mu, v  # rows of v are principal directions, largest first


def prefix_metrics(z_tr, y_tr, z_te, y_te, dims, logits=None, probe=False, num_classes=10, k=10):
    """metrics[metric][dim] for prefixes z[:m]; top-1 from the model's heads or a linear probe."""
    out = {"top1": {}, "nn1": {}, "map10": {}}
    for i, m in enumerate(dims):
        if logits is not None:
            out["top1"][m] = top1(logits[i], y_te)
        elif probe:
            out["top1"][m] = linear_probe(z_tr[:, :m], y_tr, z_te[:, :m], y_te, num_classes)
        out["nn1"][m], out["map10"][m] = retrieval(z_te[:, :m], y_te, z_tr[:, :m], y_tr, k=k)
    return out
