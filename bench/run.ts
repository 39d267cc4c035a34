// `npm run bench`: benchmarks print numbers; they are not tests.
//   npm run bench                       adaptive deployment: 50,000 + 1,000,000, peers; writes bench/results/latest.*
//   npm run bench -- --small            5,000 database vectors, 200 queries, no 1M (CI); writes nothing unless --out
//   npm run bench -- --no-peers --no-1m --queries N --speed N --out DIR
//   npm run bench -- --sources f16-compact --merge bench/results/latest.json
//                                       measure only those shortlist sources (both scales, no peers) and add them to a full run's results
//   npm run bench -- --interleaved [--small | --no-1m] [--rounds N] [--out DIR]
//                                       only our funnels and FAISS HNSW timed in alternation (bench/interleaved.ts); writes DIR/interleaved.{json,md}
//   npm run bench -- --memory [--photos N] [--ds 64] [--k 400]
//                                       RSS of the app's search space over a data folder of N photos (bench/memory.ts); writes DIR/memory.json
//   npm run bench -- --indexing [--photos N] [--sizes 64,96,128] [--no-variants] [--train] [--out DIR]
//                                       whole-process CLI indexing throughput, old CIFAR and new photo model (and the
//                                       photo architecture at other input sizes), on the CIFAR-10 test JPEGs and N
//                                       12-megapixel JPEGs (default 150); writes DIR/indexing.json (default bench/results)
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../fixtures/photos'
import { benchAdaptive, FULL, SMALL, type BenchOptions, type BenchReport } from './adaptive'
import { benchIndexing, parseIndexingArgs, writeIndexing } from './indexing'
import { addRatios, checkClaims, markdown } from './report'
import { log } from './results'
import type { Source } from './configs'

export function parseArgs(argv: string[]): { options: BenchOptions; out: string | null; indexing: boolean; train: boolean; merge: string | null } {
  const has = (f: string) => argv.includes(f)
  const value = (f: string) => {
    const i = argv.indexOf(f)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const base = has('--small') ? SMALL : FULL
  const options: BenchOptions = {
    ...base,
    queries: Number(value('--queries') ?? base.queries),
    speedQueries: Number(value('--speed') ?? base.speedQueries),
    scaleTo: has('--no-1m') ? 0 : base.scaleTo,
    peers: has('--no-peers') || has('--sources') ? false : base.peers,
    ...(has('--sources') ? { sources: value('--sources')!.split(',') as Source[] } : {})
  }
  const out = value('--out') ?? (has('--small') ? null : join(ROOT, 'bench', 'results'))
  return { options, out, indexing: has('--indexing'), train: has('--train'), merge: value('--merge') ?? null }
}

export function writeReport(report: BenchReport, out: string): void {
  mkdirSync(out, { recursive: true })
  const claims = checkClaims(report)
  writeFileSync(join(out, 'latest.json'), JSON.stringify({ ...report, claims }, null, 1))
  writeFileSync(join(out, 'latest.md'), markdown(report, claims))
  const plot = spawnSync('/usr/bin/python3', [join(ROOT, 'bench', 'plot.py'), join(out, 'latest.json'), out], { stdio: 'inherit' })
  if (plot.status !== 0) log('plot.py failed; the JSON and Markdown are written')
}

/** A supplement's entries replace or join the full run's; its scales' load and memory are kept beside. */
function mergeInto(full: BenchReport & { claims?: unknown; supplements?: unknown[] }, extra: BenchReport): BenchReport {
  const key = (e: { system: string; name: string; scale: string }) => `${e.system}|${e.name}|${e.scale}`
  const added = new Set(extra.entries.map(key))
  const { claims: _, ...rest } = full
  return {
    ...rest,
    cascade: extra.cascade, // the same logits and code: recomputed, identical unless the code changed
    entries: [...full.entries.filter((e) => !added.has(key(e))), ...extra.entries.map((e) => ({ ...e, supplement: extra.started }))],
    supplements: [...(full.supplements ?? []), { started: extra.started, seconds: extra.seconds, sources: extra.options.sources, scales: extra.scales }]
  } as BenchReport
}

export async function runBench(argv: string[]): Promise<BenchReport | null> {
  const args = parseArgs(argv)
  if (argv.includes('--memory')) {
    const { benchMemory } = await import('./memory')
    await benchMemory(argv, argv.includes('--out') ? args.out : argv.includes('--small') ? null : args.out)
    return null
  }
  if (argv.includes('--storages')) {
    const { benchStorages } = await import('./storages')
    await benchStorages(argv, args.out)
    return null
  }
  if (argv.includes('--interleaved')) {
    const { runInterleaved } = await import('./interleavedRun')
    await runInterleaved(argv, args.options, args.out)
    return null
  }
  if (args.indexing) {
    const report = await benchIndexing(parseIndexingArgs(argv))
    if (args.out) log(`wrote ${writeIndexing(report, args.out)}`)
    return null
  }
  let report = await benchAdaptive(args.options)
  if (args.merge) report = mergeInto(JSON.parse(readFileSync(args.merge, 'utf8')) as BenchReport, report)
  addRatios(report.entries)
  if (args.out) {
    writeReport(report, args.out)
    log(`wrote ${join(args.out, 'latest.json')}, latest.md and the plots`)
  }
  for (const c of checkClaims(report)) console.log(`${c.met ? 'MET ' : 'NOT MET'}  ${c.claim}: ${c.detail}`)
  return report
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runBench(process.argv.slice(2)).catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
