// The search kernels (WebAssembly SIMD, scripts/build-kernels.mjs): cosine scores of byte rows
// against an i16 query on a prefix, over a run of rows (a scan) or a list of slots (a rerank).
// The rows live in one shared WebAssembly memory, so worker threads can read the same copy.
import { KERNELS_WASM } from './wasm'

export const PAGE = 65536
/** rows in a block of the table (2^SHIFT), and the most rows one kernel call scores */
export const SHIFT = 14
export const CHUNK = 1 << SHIFT
/** the widest query the scratch holds */
export const MAX_DIMS = 8192
const QUERY = 0
const ACC_D = QUERY + MAX_DIMS * 2
const ACC_N = ACC_D + CHUNK * 4
const OUT = ACC_N + CHUNK * 4
const SLOTS = OUT + CHUNK * 4
/** Bytes of scratch one scorer needs (query, sums, scores, slots). */
export const SCRATCH_BYTES = SLOTS + CHUNK * 4
/** scorers that can work on one memory at once: the table's own and up to three workers */
export const SCORERS = 4
/** where the rows start: after the scratch, on a page boundary */
export const ROWS_AT = Math.ceil((SCORERS * SCRATCH_BYTES) / PAGE) * PAGE
/** a wasm32 memory's limit (4 GiB) */
export const MAX_PAGES = 65536

export interface KernelExports {
  scan_u8(base: number, stride: number, rows: number, dims: number, q: number, accD: number, accN: number, add: number): void
  scan_i8(base: number, stride: number, rows: number, dims: number, q: number, accD: number, accN: number, add: number): void
  gather_u8(base: number, blockBytes: number, shift: number, part: number, stride: number, slots: number, count: number, dims: number, q: number, accD: number, accN: number, add: number): void
  gather_i8(base: number, blockBytes: number, shift: number, part: number, stride: number, slots: number, count: number, dims: number, q: number, accD: number, accN: number, add: number): void
  finish(accD: number, accN: number, count: number, out: number): void
}

/**
 * The width of the short copy a table of `dims` keeps beside its rows: the first dims/8 of every
 * row again, side by side, so a scan of a prefix up to that reads only it (64 bytes a row at 512
 * dims: one cache line). None under 256 dims.
 */
export function shortFor(dims: number): number {
  return dims >= 256 ? Math.floor(dims / 8) : 0
}

/**
 * Where a row is cut in two (dims/2 from 256 dims): a block keeps the first parts of its rows side by
 * side and then the second parts, so a scan of a prefix up to the cut reads only the first plane.
 * Measured at 1,000,000 x 512 (bench/results/interleaved.md, one thread): with whole rows, the
 * 256-d scan took as long as the 512-d one (60.5 against 57.3 ms: reading half of every 512-byte row
 * still streams all of it); a rerank reads a row from two places instead of one.
 */
export function splitFor(dims: number): number {
  return dims >= 256 ? Math.floor(dims / 2) : dims
}

let compiled: WebAssembly.Module | null = null

function module(): WebAssembly.Module {
  if (!compiled) {
    const bin = atob(KERNELS_WASM)
    const bytes = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
    compiled = new WebAssembly.Module(bytes)
  }
  return compiled
}

export function newMemory(pages: number): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true })
}

/** One instance over a memory (the table's, or the same memory posted to a worker). */
export function instantiate(memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(module(), { env: { memory } }).exports as unknown as KernelExports
}

/** Largest query magnitude such that an i32 lane cannot overflow: 255 x q x dims / 4 < 2^31. */
export function queryScale(dims: number): number {
  return Math.min(8191, Math.floor((4 * 2147483647) / (255 * Math.max(dims, 8))))
}

/**
 * Where a table's rows are: blocks of CHUNK rows from `base`; a block holds the short copies
 * (`short` bytes a row, side by side), then the rows' first `split` dims (the first plane), then
 * their other dims - split (the second).
 */
export interface Layout {
  base: number
  dims: number
  short: number
  split: number
  signed: boolean
}

export const blockBytes = (t: Layout) => CHUNK * (t.short + t.dims)

/**
 * Scores a query against the rows of one memory, in scratch region `region` (0 for the table's
 * own; each worker thread gets one of its own, below SCORERS). Scores are dot / |row| of the
 * integer vectors: multiply by `scale` for the cosine.
 */
export class Scorer {
  private readonly k: KernelExports
  private qDims = 0
  private inv = 0
  private readonly scratch: number

  constructor(
    private readonly memory: WebAssembly.Memory,
    region = 0
  ) {
    if (region < 0 || region >= SCORERS) throw new Error(`scratch region ${region} (0..${SCORERS - 1})`)
    this.scratch = region * SCRATCH_BYTES
    this.k = instantiate(memory)
  }

  /** 1 / the integer query's norm: a score times this is the cosine */
  get scale(): number {
    return this.inv
  }

  /** Puts the query's first `dims` dims into scratch as i16. */
  setQuery(query: Float32Array, dims: number): void {
    if (dims > MAX_DIMS) throw new Error(`a query of ${dims} dims (at most ${MAX_DIMS})`)
    let max = 0
    for (let j = 0; j < dims; j++) max = Math.max(max, Math.abs(query[j]))
    const q = new Int16Array(this.memory.buffer, this.scratch + QUERY, dims)
    const s = max > 0 ? queryScale(dims) / max : 0
    let nn = 0
    for (let j = 0; j < dims; j++) {
      const v = Math.round(query[j] * s)
      q[j] = v
      nn += v * v
    }
    this.inv = nn > 0 ? 1 / Math.sqrt(nn) : 0
    this.qDims = dims
  }

  /** Scores of the first `rows` rows of block `block` (a view valid until the next call). */
  scan(t: Layout, block: number, rows: number): Float32Array {
    const blockAt = t.base + block * blockBytes(t)
    const scan = t.signed ? this.k.scan_i8 : this.k.scan_u8
    const q = this.scratch + QUERY
    if (this.qDims <= t.short) scan(blockAt, t.short, rows, this.qDims, q, this.scratch + ACC_D, this.scratch + ACC_N, 0)
    else {
      const first = blockAt + CHUNK * t.short
      scan(first, t.split, rows, Math.min(this.qDims, t.split), q, this.scratch + ACC_D, this.scratch + ACC_N, 0)
      // the second plane's dims add to the same sums
      if (this.qDims > t.split) scan(first + CHUNK * t.split, t.dims - t.split, rows, this.qDims - t.split, q + 2 * t.split, this.scratch + ACC_D, this.scratch + ACC_N, 1)
    }
    return this.finish(rows)
  }

  /** The slot list's scratch, to fill before `gather` (at most CHUNK). */
  slots(count: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.scratch + SLOTS, count)
  }

  /** Scores of the rows whose slots were written into `slots(count)`. */
  gather(t: Layout, count: number): Float32Array {
    const gather = t.signed ? this.k.gather_i8 : this.k.gather_u8
    const q = this.scratch + QUERY
    gather(t.base, blockBytes(t), SHIFT, CHUNK * t.short, t.split, this.scratch + SLOTS, count, Math.min(this.qDims, t.split), q, this.scratch + ACC_D, this.scratch + ACC_N, 0)
    if (this.qDims > t.split) gather(t.base, blockBytes(t), SHIFT, CHUNK * (t.short + t.split), t.dims - t.split, this.scratch + SLOTS, count, this.qDims - t.split, q + 2 * t.split, this.scratch + ACC_D, this.scratch + ACC_N, 1)
    return this.finish(count)
  }

  private finish(count: number): Float32Array {
    this.k.finish(this.scratch + ACC_D, this.scratch + ACC_N, count, this.scratch + OUT)
    return new Float32Array(this.memory.buffer, this.scratch + OUT, count)
  }
}
