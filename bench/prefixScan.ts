// Exact search on every prefix of the nesting list over the whole table, timed interleaved (each
// round scans every prefix once per query, the order reversed every other round): how each
// prefix's time compares with the full-dim scan's, next to usearch's float32 exactSearch at full
// dims (what the engine used before: 1 and 2 threads).
import usearch from 'usearch'
import { scanTable } from '../src/core/scan'
import type { Database } from './database'
import { percentile } from './quality'

export interface PrefixScanResult {
  scale: string
  n: number
  queries: number
  rounds: number
  /** per prefix: per-round p50 ms (one thread, one query at a time) */
  ms: Record<string, number[]>
  /** per prefix and round: its p50 over the full-dim p50 in that round */
  ratio_to_full: Record<string, number[]>
  /** the constant c in t(d) <= d/full x t(full) + c: per round, the largest over prefixes */
  constant_ms: number[]
}

export function benchPrefixScans(db: Database, nesting: number[], queries: Float32Array[], rounds: number): PrefixScanResult {
  const full = nesting[nesting.length - 1]
  const ms: Record<string, number[]> = {}
  const kinds: { name: string; run: (q: Float32Array) => void }[] = [
    ...nesting.map((d) => ({ name: `exact ${d}`, run: (q: Float32Array) => void scanTable(db.table, q, d, 10) })),
    { name: `usearch exactSearch f32 ${full}, 1 thread`, run: (q: Float32Array) => void usearch.exactSearch(db.vectors, q.slice(0, full), full, 10, usearch.MetricKind.Cos, 1) },
    { name: `usearch exactSearch f32 ${full}, 2 threads`, run: (q: Float32Array) => void usearch.exactSearch(db.vectors, q.slice(0, full), full, 10, usearch.MetricKind.Cos, 2) }
  ]
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...kinds].reverse() : kinds
    for (const k of order) {
      const times = queries.map((q) => {
        const t0 = performance.now()
        k.run(q)
        return performance.now() - t0
      })
      ;(ms[k.name] ??= []).push(percentile(times, 50))
    }
  }
  const fullMs = ms[`exact ${full}`]
  const ratio_to_full = Object.fromEntries(nesting.map((d) => [`exact ${d}`, ms[`exact ${d}`].map((t, r) => t / fullMs[r])]))
  const constant_ms = fullMs.map((f, r) => Math.max(...nesting.map((d) => ms[`exact ${d}`][r] - (d / full) * f)))
  return { scale: db.scale, n: db.n, queries: queries.length, rounds, ms, ratio_to_full, constant_ms }
}
