// LanceDB's own vector search on the full-dim column, on the same vectors: brute force, then an
// IVF_PQ index at a few nprobes (with refine), then HNSW_SQ at a few ef. Answers are scored by the
// caller like every other system's.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import * as lancedb from '@lancedb/lancedb'
import type { Database } from './database'
import { percentile, TOP } from './quality'
import { log } from './results'

// LanceDB's dist is CommonJS: build the Arrow data with its copy of apache-arrow (an ESM import is
// a second copy whose classes LanceDB does not recognise, and whose tables it re-reads as empty)
const arrow = createRequire(import.meta.url)('apache-arrow') as typeof import('apache-arrow')

export interface PeerRun {
  name: string
  family: string
  source: string
  build_s: number
  index_bytes: number | null
  p50_ms: number
  p99_ms: number
  qps: number
  qps_note: string
  speed_queries: number
  /** top-10 rows for each of the queries handed in */
  answers: number[][]
  /** the peer's search knob, where it has one */
  nprobes?: number
  ef?: number
}

function arrowChunk(db: Database, start: number, count: number): import('apache-arrow').Table {
  const { Field, FixedSizeList, Float32, Int32, RecordBatch, Table, makeData } = arrow
  const d = db.dims
  const listType = new FixedSizeList(d, new Field('item', new Float32(), true))
  const child = makeData({ type: new Float32(), length: count * d, nullCount: 0, data: db.vectors.slice(start * d, (start + count) * d) })
  const vector = makeData({ type: listType, length: count, nullCount: 0, child })
  const id = makeData({ type: new Int32(), length: count, nullCount: 0, data: Int32Array.from({ length: count }, (_, i) => start + i) })
  return new Table([new RecordBatch({ id, vector })])
}

type Tune = (q: lancedb.VectorQuery) => lancedb.VectorQuery

async function answer(table: lancedb.Table, q: Float32Array, tune: Tune): Promise<number[]> {
  const rows = await tune(table.vectorSearch(Array.from(q)).distanceType('cosine').select(['id', '_distance']).limit(TOP)).toArray()
  return rows.map((r: { id: number }) => r.id)
}

async function measure(table: lancedb.Table, queries: Float32Array[], speedCount: number, tune: Tune): Promise<Omit<PeerRun, 'name' | 'family' | 'source' | 'build_s' | 'index_bytes'>> {
  const ms: number[] = []
  const answers: number[][] = []
  for (const q of queries.slice(0, speedCount)) {
    const t0 = performance.now()
    answers.push(await answer(table, q, tune))
    ms.push(performance.now() - t0)
  }
  // the batch: the rest of the queries, a few in flight at once so LanceDB can use every core
  const t0 = performance.now()
  const rest = queries.slice(speedCount)
  const inFlight = 4
  for (let i = 0; i < rest.length; i += inFlight) answers.push(...(await Promise.all(rest.slice(i, i + inFlight).map((q) => answer(table, q, tune)))))
  const batchMs = rest.length ? performance.now() - t0 : ms.reduce((a, b) => a + b, 0)
  const batchN = rest.length || ms.length
  return { p50_ms: percentile(ms, 50), p99_ms: percentile(ms, 99), qps: (1000 * batchN) / batchMs, qps_note: rest.length ? `${inFlight} queries in flight` : 'queries in sequence', speed_queries: ms.length, answers }
}

export interface LanceOptions {
  dir: string
  queries: Float32Array[]
  speedQueries: number
  nprobes: number[]
  ef: number[]
  hnsw: boolean
}

export async function benchLance(db: Database, o: LanceOptions): Promise<PeerRun[]> {
  rmSync(o.dir, { recursive: true, force: true })
  const conn = await lancedb.connect(o.dir)
  const chunk = 50_000
  const t0 = performance.now()
  const table = await conn.createTable('vectors', arrowChunk(db, 0, Math.min(chunk, db.n)))
  for (let s = chunk; s < db.n; s += chunk) {
    await table.add(arrowChunk(db, s, Math.min(chunk, db.n - s)))
    if ((s / chunk) % 4 === 0) log(`  lancedb: ${s}/${db.n} rows written`)
  }
  log(`lancedb ${db.scale}: table written in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  const out: PeerRun[] = []
  const exact = await measure(table, o.queries, o.speedQueries, (q) => q.bypassVectorIndex())
  out.push({ name: 'LanceDB brute force', family: 'lancedb-flat', source: 'flat', build_s: 0, index_bytes: 0, ...exact })
  log(`lancedb ${db.scale} brute force: p50 ${exact.p50_ms.toFixed(2)} ms`)

  // IVF_PQ, cosine, 16 dims per PQ sub-vector (LanceDB's default); partitions sqrt(n) as LanceDB
  // defaults to, capped at 256 so that k-means on 2 cores takes minutes, not an hour, at 1M
  const partitions = Math.min(256, Math.max(16, Math.round(Math.sqrt(db.n))))
  let b0 = performance.now()
  await table.createIndex('vector', { config: lancedb.Index.ivfPq({ distanceType: 'cosine', numPartitions: partitions, numSubVectors: db.dims / 16 }), replace: true })
  let build = (performance.now() - b0) / 1000
  let bytes = indexBytes(o.dir)
  log(`lancedb ${db.scale} IVF_PQ(${partitions}) built in ${build.toFixed(1)} s`)
  for (const nprobes of o.nprobes) {
    const r = await measure(table, o.queries, o.speedQueries, (q) => q.nprobes(nprobes).refineFactor(10))
    out.push({ name: `LanceDB IVF_PQ nprobes=${nprobes} refine=10`, family: 'lancedb-ivfpq', source: 'IVF_PQ', nprobes, build_s: build, index_bytes: bytes, ...r })
    log(`lancedb ${db.scale} IVF_PQ nprobes=${nprobes}: p50 ${r.p50_ms.toFixed(2)} ms`)
  }
  if (o.hnsw) {
    b0 = performance.now()
    await table.createIndex('vector', { config: lancedb.Index.hnswSq({ distanceType: 'cosine' }), replace: true })
    build = (performance.now() - b0) / 1000
    bytes = indexBytes(o.dir)
    log(`lancedb ${db.scale} HNSW_SQ built in ${build.toFixed(1)} s`)
    for (const ef of o.ef) {
      const r = await measure(table, o.queries, o.speedQueries, (q) => q.ef(ef))
      out.push({ name: `LanceDB HNSW_SQ ef=${ef}`, family: 'lancedb-hnswsq', source: 'HNSW_SQ', ef, build_s: build, index_bytes: bytes, ...r })
      log(`lancedb ${db.scale} HNSW_SQ ef=${ef}: p50 ${r.p50_ms.toFixed(2)} ms`)
    }
  }
  table.close()
  conn.close()
  rmSync(o.dir, { recursive: true, force: true })
  return out
}

/** The index's bytes on disk (the newest index directory under the table's _indices). */
function indexBytes(dir: string): number | null {
  const root = join(dir, 'vectors.lance', '_indices')
  if (!existsSync(root)) return null
  const newest = readdirSync(root)
    .map((name) => join(root, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
  if (!newest) return null
  return readdirSync(newest, { recursive: true, encoding: 'utf8' }).reduce((sum, f) => {
    const st = statSync(join(newest, f))
    return sum + (st.isFile() ? st.size : 0)
  }, 0)
}
