// The one place the search space lives: swapped whole, its generation bumped, so a search that
// spanned a swap runs again in the new space. Rows indexed while a new space is being built are
// carried over into it.
import type { PhotoMeta } from '../ports/photos'
import type { SearchSpace } from './searchSpace'

export class SpaceSlot {
  private space: SearchSpace
  private gen = 0
  /** rows indexed while a replacement is built: id -> raw embedding (null: removed) */
  private arriving: Map<number, Float32Array | null> | null = null

  constructor(first: SearchSpace) {
    this.space = first
  }

  get current(): SearchSpace {
    return this.space
  }

  get generation(): number {
    return this.gen
  }

  applyRows(rows: PhotoMeta[], embeddings: Float32Array[]): void {
    rows.forEach((r, i) => this.arriving?.set(r.id, embeddings[i]))
    this.space.applyRows(rows, embeddings)
  }

  removeRows(ids: number[]): void {
    for (const id of ids) this.arriving?.set(id, null)
    this.space.removeRows(ids)
  }

  /**
   * Builds the next space (`build` may take seconds: re-adapting every stored embedding) and swaps it
   * in; what was indexed meanwhile is replayed into it first.
   */
  async rebuild(build: () => Promise<SearchSpace>): Promise<SearchSpace> {
    this.arriving = new Map()
    try {
      const next = await build()
      for (const [id, raw] of this.arriving) {
        if (raw) next.vectors.set(id, next.toSpace(raw))
        else next.vectors.delete(id)
      }
      this.swap(next)
      return next
    } finally {
      this.arriving = null
    }
  }

  swap(next: SearchSpace): void {
    this.space = next
    this.gen++
  }
}
