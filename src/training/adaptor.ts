// The adaptor: a linear map on top of the stored full embeddings, y = x̂·W + b with x̂ the unit-length
// embedding. Search then uses y (its prefixes are what the Matryoshka losses shaped); the stored
// embeddings stay as they are, so rolling back is just dropping the map.
import { matmul } from './linalg'

export interface Adaptor {
  dIn: number
  dOut: number
  /** dIn x dOut, row-major */
  weight: Float32Array
  bias: Float32Array
  nesting: number[]
}

export function identityAdaptor(d: number, nesting: number[]): Adaptor {
  const weight = new Float32Array(d * d)
  for (let i = 0; i < d; i++) weight[i * d + i] = 1
  return { dIn: d, dOut: d, weight, bias: new Float32Array(d), nesting }
}

export function cloneAdaptor(a: Adaptor): Adaptor {
  return { ...a, weight: a.weight.slice(), bias: a.bias.slice(), nesting: [...a.nesting] }
}

/** Rows scaled to unit length (the adaptor's input), in place on a copy. */
export function unitRows(x: Float32Array, n: number, d: number): Float32Array {
  const out = x.slice(0, n * d)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < d; j++) s += out[i * d + j] * out[i * d + j]
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0
    for (let j = 0; j < d; j++) out[i * d + j] *= inv
  }
  return out
}

/** y = x̂·W + b for already-unit rows. */
export function forwardUnit(a: Adaptor, xHat: Float32Array, n: number): Float32Array {
  const y = matmul(xHat, a.weight, n, a.dIn, a.dOut)
  for (let i = 0; i < n; i++) for (let j = 0; j < a.dOut; j++) y[i * a.dOut + j] += a.bias[j]
  return y
}

/** The adapted embeddings of n raw embeddings (n x dIn), in chunks so memory stays flat. */
export function adapt(a: Adaptor, x: Float32Array, n: number, chunk = 2048): Float32Array {
  const out = new Float32Array(n * a.dOut)
  for (let s = 0; s < n; s += chunk) {
    const rows = Math.min(chunk, n - s)
    out.set(forwardUnit(a, unitRows(x.subarray(s * a.dIn, (s + rows) * a.dIn), rows, a.dIn), rows), s * a.dOut)
  }
  return out
}

/** A query direction (e.g. a class row of the model's own head) carried into the adapted space: v·W. */
export function adaptDirection(a: Adaptor, v: Float32Array): Float32Array {
  const padded = new Float32Array(a.dIn)
  padded.set(v.subarray(0, Math.min(v.length, a.dIn)))
  return matmul(padded, a.weight, 1, a.dIn, a.dOut)
}

export const b64 = (f: Float32Array) => Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64')
export const f32 = (s: string) => {
  const b = Buffer.from(s, 'base64')
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
}

export interface SavedAdaptor {
  dIn: number
  dOut: number
  nesting: number[]
  weight: string
  bias: string
}

export function saveAdaptor(a: Adaptor): SavedAdaptor {
  return { dIn: a.dIn, dOut: a.dOut, nesting: a.nesting, weight: b64(a.weight), bias: b64(a.bias) }
}

export function loadAdaptor(s: SavedAdaptor): Adaptor {
  const a = { dIn: s.dIn, dOut: s.dOut, nesting: s.nesting, weight: f32(s.weight), bias: f32(s.bias) }
  if (a.weight.length !== a.dIn * a.dOut || a.bias.length !== a.dOut) throw new Error('the saved adaptor is malformed')
  return a
}
