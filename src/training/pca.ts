// Principal axes of a set of embeddings (ml-matrix's symmetric eigendecomposition): the starting
// point of the unsupervised adaptor, since the first m principal axes are the best m-dim linear
// summary of the full vectors.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'

export interface Principal {
  mean: Float32Array
  /** d x d, column j = the j-th axis, by decreasing variance */
  axes: Float32Array
  variances: Float64Array
}

export function principalAxes(x: Float32Array, n: number, d: number): Principal {
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n
  // covariance in float64, accumulated row by row (upper triangle, mirrored below)
  const cov = new Float64Array(d * d)
  const row = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j] - mean[j]
    for (let a = 0; a < d; a++) {
      const ra = row[a]
      if (ra === 0) continue
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b]
    }
  }
  const m = new Matrix(d, d)
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) {
    const v = cov[a * d + b] / Math.max(1, n - 1)
    m.set(a, b, v)
    m.set(b, a, v)
  }
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true })
  const values = evd.realEigenvalues
  const vectors = evd.eigenvectorMatrix
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a])
  const axes = new Float32Array(d * d)
  order.forEach((src, dst) => {
    for (let r = 0; r < d; r++) axes[r * d + dst] = vectors.get(r, src)
  })
  return { mean: Float32Array.from(mean), axes, variances: Float64Array.from(order.map((i) => Math.max(0, values[i]))) }
}
