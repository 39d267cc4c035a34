// Exact cosine top-k on a prefix (usearch's SIMD exactSearch), and the two measures the issue asks
// for: 1-NN accuracy and mAP@10 by class (mrl.ts averagePrecision, as on the model card).
import usearch, { type BatchMatches } from 'usearch'
import { averagePrecision } from '../../src/core/mrl'
import { columns } from '../../src/training/linalg'

export function topK(db: Float32Array, dbN: number, queries: Float32Array, qN: number, d: number, m: number, k: number): Int32Array {
  const dbm = columns(db, dbN, d, m)
  const qm = columns(queries, qN, d, m)
  const out = new Int32Array(qN * k)
  const chunk = 1000
  for (let s = 0; s < qN; s += chunk) {
    const rows = Math.min(chunk, qN - s)
    // a copy, not a view: usearch's exactSearch reads a typed array from its buffer's start
    const res = usearch.exactSearch(dbm, qm.slice(s * m, (s + rows) * m), m, k, usearch.MetricKind.Cos, 0) as unknown as BatchMatches
    for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) out[(s + i) * k + j] = Number(res.keys[i * res.k + j])
  }
  return out
}

/** Percent of queries whose nearest database photo has their class. */
export function oneNN(db: Float32Array, dbN: number, dbLabels: ArrayLike<number>, q: Float32Array, qN: number, qLabels: ArrayLike<number>, d: number, m: number): number {
  const top = topK(db, dbN, q, qN, d, m, 1)
  let right = 0
  for (let i = 0; i < qN; i++) if (dbLabels[top[i]] === qLabels[i]) right++
  return (100 * right) / qN
}

/** mAP@10 in percent. */
export function map10(db: Float32Array, dbN: number, dbLabels: ArrayLike<number>, q: Float32Array, qN: number, qLabels: ArrayLike<number>, d: number, m: number): number {
  const top = topK(db, dbN, q, qN, d, m, 10)
  let sum = 0
  for (let i = 0; i < qN; i++) sum += averagePrecision(Array.from(top.subarray(i * 10, i * 10 + 10), (r) => dbLabels[r] === qLabels[i]))
  return (100 * sum) / qN
}
