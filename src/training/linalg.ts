// Dense row-major float32 kernels for training: the loops are ordered so the innermost one walks
// contiguous memory (i-k-j), which is what makes plain JS competitive here (see bench/training/kernels.ts).

/** C (n x p) = A (n x k) · B (k x p); C is overwritten. */
export function matmul(a: Float32Array, b: Float32Array, n: number, k: number, p: number, c = new Float32Array(n * p)): Float32Array {
  c.fill(0)
  for (let i = 0; i < n; i++) {
    const ci = i * p
    for (let t = 0; t < k; t++) {
      const av = a[i * k + t]
      if (av === 0) continue
      const bt = t * p
      for (let j = 0; j < p; j++) c[ci + j] += av * b[bt + j]
    }
  }
  return c
}

/** C (k x p) += Aᵀ · B where A is n x k and B is n x p (weight gradients). */
export function addMatmulAT(a: Float32Array, b: Float32Array, n: number, k: number, p: number, c: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const bi = i * p
    for (let t = 0; t < k; t++) {
      const av = a[i * k + t]
      if (av === 0) continue
      const ct = t * p
      for (let j = 0; j < p; j++) c[ct + j] += av * b[bi + j]
    }
  }
}

/** C (n x k) = A (n x p) · Bᵀ where B is k x p (input gradients, similarity matrices). */
export function matmulBT(a: Float32Array, b: Float32Array, n: number, p: number, k: number, c = new Float32Array(n * k)): Float32Array {
  for (let i = 0; i < n; i++) {
    const ai = i * p
    for (let t = 0; t < k; t++) {
      const bt = t * p
      let s = 0
      for (let j = 0; j < p; j++) s += a[ai + j] * b[bt + j]
      c[i * k + t] = s
    }
  }
  return c
}

/** The first m columns of an n x d matrix as a fresh n x m matrix. */
export function columns(x: Float32Array, n: number, d: number, m: number): Float32Array {
  if (m === d) return x.slice()
  const out = new Float32Array(n * m)
  for (let i = 0; i < n; i++) out.set(x.subarray(i * d, i * d + m), i * m)
  return out
}

/** Rows of an n x d matrix picked by index. */
export function gatherRows(x: Float32Array, d: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * d)
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i] * d, rows[i] * d + d), i * d)
  return out
}

/** Deterministic PRNG (mulberry32): splits and batches are reproducible from a seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}
