// Exact top-k of many queries on a prefix of the float32 rows, through usearch's SIMD exactSearch
// on all cores: the ground truth (full dims), and the reference shortlists. Rows = ids.
import usearch, { type BatchMatches, type Matches } from 'usearch'
import type { Database } from './database'

/** The rows' first `dims` dims, contiguous (what exactSearch needs). */
export function prefixMatrix(db: Database, dims: number): Float32Array {
  if (dims === db.dims) return db.vectors
  const out = new Float32Array(db.n * dims)
  const data = db.vectors
  for (let r = 0; r < db.n; r++) out.set(data.subarray(r * db.dims, r * db.dims + dims), r * dims)
  return out
}

export function exactTopRows(db: Database, queries: Float32Array[], dims: number, k: number, matrix = prefixMatrix(db, dims)): number[][] {
  const out: number[][] = []
  const chunk = 1000 // bounded result buffers for large k
  for (let s = 0; s < queries.length; s += chunk) {
    const part = queries.slice(s, s + chunk)
    const batch = new Float32Array(part.length * dims)
    part.forEach((q, i) => batch.set(q.subarray(0, dims), i * dims))
    const m = usearch.exactSearch(matrix, batch, dims, Math.min(k, db.n), usearch.MetricKind.Cos, 0)
    if (part.length === 1) out.push(Array.from((m as Matches).keys, Number))
    else {
      const b = m as BatchMatches
      part.forEach((_, i) => out.push(Array.from(b.keys.subarray(i * b.k, i * b.k + Number(b.counts[i])), Number)))
    }
  }
  return out
}
