// The low-dim shortlist: a usearch HNSW index over the normalised Ds-prefix, persisted beside the
// table with a fingerprint of what it holds, and rebuilt when that disagrees with the table.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import usearch, { type BatchMatches, type Index, type ScalarKind } from 'usearch'
import type { VectorTable } from '../../../core/vectors'
import { centredPrefix, type ShortlistStorage, type StorageRecall } from '../../../core/adanns'
import { writeFileAtomicSync } from '../fs/atomicWrite'
import { dataLayout } from '../fs/dataLayout'

export type Quantization = 'f32' | ShortlistStorage

/**
 * From this many photos a graph over a short prefix (Ds <= COMPACT_DIMS) is sparser: at 1,000,000
 * photos and Ds=16 (f16) it stays under 100 MB instead of 180 MB. Longer prefixes keep degree 16:
 * at 1,000,000 x 64 dims (bench/database.ts's noisy copies, 200 queries, one thread) degree 5 held
 * 0.942 of the true top 10 in a K=400 shortlist (0.81 ms) and degree 16 held 0.999 (1.61 ms), 0.987
 * at K=200 (0.79 ms): the sparse graph cannot reach recall 0.99 at any K we tried (K=1600: 0.987).
 */
export const COMPACT_FROM = 250_000
export const COMPACT_DIMS = 16
export const COMPACT_CONNECTIVITY = 5
export const DEFAULT_CONNECTIVITY = 16
/** Libraries up to this size get a single-threaded, reproducible shortlist build (well under a second at Ds=16). */
export const DETERMINISTIC_UP_TO = 20_000
/** rows handed to usearch at once while an index is built (at least DETERMINISTIC_UP_TO: one chunk there) */
const BUILD_CHUNK = 65_536

export function connectivityFor(photos: number, dims: number): number {
  return photos >= COMPACT_FROM && dims <= COMPACT_DIMS ? COMPACT_CONNECTIVITY : DEFAULT_CONNECTIVITY
}

/** What an index must hold to be trusted: the ids, the prefix, the quantization, the graph's degree, the model. */
export function fingerprint(ids: Int32Array, dims: number, quantization: Quantization, model: string, connectivity = connectivityFor(ids.length, dims)): string {
  const sorted = Int32Array.from(ids).sort()
  return createHash('sha1').update(new Uint8Array(sorted.buffer)).update(`${dims}|${quantization}|${connectivity}|${model}`).digest('hex')
}

export class Shortlist {
  private index: Index
  /** search threads: an index built on one thread has one search context reserved (0: every core) */
  private threads = 0
  /** what picked this storage (adapters/usearch/storagePick.ts), kept with the index; null: not measured */
  measured: StorageRecall[] | null = null
  /** b1 only: the library's mean prefix, taken off every vector before its signs are kept (core/adanns.ts) */
  center: Float32Array | null = null

  private constructor(readonly dims: number, readonly quantization: Quantization, readonly connectivity: number) {
    this.index = Shortlist.empty(dims, quantization, connectivity)
  }

  private static empty(dims: number, quantization: Quantization, connectivity: number): Index {
    return new usearch.Index({
      dimensions: dims,
      // one bit a dim (the sign, cast by usearch from the float prefix) is compared by Hamming distance
      metric: quantization === 'b1' ? usearch.MetricKind.Hamming : usearch.MetricKind.Cos,
      quantization: quantization as ScalarKind,
      connectivity,
      expansion_add: 128,
      expansion_search: 64,
      multi: false
    })
  }

  static build(table: VectorTable, dims: number, quantization: Quantization = 'f16', connectivity = connectivityFor(table.size, dims), center: Float32Array | null = null): Shortlist {
    const s = new Shortlist(dims, quantization, connectivity)
    s.center = quantization === 'b1' ? center : null
    const ids = table.allIds()
    // a parallel build links the graph in an order that varies run to run; below DETERMINISTIC_UP_TO
    // one thread builds it the same every time (a rebuilt index answers as the saved one did)
    s.threads = ids.length <= DETERMINISTIC_UP_TO ? 1 : 0
    // added a chunk of prefixes at a time: the whole n x Ds float32 copy would add 256 MB to the
    // peak at 1,000,000 x 64 while the graph is built
    const vectors = new Float32Array(Math.min(ids.length, BUILD_CHUNK) * dims)
    const row = new Float32Array(dims)
    for (let from = 0; from < ids.length; from += BUILD_CHUNK) {
      const chunk = ids.subarray(from, Math.min(ids.length, from + BUILD_CHUNK))
      chunk.forEach((id, i) => {
        table.rowInto(table.slotOf(id), row, 0, dims)
        vectors.set(s.prefix(row), i * dims)
      })
      s.index.add(BigUint64Array.from(chunk, (i) => BigInt(i)), vectors.subarray(0, chunk.length * dims), s.threads)
    }
    return s
  }

  /** A persisted index, when its fingerprint says it holds this table's rows; else null. */
  static load(dir: string, table: VectorTable, dims: number, model: string, quantization: Quantization): Shortlist | null {
    const file = dataLayout(dir).shortlist(dims, quantization)
    const metaFile = `${file}.json`
    if (!existsSync(file) || !existsSync(metaFile)) return null
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { fingerprint: string; measured?: StorageRecall[]; center?: number[] | null }
      if (meta.fingerprint !== fingerprint(table.allIds(), dims, quantization, model)) return null
      const s = new Shortlist(dims, quantization, connectivityFor(table.size, dims))
      s.index.load(file)
      s.measured = meta.measured ?? null
      s.center = quantization === 'b1' && meta.center ? Float32Array.from(meta.center) : null
      return s.index.size() === table.size ? s : null
    } catch {
      return null // unreadable or torn: rebuilt by the caller
    }
  }

  /** Loads a persisted index when its fingerprint matches, else rebuilds and saves it. */
  static open(dir: string, table: VectorTable, dims: number, model: string, quantization: Quantization = 'f16'): { shortlist: Shortlist; rebuilt: boolean } {
    const loaded = Shortlist.load(dir, table, dims, model, quantization)
    if (loaded) return { shortlist: loaded, rebuilt: false }
    const shortlist = Shortlist.build(table, dims, quantization)
    shortlist.save(dataLayout(dir).shortlist(dims, quantization), fingerprint(table.allIds(), dims, quantization, model))
    return { shortlist, rebuilt: true }
  }

  save(file: string, print: string): void {
    // write then rename, so a crash never leaves a torn index under the real name
    rmSync(`${file}.json`, { force: true })
    this.index.save(`${file}.tmp`)
    renameSync(`${file}.tmp`, file)
    writeFileAtomicSync(`${file}.json`, JSON.stringify({ fingerprint: print, dims: this.dims, count: this.size, measured: this.measured, center: this.center && Array.from(this.center) }))
  }

  get size(): number {
    return this.index.size()
  }

  /** what the index is given for a vector, added or searched: its unit Ds-prefix (centred for b1) */
  private prefix(v: Float32Array): Float32Array {
    return centredPrefix(v, this.dims, this.center)
  }

  add(id: number, full: Float32Array): void {
    this.index.add(BigInt(id), this.prefix(full))
  }

  remove(id: number): void {
    this.index.remove(BigInt(id))
  }

  /** Many queries at once, on every core usearch finds (one for a small index built on one): for batch throughput. */
  searchMany(queries: Float32Array[], k: number): number[][] {
    if (!this.size || !queries.length) return queries.map(() => [])
    const batch = new Float32Array(queries.length * this.dims)
    queries.forEach((q, i) => batch.set(this.prefix(q), i * this.dims))
    if (queries.length === 1) return [this.search(queries[0], k)]
    // a flat matrix of several rows answers as a batch; the typings only know the one-vector case
    const m = this.index.search(batch, Math.min(k, this.size), this.threads) as unknown as BatchMatches
    return queries.map((_, i) => {
      const found = Number(m.counts[i])
      return Array.from(m.keys.subarray(i * m.k, i * m.k + found), (key) => Number(key))
    })
  }

  search(query: Float32Array, k: number): number[] {
    if (!this.size) return []
    const m = this.index.search(this.prefix(query), Math.min(k, this.size), this.threads)
    return Array.from(m.keys, (key) => Number(key))
  }
}
