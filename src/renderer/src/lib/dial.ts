// The dial in plain words: three settings a person chooses between (Fastest, Balanced, Most
// precise), each with what it measured on this library (time per search, agreement with exact
// search); the measured operating points and (Ds, K, Dr) are for "Advanced".
import type { DialPoint, SearchStats } from '../../../shared/api'
import { count, ms } from './format'

export const SETTINGS = [
  { name: 'Fastest', position: 0 },
  { name: 'Balanced', position: 0.5 },
  { name: 'Most precise', position: 1 }
] as const

export function nearestPoint(points: DialPoint[], position: number): DialPoint | null {
  let best: DialPoint | null = null
  for (const p of points) {
    if (!best || Math.abs(p.position - position) < Math.abs(best.position - position)) best = p
  }
  return best
}

/** The plain setting a dial position is closest to. */
export const settingAt = (position: number) => SETTINGS.reduce((a, b) => (Math.abs(b.position - position) < Math.abs(a.position - position) ? b : a))

/** What a setting does on this library, in a sentence (its tooltip). */
export function describeSetting(point: DialPoint | null, photos: number): string {
  if (!point) return ''
  if (point.recall === null || point.ms === null) return `Not measured on your library yet (it is measured after indexing).`
  const agree = Math.round(point.recall * 100)
  return `Measured on your ${count(photos)} photos: about ${ms(point.ms)} per search; ${agree === 100 ? 'the same top 10 as' : `${agree}% of the top 10 the same as`} an exact search.`
}

export function dimsLabel(ds: number, dr: number, exact: boolean): string {
  return exact || ds === dr ? `${dr} dims${exact ? ' exact' : ''}` : `${ds} → ${dr} dims`
}

export const statsDims = (s: SearchStats): string => dimsLabel(s.ds, s.dr, s.exact)
export const pointDims = (p: DialPoint): string => dimsLabel(p.config.ds, p.config.dr, p.exact)
