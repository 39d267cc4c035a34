// Adaptive retrieval: shortlist K candidates on the Ds-prefix (usearch, or an exact prefix scan
// when a filter narrows the library), rerank them exactly on the Dr-prefix, return the top k.
// Where the table keeps a finer copy of its rows, the bytes' best rescoreWidth(k) are rescored
// from it: the bytes rank, the finer copy orders the last few.
import { funnelStages, isExact, type Funnel, type Stage } from './mrl'
import { scanTable, TopK } from './scan'
import type { VectorTable } from './vectors'

/**
 * A query gives one or more vectors per prefix; a photo's score is its best cosine to any. With
 * `groups` (one group id per vector, e.g. "dog on the beach": the dog concepts, the seashore) a
 * photo's score is the mean over groups of its best cosine within each: it must look like both.
 */
export interface QueryVectors {
  at(dims: number): Float32Array[]
  groups?: number[]
  /** photo ids never returned (the query photo itself) */
  exclude?: Set<number>
}

export interface Hit {
  id: number
  score: number
}

export interface FunnelResult {
  hits: Hit[]
  stages: { dims: number; candidates: number }[]
  scanned: number
  exact: boolean
  ms: number
}

/** Where a shortlist comes from: the usearch index (Shortlist), or an exact prefix scan (PrefixScan). */
export interface Candidates {
  search(query: Float32Array, k: number): number[]
}

export interface FunnelDeps {
  table: VectorTable
  shortlist: (dims: number) => Candidates
}

const isGrouped = (q: QueryVectors) => !!q.groups && new Set(q.groups).size > 1

/**
 * How many of the bytes' best the finer copy rescores for `limit` results. Measured at 1,000,000 x
 * 512 (noisy copies, 200 queries): the bytes' top 20 hold 0.999 of the true top 10, their top 10
 * only 0.951.
 */
export function rescoreWidth(limit: number): number {
  return limit + Math.max(10, limit)
}

/** The funnel's stages for `limit` results; where a finer copy rescores, they keep rescoreWidth(limit) for it. */
export function stagesFor(config: Funnel, limit: number, n: number, rescores: boolean): Stage[] {
  return funnelStages(config, rescores ? rescoreWidth(limit) : limit, n)
}

/** Cosines of one query vector to rows by slot: from the bytes, or from the finer copy. */
type Scores = (query: Float32Array, dims: number, slots: ArrayLike<number>, out?: Float32Array<ArrayBuffer>) => Float32Array

/** Each id's score: its best cosine over the vectors, or with groups the mean over groups of the best within each. */
function scores(table: VectorTable, ids: number[], vectors: Float32Array[], dims: number, groups?: number[], fine = false): Float32Array {
  const by: Scores = fine ? (q, d, s, o) => table.fineSlots(q, d, s, o) : (q, d, s, o) => table.scoreSlots(q, d, s, o)
  const slots = Int32Array.from(ids, (id) => {
    const s = table.slotOf(id)
    if (s < 0) throw new Error(`no embedding for photo ${id}`)
    return s
  })
  if (vectors.length === 1) return by(vectors[0], dims, slots)
  const best = new Map<number, Float32Array>()
  const part = new Float32Array(ids.length)
  vectors.forEach((v, i) => {
    const g = groups ? groups[i] : 0
    by(v, dims, slots, part)
    const b = best.get(g)
    if (!b) best.set(g, part.slice())
    else for (let r = 0; r < part.length; r++) b[r] = Math.max(b[r], part[r])
  })
  const out = new Float32Array(ids.length)
  for (const b of best.values()) for (let r = 0; r < out.length; r++) out[r] += b[r] / best.size
  return out
}

/** Scores `ids` on a prefix (the SIMD kernel over their rows) and keeps the best `keep`, ties by id (duplicate photos: stable answers). */
function rank(table: VectorTable, ids: number[], vectors: Float32Array[], dims: number, keep: number, exclude?: Set<number>, groups?: number[], fine = false): Hit[] {
  const pool = exclude?.size ? ids.filter((id) => !exclude.has(id)) : ids
  const s = scores(table, pool, vectors, dims, groups, fine)
  const best = new TopK(Math.min(keep, pool.length))
  for (let i = 0; i < pool.length; i++) if (best.wants(s[i])) best.offer(pool[i], s[i])
  return best.sorted()
}

/** Exact search over the whole table: each query vector scanned, a photo scored by its best. */
function scanAll(table: VectorTable, vectors: Float32Array[], dims: number, keep: number, exclude?: Set<number>): Hit[] {
  if (vectors.length === 1) return scanTable(table, vectors[0], dims, keep, exclude)
  const best = new Map<number, number>()
  for (const v of vectors) for (const h of scanTable(table, v, dims, keep, exclude)) best.set(h.id, Math.max(best.get(h.id) ?? -Infinity, h.score))
  return [...best].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id).slice(0, keep)
}

export function runFunnel(deps: FunnelDeps, query: QueryVectors, config: Funnel, limit: number, allowed?: Set<number> | null): FunnelResult {
  const t0 = performance.now()
  const { table } = deps
  // a filter's photos are read before the search awaits its query vectors: one removed meanwhile is
  // no longer in the table, and is no answer
  const present = allowed ? [...allowed].filter((id) => table.has(id)) : null
  const n = present ? present.length : table.size
  const fine = table.rescores
  const stages = stagesFor(config, limit, n, fine)
  const wide = stages[stages.length - 1].keep
  const exact = isExact(config, n)
  const groups = isGrouped(query) ? query.groups : undefined
  const finish = (hits: Hit[], dims: number) => (fine ? rank(table, hits.map((h) => h.id), query.at(dims), dims, limit, undefined, groups, true) : hits.slice(0, limit))
  // the first stage's pool: every photo for exact search, the filtered photos when a filter
  // narrows the library, else the usearch shortlist (one per query vector, merged)
  let pool: number[]
  if (exact && !allowed && !isGrouped(query)) {
    // the whole library on one prefix: a dedicated scan, not per-id scoring (see scan.ts)
    const hits = finish(scanAll(table, query.at(stages[0].dims), stages[0].dims, wide, query.exclude), stages[0].dims)
    const stats = [{ dims: stages[0].dims, candidates: table.size }]
    return { hits, stages: stats, scanned: table.size, exact, ms: performance.now() - t0 }
  } else if (allowed || exact) {
    // a filter's photos, or every photo for an exact search whose score mixes groups
    pool = present ?? [...table.allIds()]
  } else {
    const shortlist = deps.shortlist(stages[0].dims)
    const want = config.k + (query.exclude?.size ?? 0)
    const found = new Set<number>()
    for (const v of query.at(stages[0].dims)) for (const id of shortlist.search(v, want)) found.add(id)
    pool = [...found]
  }
  const trace: { dims: number; candidates: number }[] = []
  let scanned = 0
  let hits: Hit[] = []
  for (const stage of stages) {
    trace.push({ dims: stage.dims, candidates: pool.length })
    scanned += pool.length
    hits = rank(table, pool, query.at(stage.dims), stage.dims, stage.keep, query.exclude, groups)
    pool = hits.map((h) => h.id)
  }
  return { hits: finish(hits, stages[stages.length - 1].dims), stages: trace, scanned, exact, ms: performance.now() - t0 }
}

/** Scores of the rows at `slots` on a prefix (the table's kernel, or a worker's over the same memory). */
export type SlotScorer = (query: Float32Array, dims: number, slots: Int32Array) => Float32Array

/**
 * The rerank stages of a funnel on one query's shortlist, by slot: each stage scores its pool on
 * its prefix and keeps the best (ties by slot). What the batch path runs on each thread. With
 * `rescore` (stages from stagesFor, rescoring), the finer copy then picks the best `limit` of the last.
 */
export function rerankSlots(score: SlotScorer, query: Float32Array, pool: Int32Array, stages: Stage[], rescore?: { score: SlotScorer; limit: number }): { slots: Int32Array; scores: Float32Array } {
  if (rescore && stages.length) stages = [...stages, { dims: stages[stages.length - 1].dims, keep: rescore.limit }]
  let slots = pool
  let kept = new Float32Array(0)
  for (let at = 0; at < stages.length; at++) {
    const stage = stages[at]
    const s = (rescore && at === stages.length - 1 ? rescore.score : score)(query, stage.dims, slots)
    const best = new TopK(Math.min(stage.keep, slots.length))
    for (let i = 0; i < slots.length; i++) if (best.wants(s[i])) best.offer(slots[i], s[i])
    const top = best.sorted()
    slots = Int32Array.from(top, (h) => h.id)
    kept = Float32Array.from(top, (h) => h.score)
  }
  return { slots, scores: kept }
}
