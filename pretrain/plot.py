"""Accuracy vs dimensions for every head, like the MRL paper's figure."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"mrl": "MRL", "mrle": "MRL-E", "ff": "FF-d", "ff512_truncated": "FF-512 truncated",
          "ff512_pca": "FF-512 PCA"}


def plot_metrics(metrics, path, title):
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for ax, metric, name in zip(axes, ("top1", "nn1", "map10"), ("Top-1 (%)", "1-NN accuracy (%)", "mAP@10 (%)")):
        for head, label in LABELS.items():
            series = metrics.get(head, {}).get(metric, {})
            if series:
                dims = sorted(int(d) for d in series)
                ax.plot(dims, [series[str(d)] if str(d) in series else series[d] for d in dims], marker="o", label=label)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("representation size (dims)")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
