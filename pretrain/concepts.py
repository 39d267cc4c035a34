"""The bundled model's vocabulary: Tiny ImageNet's 200 classes, Imagenette's 10 and CIFAR-10's 10 as
WordNet 3.0 synsets, with the hierarchy among them (a golden retriever is a dog, a tabby is a cat).

    python3 -m pretrain.concepts            # writes pretrain/concepts.json (committed)

Needs WordNet 3.0's data.noun (Debian's `wordnet-base`), whose byte offsets are ImageNet's wnids. The
written file is all that training and the app read, so neither needs WordNet 3.0 installed.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATASETS = os.path.join(ROOT, "..", "shared", "datasets")
DATA_NOUN = "/usr/share/wordnet/data.noun"
OUT = os.path.join(ROOT, "pretrain", "concepts.json")

# CIFAR-10's classes as the WordNet 3.0 synsets they mean (checked against data.noun's words below)
CIFAR = {
    "airplane": ("n02691156", "airplane"), "automobile": ("n02958343", "car"), "bird": ("n01503061", "bird"),
    "cat": ("n02121808", "domestic_cat"), "deer": ("n02430045", "deer"), "dog": ("n02084071", "dog"),
    "frog": ("n01639765", "frog"), "horse": ("n02374451", "horse"), "ship": ("n04194289", "ship"),
    "truck": ("n04490091", "truck"),
}


def read_synset(data, offset):
    """(lemmas, hypernym offsets, gloss) of one data.noun line (its offset is its byte position)."""
    end = data.index(b"\n", offset)
    line = data[offset:end].decode("utf8")
    head, _, gloss = line.partition(" | ")
    t = head.split(" ")
    assert int(t[0]) == offset, f"data.noun has no synset at {offset}: is it WordNet 3.0?"
    n_words = int(t[3], 16)
    words = [t[4 + 2 * k].lower() for k in range(n_words)]
    p = 4 + 2 * n_words
    hyper = [int(t[p + 2 + 4 * k]) for k in range(int(t[p])) if t[p + 1 + 4 * k] in ("@", "@i")]
    return words, hyper, gloss.strip()


def ancestors(data, offset):
    """Every hypernym (direct or not) of a synset, itself excluded."""
    seen, frontier = set(), [offset]
    while frontier:
        nxt = []
        for o in frontier:
            for h in read_synset(data, o)[1]:
                if h not in seen:
                    seen.add(h)
                    nxt.append(h)
        frontier = nxt
    return seen


def read_classes(tsv):
    with open(tsv) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return [(wnid, words) for wnid, words in rows[1:] if wnid.startswith("n")]


def build(data_noun=DATA_NOUN, datasets=DATASETS):
    with open(data_noun, "rb") as f:
        data = f.read()
    entries = {}  # wnid -> entry; a synset that two sets share is one concept

    def add(wnid, dataset, folder, name):
        words, _hyper, gloss = read_synset(data, int(wnid[1:]))
        e = entries.setdefault(wnid, {"wnid": wnid, "name": name,
                                      "words": [w.replace("_", " ") for w in words], "gloss": gloss, "sources": {}})
        e["sources"][dataset] = folder

    # the sets' own first words name a concept ("golden retriever", "English springer")
    for wnid, words in read_classes(os.path.join(datasets, "tinyimagenet32", "classes.tsv")):
        add(wnid, "tinyimagenet", wnid, words.split(",")[0].strip())
    for wnid, words in read_classes(os.path.join(datasets, "imagenette128", "classes.tsv")):
        add(wnid, "imagenette", wnid, words.split(",")[0].strip())
    for folder, (wnid, lemma) in CIFAR.items():
        words = read_synset(data, int(wnid[1:]))[0]
        assert lemma in words, f"CIFAR {folder}: {wnid} is {words}, not {lemma}"
        add(wnid, "cifar10", folder, "car" if folder == "automobile" else folder)
    concepts = sorted(entries.values(), key=lambda e: e["wnid"])
    index = {e["wnid"]: i for i, e in enumerate(concepts)}
    for e in concepts:
        up = ancestors(data, int(e["wnid"][1:]))
        inside = [index[f"n{o:08d}"] for o in up if f"n{o:08d}" in index]
        # the nearest concept ancestors: those that are not an ancestor of another concept ancestor
        e["ancestors"] = sorted(inside)
    for e in concepts:
        anc = set(e["ancestors"])
        e["parents"] = sorted(a for a in anc if not any(a in concepts[b]["ancestors"] for b in anc if b != a))
    return concepts


def main():
    concepts = build(*(sys.argv[1:2] or [DATA_NOUN]))
    with open(OUT, "w") as f:
        json.dump({"wordnet": "3.0", "concepts": concepts}, f, indent=1)
    with_parents = sum(1 for c in concepts if c["parents"])
    print(f"{len(concepts)} concepts, {with_parents} under another concept; wrote {OUT}")
    for c in concepts:
        if c["parents"]:
            print(f"  {c['name']} -> {', '.join(concepts[p]['name'] for p in c['parents'])}")


if __name__ == "__main__":
    main()
