// The adaptive-deployment benchmark: our exact search and funnels, FAISS and LanceDB on the same
// vectors, and the classification cascade; one entry per configuration and scale.
import { rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { benchCascade, type CascadeResult } from './cascade'
import { queryVectors, realDatabase, sampleRows, scaledDatabase, NOISE, type Database } from './database'
import { CACHE, loadEmbeddings, type Embeddings } from './embeddings'
import { exactTopRows } from './exact'
import { benchOurs } from './ours'
import { benchFaiss, benchLancePeer } from './peers'
import { quality } from './quality'
import { log, machine, type Entry } from './results'
import type { PeerRun } from './lancePeer'
import type { Source } from './configs'
import { benchInterleaved, interleavedConfigs, type Interleaved } from './interleaved'
import { benchPrefixScans, type PrefixScanResult } from './prefixScan'
import { modelKey } from './embeddings'
import { mkdirSync } from 'node:fs'

export interface BenchOptions {
  small: boolean
  /** quality queries on the real database (stratified; all 10,000 by default) */
  queries: number
  speedQueries: number
  /** 0: no 1M run */
  scaleTo: number
  peers: boolean
  lanceQueries: number
  lanceHnsw: boolean
  /** only these shortlist sources, without the exact-per-prefix rows (a supplement to a full run) */
  sources?: Source[]
}

export const FULL: BenchOptions = { small: false, queries: 10000, speedQueries: 200, scaleTo: 1_000_000, peers: true, lanceQueries: 1000, lanceHnsw: true }
export const SMALL: BenchOptions = { small: true, queries: 200, speedQueries: 50, scaleTo: 0, peers: true, lanceQueries: 200, lanceHnsw: false }

export interface BenchReport {
  machine: string
  started: string
  seconds: number
  model: { name: string; sha256: string | null; nesting: number[] }
  options: BenchOptions
  database_note: string
  /** 1-minute load average when each scale started and ended: other work on the machine skews timings */
  scales: { scale: string; n: number; real: boolean; table_bytes: number; peak_rss_mb: number; faiss_peak_rss_mb: number | null; load_start: number; load_end: number }[]
  entries: Entry[]
  cascade: CascadeResult
  /** our funnels and FAISS HNSW timed in alternation at each scale (bench/interleaved.ts): the speed claims */
  interleaved?: Interleaved[]
  prefix_scans?: PrefixScanResult[]
  /** later runs of some sources only (npm run bench -- --sources … --merge), merged into this report */
  supplements?: { started: string; seconds: number; sources?: Source[]; scales: BenchReport['scales'] }[]
}

/** speed rows (a stratified sample) first, then the rest of the quality rows */
function queryOrder(total: number, quality: number, speed: number): number[] {
  const rows = sampleRows(total, quality)
  const speedRows = sampleRows(rows.length, speed).map((i) => rows[i])
  const first = new Set(speedRows)
  return [...speedRows, ...rows.filter((r) => !first.has(r))]
}

async function benchScale(e: Embeddings, db: Database, o: BenchOptions, report: BenchReport): Promise<void> {
  const loadStart = loadavg()[0]
  const nesting = e.model.card.nesting
  const full = nesting[nesting.length - 1]
  const order = db.real ? queryOrder(e.test.n, o.queries, o.speedQueries) : sampleRows(e.test.n, o.speedQueries)
  const speedRows = order.slice(0, o.speedQueries)
  // configurations that scan the whole table in JS (or LanceDB's brute force) take long at 1M
  const slowSpeed = db.real ? o.speedQueries : Math.min(30, o.speedQueries)
  const vectors = queryVectors(e.test, order)
  log(`${db.scale}: exact full-dim ground truth for ${order.length} queries…`)
  const truthRows = exactTopRows(db, vectors, full, 10)
  const truth = new Map(order.map((row, i) => [row, truthRows[i]]))
  const tmp = join(CACHE, 'run')
  const entries = benchOurs({
    db,
    nesting,
    queryLabels: e.test.labels,
    quality: db.real ? { rows: order, vectors } : null,
    speed: { rows: speedRows, vectors: vectors.slice(0, speedRows.length) },
    slowSpeedQueries: slowSpeed,
    truth,
    tmp,
    ...(o.sources ? { sources: o.sources, exact: false } : {})
  })
  let faissPeak: number | null = null
  if (o.peers) {
    const peerOpts = { work: tmp, queries: vectors, speedQueries: speedRows.length, lanceQueries: db.real ? o.lanceQueries : speedRows.length, efs: [16, 32, 64, 128, 256, 512], lanceHnsw: o.lanceHnsw }
    const faiss = benchFaiss(db, peerOpts)
    faissPeak = faiss?.peakRssMb ?? null
    const runs: { system: Entry['system']; run: PeerRun }[] = (faiss?.runs ?? []).map((run) => ({ system: 'faiss', run }))
    // LanceDB's brute force takes seconds a query at 1M, and its HNSW_SQ build an hour: fewer
    // queries there, and HNSW_SQ on the real database only
    const lanceOpts = db.real ? peerOpts : { ...peerOpts, queries: vectors.slice(0, slowSpeed), speedQueries: slowSpeed, lanceQueries: slowSpeed, lanceHnsw: false }
    for (const run of await benchLancePeer(db, lanceOpts)) runs.push({ system: 'lancedb', run })
    for (const { system, run } of runs) {
      const { answers, ...rest } = run
      const rows = order.slice(0, answers.length)
      const q = quality(answers, rows, (row) => truth.get(row)!, db.labels, e.test.labels)
      entries.push({
        ...rest,
        system,
        ds: full,
        k: null,
        dr: full,
        scale: db.scale,
        n: db.n,
        map10: db.real ? q.map10 : null,
        precision10: db.real ? q.precision10 : null,
        recall10: q.recall10,
        quality_queries: db.real ? q.queries : 0,
        machine: machine()
      })
    }
  }
  const rounds = o.small ? 2 : 6
  const speedVectors = vectors.slice(0, speedRows.length)
  if (o.peers && !o.sources) {
    // the speed claims: ours and FAISS HNSW in alternating rounds (indexes cached between runs)
    const cacheDir = join(CACHE, modelKey(e.model), `interleaved-${db.scale}`)
    mkdirSync(cacheDir, { recursive: true })
    const inter = await benchInterleaved(db, speedVectors, speedRows.map((r) => truth.get(r)!), { rounds, efs: [16, 32, 64, 128, 256, 512], configs: interleavedConfigs(full, db.n), cacheDir, work: join(tmp, 'interleaved'), threads: 2 }).catch((err: Error) => {
      log(`interleaved comparison failed: ${err.message}`)
      return null
    })
    if (inter) (report.interleaved ??= []).push(inter)
  }
  if (!o.sources) (report.prefix_scans ??= []).push(benchPrefixScans(db, nesting, speedVectors.slice(0, 30), rounds))
  rmSync(tmp, { recursive: true, force: true })
  report.entries.push(...entries)
  report.scales.push({ scale: db.scale, n: db.n, real: db.real, table_bytes: db.n * db.dims * 4, peak_rss_mb: process.resourceUsage().maxRSS / 1024, faiss_peak_rss_mb: faissPeak, load_start: loadStart, load_end: loadavg()[0] })
}

/** At a synthetic scale, mAP comes from the same configuration on the real database. */
function fillQualityFromReal(entries: Entry[], realScale: string): void {
  const real = new Map(entries.filter((e) => e.scale === realScale).map((e) => [`${e.system}|${e.name}`, e]))
  for (const e of entries) {
    if (e.map10 !== null) continue
    const r = real.get(`${e.system}|${e.name}`)
    if (r) {
      e.map10 = r.map10
      e.precision10 = r.precision10
      e.map10_from = realScale
    }
  }
}

export async function benchAdaptive(o: BenchOptions): Promise<BenchReport> {
  const t0 = performance.now()
  const e = await loadEmbeddings()
  const report: BenchReport = {
    machine: machine(),
    started: new Date().toISOString(),
    seconds: 0,
    model: { name: e.model.card.name, sha256: e.model.card.sha256 ?? null, nesting: e.model.card.nesting },
    options: o,
    database_note:
      `database = the model's embeddings of the CIFAR-10 train JPEGs${o.small ? ' (every 10th)' : ''}, queries = its test JPEGs` +
      (o.scaleTo ? `; the ${o.scaleTo / 1e6}M database is copies of the train embeddings, all but the first with Gaussian noise of ${NOISE} x each dimension's std, not renormalised (speed and memory only)` : ''),
    scales: [],
    entries: [],
    cascade: benchCascade(e.test, e.model.card)
  }
  const c = report.cascade
  log(`cascade: full ${c.full_dims}-d head ${c.full_accuracy.toFixed(2)}%; reached at ${c.matches_full ? `${c.matches_full.expected_dims.toFixed(1)} expected dims (threshold ${c.matches_full.threshold})` : 'no threshold'}`)
  const real = realDatabase(e.train, o.small ? 10 : 1)
  await benchScale(e, real, o, report)
  if (o.scaleTo) {
    const big = scaledDatabase(e.train, o.scaleTo, log)
    await benchScale(e, big, o, report)
    fillQualityFromReal(report.entries, real.scale)
  }
  report.seconds = (performance.now() - t0) / 1000
  return report
}
