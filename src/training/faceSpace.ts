// The face space: the face model's embeddings (1024 dims, not Matryoshka) carried to a short nested
// one so a prefix can shortlist faces. The top principal axes first (block power iteration: the
// full 1024x1024 eigendecomposition took over a minute here), then the unsupervised Matryoshka
// adaptor on them, as for any imported non-Matryoshka model.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'
import { adapt, b64, f32, identityAdaptor, loadAdaptor, saveAdaptor, type Adaptor, type SavedAdaptor } from './adaptor'
import { matmul, rng } from './linalg'
import { trainUnsupervised } from './unsupervised'

export interface FaceSpace {
  dIn: number
  dims: number
  mean: Float32Array
  /** dIn x dims, column j the j-th principal axis */
  axes: Float32Array
  adaptor: Adaptor
  /** top-10 neighbour overlap with the full embedding per prefix (held-out faces), before and after the adaptor */
  before: number[]
  after: number[]
}

export const FACE_NESTING = [8, 16, 32, 64, 128]

function unit(x: Float32Array, n: number, d: number): Float32Array {
  const out = x.slice(0, n * d)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < d; j++) s += out[i * d + j] ** 2
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0
    for (let j = 0; j < d; j++) out[i * d + j] *= inv
  }
  return out
}

/** Orthonormalises the k columns of a d x k matrix in place (modified Gram-Schmidt). */
function orthonormalise(q: Float32Array, d: number, k: number): void {
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let s = 0
      for (let r = 0; r < d; r++) s += q[r * k + c] * q[r * k + p]
      for (let r = 0; r < d; r++) q[r * k + c] -= s * q[r * k + p]
    }
    let s = 0
    for (let r = 0; r < d; r++) s += q[r * k + c] ** 2
    const inv = s > 1e-20 ? 1 / Math.sqrt(s) : 0
    for (let r = 0; r < d; r++) q[r * k + c] *= inv
  }
}

/** The top k principal axes of n centred rows (d wide), by decreasing variance. */
export function topAxes(xc: Float32Array, n: number, d: number, k: number, iterations = 8, seed = 1): Float32Array {
  const random = rng(seed)
  let q: Float32Array = new Float32Array(d * k).map(() => random() - 0.5)
  orthonormalise(q, d, k)
  const xt = new Float32Array(d * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xt[j * n + i] = xc[i * d + j]
  const cov = (m: Float32Array) => matmul(xt, matmul(xc, m, n, d, k), d, n, k) // Xᵀ(X·Q)
  for (let it = 0; it < iterations; it++) {
    q = cov(q)
    orthonormalise(q, d, k)
  }
  // Rayleigh-Ritz: rotate the subspace onto its own eigenvectors, ordered by variance
  const cq = cov(q)
  const small = new Matrix(k, k)
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0
      for (let r = 0; r < d; r++) s += q[r * k + a] * cq[r * k + b]
      small.set(a, b, s)
    }
  const evd = new EigenvalueDecomposition(small, { assumeSymmetric: true })
  const order = evd.realEigenvalues.map((_, i) => i).sort((a, b) => evd.realEigenvalues[b] - evd.realEigenvalues[a])
  const rot = new Float32Array(k * k)
  order.forEach((src, dst) => {
    for (let r = 0; r < k; r++) rot[r * k + dst] = evd.eigenvectorMatrix.get(r, src)
  })
  return matmul(q, rot, d, k, k)
}

/** Fits the face space on n raw face embeddings (n x dIn). */
export function fitFaceSpace(x: Float32Array, n: number, dIn: number, opts: { dims?: number; nesting?: number[]; seed?: number } = {}): FaceSpace {
  const dims = Math.min(opts.dims ?? 128, dIn)
  const xu = unit(x, n, dIn)
  const mu = new Float32Array(dIn)
  for (let i = 0; i < n; i++) for (let j = 0; j < dIn; j++) mu[j] += xu[i * dIn + j] / n
  for (let i = 0; i < n; i++) for (let j = 0; j < dIn; j++) xu[i * dIn + j] -= mu[j]
  const axes = topAxes(xu, n, dIn, dims, 8, opts.seed ?? 1)
  const z = matmul(xu, axes, n, dIn, dims)
  const nesting = (opts.nesting ?? FACE_NESTING).filter((m) => m <= dims)
  const result = trainUnsupervised(z, n, dims, { nesting, epochs: 8, steps: 30, batch: Math.min(256, n), holdout: Math.min(200, Math.floor(n / 4)), seed: opts.seed ?? 1 })
  // the principal axes alone are already a good nested summary: the adaptor is kept where it does better
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length
  if (mean(result.after) >= mean(result.before)) return { dIn, dims, mean: mu, axes, adaptor: result.adaptor, before: result.before, after: result.after }
  return { dIn, dims, mean: mu, axes, adaptor: identityAdaptor(dims, nesting), before: result.before, after: result.before }
}

/** n raw face embeddings in the face space (n x dims): the full row, whose prefixes shortlist. */
export function toFaceSpace(s: FaceSpace, x: Float32Array, n: number): Float32Array {
  const xu = unit(x, n, s.dIn)
  for (let i = 0; i < n; i++) for (let j = 0; j < s.dIn; j++) xu[i * s.dIn + j] -= s.mean[j]
  return adapt(s.adaptor, matmul(xu, s.axes, n, s.dIn, s.dims), n)
}

export interface SavedFaceSpace {
  dIn: number
  dims: number
  mean: string
  axes: string
  adaptor: SavedAdaptor
  before: number[]
  after: number[]
}

export function saveFaceSpace(s: FaceSpace): SavedFaceSpace {
  return { dIn: s.dIn, dims: s.dims, mean: b64(s.mean), axes: b64(s.axes), adaptor: saveAdaptor(s.adaptor), before: s.before, after: s.after }
}

export function loadFaceSpace(s: SavedFaceSpace): FaceSpace {
  const out = { ...s, mean: f32(s.mean), axes: f32(s.axes), adaptor: loadAdaptor(s.adaptor) }
  if (out.mean.length !== s.dIn || out.axes.length !== s.dIn * s.dims) throw new Error('the saved face space is malformed')
  return out
}
