// Photo id -> row index, without a JS object per photo: ids are handed out one after another
// (indexing takes the largest + 1), so a dense Int32Array indexed by id is both small (4 bytes a
// photo) and fast. An id far beyond the others (negative, or over 4x the rows + 1M) goes to a Map.
const FAR = 1 << 20

export class IdIndex {
  private dense = new Int32Array(0)
  private far: Map<number, number> | null = null
  private count = 0

  get size(): number {
    return this.count
  }

  /** the row of `id`, or -1 */
  get(id: number): number {
    if (id >= 0 && id < this.dense.length) return this.dense[id]
    return this.far?.get(id) ?? -1
  }

  set(id: number, row: number): void {
    if (!Number.isInteger(id)) throw new Error(`photo id ${id} is not an integer`)
    if (id >= 0 && id >= this.dense.length && id < 4 * this.count + FAR) this.growTo(id)
    if (id >= 0 && id < this.dense.length) {
      if (this.dense[id] < 0) this.count++
      this.dense[id] = row
      return
    }
    this.far ??= new Map()
    if (!this.far.has(id)) this.count++
    this.far.set(id, row)
  }

  delete(id: number): boolean {
    if (id >= 0 && id < this.dense.length) {
      if (this.dense[id] < 0) return false
      this.dense[id] = -1
      this.count--
      return true
    }
    if (this.far?.delete(id)) {
      this.count--
      return true
    }
    return false
  }

  private growTo(id: number): void {
    const next = new Int32Array(Math.max(1024, id + 1, this.dense.length * 2)).fill(-1)
    next.set(this.dense)
    this.dense = next
    // ids kept aside while they were far may now fit
    if (this.far) {
      for (const [fid, row] of this.far) {
        if (fid >= 0 && fid < next.length) {
          next[fid] = row
          this.far.delete(fid)
        }
      }
    }
  }
}
