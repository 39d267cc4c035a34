// Our engine on one database: exact search at every prefix and every funnel of the grid, for
// quality (on the real embeddings: all quality queries, through rerank.ts) and speed (the
// engine's own runFunnel on a query sample, one query at a time, then as a batch).
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { recallAtK } from '../src/core/mrl'
import { PrefixScan } from '../src/core/scan'
import { runFunnel, type Candidates } from '../src/core/funnel'
import { COMPACT_CONNECTIVITY, DEFAULT_CONNECTIVITY, Shortlist } from '../src/main/adapters/usearch/shortlist'
import { exactConfigs, funnelConfigs, GRID, SOURCES, type Config, type Source } from './configs'
import type { Database } from './database'
import { exactTopRows, prefixMatrix } from './exact'
import { percentile, quality, TOP, type Quality } from './quality'
import { inverseNorms, rerankMany, storedRows } from './rerank'
import { log, machine, type Entry } from './results'

export interface OursInput {
  db: Database
  nesting: number[]
  queryLabels: Uint8Array
  /** quality queries (real databases only) and their rows in the query split */
  quality: { rows: number[]; vectors: Float32Array[] } | null
  speed: { rows: number[]; vectors: Float32Array[] }
  /** speed sample for configurations that scan the whole table in JS (slow at 1M) */
  slowSpeedQueries: number
  /** exact full-dim top 10 of every query row used */
  truth: Map<number, number[]>
  tmp: string
  /** shortlist sources to measure (default: all) and whether to measure exact search at every prefix */
  sources?: Source[]
  exact?: boolean
}

interface Speed {
  p50: number
  p99: number
  qps: number
  qpsNote: string
  answers: number[][]
  queries: number
}

function timeEach(vectors: Float32Array[], run: (q: Float32Array, i: number) => number[]): { ms: number[]; answers: number[][] } {
  const ms: number[] = []
  const answers: number[][] = []
  vectors.forEach((q, i) => {
    const t0 = performance.now()
    answers.push(run(q, i))
    ms.push(performance.now() - t0)
  })
  return { ms, answers }
}

function entry(c: Config, db: Database, q: Quality | null, s: Speed, recall: number | null, build: { s: number; bytes: number } | null): Entry {
  const f = c.funnel
  return {
    name: c.name,
    system: 'ours',
    family: c.family,
    source: c.source,
    ds: f.k === 0 ? f.dr : f.ds,
    k: f.k === 0 ? db.n : f.k,
    dr: f.dr,
    ...(f.via ? { via: f.via } : {}),
    scale: db.scale,
    n: db.n,
    map10: q?.map10 ?? null,
    precision10: q?.precision10 ?? null,
    recall10: q?.recall10 ?? recall,
    quality_queries: q?.queries ?? 0,
    p50_ms: s.p50,
    p99_ms: s.p99,
    qps: s.qps,
    qps_note: s.qpsNote,
    speed_queries: s.queries,
    build_s: build?.s ?? 0,
    index_bytes: build?.bytes ?? 0,
    machine: machine()
  }
}

export function benchOurs(input: OursInput): Entry[] {
  const { db, nesting, quality: qual, speed } = input
  const full = nesting[nesting.length - 1]
  const out: Entry[] = []
  const { truth } = input
  const speedRecall = (answers: number[][]) => answers.reduce((a, ans, i) => a + recallAtK(ans.slice(0, TOP), truth.get(speed.rows[i])!), 0) / answers.length
  const qualityOf = (answers: number[][]) => (qual ? quality(answers, qual.rows, (row) => truth.get(row)!, db.labels, input.queryLabels) : null)
  const query = (q: Float32Array) => ({ at: () => [q] })

  // exact search at every prefix, on the engine's byte table (the SIMD scan of src/core/scan.ts)
  const noShortlist = () => {
    throw new Error('exact search needs no shortlist')
  }
  const deps = { table: db.table, shortlist: noShortlist }
  const exactAnswers = (vectors: Float32Array[], c: Config) => vectors.map((q) => runFunnel(deps, query(q), c.funnel, TOP).hits.map((h) => h.id))
  for (const c of input.exact === false ? [] : exactConfigs(nesting)) {
    const m = c.funnel.dr
    const slow = m !== full
    const vectors = slow ? speed.vectors.slice(0, input.slowSpeedQueries) : speed.vectors
    const each = timeEach(vectors, (q) => runFunnel(deps, query(q), c.funnel, TOP).hits.map((h) => h.id))
    const qps = (1000 * vectors.length) / each.ms.reduce((a, b) => a + b, 0)
    const q = qual ? qualityOf(exactAnswers(qual.vectors, c)) : null
    const s: Speed = { p50: percentile(each.ms, 50), p99: percentile(each.ms, 99), qps, qpsNote: 'one thread, queries in sequence', answers: each.answers, queries: vectors.length }
    out.push(entry(c, db, q, s, speedRecall(each.answers), null))
    log(`${db.scale} ${c.name}: p50 ${s.p50.toFixed(2)} ms, recall ${out[out.length - 1].recall10?.toFixed(3)}${q ? `, mAP@10 ${q.map10.toFixed(2)}` : ''}`)
  }
  // the reference every quality claim is against: exact search on the float32 embeddings (usearch)
  if (input.exact !== false) {
    const ref: Config = { name: `exact ${full} float32 (reference)`, family: 'reference', source: null, funnel: { ds: full, k: 0, dr: full } }
    const t0 = performance.now()
    const answers = exactTopRows(db, speed.vectors, full, TOP)
    const ms = (performance.now() - t0) / speed.vectors.length
    const q = qual ? qualityOf(exactTopRows(db, qual.vectors, full, TOP)) : null
    const s: Speed = { p50: ms, p99: ms, qps: 1000 / ms, qpsNote: 'usearch exactSearch on float32, the batch on all cores (p50 = batch time / queries)', answers, queries: speed.vectors.length }
    out.push(entry(ref, db, q, s, speedRecall(answers), null))
  }

  const stored = qual ? storedRows(db) : new Float32Array(0)
  const norms = qual ? inverseNorms(db, stored, nesting) : []
  for (const source of input.sources ?? SOURCES) {
    // at a synthetic scale every index build takes minutes: f16 (the app's) at every Ds, the other
    // quantizations at Ds=16; the compact graph is the app's answer to the 1M memory target at Ds=16
    const wanted = (m: number) => (source === 'f16-compact' ? m === 16 : db.real || source === 'f16' || source === 'scan' || m === 16)
    for (const ds of GRID.ds.filter((m) => nesting.includes(m) && wanted(m))) {
      const configs = funnelConfigs(source, ds, db.n, nesting)
      if (!configs.length) continue
      const { candidates, build, shortlist } = shortlistFor(db, source, ds, input.tmp)
      const pools = qual ? poolsFor(db, source, ds, shortlist, qual.vectors, configs) : null
      const answers = qual && pools ? rerankMany(db, stored, nesting, norms, qual.vectors, configs.map((c) => c.funnel), (f, qi) => pools.get(f.k)![qi]) : null
      const slow = source === 'scan'
      const vectors = slow ? speed.vectors.slice(0, input.slowSpeedQueries) : speed.vectors
      configs.forEach((c, ci) => {
        const deps = { table: db.table, shortlist: () => candidates }
        const each = timeEach(vectors, (q) => runFunnel(deps, query(q), c.funnel, TOP).hits.map((h) => h.id))
        const s: Speed = { p50: percentile(each.ms, 50), p99: percentile(each.ms, 99), ...batch(db, shortlist, c, vectors, each.ms), answers: each.answers, queries: vectors.length }
        const q = answers ? qualityOf(answers[ci]) : null
        const e = entry(c, db, q, s, speedRecall(each.answers), build)
        if (answers && qual && pools) e.engine_agreement = engineAgreement(db, qual.vectors, pools.get(c.funnel.k)!, c, answers[ci])
        out.push(e)
      })
      const best = out.slice(-configs.length).reduce((a, b) => ((b.recall10 ?? 0) > (a.recall10 ?? 0) ? b : a))
      log(`${db.scale} ${source} Ds=${ds}: ${configs.length} funnels; build ${build.s.toFixed(1)} s, ${(build.bytes / 1e6).toFixed(1)} MB; best recall ${best.recall10?.toFixed(3)} (${best.name}, p50 ${best.p50_ms?.toFixed(2)} ms)`)
    }
  }
  return out
}

function shortlistFor(db: Database, source: Source, ds: number, tmp: string): { candidates: Candidates; shortlist: Shortlist | null; build: { s: number; bytes: number } } {
  if (source === 'scan') return { candidates: new PrefixScan(db.table, ds), shortlist: null, build: { s: 0, bytes: 0 } }
  const t0 = performance.now()
  const shortlist = source === 'f16-compact' ? Shortlist.build(db.table, ds, 'f16', COMPACT_CONNECTIVITY) : Shortlist.build(db.table, ds, source, DEFAULT_CONNECTIVITY)
  const s = (performance.now() - t0) / 1000
  mkdirSync(tmp, { recursive: true })
  const file = join(tmp, `bench-${ds}-${source}.usearch`)
  shortlist.save(file, 'bench')
  const bytes = statSync(file).size
  rmSync(file, { force: true })
  rmSync(`${file}.json`, { force: true })
  return { candidates: shortlist, shortlist, build: { s, bytes } }
}

/** First-stage candidates of every quality query, per K (an exact prefix scan's nest, so one scan serves every K). */
function poolsFor(db: Database, source: Source, ds: number, shortlist: Shortlist | null, vectors: Float32Array[], configs: Config[]): Map<number, number[][]> {
  const ks = [...new Set(configs.map((c) => c.funnel.k))]
  const pools = new Map<number, number[][]>()
  if (shortlist) for (const k of ks) pools.set(k, shortlist.searchMany(vectors, k))
  else {
    const all = exactTopRows(db, vectors, ds, Math.max(...ks), prefixMatrix(db, ds))
    for (const k of ks) pools.set(k, all.map((rows) => rows.slice(0, k)))
  }
  return pools
}

const AGREEMENT_QUERIES = 200

/**
 * The engine's runFunnel, given the candidates the benchmark's reranker had, must give its answers.
 * Not compared: the speed path's own shortlist, since an exact prefix scan may break a tie at the
 * K-th place either way (a ReLU embedding's 8-d prefix is one-hot for ~2% of CIFAR photos, all tied).
 */
function engineAgreement(db: Database, vectors: Float32Array[], pool: number[][], c: Config, answers: number[][]): number {
  const n = Math.min(AGREEMENT_QUERIES, vectors.length)
  let sum = 0
  for (let qi = 0; qi < n; qi++) {
    const given: Candidates = { search: () => pool[qi] }
    const hits = runFunnel({ table: db.table, shortlist: () => given }, { at: () => [vectors[qi]] }, c.funnel, TOP).hits.map((h) => h.id)
    sum += recallAtK(hits, answers[qi])
  }
  return sum / n
}

/** The batch: the index answers every shortlist at once on all cores, then the engine reranks. */
function batch(db: Database, shortlist: Shortlist | null, c: Config, vectors: Float32Array[], singleMs: number[]): { qps: number; qpsNote: string } {
  if (!shortlist) return { qps: (1000 * vectors.length) / singleMs.reduce((a, b) => a + b, 0), qpsNote: 'one JS thread, queries in sequence' }
  const t0 = performance.now()
  const lists = shortlist.searchMany(vectors, c.funnel.k)
  let current = 0
  const answered: Candidates = { search: () => lists[current] }
  vectors.forEach((q, i) => {
    current = i
    runFunnel({ table: db.table, shortlist: () => answered }, { at: () => [q] }, c.funnel, TOP)
  })
  return { qps: (1000 * vectors.length) / (performance.now() - t0), qpsNote: 'usearch batch search on all cores, JS rerank on one' }
}
