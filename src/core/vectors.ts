// Every photo's full embedding in memory, by id, as one byte per dim: the funnel reranks from
// here, exact search scans it, and the shortlist index is built from it. One copy, in a shared
// WebAssembly memory that the SIMD kernels (kernels/) and worker threads read in place. Rows come
// in blocks of CHUNK rows; each block also keeps the first dims/8 of its rows side by side (the
// short copy: 64 MB at 1,000,000 x 512), which prefix scans up to that width read instead, and
// keeps each row in two parts cut at dims/2 (kernels splitFor), so a scan up to the cut reads half.
// Measured (1M x 512, one process, interleaved, loaded machine): splitting every row into parts by
// prefix made short scans cheaper but a 200-row rerank 2-5x dearer (a row in 7 places), so a row
// is in two places at most.
//
// A row is scaled by its own largest magnitude to 0..255 (u8) while every value seen is >= 0 (a
// ReLU embedding), else to -127..127 (i8); cosine does not see the row's scale, which is kept to
// give the vector back. Measured on mrl-photo's 50,000 CIFAR-10 train embeddings, 500 test
// queries, exact search on all 512 dims: recall@10 against f32 0.993 for u8 (i8 per row: 0.985;
// u8 with a per-dim scale as well: 0.994, not worth a second table), 0.989 on the 64-d prefix;
// mAP@10 74.71 (i8) vs 74.71 (f32). At 1,000,000 x 512 that is 512 MB instead of 2 GB.
//
// Beside the bytes a table can keep a finer copy of its rows (FineRows: f16 in a file, read with
// pread): at 1,000,000 noisy copies the bytes alone cap exact recall@10 at 0.953, and rescoring the
// top 20 of their ranking from the finer copy gives back 0.999 (64→K400, bench/results).
import { IdIndex } from './ids'
import { blockBytes, CHUNK, MAX_PAGES, newMemory, PAGE, ROWS_AT, Scorer, SHIFT, shortFor, splitFor, type Layout } from './kernels'

/** A finer copy of the rows by slot, kept in step with the table (adapters/vectors/halfRows.ts). */
export interface FineRows {
  write(slot: number, v: Float32Array): void
  /** slot `from`'s row now lives at `to` (a delete moved the last row into the gap) */
  move(from: number, to: number): void
  /** cosines of the query's first `dims` dims to the rows at `slots` */
  cosines(query: Float32Array, dims: number, slots: ArrayLike<number>, out?: Float32Array): Float32Array
  /** what is buffered reaches the copy (before another thread reads it) */
  flush(): void
  /** false once a write failed (a full disk): the bytes rank alone from then on */
  readonly ok: boolean
}

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

  constructor(
    readonly dims: number,
    capacity = 1024,
    short = shortFor(dims),
    /** the finer copy the last candidates are rescored from (null: the bytes decide) */
    readonly fine: FineRows | null = null
  ) {
    this.layoutNow = { base: ROWS_AT, dims, short, split: splitFor(dims), signed: false }
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

  static from(dims: number, ids: Int32Array, vectors: Float32Array, fine: FineRows | null = null): VectorTable {
    const t = new VectorTable(dims, ids.length, shortFor(dims), fine)
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

  /** byte offset of the first part of slot `s`'s row (its first `split` dims) */
  private at(s: number): number {
    const t = this.layoutNow
    return ROWS_AT + (s >>> SHIFT) * blockBytes(t) + CHUNK * t.short + (s & (CHUNK - 1)) * t.split
  }

  /** byte offset of the second part (dims split…) */
  private atSecond(s: number): number {
    const t = this.layoutNow
    return ROWS_AT + (s >>> SHIFT) * blockBytes(t) + CHUNK * (t.short + t.split) + (s & (CHUNK - 1)) * (t.dims - t.split)
  }

  /** slot `s`'s row as a view of each part */
  private parts(s: number): [Uint8Array | Int8Array, Uint8Array | Int8Array] {
    const { split, dims, signed } = this.layoutNow
    const View = signed ? Int8Array : Uint8Array
    return [new View(this.memory.buffer, this.at(s), split), new View(this.memory.buffer, this.atSecond(s), dims - split)]
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
    const [first, second] = this.parts(s)
    const split = first.length
    for (let j = 0; j < split; j++) first[j] = Math.round(v[j] * k)
    for (let j = split; j < d; j++) second[j - split] = Math.round(v[j] * k)
    this.bytes.copyWithin(this.shortAt(s), this.at(s), this.at(s) + this.layoutNow.short)
    this.scales[s] = max > 0 ? max / top : 0
    this.fine?.write(s, v)
  }

  delete(id: number): void {
    const s = this.slot.get(id)
    if (s < 0) return
    const last = --this.n
    if (s !== last) {
      const moved = this.ids[last]
      this.ids[s] = moved
      this.scales[s] = this.scales[last]
      this.bytes.copyWithin(this.at(s), this.at(last), this.at(last) + this.layoutNow.split)
      this.bytes.copyWithin(this.atSecond(s), this.atSecond(last), this.atSecond(last) + this.dims - this.layoutNow.split)
      this.bytes.copyWithin(this.shortAt(s), this.shortAt(last), this.shortAt(last) + this.layoutNow.short)
      this.fine?.move(last, s)
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
    const [first, second] = this.parts(s)
    const split = first.length
    for (let j = 0; j < Math.min(dims, split); j++) out[at + j] = first[j] * k
    for (let j = split; j < dims; j++) out[at + j] = second[j - split] * k
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

  /** the last candidates are rescored from a finer copy (one is kept, and every write to it held) */
  get rescores(): boolean {
    return this.fine !== null && this.fine.ok
  }

  /** Cosines from the finer copy where it can be used, else from the bytes. */
  fineSlots(query: Float32Array, dims: number, slots: ArrayLike<number>, out = new Float32Array(slots.length)): Float32Array {
    if (this.rescores) {
      this.fine!.flush() // a write that fails here gives the copy up too
      if (this.fine!.ok) return this.fine!.cosines(query, dims, slots, out)
    }
    return this.scoreSlots(query, dims, slots, out)
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
