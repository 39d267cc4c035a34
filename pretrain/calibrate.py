"""Calibration the app reads from the model card: when to trust a label, and where a search's results
stop being relevant, per prefix (a shorter prefix has another score scale).

Fitted on half of the held-out evaluation photos (even rows) and checked on the other half (odd rows),
so each number the card reports was measured on photos its threshold never saw:
- temperature[m]: softmax(logits_m / T) fitted by the hierarchical NLL (temperature scaling);
- label: the lowest subtree probability at which the most specific concept reaching it is right at
  least `LABEL_PRECISION` of the time ("dog" when the breeds disagree but all are dogs);
- text[m]: the cosine between a photo's prefix and a concept's head row (what word search scores)
  above which a photo is shown, the F1-best threshold over (photo, concept) pairs;
- photo[m]: the same for find-similar, over pairs of photos (relevant: the same concept).
"""
import torch
import torch.nn.functional as F

LABEL_PRECISION = 0.9
T_GRID = [0.5 + 0.05 * i for i in range(71)]  # 0.5 .. 4.0


def consistent(pred, y, ancestors):
    """A predicted concept is right when it is the label, above it, or below it (a CIFAR "dog" photo
    called "golden retriever" may well be one)."""
    return (pred == y) | ancestors[y, pred] | ancestors[pred, y]


def fit_temperature(logits, y, log_member):
    best = None
    for t in T_GRID:
        lg = logits / t
        nll = (torch.logsumexp(lg, 1) - torch.logsumexp(lg + log_member[y], 1)).mean().item()
        if best is None or nll < best[1]:
            best = (t, nll)
    return round(best[0], 2)


def most_specific(probs_subtree, depth, tau):
    """Per row: the deepest concept whose subtree probability reaches tau (-1: none)."""
    ok = probs_subtree >= tau
    score = torch.where(ok, depth[None, :].float() + probs_subtree, torch.full_like(probs_subtree, -1.0))
    best = score.argmax(1)
    return torch.where(ok.any(1), best, torch.full_like(best, -1))


def f1_threshold(scores, relevant, grid=None):
    """The threshold with the best F1 over pooled pairs, and (precision, recall) there."""
    order = torch.argsort(scores, descending=True)
    rel = relevant[order].double()
    tp = rel.cumsum(0)
    k = torch.arange(1, len(rel) + 1, dtype=torch.float64)
    total = rel.sum().clamp(min=1)
    f1 = 2 * tp / (k + total)
    i = int(f1.argmax())
    return float(scores[order[i]]), float(tp[i] / k[i]), float(tp[i] / total)


def precision_recall(scores, relevant, t):
    shown = scores >= t
    tp = (shown & relevant).sum().item()
    return tp / max(shown.sum().item(), 1), tp / max(relevant.sum().item(), 1)


def calibrate(z, logits, y, heads, subtree, nesting, photo_queries=2000, seed=0):
    """z: N x D embeddings, logits: per-prefix N x K, y: concept per row, heads: per-prefix K x m
    weight rows, subtree: K x K bool (subtree[c, k]: k is c or below it)."""
    n = len(y)
    fit, check = torch.arange(0, n, 2), torch.arange(1, n, 2)
    anc_of = subtree.t() & ~torch.eye(len(subtree), dtype=torch.bool)  # anc_of[k, a]: a is above k
    log_member = torch.where(subtree, 0.0, float("-inf"))
    depth = anc_of.sum(1)
    out = {"fitted_on": f"{len(fit)} held-out photos (even rows), checked on {len(check)} (odd rows)",
           "temperature": {}, "text": {}, "photo": {}}
    for i, m in enumerate(nesting):
        out["temperature"][str(m)] = fit_temperature(logits[i][fit], y[fit], log_member)
    # the label: the full head, calibrated
    t = out["temperature"][str(nesting[-1])]
    probs = F.softmax(logits[-1] / t, 1) @ subtree.t().float()  # probability of each concept's subtree
    tau = 0.99
    for cand in [round(0.3 + 0.01 * j, 2) for j in range(70)]:
        pred = most_specific(probs[fit], depth, cand)
        shown = pred >= 0
        right = consistent(pred[shown].clamp(min=0), y[fit][shown], anc_of)
        if shown.any() and right.float().mean().item() >= LABEL_PRECISION:
            tau = cand
            break
    pred = most_specific(probs[check], depth, tau)
    shown = pred >= 0
    right = consistent(pred[shown].clamp(min=0), y[check][shown], anc_of)
    out["label"] = {"threshold": tau, "temperature": t, "dims": nesting[-1], "target_precision": LABEL_PRECISION,
                    "precision": round(right.float().mean().item(), 4) if shown.any() else None,
                    "coverage": round(shown.float().mean().item(), 4)}
    # word search: (photo, concept) pairs; a photo of a breed is relevant to "dog", a CIFAR "dog" photo
    # to no single breed (unknown), so those pairs sit out
    gen = torch.Generator().manual_seed(seed)
    for i, m in enumerate(nesting):
        zn = F.normalize(z[:, :m].float(), dim=1)
        wn = F.normalize(heads[i].float(), dim=1)
        rows = {}
        for name, idx in (("fit", fit), ("check", check)):
            s = zn[idx] @ wn.t()
            rel = subtree.t()[y[idx]]  # rel[r, c]: photo r's concept is c or below it
            unknown = subtree[y[idx]] & ~rel  # c strictly below the photo's (coarse) label
            keep = ~unknown
            rows[name] = (s[keep], rel[keep])
        thr, _p, _r = f1_threshold(*rows["fit"])
        p, r = precision_recall(*rows["check"], thr)
        out["text"][str(m)] = {"threshold": round(thr, 4), "precision": round(p, 4), "recall": round(r, 4)}
        # find-similar: sampled query photos against every photo of the same half
        res = {}
        for name, idx in (("fit", fit), ("check", check)):
            q = idx[torch.randperm(len(idx), generator=gen)[:photo_queries]]
            s = zn[q] @ zn[idx].t()
            rel = consistent(y[idx][None, :].expand(len(q), -1), y[q][:, None].expand(-1, len(idx)), anc_of)
            self_pair = q[:, None] == idx[None, :]
            res[name] = (s[~self_pair], rel[~self_pair])
        thr, _p, _r = f1_threshold(*res["fit"])
        p, r = precision_recall(*res["check"], thr)
        out["photo"][str(m)] = {"threshold": round(thr, 4), "precision": round(p, 4), "recall": round(r, 4)}
    return out
