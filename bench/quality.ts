// Retrieval quality of a set of top-10 answers: mAP@10 and precision@10 by class (the MRL paper's
// definitions, from mrl.ts) and recall@10 against exact full-dim search.
import { averagePrecision, precision, recallAtK } from '../src/core/mrl'

export const TOP = 10

export interface Quality {
  /** percent, as the paper and the model card report it */
  map10: number
  precision10: number
  /** fraction of the exact full-dim top 10 found, in [0, 1] */
  recall10: number
  queries: number
}

/**
 * answers[i] are database rows (best first) for the query at row rows[i] of the query split;
 * truth(row) is that query's exact full-dim top 10.
 */
export function quality(answers: ArrayLike<number>[], rows: number[], truth: (row: number) => ArrayLike<number>, dbLabels: Uint8Array, queryLabels: Uint8Array): Quality {
  let ap = 0
  let p = 0
  let r = 0
  rows.forEach((q, i) => {
    const top = Array.from(answers[i]).slice(0, TOP)
    const relevant = top.map((row) => dbLabels[row] === queryLabels[q])
    ap += averagePrecision(relevant)
    p += precision(relevant)
    r += recallAtK(top, truth(q))
  })
  const n = rows.length || 1
  return { map10: (100 * ap) / n, precision10: (100 * p) / n, recall10: r / n, queries: rows.length }
}

/** p-th percentile (0..100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}
