// Adaptive retrieval: shortlist K candidates on the Ds-prefix (usearch, or an exact prefix scan
// when a filter narrows the library), rerank them exactly on the Dr-prefix, return the top k.
import { funnelStages, isExact, prefixCosine, type Funnel, type Stage } from './mrl'
import { scanTable, type FullScan } from './scan'
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
  /** the full-dim exact scan (usearch's SIMD kernel in the app); JS without it */
  fullScan?: FullScan
}

function score(table: VectorTable, id: number, vectors: Float32Array[], dims: number, groups?: number[]): number {
  const off = table.offset(id)
  if (!groups) {
    let best = -Infinity
    for (const v of vectors) best = Math.max(best, prefixCosine(table.matrix, off, v, 0, dims))
    return best
  }
  const best = new Map<number, number>()
  vectors.forEach((v, i) => best.set(groups[i], Math.max(best.get(groups[i]) ?? -Infinity, prefixCosine(table.matrix, off, v, 0, dims))))
  let sum = 0
  for (const b of best.values()) sum += b
  return sum / best.size
}

const isGrouped = (q: QueryVectors) => !!q.groups && new Set(q.groups).size > 1

/** Exact scan of `ids` on a prefix, keeping the best `keep` (a partial sort would win only at far larger n). */
function rank(table: VectorTable, ids: Iterable<number>, vectors: Float32Array[], dims: number, keep: number, exclude?: Set<number>, groups?: number[]): Hit[] {
  const hits: Hit[] = []
  for (const id of ids) if (!exclude?.has(id)) hits.push({ id, score: score(table, id, vectors, dims, groups) })
  hits.sort((a, b) => b.score - a.score || a.id - b.id) // ties (duplicate photos) by id: stable answers
  return hits.slice(0, keep)
}

/** Exact search over the whole table: each query vector scanned, a photo scored by its best. */
function scanAll(table: VectorTable, vectors: Float32Array[], dims: number, keep: number, exclude?: Set<number>, full?: FullScan): Hit[] {
  if (vectors.length === 1) return scanTable(table, vectors[0], dims, keep, exclude, full)
  const best = new Map<number, number>()
  for (const v of vectors) for (const h of scanTable(table, v, dims, keep, exclude, full)) best.set(h.id, Math.max(best.get(h.id) ?? -Infinity, h.score))
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
    const hits = scanAll(table, query.at(stages[0].dims), stages[0].dims, limit, query.exclude, deps.fullScan)
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
