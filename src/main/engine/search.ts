// Adaptive retrieval: shortlist K candidates on the Ds-prefix (usearch, or an exact prefix scan
// when a filter narrows the library), rerank them exactly on the Dr-prefix, return the top k.
import { funnelStages, isExact, prefixCosine, type Stage } from './mrl'
import type { Shortlist } from './shortlist'
import type { VectorTable } from './vectors'
import type { FunnelConfig } from '../../shared/api'

/** A query gives one or more vectors per prefix; a photo's score is its best cosine to any. */
export interface QueryVectors {
  at(dims: number): Float32Array[]
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

export interface FunnelDeps {
  table: VectorTable
  shortlist: (dims: number) => Shortlist
}

function score(table: VectorTable, id: number, vectors: Float32Array[], dims: number): number {
  const off = table.offset(id)
  let best = -Infinity
  for (const v of vectors) best = Math.max(best, prefixCosine(table.matrix, off, v, 0, dims))
  return best
}

/** Exact scan of `ids` on a prefix, keeping the best `keep` (a partial sort would win only at far larger n). */
function rank(table: VectorTable, ids: Iterable<number>, vectors: Float32Array[], dims: number, keep: number, exclude?: Set<number>): Hit[] {
  const hits: Hit[] = []
  for (const id of ids) if (!exclude?.has(id)) hits.push({ id, score: score(table, id, vectors, dims) })
  hits.sort((a, b) => b.score - a.score || a.id - b.id) // ties (duplicate photos) by id: stable answers
  return hits.slice(0, keep)
}

export function runFunnel(deps: FunnelDeps, query: QueryVectors, config: FunnelConfig, limit: number, allowed?: Set<number> | null): FunnelResult {
  const t0 = performance.now()
  const { table } = deps
  const n = allowed ? allowed.size : table.size
  const stages: Stage[] = funnelStages(config, limit, n)
  const exact = isExact(config, n)
  // the first stage's pool: every photo for exact search, the filtered photos when a filter
  // narrows the library, else the usearch shortlist (one per query vector, merged)
  let pool: number[]
  if (exact || allowed) {
    pool = allowed ? [...allowed] : Array.from(table.allIds())
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
    hits = rank(table, pool, query.at(stage.dims), stage.dims, stage.keep, query.exclude)
    pool = hits.map((h) => h.id)
  }
  return { hits: hits.slice(0, limit), stages: trace, scanned, exact, ms: performance.now() - t0 }
}
