// `npm run bench -- --interleaved`: the interleaved comparison alone, on the real database (or its
// small CI cut) and the 1M one, written to DIR/interleaved.{json,md}.
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import type { BenchOptions } from './adaptive'
import { queryVectors, realDatabase, sampleRows, scaledDatabase } from './database'
import { CACHE, loadEmbeddings, modelKey } from './embeddings'
import { exactTopRows } from './exact'
import { benchInterleaved, interleavedConfigs, type Interleaved } from './interleaved'
import { log, machine } from './results'
import { interleavedMarkdown } from './interleavedReport'
import { benchPrefixScans, type PrefixScanResult } from './prefixScan'

export async function runInterleaved(argv: string[], o: BenchOptions, out: string | null): Promise<Interleaved[]> {
  const value = (f: string) => {
    const i = argv.indexOf(f)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const rounds = Number(value('--rounds') ?? 6)
  const started = new Date().toISOString()
  const t0 = performance.now()
  const e = await loadEmbeddings()
  const full = e.model.card.embedding_dim
  const cacheRoot = join(CACHE, modelKey(e.model))
  const results: Interleaved[] = []
  const prefixScans: PrefixScanResult[] = []
  const dbs = [() => realDatabase(e.train, o.small ? 10 : 1), ...(o.scaleTo ? [() => scaledDatabase(e.train, o.scaleTo, log)] : [])]
  for (const make of dbs) {
    const db = make()
    const rows = sampleRows(e.test.n, o.speedQueries)
    const queries = queryVectors(e.test, rows)
    const truth = exactTopRows(db, queries, full, 10)
    const cacheDir = join(cacheRoot, `interleaved-${db.scale}`)
    mkdirSync(cacheDir, { recursive: true })
    results.push(await benchInterleaved(db, queries, truth, { rounds, efs: db.n > 100_000 ? [16, 32, 64, 128, 256, 512, 1024] : [16, 32, 64, 128, 256, 512], configs: interleavedConfigs(full, db.n), cacheDir, work: join(CACHE, 'run-interleaved'), threads: 2 }))
    log(`${db.scale}: exact search at every prefix, ${rounds} rounds…`)
    prefixScans.push(benchPrefixScans(db, e.model.card.nesting, queries.slice(0, 30), rounds))
  }
  const report = { machine: machine(), started, seconds: (performance.now() - t0) / 1000, model: { name: e.model.card.name, sha256: e.model.card.sha256 ?? null }, load_end: loadavg(), results, prefix_scans: prefixScans }
  if (out) {
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'interleaved.json'), JSON.stringify(report, null, 1))
    writeFileSync(join(out, 'interleaved.md'), interleavedMarkdown(report))
    log(`wrote ${join(out, 'interleaved.json')} and interleaved.md`)
  }
  for (const r of results) for (const c of r.claims) console.log(`${r.scale} ${c.met ? 'MET    ' : 'NOT MET'} ${c.claim}: ${c.ours ?? 'no configuration'}; median ${c.median?.toFixed(2) ?? '—'} (min ${c.min?.toFixed(2) ?? '—'}, max ${c.max?.toFixed(2) ?? '—'}), won ${c.rounds_won}/${r.rounds}`)
  return results
}
