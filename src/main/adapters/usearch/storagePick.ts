// Which storage a shortlist index gets (core/adanns.ts): the smallest whose shortlists keep the true
// top 10 as float32's do, measured on this library's own rows (up to MEASURED_UP_TO photos; a larger
// library keeps f16) when the index is first built, and kept beside it. One bit a dim makes a 64-dim
// index 8 bytes a photo instead of 128; int8, 64.
import { rmSync } from 'node:fs'
import { meanPrefix, measureStorages, pickStorage, STORAGES, type StorageRecall } from '../../../core/adanns'
import { FUNNEL_KS, prefix } from '../../../core/mrl'
import type { VectorTable } from '../../../core/vectors'
import { rng } from '../../../training/linalg'
import { dataLayout } from '../fs/dataLayout'
import { fingerprint, Shortlist } from './shortlist'

/**
 * Libraries up to this size are measured, on every row. A larger one keeps f16: a sample cannot
 * show what quantisation loses at the library's own density (at 1,000,000 photos a 20,000-row sample
 * judged int8 equal to float32, and int8 gave 0.9910 at K=300 where f16 gave 0.9975).
 */
export const MEASURED_UP_TO = 50_000
export const SAMPLE_QUERIES = 100

export interface StorageMeasure {
  /** the shortlist sizes judged: the dial's, below the library's size */
  ks: number[]
  measured: StorageRecall[]
  /** the rows' mean prefix, which a b1 index centres on */
  center: Float32Array
}

/** Each storage's shortlist recall at the dial's shortlist sizes, on every row of the table, SAMPLE_QUERIES of them as queries. */
export function measureTable(table: VectorTable, ds: number, seed = 7): StorageMeasure {
  const ids = table.allIds()
  const n = ids.length
  if (n > MEASURED_UP_TO) throw new Error(`a library of ${n} photos is not measured (at most ${MEASURED_UP_TO}): it keeps f16`)
  const d = table.dims
  const full = new Float32Array(n * d)
  const row = new Float32Array(d)
  ids.forEach((id, i) => {
    table.rowInto(table.slotOf(id), row, 0, d)
    full.set(prefix(row, d), i * d)
  })
  // the queries: the first positions of a seeded Fisher-Yates shuffle of the rows
  const random = rng(seed)
  const order = Array.from({ length: n }, (_, i) => i)
  const queries = Array.from({ length: Math.min(SAMPLE_QUERIES, n - 1) }, (_, i) => {
    const j = i + Math.floor(random() * (n - i))
    ;[order[i], order[j]] = [order[j], order[i]]
    return order[i]
  })
  const ks = FUNNEL_KS.filter((k) => k < n)
  const measured = measureStorages({ full, fullDims: d, ds, queries, ks })
  return { ks, measured, center: meanPrefix(full, d, ds) }
}

/**
 * The shortlist over a prefix: the saved index when it still holds the table's rows and its storage
 * was measured (f16 above MEASURED_UP_TO); else the storage is measured, the smallest that holds is
 * built (or a saved one of that storage reused), and the other storages' files for this prefix are
 * removed.
 */
export function openShortlist(dir: string, table: VectorTable, dims: number, model: string): { shortlist: Shortlist; rebuilt: boolean } {
  const measurable = table.size > 10 && table.size <= MEASURED_UP_TO
  // saved indexes that hold the rows but were never measured (an older build's): reused if picked
  const unmeasured = new Map<string, Shortlist>()
  for (const kind of measurable ? STORAGES : (['f16'] as const)) {
    const saved = Shortlist.load(dir, table, dims, model, kind)
    if (saved && (saved.measured || !measurable)) return { shortlist: saved, rebuilt: false }
    if (saved) unmeasured.set(kind, saved)
  }
  const { measured, center } = measurable ? measureTable(table, dims) : { measured: null, center: null }
  const kind = measured ? pickStorage(measured) : 'f16'
  const shortlist = unmeasured.get(kind) ?? Shortlist.build(table, dims, kind, undefined, center)
  shortlist.measured = measured
  shortlist.save(dataLayout(dir).shortlist(dims, kind), fingerprint(table.allIds(), dims, kind, model, shortlist.connectivity))
  for (const other of STORAGES.filter((k) => k !== kind)) {
    const file = dataLayout(dir).shortlist(dims, other)
    for (const f of [file, `${file}.json`]) rmSync(f, { force: true })
  }
  return { shortlist, rebuilt: true }
}
