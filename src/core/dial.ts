// The dial measured on this library: candidate funnels are timed and scored (recall@10 against
// exact full-dim search, a sample of the library's own photos as queries) and the dial's positions
// are spread over the recall/latency frontier of what was measured, the exact search at the end.
import { dialIndex, dialLadder, funnelCandidates, paretoFrontier, recallAtK, spread } from './mrl'
import { runFunnel, type FunnelDeps } from './funnel'
import { median } from './stats'
import type { DialPoint, FunnelConfig } from '../shared/api'

/** at most this many positions on the dial, the exact end included */
export const DIAL_STEPS = 7
/** below this many photos latencies are microseconds of noise: the fixed ladder is measured instead */
export const MIN_FRONTIER_PHOTOS = 1000

export interface Measured {
  config: FunnelConfig
  recall: number
  ms: number
}

const exactConfig = (nesting: number[]): FunnelConfig => {
  const full = nesting[nesting.length - 1]
  return { ds: full, k: 0, dr: full }
}

function toPoints(nesting: number[], configs: { config: FunnelConfig; recall: number | null; ms: number | null }[]): DialPoint[] {
  const full = nesting[nesting.length - 1]
  return configs.map((c, i) => ({
    position: configs.length > 1 ? i / (configs.length - 1) : 1,
    config: c.config,
    exact: c.config.ds === full && c.config.dr === full && c.config.k === 0,
    recall: c.recall,
    ms: c.ms
  }))
}

/** The dial before anything is measured: the fixed ladder of mrl.ts. */
export function dialPoints(nesting: number[], measured?: { recall: number; ms: number }[]): DialPoint[] {
  return toPoints(
    nesting,
    dialLadder(nesting).map((config, i) => ({ config, recall: measured?.[i]?.recall ?? null, ms: measured?.[i]?.ms ?? null }))
  )
}

/**
 * The measured dial: the fastest funnels that no faster one beats on recall, spread over the
 * positions before the exact end; funnels no faster than exact search are dropped. At least three
 * positions, so the dial's two ends and middle always differ.
 */
export function frontierDial(nesting: number[], measured: Measured[], exact: Measured): DialPoint[] {
  const funnels = measured.filter((m) => m.config.k > 0 && m.ms < exact.ms)
  let chosen = spread(paretoFrontier(funnels), DIAL_STEPS - 1)
  if (chosen.length < 2) {
    // a frontier of one point: add the next fastest funnel with a different answer to make a middle
    const rest = [...funnels].sort((a, b) => a.ms - b.ms).filter((m) => !chosen.includes(m))
    chosen = [...chosen, ...rest].slice(0, 2).sort((a, b) => a.ms - b.ms)
  }
  return toPoints(nesting, [...chosen, exact])
}

export function configAt(points: DialPoint[], position: number): DialPoint {
  return points[dialIndex(position, points.length)]
}

const tick = () => new Promise((r) => setImmediate(r))

/**
 * Times and scores each candidate on the sample, query by query (so every candidate sees the same
 * queries), until the sample or the time budget runs out; yields between candidates so searches
 * keep answering meanwhile.
 */
export async function measure(deps: FunnelDeps, configs: FunnelConfig[], nesting: number[], sample: number[], budgetMs: number): Promise<{ measured: Measured[]; exact: Measured }> {
  const exactCfg = exactConfig(nesting)
  const recall = configs.map(() => 0)
  const ms = configs.map(() => [] as number[])
  const exactMs: number[] = []
  let used = 0
  const start = performance.now()
  for (const id of sample) {
    if (!deps.table.has(id)) continue
    const query = { at: () => [deps.table.vector(id)], exclude: new Set([id]) }
    const truth = runFunnel(deps, query, exactCfg, 10)
    exactMs.push(truth.ms)
    const truthIds = truth.hits.map((h) => h.id)
    for (let i = 0; i < configs.length; i++) {
      const res = runFunnel(deps, query, configs[i], 10)
      recall[i] += recallAtK(res.hits.map((h) => h.id), truthIds)
      ms[i].push(res.ms)
      if (i % 8 === 7) await tick()
    }
    used++
    if (performance.now() - start > budgetMs) break
    await tick()
  }
  const measured = configs.map((config, i) => ({ config, recall: used ? recall[i] / used : 1, ms: median(ms[i]) }))
  return { measured, exact: { config: exactCfg, recall: 1, ms: median(exactMs) } }
}

/** The dial for this library: the frontier of the candidate funnels, or the measured ladder when the library is small. */
export async function calibrate(deps: FunnelDeps, nesting: number[], sample: number[], budgetMs = 8000): Promise<DialPoint[]> {
  const n = deps.table.size
  if (n < MIN_FRONTIER_PHOTOS) {
    const ladder = dialLadder(nesting)
    const { measured, exact } = await measure(deps, ladder.slice(0, -1), nesting, sample, budgetMs)
    return dialPoints(nesting, [...measured, exact])
  }
  const { measured, exact } = await measure(deps, funnelCandidates(nesting, n), nesting, sample, budgetMs)
  return frontierDial(nesting, measured, exact)
}
