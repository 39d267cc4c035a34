// Which of our configurations the benchmark measures: exact search at every prefix, the
// (Ds, K, Dr) grid per shortlist source, and a few multi-stage funnels.
import { funnelName, type Funnel } from '../src/core/mrl'
import type { Quantization } from '../src/main/adapters/usearch/shortlist'

/** usearch HNSW at a quantization (f16-compact: the sparser graph the app uses from shortlist.ts's COMPACT_FROM photos), or an exact scan of the Ds-prefix */
export type Source = Quantization | 'f16-compact' | 'scan'

export interface Config {
  name: string
  family: 'exact' | 'funnel' | 'multi' | 'reference'
  source: Source | null
  funnel: Funnel
}

export const GRID = { ds: [8, 16, 32, 64], k: [50, 200, 800, 2000], dr: [64, 128, 256, 512] }
export const SOURCES: Source[] = ['f16', 'f32', 'i8', 'scan', 'f16-compact']
/** multi-stage funnels: shortlist on a short prefix, narrow on a middle one, finish on all dims */
export const MULTI: Funnel[] = [
  { ds: 8, k: 2000, via: [{ dims: 32, keep: 200 }], dr: 512 },
  { ds: 8, k: 2000, via: [{ dims: 64, keep: 200 }], dr: 512 },
  { ds: 16, k: 2000, via: [{ dims: 64, keep: 400 }], dr: 512 },
  { ds: 8, k: 800, via: [{ dims: 32, keep: 100 }], dr: 512 }
]

export function exactConfigs(nesting: number[]): Config[] {
  return nesting.map((m) => ({ name: `exact ${m}`, family: 'exact', source: null, funnel: { ds: m, k: 0, dr: m } }))
}

/** The grid and the multi-stage funnels shortlisting from one (source, Ds) index, for K < n. */
export function funnelConfigs(source: Source, ds: number, n: number, nesting: number[]): Config[] {
  const ks = GRID.k.filter((k) => k < n)
  const out: Config[] = []
  for (const k of ks) {
    for (const dr of GRID.dr.filter((m) => m >= ds && nesting.includes(m))) {
      const funnel = { ds, k, dr }
      out.push({ name: `${funnelName(funnel)} ${source}`, family: 'funnel', source, funnel })
    }
  }
  if (source === 'f16') {
    for (const f of MULTI.filter((f) => f.ds === ds && f.k < n)) out.push({ name: `${funnelName(f)} ${source}`, family: 'multi', source, funnel: f })
  }
  return out
}
