// The shortlist's storage, AdANNS-style (src/core/adanns.ts): for each prefix Ds, what the app
// measures when it builds an index (each storage's share of the true top 10 on the library's rows,
// and its pick), against real usearch indexes of every storage on the whole library: bytes
// a vector on disk, build time, and the funnel Ds -> K -> all dims' recall@10 on the test queries,
// run through runFunnel as the app runs it (so the rerank, the f16 rescoring included, is the app's).
//   npm run bench -- --storages [--out DIR] (bench/results by default)
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { pickStorage, STORAGES } from '../src/core/adanns'
import { runFunnel } from '../src/core/funnel'
import { FUNNEL_KS } from '../src/core/mrl'
import { Shortlist } from '../src/main/adapters/usearch/shortlist'
import { measureTable } from '../src/main/adapters/usearch/storagePick'
import { queryVectors, realDatabase, sampleRows } from './database'
import { CACHE, loadEmbeddings } from './embeddings'
import { exactTopRows } from './exact'
import { log, machine } from './results'

const TOP = 10

export async function benchStorages(argv: string[], out: string | null): Promise<void> {
  const load = loadavg()[0]
  const e = await loadEmbeddings()
  const db = realDatabase(e.train)
  const d = db.dims
  const queries = queryVectors(e.test, sampleRows(e.test.n, 200))
  const truth = exactTopRows(db, queries, d, TOP).map((top) => new Set(top))
  const work = join(CACHE, 'scratch', `storages-${process.pid}`)
  mkdirSync(work, { recursive: true })
  const rows: string[] = []
  const json: unknown[] = []
  try {
    for (const ds of [16, 32, 64]) {
      const t0 = performance.now()
      const { ks, measured, center } = measureTable(db.table, ds)
      const measureS = (performance.now() - t0) / 1000
      const pick = pickStorage(measured)
      log(`storages: Ds=${ds} measured in ${measureS.toFixed(1)} s, picks ${pick}`)
      for (const kind of ['f32', ...STORAGES] as const) {
        const t1 = performance.now()
        const index = Shortlist.build(db.table, ds, kind, undefined, center)
        const buildS = (performance.now() - t1) / 1000
        const file = join(work, `${ds}-${kind}.usearch`)
        index.save(file, 'bench')
        const bytes = statSync(file).size / db.n
        const recall = ks.map((k) => {
          let held = 0
          queries.forEach((q, qi) => {
            const hits = runFunnel({ table: db.table, shortlist: () => index }, { at: () => [q] }, { ds, k, dr: d }, TOP).hits
            held += hits.filter((h) => truth[qi].has(h.id)).length
          })
          return held / (queries.length * TOP)
        })
        const m = measured.find((x) => x.kind === kind)!
        json.push({ ds, kind, picked: kind === pick, bytes_per_vector: bytes, build_s: buildS, ks, funnel_recall10: recall, measured_recall: m.recall, measure_s: measureS })
        rows.push(`| ${ds} | ${kind}${kind === pick ? ' (picked)' : ''} | ${bytes.toFixed(1)} | ${buildS.toFixed(1)} | ${recall.map((r) => r.toFixed(3)).join(' / ')} | ${m.recall.map((r) => r.toFixed(3)).join(' / ')} |`)
        log(`storages: Ds=${ds} ${kind}: ${bytes.toFixed(1)} B/vector, built in ${buildS.toFixed(1)} s, recall@10 ${recall.map((r) => r.toFixed(3)).join(' ')}`)
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  const md = [
    `# Shortlist storage (AdANNS-style): ${db.n.toLocaleString('en')} real embeddings (${e.model.card.name}), ${queries.length} test queries`,
    '',
    `Machine: ${machine()}; load average ${load.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end.`,
    '',
    `Each index is built on the whole library; the funnel Ds -> K -> ${d} runs through the app's runFunnel. "Measured" is what the app`,
    'measures when it builds an index (on every row, up to 50,000 photos; core/adanns.ts, storagePick.ts); it picks the smallest',
    `storage that misses at most 1.25x as many of the true top 10 as float32, plus 0.002, at every K (${FUNNEL_KS.filter((k) => k < db.n).join(', ')}).`,
    "b1 is one bit a dim, the signs of the prefix minus the library's mean prefix. A larger library keeps f16.",
    '',
    `| Ds | storage | index bytes / vector | build s | funnel recall@10 at K ${FUNNEL_KS.filter((k) => k < db.n).join(' / ')} | measured |`,
    '|---|---|---|---|---|---|',
    ...rows
  ].join('\n')
  console.log(md)
  if (out) {
    writeFileSync(join(out, 'storages.md'), `${md}\n`)
    writeFileSync(join(out, 'storages.json'), `${JSON.stringify({ started_load: load, machine: machine(), model: e.model.card.name, n: db.n, series: json }, null, 1)}\n`)
    log(`wrote ${join(out, 'storages.md')} and storages.json`)
  }
}
