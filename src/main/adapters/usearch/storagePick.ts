// Which storage a shortlist index gets (core/adanns.ts): the smallest whose shortlists keep the true
// top 10 as float32's do, measured on this library's own rows (up to MEASURED_UP_TO photos; a larger
// library keeps f16) when the index is first built, and kept beside it. One bit a dim makes a 64-dim
// index 8 bytes a photo instead of 128; int8, 64.
import { rmSync } from 'node:fs'
import { meanPrefix, measureStorages, pickStorage, sampleK, STORAGES, type StorageRecall } from '../../../core/adanns'
import { FUNNEL_KS } from '../../../core/mrl'
import type { VectorTable } from '../../../core/vectors'
import { rng } from '../../../training/linalg'
import { dataLayout } from '../fs/dataLayout'
import { fingerprint, Shortlist } from './shortlist'

/**
 * Rows measured on: every row of a library up to this size. A larger library keeps f16: a sample
 * cannot show what quantisation loses at the library's own density (at 1,000,000 photos a 20,000-row
 * sample judged int8 equal to float32, and int8 gave 0.9910 at K=300 where f16 gave 0.9975).
 */
export const MEASURED_UP_TO = 50_000
export const SAMPLE_QUERIES = 100

export interface StorageMeasure {
  /** the shortlist sizes judged, on the library (the sample judges each scaled: core/adanns.ts sampleK) */
  ks: number[]
  measured: StorageRecall[]
  /** the sample's mean prefix, which a b1 index centres on */
  center: Float32Array
}

/** Each storage's shortlist recall at the dial's shortlist sizes, on a sample of the table's rows. */
export function measureTable(table: VectorTable, ds: number, seed = 7): StorageMeasure {
  const ids = table.allIds()
  const n = ids.length
  const rows = Math.min(n, MEASURED_UP_TO)
  const random = rng(seed)
  // a partial Fisher-Yates shuffle of the slots: the first `rows` are the sample
  const picked = Int32Array.from(ids)
  for (let i = 0; i < rows; i++) {
    const j = i + Math.floor(random() * (n - i))
    ;[picked[i], picked[j]] = [picked[j], picked[i]]
  }
  const full = new Float32Array(rows * table.dims)
  for (let i = 0; i < rows; i++) {
    const row = full.subarray(i * table.dims, (i + 1) * table.dims)
    table.rowInto(table.slotOf(picked[i]), row, 0, table.dims)
    let norm = 0
    for (const x of row) norm += x * x
    norm = Math.sqrt(norm) || 1
    for (let j = 0; j < row.length; j++) row[j] /= norm
  }
  const ks = FUNNEL_KS.filter((k) => k < n)
  const queries = Array.from({ length: Math.min(SAMPLE_QUERIES, rows - 1) }, (_, i) => i)
  const measured = measureStorages({ full, fullDims: table.dims, ds, queries, ks: ks.map((k) => sampleK(k, n, rows)) })
  return { ks, measured, center: meanPrefix(full, table.dims, ds) }
}

/**
 * The shortlist over a prefix: the saved index when it still holds the table's rows and its storage
 * was measured (f16 above MEASURED_UP_TO); else the storage is measured, the smallest that holds is
 * built (or a saved one of that storage reused), and the other storages' files for this prefix are
 * removed.
 */
export function openShortlist(dir: string, table: VectorTable, dims: number, model: string): { shortlist: Shortlist; rebuilt: boolean } {
  const measurable = table.size > 10 && table.size <= MEASURED_UP_TO
  for (const kind of measurable ? STORAGES : (['f16'] as const)) {
    const saved = Shortlist.load(dir, table, dims, model, kind)
    if (saved && (saved.measured || !measurable)) return { shortlist: saved, rebuilt: false }
  }
  const { measured, center } = measurable ? measureTable(table, dims) : { measured: null, center: null }
  const kind = measured ? pickStorage(measured) : 'f16'
  const shortlist = Shortlist.load(dir, table, dims, model, kind) ?? Shortlist.build(table, dims, kind, undefined, center)
  shortlist.measured = measured
  shortlist.save(dataLayout(dir).shortlist(dims, kind), fingerprint(table.allIds(), dims, kind, model, shortlist.connectivity))
  for (const other of STORAGES) if (other !== kind) for (const f of [dataLayout(dir).shortlist(dims, other), `${dataLayout(dir).shortlist(dims, other)}.json`]) rmSync(f, { force: true })
  return { shortlist, rebuilt: true }
}
