// AdANNS-style shortlists (Rege et al., NeurIPS 2023): the index that shortlists K candidates on the
// Ds-prefix need not keep that prefix at full precision, only well enough that the funnel's answer
// holds, since the rerank after it reads the rows themselves. This measures what each storage keeps
// of the true top 10 (full-dim cosine) on the library's rows, and picks the smallest that holds.
import { halfTable, toHalf } from './half'
import { prefix, prefixRows } from './mrl'

/** How a shortlist index stores the prefix: one bit a dim (its sign), one byte, two bytes. */
export type ShortlistStorage = 'b1' | 'i8' | 'f16'

/** smallest first: the order the pick tries them in */
export const STORAGES: readonly ShortlistStorage[] = ['b1', 'i8', 'f16']

/** Bytes a vector of `ds` dims takes in a storage (the graph's links come on top). */
export function storageBytes(kind: ShortlistStorage | 'f32', ds: number): number {
  return kind === 'b1' ? Math.ceil(ds / 8) : kind === 'i8' ? ds : kind === 'f16' ? 2 * ds : 4 * ds
}

/**
 * The prefix as a storage keeps it, decoded and normalised, so a dot product ranks rows as the index
 * does: f16 rounds; i8 scales by 127 and rounds (usearch's cast of a unit vector); b1 keeps the signs
 * of the prefix minus the library's mean prefix (`center`), and the dot product of two sign vectors
 * is ds - 2 x their Hamming distance, the same order. Without the centring, signs say nothing of an
 * embedding whose dims are all positive (a CNN's pooled ReLU features: b1 held 0.09 of the top 10).
 */
export function decodeAs(kind: ShortlistStorage | 'f32', v: Float32Array, center?: Float32Array): Float32Array {
  const out = new Float32Array(v.length)
  const half = kind === 'f16' ? halfTable() : null
  for (let i = 0; i < v.length; i++) {
    const x = v[i]
    out[i] = kind === 'b1' ? (x - (center?.[i] ?? 0) > 0 ? 1 : -1) : kind === 'i8' ? Math.max(-127, Math.min(127, Math.round(x * 127))) : half ? half[toHalf(x)] : x
  }
  return prefix(out, out.length)
}

/** The mean of normalised prefixes (rows x ds, each already unit length): what b1 centres on. */
export function meanPrefix(rows: Float32Array, full: number, ds: number): Float32Array {
  const n = rows.length / full
  const mean = new Float32Array(ds)
  for (let r = 0; r < n; r++) {
    let norm = 0
    for (let i = 0; i < ds; i++) norm += rows[r * full + i] ** 2
    norm = Math.sqrt(norm) || 1
    for (let i = 0; i < ds; i++) mean[i] += rows[r * full + i] / norm / n
  }
  return mean
}

/** A unit prefix (length ds) of `v`, minus `center`: what a b1 index is given, add and search alike. */
export function centredPrefix(v: Float32Array, ds: number, center: Float32Array | null): Float32Array {
  const out = prefix(v, ds)
  if (center) for (let i = 0; i < ds; i++) out[i] -= center[i]
  return out
}

export interface QuantizationSample {
  /** the rows on all dims, each normalised (n x full) */
  full: Float32Array
  fullDims: number
  /** the shortlist's prefix length */
  ds: number
  /** rows used as queries (their own row is left out of their answers) */
  queries: number[]
  /** shortlist sizes to judge */
  ks: number[]
}

export interface StorageRecall {
  kind: ShortlistStorage | 'f32'
  bytes: number
  /** per k in `ks`: the mean share of the true top 10 inside the k candidates */
  recall: number[]
}

const TOP = 10

function dot(a: Float32Array, aOff: number, b: Float32Array, bOff: number, m: number): number {
  let s = 0
  for (let i = 0; i < m; i++) s += a[aOff + i] * b[bOff + i]
  return s
}

/** The true top 10 of a query row among the others, by full-dim cosine. */
function truth(x: QuantizationSample, q: number, rows: number): number[] {
  const scores: { i: number; s: number }[] = []
  for (let i = 0; i < rows; i++) if (i !== q) scores.push({ i, s: dot(x.full, q * x.fullDims, x.full, i * x.fullDims, x.fullDims) })
  scores.sort((a, b) => b.s - a.s)
  return scores.slice(0, TOP).map((e) => e.i)
}

/**
 * Each storage's shortlist recall on the rows: for each query, where each of its true top 10
 * ranks among all rows on the decoded prefix (rows of equal score share the places they span: one
 * bit a dim has only ds + 1 distances), so every k is judged from one pass.
 */
export function measureStorages(x: QuantizationSample): StorageRecall[] {
  const rows = x.full.length / x.fullDims
  const tops = x.queries.map((q) => truth(x, q, rows))
  // each row as the index is given it: its unit prefix (the centre is taken off for b1 in decodeAs)
  const unit = prefixRows(x.full, rows, x.fullDims, x.ds).rows
  const center = meanPrefix(unit, x.ds, x.ds)
  const out: StorageRecall[] = []
  for (const kind of ['f32', ...STORAGES] as const) {
    const coded = new Float32Array(rows * x.ds)
    for (let i = 0; i < rows; i++) coded.set(decodeAs(kind, unit.subarray(i * x.ds, (i + 1) * x.ds), center), i * x.ds)
    const held = x.ks.map(() => 0)
    const scores = new Float32Array(rows)
    x.queries.forEach((q, qi) => {
      for (let i = 0; i < rows; i++) scores[i] = dot(coded, q * x.ds, coded, i * x.ds, x.ds)
      scores[q] = -Infinity
      for (const t of tops[qi]) {
        let above = 0
        let tied = -1 // itself
        const st = scores[t]
        for (let i = 0; i < rows; i++) {
          if (scores[i] > st) above++
          else if (scores[i] === st) tied++
        }
        // among rows of equal score an index returns any: the item's place is uniform over the tie
        x.ks.forEach((k, ki) => {
          held[ki] += Math.min(1, Math.max(0, (k - above) / (tied + 1)))
        })
      }
    })
    out.push({ kind, bytes: storageBytes(kind, x.ds), recall: held.map((h) => h / (x.queries.length * TOP)) })
  }
  return out
}

/**
 * How many more of the true top 10 a smaller storage may miss than float32 does, and still hold:
 * a quarter more, plus a little for the noise of measuring on 100 queries. Relative, not a fixed 0.01 of recall: at
 * 1,000,000 photos int8 gave 0.9910 at K=300 where f16 gave 0.9975, within 0.01 but 3.6x the misses.
 */
export const MISS_GROWTH = 1.25
export const MISS_SLACK = 0.002

/** Whether a storage's recall holds against float32's at every judged k. */
export function holds(m: StorageRecall, base: StorageRecall): boolean {
  return m.recall.every((r, i) => 1 - r <= MISS_GROWTH * (1 - base.recall[i]) + MISS_SLACK)
}

/** The smallest storage that holds at every k (f16, the largest offered, when none does). */
export function pickStorage(measured: StorageRecall[]): ShortlistStorage {
  const base = measured.find((m) => m.kind === 'f32')
  if (!base) throw new Error('no float32 baseline to judge the storages against')
  for (const kind of STORAGES) {
    const m = measured.find((x) => x.kind === kind)
    if (m && holds(m, base)) return kind
  }
  return 'f16'
}
