// The Matryoshka idea in one place: nesting list, prefix normalisation, the adaptive-classification
// cascade, the adaptive-retrieval funnel and the retrieval metrics. Engine, training and benchmark
// all use this module.

export type Vec = Float32Array

export const DEFAULT_NESTING = [8, 16, 32, 64, 128, 256, 512]

/** z[:m] scaled to unit length (a zero prefix stays zero). */
export function prefix(z: Vec, m: number): Vec {
  const out = z.slice(0, m)
  let norm = 0
  for (let i = 0; i < m; i++) norm += out[i] * out[i]
  norm = Math.sqrt(norm)
  if (norm > 0) for (let i = 0; i < m; i++) out[i] /= norm
  return out
}

/** Cosine of two prefixes of length m, computed without copying. */
export function prefixCosine(a: Vec, aOff: number, b: Vec, bOff: number, m: number): number {
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < m; i++) {
    const x = a[aOff + i]
    const y = b[bOff + i]
    dot += x * y
    na += x * x
    nb += y * y
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i])
  const exps = Array.from(logits, (v) => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

export interface CascadeDecision {
  classIndex: number
  confidence: number
  /** the prefix the cascade stopped at */
  dims: number
}

/**
 * Adaptive classification: walk the nesting list and stop at the smallest prefix whose max
 * softmax passes the threshold; the largest prefix decides when none does.
 */
export function cascade(logitsPerPrefix: ArrayLike<number>[], nesting: number[], threshold: number): CascadeDecision {
  let last: CascadeDecision = { classIndex: -1, confidence: 0, dims: nesting[nesting.length - 1] }
  for (let i = 0; i < nesting.length; i++) {
    const p = softmax(logitsPerPrefix[i])
    let best = 0
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c
    last = { classIndex: best, confidence: p[best], dims: nesting[i] }
    if (p[best] >= threshold) return last
  }
  return last
}

/** One stage of a funnel: keep `keep` candidates ranked on the `dims`-prefix. */
export interface Stage {
  dims: number
  keep: number
}

/**
 * (Ds, K, Dr) as stages over a library of n photos. K = 0 or K >= n means exact search on Dr; else
 * the shortlist stage keeps K on Ds and, where Dr is longer, a rerank stage keeps the top `limit`.
 */
export function funnelStages(config: { ds: number; k: number; dr: number }, limit: number, n: number): Stage[] {
  const { ds, k, dr } = config
  if (k === 0 || k >= n) return [{ dims: dr, keep: limit }]
  if (ds === dr) return [{ dims: ds, keep: limit }]
  return [
    { dims: ds, keep: Math.max(k, limit) },
    { dims: dr, keep: limit }
  ]
}

export function isExact(config: { k: number }, n: number): boolean {
  return config.k === 0 || config.k >= n
}

/**
 * The dial, fastest to most precise. Each step grows the shortlist prefix, the shortlist and the
 * rerank prefix together; the last step is exact search on the full embedding.
 */
export function dialLadder(nesting: number[]): { ds: number; k: number; dr: number }[] {
  const d = (i: number) => nesting[Math.min(i, nesting.length - 1)]
  const full = nesting[nesting.length - 1]
  return [
    { ds: d(0), k: 50, dr: d(0) },
    { ds: d(0), k: 100, dr: d(2) },
    { ds: d(1), k: 200, dr: d(3) },
    { ds: d(1), k: 400, dr: d(4) },
    { ds: d(2), k: 800, dr: d(5) },
    { ds: d(3), k: 1600, dr: full },
    { ds: full, k: 0, dr: full }
  ]
}

export function dialIndex(position: number, steps: number): number {
  return Math.min(steps - 1, Math.max(0, Math.round(position * (steps - 1))))
}

/** Overlap of two top-k id lists, |a ∩ b| / |b| (b is the exact answer). */
export function recallAtK(found: ArrayLike<number>, exact: ArrayLike<number>): number {
  if (exact.length === 0) return 1
  const truth = new Set(Array.from(exact))
  let hit = 0
  for (let i = 0; i < found.length; i++) if (truth.has(found[i])) hit++
  return hit / exact.length
}

/**
 * AP@k over a ranked relevance list: sum_i P@i * rel_i / (relevant items in the top k), the
 * definition of the MRL paper's retrieval code and of pretrain/evaluate.py.
 */
export function averagePrecision(relevant: boolean[]): number {
  let hits = 0
  let sum = 0
  for (let i = 0; i < relevant.length; i++) {
    if (relevant[i]) {
      hits++
      sum += hits / (i + 1)
    }
  }
  return hits ? sum / hits : 0
}

export function precision(relevant: boolean[]): number {
  return relevant.length ? relevant.filter(Boolean).length / relevant.length : 0
}
