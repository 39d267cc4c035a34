// Every photo's full embedding in memory, by id: the funnel reranks from here, and the shortlist
// index is rebuilt from here.
export class VectorTable {
  private ids: Int32Array
  private data: Float32Array
  private n = 0
  private readonly slot = new Map<number, number>()

  constructor(readonly dims: number, capacity = 1024) {
    this.ids = new Int32Array(capacity)
    this.data = new Float32Array(capacity * dims)
  }

  static from(dims: number, ids: Int32Array, vectors: Float32Array): VectorTable {
    const t = new VectorTable(dims, Math.max(1024, ids.length))
    for (let i = 0; i < ids.length; i++) t.set(ids[i], vectors.subarray(i * dims, (i + 1) * dims))
    return t
  }

  get size(): number {
    return this.n
  }

  has(id: number): boolean {
    return this.slot.has(id)
  }

  set(id: number, v: Float32Array): void {
    let s = this.slot.get(id)
    if (s === undefined) {
      if (this.n === this.ids.length) this.grow()
      s = this.n++
      this.slot.set(id, s)
      this.ids[s] = id
    }
    this.data.set(v.subarray(0, this.dims), s * this.dims)
  }

  delete(id: number): void {
    const s = this.slot.get(id)
    if (s === undefined) return
    const last = --this.n
    if (s !== last) {
      const moved = this.ids[last]
      this.ids[s] = moved
      this.data.copyWithin(s * this.dims, last * this.dims, (last + 1) * this.dims)
      this.slot.set(moved, s)
    }
    this.slot.delete(id)
  }

  /** The stored vector's offset into `matrix`, for zero-copy reads. */
  offset(id: number): number {
    const s = this.slot.get(id)
    if (s === undefined) throw new Error(`no embedding for photo ${id}`)
    return s * this.dims
  }

  get matrix(): Float32Array {
    return this.data
  }

  vector(id: number): Float32Array {
    const o = this.offset(id)
    return this.data.slice(o, o + this.dims)
  }

  idAt(slot: number): number {
    return this.ids[slot]
  }

  allIds(): Int32Array {
    return this.ids.slice(0, this.n)
  }

  private grow(): void {
    const ids = new Int32Array(this.ids.length * 2)
    ids.set(this.ids)
    const data = new Float32Array(this.data.length * 2)
    data.set(this.data)
    this.ids = ids
    this.data = data
  }
}
