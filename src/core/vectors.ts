// Every photo's full embedding in memory, by id, as one byte per dim: the funnel reranks from
// here, exact search scans it, and the shortlist index is built from it. One copy, in a shared
// WebAssembly memory that the SIMD kernels (kernels/) and worker threads read in place. Rows come
// in blocks of CHUNK rows; each block also keeps the first dims/8 of its rows side by side (the
// short copy: 64 MB at 1,000,000 x 512), which prefix scans up to that width read instead.
// Measured (1M x 512, one process, interleaved, loaded machine): splitting every row into parts by
// prefix made short scans cheaper but a 200-row rerank 2-5x dearer (a row in 7 places), so rows
// stay whole.
//
// A row is scaled by its own largest magnitude to 0..255 (u8) while every value seen is >= 0 (a
// ReLU embedding), else to -127..127 (i8); cosine does not see the row's scale, which is kept to
// give the vector back. Measured on mrl-photo's 50,000 CIFAR-10 train embeddings, 500 test
// queries, exact search on all 512 dims: recall@10 against f32 0.993 for u8 (i8 per row: 0.985;
// u8 with a per-dim scale as well: 0.994, not worth a second table), 0.989 on the 64-d prefix;
// mAP@10 74.71 (i8) vs 74.71 (f32). At 1,000,000 x 512 that is 512 MB instead of 2 GB.
import { IdIndex } from './ids'
import { blockBytes, CHUNK, MAX_PAGES, newMemory, PAGE, ROWS_AT, Scorer, SHIFT, shortFor, type Layout } from './kernels'

export class VectorTable {
  readonly memory: WebAssembly.Memory
  private bytes: Uint8Array
  private ids: Int32Array
  /** per row: the factor that turns its bytes back into the embedding */
  private scales: Float32Array
  private n = 0
  private capacity: number
  private readonly slot = new IdIndex()
  private scorer: Scorer | null = null
  private layoutNow: Layout

  constructor(readonly dims: number, capacity = 1024, short = shortFor(dims)) {
    this.layoutNow = { base: ROWS_AT, dims, short, signed: false }
    this.capacity = Math.ceil(Math.max(1, capacity) / CHUNK) * CHUNK
    this.memory = newMemory(this.pagesFor(this.capacity))
    this.bytes = new Uint8Array(this.memory.buffer)
    this.ids = new Int32Array(this.capacity)
    this.scales = new Float32Array(this.capacity)
  }

  private pagesFor(capacity: number): number {
    const pages = Math.ceil((ROWS_AT + (capacity / CHUNK) * blockBytes(this.layoutNow)) / PAGE)
    if (pages > MAX_PAGES) throw new Error(`${capacity} embeddings of ${this.dims} dims exceed the 4 GiB a table can hold`)
    return pages
  }

  static from(dims: number, ids: Int32Array, vectors: Float32Array): VectorTable {
    const t = new VectorTable(dims, ids.length)
    for (let i = 0; i < ids.length; i++) t.set(ids[i], vectors.subarray(i * dims, (i + 1) * dims))
    return t
  }

  get size(): number {
    return this.n
  }

  /** rows hold i8 (a negative value was seen) rather than u8 */
  get signed(): boolean {
    return this.layoutNow.signed
  }

  /** where the rows lie in `memory` (for a worker reading the same memory) */
  get layout(): Layout {
    return this.layoutNow
  }

  has(id: number): boolean {
    return this.slot.get(id) >= 0
  }

  /** byte offset of slot `s`'s row */
  private at(s: number): number {
    return ROWS_AT + (s >>> SHIFT) * blockBytes(this.layoutNow) + CHUNK * this.layoutNow.short + (s & (CHUNK - 1)) * this.dims
  }

  /** byte offset of slot `s`'s short copy */
  private shortAt(s: number): number {
    return ROWS_AT + (s >>> SHIFT) * blockBytes(this.layoutNow) + (s & (CHUNK - 1)) * this.layoutNow.short
  }

  set(id: number, v: Float32Array): void {
    const d = this.dims
    let s = this.slot.get(id)
    if (s < 0) {
      if (this.n === this.capacity) this.grow()
      s = this.n++
      this.slot.set(id, s)
      this.ids[s] = id
    }
    let max = 0
    let negative = false
    for (let j = 0; j < d; j++) {
      const x = v[j]
      if (!Number.isFinite(x)) throw new Error(`embedding of photo ${id} has a non-finite value at dim ${j}`)
      if (x < 0) negative = true
      max = Math.max(max, Math.abs(x))
    }
    if (negative && !this.signed) this.toSigned()
    const top = this.signed ? 127 : 255
    const k = max > 0 ? top / max : 0
    const row = this.signed ? new Int8Array(this.memory.buffer, this.at(s), d) : new Uint8Array(this.memory.buffer, this.at(s), d)
    for (let j = 0; j < d; j++) row[j] = Math.round(v[j] * k)
    this.bytes.copyWithin(this.shortAt(s), this.at(s), this.at(s) + this.layoutNow.short)
    this.scales[s] = max > 0 ? max / top : 0
  }

  delete(id: number): void {
    const s = this.slot.get(id)
    if (s < 0) return
    const last = --this.n
    if (s !== last) {
      const moved = this.ids[last]
      this.ids[s] = moved
      this.scales[s] = this.scales[last]
      this.bytes.copyWithin(this.at(s), this.at(last), this.at(last) + this.dims)
      this.bytes.copyWithin(this.shortAt(s), this.shortAt(last), this.shortAt(last) + this.layoutNow.short)
      this.slot.set(moved, s)
    }
    this.slot.delete(id)
  }

  /** The row's slot (its index in scan order), or -1. */
  slotOf(id: number): number {
    return this.slot.get(id)
  }

  /** The embedding as stored (to within the byte's step), as a fresh array. */
  vector(id: number): Float32Array {
    const s = this.slot.get(id)
    if (s < 0) throw new Error(`no embedding for photo ${id}`)
    const out = new Float32Array(this.dims)
    this.rowInto(s, out, 0, this.dims)
    return out
  }

  /** Writes slot `s`'s first `dims` dims, as floats, into out[at…]. */
  rowInto(s: number, out: Float32Array, at: number, dims = this.dims): void {
    const k = this.scales[s]
    const row = this.signed ? new Int8Array(this.memory.buffer, this.at(s), dims) : new Uint8Array(this.memory.buffer, this.at(s), dims)
    for (let j = 0; j < dims; j++) out[at + j] = row[j] * k
  }

  idAt(slot: number): number {
    return this.ids[slot]
  }

  allIds(): Int32Array {
    return this.ids.slice(0, this.n)
  }

  /**
   * Scores of the query's first `dims` dims against every row, CHUNK rows at a time: `each(scores,
   * first)` gets slots first… (a view reused by the next chunk); a score times `scale` is the cosine.
   */
  scanChunks(query: Float32Array, dims: number, each: (scores: Float32Array, first: number, scale: number) => void): void {
    const k = this.kernel()
    k.setQuery(query, dims)
    for (let first = 0; first < this.n; first += CHUNK) each(k.scan(this.layoutNow, first >>> SHIFT, Math.min(CHUNK, this.n - first)), first, k.scale)
  }

  /** Cosines of the query's first `dims` dims to the rows at `slots`, into `out`. */
  scoreSlots(query: Float32Array, dims: number, slots: ArrayLike<number>, out = new Float32Array(slots.length)): Float32Array {
    const k = this.kernel()
    k.setQuery(query, dims)
    for (let first = 0; first < slots.length; first += CHUNK) {
      const count = Math.min(CHUNK, slots.length - first)
      const buf = k.slots(count)
      for (let i = 0; i < count; i++) buf[i] = slots[first + i]
      const scores = k.gather(this.layoutNow, count)
      for (let i = 0; i < count; i++) out[first + i] = scores[i] * k.scale
    }
    return out
  }

  private kernel(): Scorer {
    this.scorer ??= new Scorer(this.memory)
    return this.scorer
  }

  /** A first negative value: every row so far goes from 0..255 to 0..127 (one bit of it is lost). */
  private toSigned(): void {
    const rows = new Uint8Array(this.memory.buffer, ROWS_AT, (this.capacity / CHUNK) * blockBytes(this.layoutNow))
    for (let i = 0; i < rows.length; i++) rows[i] = Math.min(127, (rows[i] + 1) >> 1)
    for (let s = 0; s < this.n; s++) this.scales[s] *= 2
    this.layoutNow = { ...this.layoutNow, signed: true }
  }

  private grow(): void {
    const capacity = this.capacity * 2
    const pages = this.pagesFor(capacity)
    this.memory.grow(pages - this.memory.buffer.byteLength / PAGE)
    this.bytes = new Uint8Array(this.memory.buffer)
    const ids = new Int32Array(capacity)
    ids.set(this.ids)
    const scales = new Float32Array(capacity)
    scales.set(this.scales)
    this.ids = ids
    this.scales = scales
    this.capacity = capacity
  }
}
