// What search ranks, as one object: the model, its photo table, the rows in memory, the vectors
// (the stored embeddings, or their adapted versions under an adaptor), the shortlist indexes and
// the dial measured on them. A model switch or an adaptor change builds a new one and swaps it in
// whole (SpaceSlot), so a search sees the old space or the new, never a mix.
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import type { DialPoint } from '../../shared/api'
import { calibrate, dialPoints } from '../../core/dial'
import type { FunnelDeps } from '../../core/funnel'
import { VectorTable } from '../../core/vectors'
import { shortFor } from '../../core/kernels'
import { adapt } from '../../training/adaptor'
import type { Head } from '../../training/heads'
import type { Adaptor } from '../../training/adaptor'
import type { Model } from '../adapters/models/modelCard'
import { modelId } from '../adapters/models/registry'
import type { Library, PhotoMeta } from '../ports/photos'
import { type Shortlist, fingerprint } from '../adapters/usearch/shortlist'
import { openShortlist } from '../adapters/usearch/storagePick'
import { PhotoTable } from './photoTable'
import { nearestOfEach } from '../adapters/workers/rerankPool'
import type { Funnel } from '../../core/mrl'
import type { Hit } from '../../core/funnel'
import { writeFileAtomicSync } from '../adapters/fs/atomicWrite'
import { dataLayout } from '../adapters/fs/dataLayout'
import { HalfRows } from '../adapters/vectors/halfRows'

/** The f16 copy of a search table's rows that its last candidates are rescored from. */
export function fineCopy(dataDir: string, dims: number): HalfRows {
  return HalfRows.create(dataLayout(dataDir).vectors, dims)
}

/** What search uses instead of the raw embeddings. */
export interface ActiveAdaptor {
  version: number
  adaptor: Adaptor
  heads: Head[]
  classes: string[]
  threshold: number | null
}

export class SearchSpace {
  private readonly shortlists = new Map<number, Shortlist>()
  /** the table's rows in memory, by id (shared by the spaces built over the same table) */
  readonly meta: PhotoTable
  /** counts the changes of the rows, so what is derived from them (sorted orders) knows when to renew */
  revision = 0
  dial: DialPoint[]

  constructor(
    readonly dataDir: string,
    readonly model: Model,
    /** the model's photo table */
    readonly store: Library,
    readonly vectors: VectorTable,
    meta: PhotoTable | Map<number, PhotoMeta>,
    /** the adaptor whose space this is (null: the model's own embeddings) */
    readonly active: ActiveAdaptor | null
  ) {
    this.meta = meta instanceof PhotoTable ? meta : PhotoTable.from(meta.values())
    this.dial = dialPoints(this.nesting)
    this.loadDial()
  }

  /**
   * The space of the model's own embeddings, read from the store a batch at a time straight into
   * the byte table and the columnar rows: no float copy of the library and no object per photo.
   */
  static async open(dataDir: string, model: Model, store: Library): Promise<SearchSpace> {
    const d = model.card.embedding_dim
    const vectors = new VectorTable(d, 1024, shortFor(d), fineCopy(dataDir, d))
    const meta = new PhotoTable()
    await store.eachBatch((rows, embeddings) => {
      rows.forEach((r, i) => {
        meta.set(r.id, r)
        vectors.set(r.id, embeddings.subarray(i * d, (i + 1) * d))
      })
    })
    return new SearchSpace(dataDir, model, store, vectors, meta, null)
  }

  get modelId(): string {
    return modelId(this.model.card)
  }

  /** What shortlists and the dial are measured on: the model, and the adaptor if one is in use. */
  get spaceId(): string {
    return this.active ? `${this.modelId}+adaptor-${this.active.version}` : this.modelId
  }

  /** The prefixes search can use: the model's, or those of the adaptor in use. */
  get nesting(): number[] {
    return this.active?.adaptor.nesting ?? this.model.card.nesting
  }

  /** A raw embedding carried into this space. */
  toSpace(raw: Float32Array): Float32Array {
    return this.active ? adapt(this.active.adaptor, raw, 1) : raw
  }

  funnel(): FunnelDeps {
    return { table: this.vectors, shortlist: (d) => this.shortlist(d) }
  }

  /** The `k` nearest photos of each of `ids` by the funnel `config` (a self-join on every core: a duplicates finder). */
  nearestOfEach(ids: number[], config: Funnel, k: number): Promise<Hit[][]> {
    return nearestOfEach(this.vectors, this.shortlist(config.ds), ids, config, k)
  }

  applyRows(rows: PhotoMeta[], embeddings: Float32Array[]): void {
    rows.forEach((row, i) => {
      this.meta.set(row.id, row)
      const v = this.toSpace(embeddings[i])
      this.vectors.set(row.id, v)
      for (const s of this.shortlists.values()) {
        s.remove(row.id)
        s.add(row.id, v)
      }
    })
    this.revision++
  }

  removeRows(ids: number[]): void {
    for (const id of ids) {
      this.meta.delete(id)
      this.vectors.delete(id)
      for (const s of this.shortlists.values()) s.remove(id)
    }
    this.revision++
  }

  /** The shortlist index for a prefix, loaded from disk or rebuilt (at the smallest storage that holds) when it disagrees with the table. */
  shortlist(dims: number): Shortlist {
    let s = this.shortlists.get(dims)
    if (!s) {
      s = openShortlist(this.dataDir, this.vectors, dims, this.spaceId).shortlist
      this.shortlists.set(dims, s)
    }
    return s
  }

  /** Lets go of the f16 copy of the rows (a scratch file in the data folder, held open until then). */
  close(): void {
    if (this.vectors.fine instanceof HalfRows) this.vectors.fine.close()
  }

  get hasShortlists(): boolean {
    return this.shortlists.size > 0
  }

  persistShortlists(): void {
    for (const [dims, s] of this.shortlists) {
      s.save(dataLayout(this.dataDir).shortlist(dims, s.quantization), fingerprint(this.vectors.allIds(), dims, s.quantization, this.spaceId, s.connectivity))
    }
  }

  private dialFile(): string {
    return dataLayout(this.dataDir).dial
  }

  private loadDial(): void {
    try {
      const saved = JSON.parse(readFileSync(this.dialFile(), 'utf8')) as { photos: number; model: string; points: DialPoint[] }
      // any number of positions: the measured frontier decides how many (a dial of 2 is a stale format)
      if (saved.model === this.spaceId && saved.points.length >= 3) this.dial = saved.points
    } catch {
      // not measured yet
    }
  }

  get dialMeasured(): boolean {
    return this.dial.some((p) => p.recall !== null)
  }

  /** Measures the dial on a sample of this library and keeps it (dial.json). */
  async calibrateDial(): Promise<void> {
    const ids = this.vectors.allIds()
    if (ids.length < 20) return
    const step = Math.max(1, Math.floor(ids.length / 100))
    const sample = Array.from({ length: Math.min(100, ids.length) }, (_, i) => ids[(i * step) % ids.length])
    this.dial = await calibrate(this.funnel(), this.nesting, sample)
    writeFileAtomicSync(this.dialFile(), JSON.stringify({ photos: ids.length, model: this.spaceId, points: this.dial }))
  }
}
