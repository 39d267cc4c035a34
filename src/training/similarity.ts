// Keeping the similarity structure: within a batch, each photo's softmax distribution over the
// others (cosine / τ) under the adapted prefix should match the one under the reference embedding.
// KL(P‖Q) weighs the nearest neighbours most, which is what top-k search cares about.
import { addPrefixRowsGradient, prefixRows } from '../core/mrl'
import { matmul, matmulBT } from './linalg'

export const TEMPERATURE = 0.05

/** Row-softmax of cos/τ over the others (the diagonal excluded), from unit rows (n x m). */
export function neighbourDistribution(unit: Float32Array, n: number, m: number, tau = TEMPERATURE): Float32Array {
  const s = matmulBT(unit, unit, n, m, n)
  for (let i = 0; i < n; i++) {
    let max = -Infinity
    for (let j = 0; j < n; j++) if (j !== i) max = Math.max(max, s[i * n + j] / tau)
    let sum = 0
    for (let j = 0; j < n; j++) {
      const e = j === i ? 0 : Math.exp(s[i * n + j] / tau - max)
      s[i * n + j] = e
      sum += e
    }
    for (let j = 0; j < n; j++) s[i * n + j] /= sum
  }
  return s
}

/**
 * Σ over `dims` of KL(target ‖ Q_m), Q_m from the m-prefix of y (n x d), averaged over rows;
 * adds the gradient (times `weight`) into dy.
 */
export function similarityLoss(target: Float32Array, y: Float32Array, n: number, d: number, dims: number[], dy: Float32Array, weight = 1, tau = TEMPERATURE): number {
  let loss = 0
  for (const m of dims) {
    const { rows, norms } = prefixRows(y, n, d, m)
    const q = neighbourDistribution(rows, n, m, tau)
    // dKL/dlogit_ij = (q_ij - p_ij)/n; logit_ij = cos_ij/τ and cos is symmetric in i, j
    const g = new Float32Array(n * n)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue
        const p = target[i * n + j]
        if (p > 0) loss += (p * Math.log(p / Math.max(q[i * n + j], 1e-30))) / n
        g[i * n + j] = (weight * (q[i * n + j] - p)) / (n * tau)
      }
    }
    const sym = new Float32Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = g[i * n + j] + g[j * n + i]
    const dRows = matmul(sym, rows, n, n, m)
    addPrefixRowsGradient(rows, norms, dRows, n, d, m, dy)
  }
  return weight * loss
}

/** How well the m-prefix of y keeps each row's top-k neighbours under the reference (unit rows). */
export function neighbourOverlap(reference: Float32Array, dRef: number, y: Float32Array, d: number, n: number, m: number, k = 10): number {
  const top = (unit: Float32Array, dims: number) => {
    const s = matmulBT(unit, unit, n, dims, n)
    return Array.from({ length: n }, (_, i) => {
      const order = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i)
      order.sort((a, b) => s[i * n + b] - s[i * n + a])
      return new Set(order.slice(0, k))
    })
  }
  const want = top(prefixRows(reference, n, dRef, dRef).rows, dRef)
  const got = top(prefixRows(y, n, d, m).rows, m)
  let hit = 0
  for (let i = 0; i < n; i++) for (const j of got[i]) if (want[i].has(j)) hit++
  return hit / (n * k)
}
