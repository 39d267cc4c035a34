// Auto-tags for the user's labels: the adaptive-classification cascade (mrl.ts) over the trained
// heads, with a confidence threshold calibrated on the held-out split.
import { cascade, type CascadeDecision } from '../core/mrl'
import { headLogits, type Head } from './heads'

const CANDIDATES = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99]

/** Each row's cascade decision over the heads (y: n x d adapted embeddings). */
export function decide(heads: Head[], y: Float32Array, n: number, d: number, threshold: number): CascadeDecision[] {
  const logits = headLogits(heads, y, n, d)
  const nesting = heads.map((h) => h.dims)
  return Array.from({ length: n }, (_, i) =>
    cascade(logits.map((l, k) => l.subarray(i * heads[k].classes, (i + 1) * heads[k].classes)), nesting, threshold)
  )
}

/**
 * The lowest threshold whose confident held-out decisions are right at least `precision` of the
 * time (null when none is: suggest nothing rather than guess).
 */
export function calibrateThreshold(heads: Head[], yVal: Float32Array, n: number, d: number, labels: ArrayLike<number>, precision = 0.9): number | null {
  for (const t of CANDIDATES) {
    const decisions = decide(heads, yVal, n, d, t)
    const confident = decisions.map((dec, i) => ({ dec, i })).filter(({ dec }) => dec.confidence >= t)
    if (confident.length === 0) continue
    const right = confident.filter(({ dec, i }) => dec.classIndex === labels[i]).length
    if (right / confident.length >= precision) return t
  }
  return null
}
