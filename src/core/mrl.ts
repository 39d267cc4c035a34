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
 * softmax passes its threshold (one for all prefixes, or one per prefix as calibrated by
 * calibrateCascade); the largest prefix decides when none does.
 */
export function cascade(logitsPerPrefix: ArrayLike<number>[], nesting: number[], threshold: number | number[]): CascadeDecision {
  let last: CascadeDecision = { classIndex: -1, confidence: 0, dims: nesting[nesting.length - 1] }
  for (let i = 0; i < nesting.length; i++) {
    const p = softmax(logitsPerPrefix[i])
    let best = 0
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c
    last = { classIndex: best, confidence: p[best], dims: nesting[i] }
    if (p[best] >= (typeof threshold === 'number' ? threshold : threshold[i])) return last
  }
  return last
}

/** Each calibration row's top class and its max softmax at every prefix. */
export interface PrefixPredictions {
  classIndex: Int32Array[]
  confidence: Float64Array[]
}

export function prefixPredictions(logitsPerPrefix: Float32Array[], classes: number): PrefixPredictions {
  const n = logitsPerPrefix[0].length / classes
  const out: PrefixPredictions = { classIndex: [], confidence: [] }
  for (const l of logitsPerPrefix) {
    const ci = new Int32Array(n)
    const conf = new Float64Array(n)
    for (let r = 0; r < n; r++) {
      const p = softmax(l.subarray(r * classes, (r + 1) * classes))
      for (let c = 1; c < classes; c++) if (p[c] > p[ci[r]]) ci[r] = c
      conf[r] = p[ci[r]]
    }
    out.classIndex.push(ci)
    out.confidence.push(conf)
  }
  return out
}

/** Accuracy and mean stopping dims of per-prefix thresholds over precomputed predictions. */
export function cascadeScore(pred: PrefixPredictions, labels: ArrayLike<number>, nesting: number[], thresholds: number[]): { correct: number; accuracy: number; dims: number } {
  const n = labels.length
  let correct = 0
  let dims = 0
  for (let r = 0; r < n; r++) {
    let i = 0
    while (i < nesting.length - 1 && pred.confidence[i][r] < thresholds[i]) i++
    if (pred.classIndex[i][r] === labels[r]) correct++
    dims += nesting[i]
  }
  return { correct, accuracy: correct / n, dims: dims / n }
}

const CALIBRATION_GRID = [0, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 1.01]

/**
 * Per-prefix thresholds (the paper learns one per nested classifier on held-out data): the fewest
 * expected dims whose accuracy on the calibration rows is at least `target`. Coordinate ascent on
 * accuracy - lambda * dims for a sweep of lambdas; every setting tried is a candidate.
 */
export function calibrateCascade(pred: PrefixPredictions, labels: ArrayLike<number>, nesting: number[], target: number): number[] {
  const full = nesting[nesting.length - 1]
  let best: { th: number[]; dims: number } | null = null
  for (const lambda of [0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3]) {
    const th = nesting.map(() => 1.01)
    const gain = (s: { accuracy: number; dims: number }) => s.accuracy - (lambda * s.dims) / full
    let current = gain(cascadeScore(pred, labels, nesting, th))
    for (let pass = 0; pass < 3; pass++) {
      for (let i = 0; i < nesting.length - 1; i++) {
        for (const t of CALIBRATION_GRID) {
          const trial = th.slice()
          trial[i] = t
          const s = cascadeScore(pred, labels, nesting, trial)
          if (s.accuracy >= target && (!best || s.dims < best.dims)) best = { th: trial, dims: s.dims }
          if (gain(s) > current) {
            current = gain(s)
            th[i] = t
          }
        }
      }
    }
  }
  return best?.th ?? nesting.map(() => 1.01)
}

/**
 * One threshold for every prefix: the lowest on `grid` from which every stricter one also reaches
 * `target` on the calibration rows. Taking the cheapest passing threshold alone picks lucky dips in
 * the accuracy curve, which do not hold on new rows.
 */
export function stableThreshold(pred: PrefixPredictions, labels: ArrayLike<number>, nesting: number[], target: number, grid: number[]): number {
  const sorted = [...grid].sort((a, b) => a - b)
  let chosen = sorted[sorted.length - 1]
  for (let i = sorted.length - 1; i >= 0; i--) {
    if (cascadeScore(pred, labels, nesting, nesting.map(() => sorted[i])).accuracy < target) break
    chosen = sorted[i]
  }
  return chosen
}

/** One stage of a funnel: keep `keep` candidates ranked on the `dims`-prefix. */
export interface Stage {
  dims: number
  keep: number
}

/** (Ds, K, Dr), optionally with intermediate reranks: 8 (K=2000) -> 32 (keep 200) -> 512. */
export interface Funnel {
  ds: number
  k: number
  dr: number
  /** reranks between the shortlist and Dr, each keeping `keep` on its `dims`-prefix */
  via?: Stage[]
}

/**
 * (Ds, K, Dr) as stages over a library of n photos. K = 0 or K >= n means exact search on Dr; else
 * the shortlist stage keeps K on Ds, each `via` stage narrows further and, where Dr is longer, a
 * last rerank stage keeps the top `limit`.
 */
export function funnelStages(config: Funnel, limit: number, n: number): Stage[] {
  const { ds, k, dr } = config
  if (k === 0 || k >= n) return [{ dims: dr, keep: limit }]
  const via = (config.via ?? []).filter((s) => s.dims > ds && s.dims < dr).map((s) => ({ dims: s.dims, keep: Math.max(s.keep, limit) }))
  if (ds === dr) return [{ dims: ds, keep: limit }]
  return [{ dims: ds, keep: Math.max(k, limit) }, ...via, { dims: dr, keep: limit }]
}

/** A short name for a funnel: "16→K800→512", "8→K2000→32:200→512", "exact 512". */
export function funnelName(config: Funnel): string {
  if (config.k === 0) return `exact ${config.dr}`
  const via = (config.via ?? []).map((s) => `→${s.dims}:${s.keep}`).join('')
  return config.ds === config.dr ? `${config.ds}→K${config.k}` : `${config.ds}→K${config.k}${via}→${config.dr}`
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

/**
 * The funnels worth measuring on a library of n photos: short shortlist prefixes (where the
 * speed-up is), shortlists smaller than the library, rerank prefixes at least as long.
 */
/** the shortlist sizes the measured dial tries (and a shortlist's storage is judged at) */
export const FUNNEL_KS: readonly number[] = [50, 200, 800, 2000]

export function funnelCandidates(nesting: number[], n: number, ks = FUNNEL_KS): { ds: number; k: number; dr: number }[] {
  const full = nesting[nesting.length - 1]
  const shortlistDims = nesting.filter((m) => m <= Math.max(nesting[0], full / 8))
  const out: { ds: number; k: number; dr: number }[] = []
  for (const ds of shortlistDims) for (const k of ks.filter((k) => k < n)) for (const dr of nesting.filter((m) => m >= Math.max(ds, full / 8))) out.push({ ds, k, dr })
  return out
}

/**
 * The recall/latency frontier: the points no other point beats on both (higher recall at no more
 * time), fastest first. Recall ties keep the faster point.
 */
export function paretoFrontier<T extends { recall: number; ms: number }>(points: T[]): T[] {
  const byTime = [...points].sort((a, b) => a.ms - b.ms || b.recall - a.recall)
  const out: T[] = []
  for (const p of byTime) if (!out.length || p.recall > out[out.length - 1].recall) out.push(p)
  return out
}

/** Up to `count` items spread evenly over a list, keeping its first and last. */
export function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))])
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

/**
 * Training's view of prefix normalisation: every row of an n x d matrix cut to its m-prefix and
 * scaled to unit length (the batched `prefix`), with the norms the backward pass needs.
 */
export function prefixRows(z: Float32Array, n: number, d: number, m: number): { rows: Float32Array; norms: Float32Array } {
  const rows = new Float32Array(n * m)
  const norms = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < m; j++) s += z[i * d + j] * z[i * d + j]
    const norm = Math.sqrt(s) || 1
    norms[i] = norm
    for (let j = 0; j < m; j++) rows[i * m + j] = z[i * d + j] / norm
  }
  return { rows, norms }
}

/**
 * Backward through prefixRows: given dL/d(unit prefix) for each row, add dL/dz into dz[:, :m].
 * d(u/|u|)/du = (I - û ûᵀ)/|u|, so the part of the gradient along the row itself is dropped.
 */
export function addPrefixRowsGradient(rows: Float32Array, norms: Float32Array, dRows: Float32Array, n: number, d: number, m: number, dz: Float32Array): void {
  for (let i = 0; i < n; i++) {
    let along = 0
    for (let j = 0; j < m; j++) along += rows[i * m + j] * dRows[i * m + j]
    const inv = 1 / norms[i]
    for (let j = 0; j < m; j++) dz[i * d + j] += (dRows[i * m + j] - rows[i * m + j] * along) * inv
  }
}
