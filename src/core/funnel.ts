// Adaptive retrieval: shortlist K candidates on the Ds-prefix (usearch, or an exact prefix scan
// when a filter narrows the library), rerank them exactly on the Dr-prefix, return the top k.
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

/** Each id's score: its best cosine over the vectors, or with groups the mean over groups of the best within each. */
function scores(table: VectorTable, ids: number[], vectors: Float32Array[], dims: number, groups?: number[]): Float32Array {
  const slots = Int32Array.from(ids, (id) => {
    const s = table.slotOf(id)
    if (s < 0) throw new Error(`no embedding for photo ${id}`)
    return s
  })
  if (vectors.length === 1) return table.scoreSlots(vectors[0], dims, slots)
  const best = new Map<number, Float32Array>()
  const part = new Float32Array(ids.length)
  vectors.forEach((v, i) => {
    const g = groups ? groups[i] : 0
    table.scoreSlots(v, dims, slots, part)
    const b = best.get(g)
    if (!b) best.set(g, part.slice())
    else for (let r = 0; r < part.length; r++) b[r] = Math.max(b[r], part[r])
  })
  const out = new Float32Array(ids.length)
  for (const b of best.values()) for (let r = 0; r < out.length; r++) out[r] += b[r] / best.size
  return out
}

/** Scores `ids` on a prefix (the SIMD kernel over their rows) and keeps the best `keep`, ties by id (duplicate photos: stable answers). */
function rank(table: VectorTable, ids: number[], vectors: Float32Array[], dims: number, keep: number, exclude?: Set<number>, groups?: number[]): Hit[] {
  const pool = exclude?.size ? ids.filter((id) => !exclude.has(id)) : ids
  const s = scores(table, pool, vectors, dims, groups)
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
  const n = allowed ? allowed.size : table.size
  const stages: Stage[] = funnelStages(config, limit, n)
  const exact = isExact(config, n)
  // the first stage's pool: every photo for exact search, the filtered photos when a filter
  // narrows the library, else the usearch shortlist (one per query vector, merged)
  let pool: number[]
  if (exact && !allowed && !isGrouped(query)) {
    // the whole library on one prefix: a dedicated scan, not per-id scoring (see scan.ts)
    const hits = scanAll(table, query.at(stages[0].dims), stages[0].dims, limit, query.exclude)
    const stats = [{ dims: stages[0].dims, candidates: table.size }]
    return { hits, stages: stats, scanned: table.size, exact, ms: performance.now() - t0 }
  } else if (allowed || exact) {
    // a filter's photos, or every photo for an exact search whose score mixes groups
    pool = allowed ? [...allowed] : [...table.allIds()]
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
    hits = rank(table, pool, query.at(stage.dims), stage.dims, stage.keep, query.exclude, isGrouped(query) ? query.groups : undefined)
    pool = hits.map((h) => h.id)
  }
  return { hits: hits.slice(0, limit), stages: trace, scanned, exact, ms: performance.now() - t0 }
}

/** Scores of the rows at `slots` on a prefix (the table's kernel, or a worker's over the same memory). */
export type SlotScorer = (query: Float32Array, dims: number, slots: Int32Array) => Float32Array

/**
 * The rerank stages of a funnel on one query's shortlist, by slot: each stage scores its pool on
 * its prefix and keeps the best (ties by slot). What the batch path runs on each thread.
 */
export function rerankSlots(score: SlotScorer, query: Float32Array, pool: Int32Array, stages: Stage[]): { slots: Int32Array; scores: Float32Array } {
  let slots = pool
  let kept = new Float32Array(0)
  for (const stage of stages) {
    const s = score(query, stage.dims, slots)
    const best = new TopK(Math.min(stage.keep, slots.length))
    for (let i = 0; i < slots.length; i++) if (best.wants(s[i])) best.offer(slots[i], s[i])
    const top = best.sorted()
    slots = Int32Array.from(top, (h) => h.id)
    kept = Float32Array.from(top, (h) => h.score)
  }
  return { slots, scores: kept }
}
