// The duplicates signal's self-join at scale: each photo's K nearest on the Ds-prefix through the
// shortlist (usearch HNSW, as the app keeps it), reranked by cosine at full dims, over the 50,000
// CIFAR-10 train embeddings (real) or the 1,000,000-vector benchmark database (--1m; heavy: run it
// under flock /tmp/mrl-heavy.lock). Against it, the exact all-pairs join (every photo against every
// other at full dims, our SIMD scan of the byte vectors) measured on a sample of queries and extrapolated
// to n queries (n^2 comparisons): said so in the output. Also: the recall of the funnel's join
// against the exact one for the pairs above the duplicate threshold, and the cost of a photo's look.
//   npm run bench:duplicates [-- --1m] [-- --sample N] [-- --ds N --k N]
import os from 'node:os'
import { scanTable } from '../src/core/scan'
import { loadEmbeddings } from './embeddings'
import { realDatabase, scaledDatabase } from './database'
import { Shortlist } from '../src/main/adapters/usearch/shortlist'
import { JOIN, nearCopies, type JoinView } from '../src/main/jobs/signals/duplicates'
import type { VectorTable } from '../src/core/vectors'
import { join } from 'node:path'
import sharp from 'sharp'
import { lookFromFile } from '../src/main/jobs/signals/duplicates'
import { NATURE } from '../fixtures/places'
import { removeDirs, tempDir } from '../fixtures/photos'

const args = process.argv.slice(2)
const big = args.includes('--1m')
const sampleArg = args.indexOf('--sample')
const opt = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback)
// --ds N / --k N: another funnel for the join than the app's (JOIN)
const funnel = { ...JOIN, ds: opt('--ds', JOIN.ds), k: opt('--k', JOIN.k) }
const rss = () => process.memoryUsage().rss / 2 ** 20
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ')

function view(table: VectorTable, shortlist: Shortlist): JoinView {
  return { has: (id) => table.has(id), vector: (id) => table.vector(id), shortlist: (_ds, q, k) => shortlist.search(q, k) }
}

const { train } = await loadEmbeddings()
const rss0 = rss()
const db = big ? scaledDatabase(train, 1_000_000, (s) => console.error(s)) : realDatabase(train)
const n = db.n
console.log(`self-join over ${n.toLocaleString()} ${db.real ? 'real CIFAR-10 train' : 'benchmark (20 noisy copies of the 50,000 real)'} embeddings, ${db.dims} dims; load ${load()}`)
const rssTable = rss()

let t = performance.now()
const shortlist = Shortlist.build(db.table, funnel.ds, 'f16')
const buildS = (performance.now() - t) / 1000
const rssIndex = rss()
console.log(`shortlist on the ${funnel.ds}-dim prefix (f16 HNSW, built once; the app keeps and updates it): ${buildS.toFixed(1)} s, +${(rssIndex - rssTable).toFixed(0)} MiB`)

// the exact join's sample (below): the funnel's pairs are kept for these photos only
const ids = db.table.allIds()
const sample = sampleArg >= 0 ? Number(args[sampleArg + 1]) : big ? 200 : 1000
const step = Math.floor(n / sample)
const sampled = new Set(Array.from({ length: sample }, (_, s) => ids[s * step]))

// the join as the signal runs it: photo by photo, on the main thread (one core)
const v = view(db.table, shortlist)
t = performance.now()
let pairs = 0
const found = new Map<number, Set<number>>()
for (let i = 0; i < ids.length; i++) {
  const near = nearCopies(v, ids[i], funnel)
  for (const [other, score] of near) {
    if (score < JOIN.cropDuplicate) continue
    pairs++
    if (sampled.has(ids[i])) {
      if (!found.has(ids[i])) found.set(ids[i], new Set())
      found.get(ids[i])!.add(other)
    }
  }
  if (big && (i + 1) % 100_000 === 0) console.error(`  joined ${i + 1}/${ids.length} (${((i + 1) / ((performance.now() - t) / 1000)).toFixed(0)}/s)`)
}
const joinS = (performance.now() - t) / 1000
console.log(
  `join (K=${funnel.k} on ${funnel.ds} dims, rerank at ${db.dims}): ${joinS.toFixed(1)} s for ${n.toLocaleString()} photos = ${(n / joinS).toFixed(0)} photos/s (one thread), ` +
    `${pairs.toLocaleString()} pairs ≥ ${JOIN.cropDuplicate}; memory added by table + index: ${(rssIndex - rss0).toFixed(0)} MiB (table ${(rssTable - rss0).toFixed(0)}); load ${load()}`
)

// exact all-pairs on a sample of queries, extrapolated to n queries
t = performance.now()
const exact = Array.from({ length: sample }, (_, s) => scanTable(db.table, db.table.vector(ids[s * step]), db.dims, funnel.k + 1))
const exactS = (performance.now() - t) / 1000
const extrapolated = (exactS * n) / sample
console.log(
  `exact all-pairs (every photo against all ${n.toLocaleString()} at ${db.dims} dims, our SIMD byte-vector scan, one thread): ${exactS.toFixed(2)} s for ${sample} queries, ` +
    `extrapolated to ${n.toLocaleString()} queries (n² = ${(n * n).toExponential(2)} comparisons): ${extrapolated.toFixed(0)} s = ${(extrapolated / joinS).toFixed(1)}x the funnel's join; load ${load()}`
)

// recall: of the exact pairs above a cosine among the sample's exact nearest, how many the funnel found
for (const level of [JOIN.cropDuplicate, 0.95, 0.98]) {
  let want = 0
  let got = 0
  for (let s = 0; s < sample; s++) {
    const q = ids[s * step]
    for (const { id: other, score } of exact[s]) {
      if (other === q || score < level) continue
      want++
      if (found.get(q)?.has(other)) got++
    }
  }
  console.log(`funnel join recall of the exact pairs ≥ ${level} (among the ${funnel.k} nearest of ${sample} sampled photos): ${want ? (got / want).toFixed(3) : 'n/a'} (${got}/${want})`)
}
if (!big) {
  // a photo's look, read off a 320 px WebP thumbnail as indexing makes them
  const dir = tempDir()
  const thumbs: string[] = []
  for (const [i, src] of NATURE.entries()) {
    const file = join(dir, `${i}.webp`)
    await sharp(src).resize(320, 320, { fit: 'inside' }).webp({ quality: 80 }).toFile(file)
    thumbs.push(file)
  }
  await lookFromFile(thumbs[0])
  t = performance.now()
  const rounds = 20
  for (let r = 0; r < rounds; r++) for (const f of thumbs) await lookFromFile(f)
  const lookMs = (performance.now() - t) / (rounds * thumbs.length)
  removeDirs(dir)
  console.log(`a photo's look (12x12 grey from its 320 px thumbnail): ${lookMs.toFixed(2)} ms; with the join, the signal's compute is ${(1000 / (lookMs + (joinS * 1000) / n)).toFixed(0)} photos/s; load ${load()}`)
}
console.log(`50,000-photo library: the join takes ${((joinS * 50_000) / n).toFixed(1)} s ${n === 50_000 ? '(measured)' : '(extrapolated linearly from this run)'}`)
