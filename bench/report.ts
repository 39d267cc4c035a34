// Ratios to our exact full-dim search and to FAISS flat, the issue's claims checked against the
// measurements, and the Markdown summary.
import { paretoFrontier } from '../src/core/mrl'
import { connectivityFor, DEFAULT_CONNECTIVITY } from '../src/main/adapters/usearch/shortlist'
import type { BenchReport } from './adaptive'
import type { HeldOut } from './cascade'
import type { Entry } from './results'
import { interleavedMarkdown } from './interleavedReport'

const METRICS = ['p50_ms', 'p99_ms', 'qps', 'index_bytes', 'map10', 'recall10'] as const

/** Adds vs_exact / vs_faiss_flat: each figure divided by the same figure of the reference at that scale. */
export function addRatios(entries: Entry[]): void {
  for (const e of entries) {
    const scale = entries.filter((x) => x.scale === e.scale)
    const exact = scale.find((x) => x.system === 'ours' && x.family === 'exact' && x.dr === Math.max(...scale.map((y) => y.dr ?? 0)))
    const flat = scale.find((x) => x.family === 'faiss-flat')
    const ratio = (ref: Entry | undefined) => (ref ? Object.fromEntries(METRICS.map((m) => [m, e[m] !== null && ref[m] ? Number(e[m]) / Number(ref[m]) : null])) : null)
    e.vs_exact = ratio(exact)
    e.vs_faiss_flat = ratio(flat)
  }
}

export interface Claim {
  claim: string
  met: boolean | null
  detail: string
}

/** A peer's p50 at a recall, linear between the measured points around it (null above its best). */
function latencyAtRecall(points: Entry[], recall: number): number | null {
  const above = points.find((e) => (e.recall10 ?? 0) >= recall)
  if (!above) return null
  const below = [...points].reverse().find((e) => (e.recall10 ?? 0) < recall)
  if (!below) return above.p50_ms
  const t = (recall - below.recall10!) / (above.recall10! - below.recall10!)
  return below.p50_ms! + t * (above.p50_ms! - below.p50_ms!)
}

function heldOutText(h: HeldOut): string {
  return `${h.accuracy.toFixed(3)}% (${h.min_accuracy.toFixed(2)}–${h.max_accuracy.toFixed(2)}; ${h.splits_reaching}/${h.splits} splits reach the full head) at ${h.expected_dims.toFixed(1)} expected dims (split 1's thresholds per fold ${h.thresholds.map((t) => t.join('/')).join(', ')})`
}

/** The issue's targets, at the largest scale measured. */
export function checkClaims(r: BenchReport): Claim[] {
  const big = r.scales[r.scales.length - 1]
  const at = r.entries.filter((e) => e.scale === big.scale)
  const full = Math.max(...r.model.nesting)
  const exact = at.find((e) => e.system === 'ours' && e.family === 'exact' && e.dr === full)!
  // quality claims are against exact search on the float32 embeddings (ours stores a byte a dim)
  const reference = at.find((e) => e.family === 'reference') ?? exact
  const flat = at.find((e) => e.family === 'faiss-flat')
  const hnsw = at.filter((e) => e.family === 'faiss-hnsw').sort((a, b) => (a.recall10 ?? 0) - (b.recall10 ?? 0))
  const good = at
    .filter((e) => e.system === 'ours' && e.family !== 'exact' && e.family !== 'reference' && e.map10 !== null && reference.map10 !== null && e.map10 >= reference.map10 - 0.2 && (e.recall10 ?? 0) >= 0.95)
    .sort((a, b) => (a.p50_ms ?? Infinity) - (b.p50_ms ?? Infinity))
  const best = good[0]
  const claims: Claim[] = []
  if (!best) claims.push({ claim: `a funnel within 0.2 mAP@10 points of exact float32 search and recall@10 >= 0.95 at ${big.scale}`, met: false, detail: 'no funnel meets both' })
  else {
    const f = (x: number | null | undefined) => (x == null ? 'n/a' : x.toFixed(3))
    claims.push({ claim: `a funnel within 0.2 mAP@10 points of exact float32 search and recall@10 >= 0.95 at ${big.scale}`, met: true, detail: `${best.name}: mAP@10 ${f(best.map10)} vs ${f(reference.map10)} (exact float32; our byte table's exact search: ${f(exact.map10)}), recall@10 ${f(best.recall10)}, p50 ${f(best.p50_ms)} ms` })
    const speedup = (exact.p50_ms ?? 0) / (best.p50_ms ?? Infinity)
    claims.push({ claim: 'p50 >= 20x lower than our exact full-dim search', met: speedup >= 20, detail: `${speedup.toFixed(1)}x (${f(exact.p50_ms)} ms vs ${f(best.p50_ms)} ms)` })
    if (flat) claims.push({ claim: 'p50 lower than FAISS IndexFlatIP', met: (best.p50_ms ?? Infinity) < (flat.p50_ms ?? 0), detail: `${f(best.p50_ms)} ms vs ${f(flat.p50_ms)} ms (${((flat.p50_ms ?? 0) / (best.p50_ms ?? 1)).toFixed(1)}x)` })
    // equal recall: FAISS's latency interpolated between the two efSearch values around each funnel's recall
    const matched = good
      .map((e) => ({ e, faiss: latencyAtRecall(hnsw, e.recall10 ?? 1) }))
      .filter((m): m is { e: Entry; faiss: number } => m.faiss !== null)
      .sort((a, b) => (a.e.p50_ms ?? Infinity) / a.faiss - (b.e.p50_ms ?? Infinity) / b.faiss)
    if (hnsw.length)
      claims.push({
        claim: 'p50 below FAISS IndexHNSWFlat at equal recall (one pass each, not interleaved: the interleaved claims below are the ones that count)',
        met: matched.length ? (matched[0].e.p50_ms ?? Infinity) < matched[0].faiss : false,
        detail: matched.length
          ? `best ratio: ${matched[0].e.name} ${f(matched[0].e.p50_ms)} ms at recall ${f(matched[0].e.recall10)} vs FAISS ${f(matched[0].faiss)} ms at that recall (${hnsw.map((h) => `${h.name.replace('FAISS IndexHNSWFlat ', '')}: ${f(h.recall10)} / ${f(h.p50_ms)} ms`).join(', ')})`
          : `no efSearch measured reaches recall ${f(best.recall10)} (best ${f(hnsw[hnsw.length - 1].recall10)})`
      })
  }
  const c = r.cascade
  const { stable, per_prefix } = c.calibrated
  claims.push({
    claim: `the cascade reaches the full ${c.full_dims}-d head's accuracy with at most ${c.full_dims / 8} dims on average (thresholds fitted on 4/5 of the test split, scored on the other 1/5; mean over ${stable.splits} random 5-fold splits)`,
    met: stable.accuracy >= c.full_accuracy && stable.expected_dims <= c.full_dims / 8,
    detail:
      `one stable threshold: ${heldOutText(stable)}; per-prefix thresholds: ${heldOutText(per_prefix)}; full head ${c.full_accuracy.toFixed(2)}%; ` +
      (c.matches_full ? `in-sample, one threshold for all prefixes: ${c.matches_full.accuracy.toFixed(2)}% at ${c.matches_full.expected_dims.toFixed(1)} dims (${c.matches_full.threshold})` : 'no single threshold reaches it in-sample')
  })
  // the index the app builds at this size (shortlist.ts picks the sparser graph for large libraries)
  const appSource = connectivityFor(big.n, 16) === DEFAULT_CONNECTIVITY ? 'f16' : 'f16-compact'
  const indexAt = (source: string) => at.find((e) => e.system === 'ours' && e.source === source && e.ds === 16 && e.family === 'funnel')
  const ds16 = indexAt(appSource)
  const dense = indexAt('f16')
  const mbOf = (e: Entry | undefined) => `${((e?.index_bytes ?? 0) / 1e6).toFixed(1)} MB`
  if (ds16)
    claims.push({
      claim: `shortlist index at Ds=16, f16, ${big.scale} vectors under 100 MB`,
      met: (ds16.index_bytes ?? Infinity) < 100e6,
      detail: `${mbOf(ds16)} (the app's ${appSource} graph, connectivity ${connectivityFor(big.n, 16)})${dense && dense !== ds16 ? `; the default graph (connectivity ${DEFAULT_CONNECTIVITY}) is ${mbOf(dense)}` : ''}`
    })
  // the interleaved speed claims at the largest scale (the first four: the issue's targets)
  const inter = r.interleaved?.find((x) => x.scale === big.scale)
  for (const c of inter?.claims.slice(0, 4) ?? [])
    claims.push({
      claim: `${c.claim} (interleaved, ${inter!.rounds} rounds)`,
      met: c.met,
      detail: `${c.ours ?? 'no configuration reaches that recall'}: median ratio ${c.median?.toFixed(2) ?? '—'} (min ${c.min?.toFixed(2) ?? '—'}, max ${c.max?.toFixed(2) ?? '—'}), better in ${c.rounds_won}/${inter!.rounds} rounds`
    })
  return claims
}

const num = (v: unknown, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—')
const mb = (v: unknown) => (typeof v === 'number' ? (v / 1e6).toFixed(1) : '—')

export function markdown(r: BenchReport, claims: Claim[]): string {
  const lines = [
    `# Adaptive deployment benchmark`,
    ``,
    `${r.machine}; model ${r.model.name} (${r.model.sha256?.slice(0, 12) ?? 'no sha'}); ${r.started}; ${Math.round(r.seconds)} s.`,
    ``,
    r.database_note + '.',
    `Quality (mAP@10, P@10 by class, percent) on the real database; recall@10 against our exact full-dim search at each scale. At a synthetic scale mAP@10 is the same configuration's on the real database.`,
    ``,
    `## Claims`,
    ``,
    `| claim | met | measured |`,
    `|---|---|---|`,
    ...claims.map((c) => `| ${c.claim} | ${c.met === null ? '—' : c.met ? 'yes' : '**no**'} | ${c.detail} |`),
    ``,
    `## Scales`,
    ``,
    `| scale | n | table MB | peak RSS MB (node) | peak RSS MB (faiss) | load average start → end |`,
    `|---|---|---|---|---|---|`,
    ...r.scales.map((s) => `| ${s.scale} | ${s.n} | ${mb(s.table_bytes)} | ${num(s.peak_rss_mb, 0)} | ${num(s.faiss_peak_rss_mb, 0)} | ${num(s.load_start, 1)} → ${num(s.load_end, 1)} |`),
    ...(r.supplements ?? []).flatMap((sup) => sup.scales.map((s) => `| ${s.scale} (supplement) | ${s.n} | ${mb(s.table_bytes)} | ${num(s.peak_rss_mb, 0)} | — | ${num(s.load_start, 1)} → ${num(s.load_end, 1)} |`)),
    ...(r.supplements ?? []).flatMap((sup) => [``, `Supplement started ${sup.started} (${num(sup.seconds / 60, 0)} min): sources ${sup.sources?.join(', ')}, same code and queries; its rows carry \`supplement\`.`]),
    ``,
    `## Adaptive classification (cascade)`,
    ``,
    `| threshold | accuracy % | expected dims |`,
    `|---|---|---|`,
    ...r.cascade.points.map((p) => `| ${p.threshold} | ${num(p.accuracy)} | ${num(p.expected_dims, 1)} |`),
    ``,
    `Held out (fitted on 4/5 of the test split, scored on the other 1/5, ${r.cascade.calibrated.stable.splits} random 5-fold splits): one stable threshold ${heldOutText(r.cascade.calibrated.stable)}; per-prefix thresholds ${heldOutText(r.cascade.calibrated.per_prefix)}.`,
    ``,
    `Fixed MRL heads: ${r.cascade.fixed.map((f) => `${f.dims}: ${num(f.accuracy)}%`).join(', ')}. FF-d (card): ${r.cascade.ff.map((f) => `${f.dims}: ${num(f.accuracy)}%`).join(', ') || 'none'}.`,
    ``
  ]
  if (r.interleaved?.length || r.prefix_scans?.length)
    lines.push(interleavedMarkdown({ ...r, results: r.interleaved ?? [] }).replace(/^# .*\n\n.*\n/, '## Speed claims, interleaved\n'))
  for (const s of r.scales) {
    const rows = r.entries.filter((e) => e.scale === s.scale)
    // the table shows the exact rows, the peers, and our funnels on the recall/latency frontier
    const ours = rows.filter((e) => e.system === 'ours' && e.family !== 'exact' && e.family !== 'reference')
    const frontier = new Set(frontierOf(ours))
    const shown = rows.filter((e) => e.system !== 'ours' || e.family === 'exact' || e.family === 'reference' || frontier.has(e) || (e.source === 'f16' && e.dr === 512 && e.k === 800))
    // LanceDB's quality comes from fewer queries (its searches are slow): not comparable point for point
    const most = Math.max(...rows.map((e) => e.quality_queries))
    const subset = (e: Entry) => (e.quality_queries > 0 && e.quality_queries < most ? ` (mAP and P@10 on ${e.quality_queries} of the ${most} queries)` : '')
    lines.push(
      `## ${s.scale} (${shown.length} of ${rows.length} configurations: exact, peers, our recall/latency frontier; all in latest.json)`,
      ``,
      `| configuration | mAP@10 | P@10 | recall@10 | p50 ms | p99 ms | QPS | build s | index MB | p50 / exact | p50 / FAISS flat |`,
      `|---|---|---|---|---|---|---|---|---|---|---|`,
      ...shown.map((e) => {
        const vx = e.vs_exact as Record<string, number | null> | null
        const vf = e.vs_faiss_flat as Record<string, number | null> | null
        return `| ${e.name}${subset(e)} | ${num(e.map10)} | ${num(e.precision10)} | ${num(e.recall10, 3)} | ${num(e.p50_ms, 3)} | ${num(e.p99_ms, 3)} | ${num(e.qps, 0)} | ${num(e.build_s, 1)} | ${mb(e.index_bytes)} | ${num(vx?.p50_ms, 3)} | ${num(vf?.p50_ms, 3)} |`
      }),
      ``
    )
  }
  return lines.join('\n')
}

function frontierOf(entries: Entry[]): Entry[] {
  return paretoFrontier(entries.map((e) => ({ e, recall: e.recall10 ?? 0, ms: e.p50_ms ?? Infinity }))).map((p) => p.e)
}
