// The peers on the same vectors: FAISS (Debian's python3-faiss, bench/faiss_peer.py) and LanceDB.
// Both hand back top-10 ids, scored here exactly like our configurations.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../fixtures/photos'
import type { Database } from './database'
import { benchLance, type PeerRun } from './lancePeer'
import { log } from './results'

export interface PeerOptions {
  work: string
  queries: Float32Array[]
  speedQueries: number
  lanceQueries: number
  efs: number[]
  lanceHnsw: boolean
}

function writeMatrix(file: string, rows: Float32Array[] | Float32Array, dims: number): void {
  if (rows instanceof Float32Array) return writeFileSync(file, rows)
  const m = new Float32Array(rows.length * dims)
  rows.forEach((r, i) => m.set(r.subarray(0, dims), i * dims))
  writeFileSync(file, m)
}

export function benchFaiss(db: Database, o: PeerOptions): { runs: PeerRun[]; peakRssMb: number; version: string } | null {
  mkdirSync(o.work, { recursive: true })
  const dbFile = join(o.work, 'db.f32')
  const qFile = join(o.work, 'queries.f32')
  writeMatrix(dbFile, db.vectors, db.dims)
  writeMatrix(qFile, o.queries, db.dims)
  log(`faiss ${db.scale}: ${o.queries.length} queries`)
  const args = [join(ROOT, 'bench', 'faiss_peer.py'), dbFile, qFile, String(db.dims), o.work, '--speed', String(o.speedQueries), '--ef', o.efs.join(',')]
  const res = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 })
  if (res.status !== 0) {
    log(`faiss peer failed (${res.status}): ${res.error?.message ?? ''}`)
    return null
  }
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as { faiss: string; peak_rss_mb: number; results: (Omit<PeerRun, 'answers'> & { ids_file: string })[] }
  const runs = out.results.map(({ ids_file, ...r }): PeerRun => {
    const b = readFileSync(ids_file)
    const ids = new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4)
    const answers = o.queries.map((_, i) => Array.from(ids.subarray(i * 10, i * 10 + 10)))
    return { ...r, qps_note: 'one search call with the whole batch, all cores', answers }
  })
  return { runs, peakRssMb: out.peak_rss_mb, version: out.faiss }
}

/** LanceDB answers the first `lanceQueries` of the queries (the caller puts a stratified sample first). */
export async function benchLancePeer(db: Database, o: PeerOptions): Promise<PeerRun[]> {
  const pick = o.queries.slice(0, Math.max(o.lanceQueries, o.speedQueries))
  return benchLance(db, { dir: join(o.work, 'lance'), queries: pick, speedQueries: o.speedQueries, nprobes: [10, 30, 100], ef: [32, 128], hnsw: o.lanceHnsw })
}
