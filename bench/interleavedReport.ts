// The interleaved comparison as Markdown: per configuration its recall and per-round figures, then
// the claims as median ratios with their spread.
import type { Interleaved } from './interleaved'
import type { PrefixScanResult } from './prefixScan'

const f = (v: number | null | undefined, d = 2) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(d))
const med = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b)
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN
}

export interface InterleavedReport {
  machine: string
  started: string
  seconds: number
  model: { name: string; sha256: string | null }
  results: Interleaved[]
  prefix_scans?: PrefixScanResult[]
}

export function interleavedMarkdown(r: InterleavedReport): string {
  const lines = [`# Interleaved comparison: our funnels and FAISS HNSW`, ``, `${r.machine}; model ${r.model.name} (${r.model.sha256?.slice(0, 12) ?? 'no sha'}); ${r.started}; ${Math.round(r.seconds)} s.`, ``]
  for (const x of r.results) {
    lines.push(
      `## ${x.scale} (${x.n} vectors, ${x.queries} queries, ${x.rounds} rounds)`,
      ``,
      `Load average (1, 5, 15 min) at start ${x.load.start.map((v) => v.toFixed(2)).join(', ')}; at end ${x.load.end.map((v) => v.toFixed(2)).join(', ')}. FAISS peak RSS ${f(x.faiss_peak_rss_mb, 0)} MB.`,
      `Threads: single-query latency: ${x.threads.latency}. Batch: ${x.threads.batch}.`,
      ``,
      `| claim | ours | median ratio | min | max | rounds won | met |`,
      `|---|---|---|---|---|---|---|`,
      ...x.claims.map((c) => `| ${c.claim} | ${c.ours ?? '—'} | ${f(c.median)}${c.faiss_below ? ' †' : ''} | ${f(c.min)} | ${f(c.max)} | ${c.rounds_won}/${x.rounds} | ${c.met ? 'yes' : '**no**'} |`),
      ``,
      `Ratios: FAISS's p50 at our recall (linear between the efs around it, in the same round) / ours, or our QPS / FAISS's; above 1 = ours better. †: FAISS reached less than our recall at every ef tried; the ratio is against its best ef (the highest recall it reached), so FAISS is credited with a recall it did not reach. Each of the first four claims names, among our configurations at that recall, the one with the best median ratio; every configuration's own ratios follow it.`,
      ``,
      `| configuration | recall@10 | p50 ms median (min–max over rounds) | batch QPS median (min–max) | index bytes / vector |`,
      `|---|---|---|---|---|`,
      ...x.series.map((s) => `| ${s.name} | ${f(s.recall10, 4)} | ${f(med(s.p50_ms), 3)} (${f(Math.min(...s.p50_ms), 3)}–${f(Math.max(...s.p50_ms), 3)}) | ${f(med(s.qps), 0)} (${f(Math.min(...s.qps), 0)}–${f(Math.max(...s.qps), 0)}) | ${s.index_bytes ? f(s.index_bytes / x.n, 1) : '—'} |`),
      ``
    )
  }
  for (const p of r.prefix_scans ?? []) {
    lines.push(
      `## Exact search on a prefix, ${p.scale} (${p.n} vectors, ${p.queries} queries, ${p.rounds} rounds, one thread)`,
      ``,
      `| scan | p50 ms median (min–max over rounds) | / full-dim scan, median (min–max) |`,
      `|---|---|---|`,
      ...Object.entries(p.ms).map(([name, ms]) => {
        const ratio = p.ratio_to_full[name]
        return `| ${name} | ${f(med(ms), 2)} (${f(Math.min(...ms), 2)}–${f(Math.max(...ms), 2)}) | ${ratio ? `${f(med(ratio), 3)} (${f(Math.min(...ratio), 3)}–${f(Math.max(...ratio), 3)})` : '—'} |`
      }),
      ``,
      `The constant c in t(d) <= d/full x t(full) + c, per round (the largest over prefixes): median ${f(med(p.constant_ms))} ms (${f(Math.min(...p.constant_ms))}–${f(Math.max(...p.constant_ms))}).`,
      ``
    )
  }
  return lines.join('\n')
}
