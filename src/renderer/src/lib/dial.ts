// The dial's measured operating points: the engine picks (Ds, K, Dr) per position; the UI only
// needs the nearest point to describe what a position will do before a search has run.
import type { DialPoint, SearchStats } from '../../../shared/api'

export function nearestPoint(points: DialPoint[], position: number): DialPoint | null {
  let best: DialPoint | null = null
  for (const p of points) {
    if (!best || Math.abs(p.position - position) < Math.abs(best.position - position)) best = p
  }
  return best
}

export function dimsLabel(ds: number, dr: number, exact: boolean): string {
  return exact || ds === dr ? `${dr} dims${exact ? ' exact' : ''}` : `${ds} → ${dr} dims`
}

export const statsDims = (s: SearchStats): string => dimsLabel(s.ds, s.dr, s.exact)
export const pointDims = (p: DialPoint): string => dimsLabel(p.config.ds, p.config.dr, p.exact)
