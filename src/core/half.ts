// IEEE half precision (f16) by hand: Node 20 has no Float16Array. Encoding rounds to nearest even;
// decoding is one lookup in a 65,536-entry table (256 KB), which is what a rescore of a few dozen
// rows per query spends its time on.
const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** The f16 bits nearest to x (overflow gives infinity; callers scale rows into [-1, 1] first). */
export function toHalf(x: number): number {
  f32[0] = x
  const b = u32[0]
  const sign = (b >>> 16) & 0x8000
  const e = ((b >>> 23) & 0xff) - 127 + 15
  const m = b & 0x7fffff
  if (((b >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0)
  if (e >= 31) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    const full = m | 0x800000
    const shift = 14 - e
    let h = full >>> shift
    const rest = full & ((1 << shift) - 1)
    const halfway = 1 << (shift - 1)
    if (rest > halfway || (rest === halfway && h & 1)) h++
    return sign | h
  }
  let h = (e << 10) | (m >>> 13)
  const rest = m & 0x1fff
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++ // a carry into the exponent is still right
  return sign | h
}

let table: Float32Array | null = null

/** Every f16 bit pattern's value. */
export function halfTable(): Float32Array {
  if (table) return table
  table = new Float32Array(65536)
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1
    const e = (h >>> 10) & 0x1f
    const m = h & 0x3ff
    table[h] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15)
  }
  return table
}

/** Writes v scaled by 1 / its largest magnitude (cosine does not see the scale) as f16 into out[at…]. */
export function encodeRow(v: Float32Array, out: Uint16Array, at = 0): void {
  let max = 0
  for (let j = 0; j < v.length; j++) max = Math.max(max, Math.abs(v[j]))
  const k = max > 0 ? 1 / max : 0
  for (let j = 0; j < v.length; j++) out[at + j] = toHalf(v[j] * k)
}

/** Cosine of the query's first `dims` dims (norm `qNorm`) to an f16 row's. */
export function halfCosine(query: Float32Array, qNorm: number, row: Uint16Array, dims: number): number {
  const t = halfTable()
  let dot = 0
  let nn = 0
  for (let j = 0; j < dims; j++) {
    const x = t[row[j]]
    dot += query[j] * x
    nn += x * x
  }
  return nn > 0 && qNorm > 0 ? dot / (Math.sqrt(nn) * qNorm) : 0
}

export function norm(query: Float32Array, dims: number): number {
  let s = 0
  for (let j = 0; j < dims; j++) s += query[j] * query[j]
  return Math.sqrt(s)
}
