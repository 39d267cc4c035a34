// Speed claims that hold: our funnels and FAISS HNSW timed in alternation, several rounds, under
// the same load. Each round runs every configuration's query batch once (ours and FAISS's taking
// turns, the order reversed every other round); a claim is the median over rounds of the per-round
// ratio at equal recall, with its min and max, and holds only if it holds in most rounds.
//   single-query latency: ours on one thread (usearch search inline, the rerank in JS/WASM), FAISS
//                         with one OpenMP thread
//   batch throughput:     both on 2 threads (usearch's batch search + a rerank worker; FAISS's OpenMP)
import { existsSync, statSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { funnelName, recallAtK, type Funnel } from '../src/core/mrl'
import { runFunnel } from '../src/core/funnel'
import { Shortlist, type Quantization } from '../src/main/adapters/usearch/shortlist'
import { dataLayout } from '../src/main/adapters/fs/dataLayout'
import { RerankPool } from '../src/main/adapters/workers/rerankPool'
import type { Database } from './database'
import { FaissServer } from './faissServer'
import { percentile, TOP } from './quality'
import { log } from './results'

export interface OurConfig {
  funnel: Funnel
  quantization: Quantization
}

/**
 * The funnels raced against FAISS: the app's f16 shortlists at Ds 32 and 64, a range of K, reranked
 * on all dims; up to 100,000 vectors also int8 shortlists (AdANNS-style: bytes per vector against
 * recall). At 1M each index build takes minutes on 2 cores, so only Ds 64, whose exact shortlist
 * holds 0.999 of the true top 10 at K=400 (Ds 32: 0.970).
 */
export function interleavedConfigs(full: number, n: number): OurConfig[] {
  const out: OurConfig[] = []
  if (n > 100_000) {
    for (const k of [100, 200, 250, 300, 400, 800]) out.push({ funnel: { ds: 64, k, dr: full }, quantization: 'f16' })
    // int8 beside f16: above 50,000 photos the app keeps f16 (adapters/usearch/storagePick.ts), and this shows why
    for (const k of [250, 300]) out.push({ funnel: { ds: 64, k, dr: full }, quantization: 'i8' })
    return out
  }
  for (const ds of [32, 64]) for (const k of [100, 200, 400, 800, 1600]) out.push({ funnel: { ds, k, dr: full }, quantization: 'f16' })
  for (const k of [400, 800]) out.push({ funnel: { ds: 64, k, dr: full }, quantization: 'i8' })
  out.push({ funnel: { ds: 32, k: 800, dr: full }, quantization: 'i8' })
  return out
}

export interface InterleavedOptions {
  rounds: number
  efs: number[]
  configs: OurConfig[]
  /** where shortlist indexes and the FAISS index are kept between runs (null: built every run) */
  cacheDir: string | null
  work: string
  threads: number
}

export interface Series {
  name: string
  system: 'ours' | 'faiss'
  recall10: number
  /** per round: p50 ms of single queries, and batch QPS */
  p50_ms: number[]
  qps: number[]
  index_bytes: number | null
  ef?: number
}

export interface RatioClaim {
  claim: string
  ours: string | null
  /** per round: FAISS's figure at our recall (interpolated between the efs around it) over ours, >1 = ours better */
  ratios: number[]
  /** FAISS reached less than our recall at every ef tried: the ratios are against its best ef */
  faiss_below: boolean
  median: number | null
  min: number | null
  max: number | null
  rounds_won: number
  met: boolean
}

export interface Interleaved {
  scale: string
  n: number
  rounds: number
  queries: number
  threads: { latency: string; batch: string }
  load: { start: number[]; end: number[] }
  faiss_peak_rss_mb: number
  series: Series[]
  claims: RatioClaim[]
}

const median = (v: number[]) => percentile(v, 50)

/**
 * FAISS's figure at `recall` in one round: linear between the efs whose recalls bracket it. Above
 * FAISS's best recall, its best ef's own figure (`below`: FAISS is then credited with our recall
 * while reaching less, which can only favour it).
 */
function faissAt(faiss: Series[], recall: number, round: number, metric: 'p50_ms' | 'qps'): { value: number; below: boolean } | null {
  const sorted = [...faiss].sort((a, b) => a.recall10 - b.recall10)
  if (!sorted.length) return null
  const above = sorted.find((s) => s.recall10 >= recall)
  if (!above) return { value: sorted[sorted.length - 1][metric][round], below: true }
  return { value: interpolate(sorted, above, recall, round, metric), below: false }
}

function interpolate(sorted: Series[], above: Series, recall: number, round: number, metric: 'p50_ms' | 'qps'): number {
  const below = [...sorted].reverse().find((s) => s.recall10 < recall)
  if (!below) return above[metric][round]
  const t = (recall - below.recall10) / (above.recall10 - below.recall10)
  return below[metric][round] + t * (above[metric][round] - below[metric][round])
}

function ratioClaim(claim: string, ours: Series | undefined, faiss: Series[], metric: 'p50_ms' | 'qps', rounds: number): RatioClaim {
  if (!ours) return { claim, ours: null, ratios: [], faiss_below: false, median: null, min: null, max: null, rounds_won: 0, met: false }
  const ratios: number[] = []
  let below = false
  for (let r = 0; r < rounds; r++) {
    const f = faissAt(faiss, ours.recall10, r, metric)
    if (f === null) continue
    below ||= f.below
    ratios.push(metric === 'p50_ms' ? f.value / ours.p50_ms[r] : ours.qps[r] / f.value)
  }
  const won = ratios.filter((x) => x > 1).length
  return {
    claim,
    ours: ours.name,
    ratios,
    faiss_below: below,
    median: ratios.length ? median(ratios) : null,
    min: ratios.length ? Math.min(...ratios) : null,
    max: ratios.length ? Math.max(...ratios) : null,
    rounds_won: won,
    met: ratios.length === rounds && won > rounds / 2 && median(ratios) > 1
  }
}

export async function benchInterleaved(db: Database, queries: Float32Array[], truth: number[][], o: InterleavedOptions): Promise<Interleaved> {
  const loadStart = loadavg()
  const recallOf = (answers: number[][]) => answers.reduce((a, ans, i) => a + recallAtK(ans.slice(0, TOP), truth[i]), 0) / answers.length
  const faiss = await FaissServer.start(db.vectors, db.dims, queries, join(o.work, 'faiss'), o.cacheDir ? join(o.cacheDir, `faiss-hnsw16-${db.scale}.index`) : null)
  const pool = new RerankPool(db.table)
  try {
    // our shortlists: one index per (Ds, quantization), kept in the cache between runs
    const indexes = new Map<string, Shortlist>()
    const indexFor = (c: OurConfig) => {
      const key = `${c.funnel.ds}-${c.quantization}`
      let s = indexes.get(key)
      if (!s) {
        const t0 = performance.now()
        s = o.cacheDir ? Shortlist.open(o.cacheDir, db.table, c.funnel.ds, `bench-${db.scale}`, c.quantization).shortlist : Shortlist.build(db.table, c.funnel.ds, c.quantization)
        log(`interleaved ${db.scale}: shortlist Ds=${c.funnel.ds} ${c.quantization} ready in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
        indexes.set(key, s)
      }
      return s
    }
    const ours = o.configs.map((c) => {
      const index = indexFor(c)
      const deps = { table: db.table, shortlist: () => index }
      const one = (q: Float32Array) => runFunnel(deps, { at: () => [q] }, c.funnel, TOP).hits.map((h) => h.id)
      const file = o.cacheDir ? dataLayout(o.cacheDir).shortlist(c.funnel.ds, c.quantization) : null
      const bytes = file && existsSync(file) ? statSync(file).size : null
      const series: Series = { name: `${funnelName(c.funnel)} ${c.quantization}`, system: 'ours', recall10: recallOf(queries.map(one)), p50_ms: [], qps: [], index_bytes: bytes }
      const latency = () => {
        const ms = queries.map((q) => {
          const t0 = performance.now()
          one(q)
          return performance.now() - t0
        })
        series.p50_ms.push(median(ms))
      }
      const batch = async () => {
        const t0 = performance.now()
        const lists = index.searchMany(queries, c.funnel.k)
        await pool.rerank(queries, lists, c.funnel, TOP)
        series.qps.push((1000 * queries.length) / (performance.now() - t0))
      }
      return { series, latency, batch }
    })
    const peers = await Promise.all(
      o.efs.map(async (ef) => {
        const series: Series = { name: `FAISS HNSW M=16 ef=${ef}`, system: 'faiss', ef, recall10: recallOf(await faiss.ids(ef, queries.length)), p50_ms: [], qps: [], index_bytes: faiss.ready.index_bytes }
        return {
          series,
          latency: async () => void series.p50_ms.push(median(await faiss.latency(ef))),
          batch: async () => void series.qps.push(queries.length / (await faiss.batch(ef, o.threads)))
        }
      })
    )
    for (const x of [...ours, ...peers]) log(`interleaved ${db.scale}: ${x.series.name} recall@10 ${x.series.recall10.toFixed(4)}`)
    for (let r = 0; r < o.rounds; r++) {
      // ours and FAISS take turns; every other round the order is reversed
      const turns: (typeof ours[number] | typeof peers[number])[] = []
      for (let i = 0; i < Math.max(ours.length, peers.length); i++) {
        if (ours[i]) turns.push(ours[i])
        if (peers[i]) turns.push(peers[i])
      }
      if (r % 2) turns.reverse()
      for (const t of turns) {
        await t.latency()
        await t.batch()
      }
      log(`interleaved ${db.scale}: round ${r + 1}/${o.rounds} (load ${loadavg()[0].toFixed(2)})`)
    }
    const series = [...ours, ...peers].map((x) => x.series)
    const faissSeries = peers.map((p) => p.series)
    // a headline claim names our configuration at that recall with the best median ratio (every
    // configuration's own ratios follow, so the choice can be checked against the rest)
    const best = (claim: string, minRecall: number, metric: 'p50_ms' | 'qps') =>
      ours
        .filter((x) => x.series.recall10 >= minRecall)
        .map((x) => ratioClaim(claim, x.series, faissSeries, metric, o.rounds))
        .sort((a, b) => (b.median ?? -1) - (a.median ?? -1))[0] ?? ratioClaim(claim, undefined, faissSeries, metric, o.rounds)
    const claims = [
      best('recall@10 >= 0.99: single-query p50 below FAISS HNSW at equal recall', 0.99, 'p50_ms'),
      best('recall@10 >= 0.95: single-query p50 below FAISS HNSW at equal recall', 0.95, 'p50_ms'),
      best('recall@10 >= 0.95: batch QPS on both cores above FAISS HNSW at equal recall', 0.95, 'qps'),
      best('recall@10 >= 0.99: batch QPS on both cores above FAISS HNSW at equal recall', 0.99, 'qps')
    ]
    // each of our configurations against FAISS at its recall (the committed claims re-checked)
    for (const x of ours) claims.push(ratioClaim(`${x.series.name} (recall ${x.series.recall10.toFixed(4)}): p50 below FAISS HNSW at equal recall`, x.series, faissSeries, 'p50_ms', o.rounds))
    for (const x of ours) claims.push(ratioClaim(`${x.series.name} (recall ${x.series.recall10.toFixed(4)}): batch QPS above FAISS HNSW at equal recall`, x.series, faissSeries, 'qps', o.rounds))
    const faissPeak = await faiss.close().catch(() => 0)
    return {
      scale: db.scale,
      n: db.n,
      rounds: o.rounds,
      queries: queries.length,
      threads: { latency: 'ours: 1 thread (usearch search of one query runs inline); FAISS: omp 1 thread', batch: `ours: usearch batch search on ${o.threads} threads, then the reranks split between the main thread and 1 worker; FAISS: omp ${o.threads} threads` },
      load: { start: loadStart, end: loadavg() },
      faiss_peak_rss_mb: faissPeak,
      series,
      claims
    }
  } finally {
    await pool.close()
  }
}
