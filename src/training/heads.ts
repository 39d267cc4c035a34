// The Matryoshka heads: one cosine classifier per prefix of the nesting list, logits =
// s · (unit prefix of y) · W_m + b_m. Cosine heads (rather than plain linear ones) make classes
// separate by angle, which is what cosine search over the same prefixes needs.
import { addPrefixRowsGradient, prefixRows, softmax } from '../core/mrl'
import { addMatmulAT, matmul, matmulBT, rng } from './linalg'

export const HEAD_SCALE = 16

/** An adaptor's head: `weight` is dims x classes (the model card's CardHead is classes x dims). */
export interface Head {
  dims: number
  classes: number
  /** dims x classes */
  weight: Float32Array
  bias: Float32Array
}

export function initHeads(nesting: number[], classes: number, seed = 7): Head[] {
  const random = rng(seed)
  return nesting.map((m) => ({
    dims: m,
    classes,
    weight: Float32Array.from({ length: m * classes }, () => (random() - 0.5) * (2 / Math.sqrt(m))),
    bias: new Float32Array(classes)
  }))
}

/**
 * Heads started at the class prototypes: each class's column is the mean unit prefix of its photos,
 * so training starts from a nearest-centroid classifier instead of noise.
 */
export function prototypeHeads(nesting: number[], classes: number, y: Float32Array, n: number, d: number, labels: ArrayLike<number>): Head[] {
  return nesting.map((m) => {
    const { rows } = prefixRows(y, n, d, m)
    const weight = new Float32Array(m * classes)
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) weight[j * classes + labels[i]] += rows[i * m + j]
    for (let c = 0; c < classes; c++) {
      let s = 0
      for (let j = 0; j < m; j++) s += weight[j * classes + c] ** 2
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0
      for (let j = 0; j < m; j++) weight[j * classes + c] *= inv
    }
    return { dims: m, classes, weight, bias: new Float32Array(classes) }
  })
}

/** Logits of every head for an n x d batch: one n x classes matrix per prefix. */
export function headLogits(heads: Head[], y: Float32Array, n: number, d: number): Float32Array[] {
  return heads.map((h) => {
    const { rows } = prefixRows(y, n, d, h.dims)
    const logits = matmul(rows, h.weight, n, h.dims, h.classes)
    for (let i = 0; i < n; i++) for (let c = 0; c < h.classes; c++) logits[i * h.classes + c] = HEAD_SCALE * logits[i * h.classes + c] + h.bias[c]
    return logits
  })
}

export interface HeadGradients {
  weight: Float32Array[]
  bias: Float32Array[]
}

/**
 * The MRL loss: the sum over prefixes of the mean cross-entropy of that prefix's head. Adds
 * dLoss/dy into dy and returns the loss and the heads' gradients.
 */
export function matryoshkaCrossEntropy(heads: Head[], y: Float32Array, n: number, d: number, labels: ArrayLike<number>, dy: Float32Array): { loss: number; grads: HeadGradients } {
  let loss = 0
  const grads: HeadGradients = { weight: [], bias: [] }
  for (const h of heads) {
    const { rows, norms } = prefixRows(y, n, d, h.dims)
    const logits = matmul(rows, h.weight, n, h.dims, h.classes)
    const dLogits = new Float32Array(n * h.classes)
    for (let i = 0; i < n; i++) {
      const row = logits.subarray(i * h.classes, (i + 1) * h.classes)
      for (let c = 0; c < h.classes; c++) row[c] = HEAD_SCALE * row[c] + h.bias[c]
      const p = softmax(row)
      loss -= Math.log(Math.max(p[labels[i]], 1e-12)) / n
      for (let c = 0; c < h.classes; c++) dLogits[i * h.classes + c] = (p[c] - (c === labels[i] ? 1 : 0)) / n
    }
    const gw = new Float32Array(h.dims * h.classes)
    addMatmulAT(rows, dLogits, n, h.dims, h.classes, gw)
    for (let k = 0; k < gw.length; k++) gw[k] *= HEAD_SCALE
    const gb = new Float32Array(h.classes)
    for (let i = 0; i < n; i++) for (let c = 0; c < h.classes; c++) gb[c] += dLogits[i * h.classes + c]
    const dRows = matmulBT(dLogits, h.weight, n, h.classes, h.dims)
    for (let k = 0; k < dRows.length; k++) dRows[k] *= HEAD_SCALE
    addPrefixRowsGradient(rows, norms, dRows, n, d, h.dims, dy)
    grads.weight.push(gw)
    grads.bias.push(gb)
  }
  return { loss, grads }
}

/** Top-1 accuracy of each head (one number per prefix). */
export function headAccuracy(heads: Head[], y: Float32Array, n: number, d: number, labels: ArrayLike<number>): number[] {
  return headLogits(heads, y, n, d).map((logits, k) => {
    const C = heads[k].classes
    let right = 0
    for (let i = 0; i < n; i++) {
      let best = 0
      for (let c = 1; c < C; c++) if (logits[i * C + c] > logits[i * C + best]) best = c
      if (best === labels[i]) right++
    }
    return n ? right / n : 0
  })
}
