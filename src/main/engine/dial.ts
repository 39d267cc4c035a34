// The dial measured on this library: each position's recall@10 against exact full-dim search and
// its latency, from a sample of the library's own photos as queries.
import { dialIndex, dialLadder, recallAtK } from './mrl'
import { runFunnel, type FunnelDeps } from './search'
import type { DialPoint, FunnelConfig } from '../../shared/api'

export function dialPoints(nesting: number[], measured?: { recall: number; ms: number }[]): DialPoint[] {
  const ladder = dialLadder(nesting)
  const full = nesting[nesting.length - 1]
  return ladder.map((config, i) => ({
    position: ladder.length > 1 ? i / (ladder.length - 1) : 1,
    config,
    exact: config.ds === full && config.dr === full,
    recall: measured?.[i]?.recall ?? null,
    ms: measured?.[i]?.ms ?? null
  }))
}

export function configAt(points: DialPoint[], position: number): DialPoint {
  return points[dialIndex(position, points.length)]
}

const tick = () => new Promise((r) => setImmediate(r))

/** Bounded in queries and time; yields between queries so searches keep answering meanwhile. */
export async function calibrate(deps: FunnelDeps, nesting: number[], sample: number[], budgetMs = 5000): Promise<{ recall: number; ms: number }[]> {
  const ladder = dialLadder(nesting)
  const full = nesting[nesting.length - 1]
  const exactConfig: FunnelConfig = { ds: full, k: 0, dr: full }
  const sums = ladder.map(() => ({ recall: 0, ms: 0 }))
  let used = 0
  const start = performance.now()
  for (const id of sample) {
    if (!deps.table.has(id)) continue
    const query = { at: () => [deps.table.vector(id)], exclude: new Set([id]) }
    const truth = runFunnel(deps, query, exactConfig, 10).hits.map((h) => h.id)
    ladder.forEach((config, i) => {
      const res = runFunnel(deps, query, config, 10)
      sums[i].recall += recallAtK(res.hits.map((h) => h.id), truth)
      sums[i].ms += res.ms
    })
    used++
    if (performance.now() - start > budgetMs) break
    await tick()
  }
  return sums.map((s) => ({ recall: used ? s.recall / used : 1, ms: used ? s.ms / used : 0 }))
}
