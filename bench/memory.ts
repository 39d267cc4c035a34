// Memory at scale: the app's whole search space (byte vectors, columnar rows, shortlist index) at
// N photos, measured in a fresh process that opens a real data folder (bench/memoryProbe.ts);
// and the quality the byte table keeps (mAP@10 of the funnels against exact float32 search on the
// real 50,000 CIFAR-10 embeddings).
//   npm run bench -- --memory [--photos 1000000] [--ds 64] [--k 400] [--queries 10000] [--out DIR]
// The data folder (a LanceDB photo table of N rows: the benchmark's synthetic embeddings, with
// made-up paths, hashes, dates and cameras) is built once into bench/cache/ (git-ignored).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { ROOT } from '../fixtures/photos'
import { LAUNCH_ENV, launchEnv } from '../scripts/launchEnv.mjs'
import { runFunnel } from '../src/core/funnel'
import { Store } from '../src/main/adapters/lance/store'
import { dataLayout } from '../src/main/adapters/fs/dataLayout'
import { Shortlist } from '../src/main/adapters/usearch/shortlist'
import type { PhotoRow } from '../src/main/ports/photos'
import { queryVectors, realDatabase, sampleRows, scaledDatabase } from './database'
import { CACHE, loadEmbeddings, modelKey, type Embeddings } from './embeddings'
import { exactTopRows } from './exact'
import { quality } from './quality'
import { log, machine } from './results'

const CAMERAS = ['Canon EOS R6', 'iPhone 14 Pro', 'Pixel 8', 'NIKON D750', null]

function photoRow(i: number, embedding: Float32Array, label: string): PhotoRow {
  const year = 2010 + (i % 14)
  const folder = `/home/someone/Pictures/${year}/${String((i >> 10) % 12 + 1).padStart(2, '0')}`
  const name = `IMG_${String(i).padStart(7, '0')}.jpg`
  return {
    id: i,
    path: `${folder}/${name}`,
    folder,
    name,
    hash: createHash('sha1').update(String(i)).digest('hex'),
    size: 3_000_000 + (i % 5_000_000),
    mtime_ms: 1.6e12 + i * 1000,
    width: 4032,
    height: 3024,
    taken_at: i % 10 ? `${year}-06-${String((i % 28) + 1).padStart(2, '0')}T12:${String(i % 60).padStart(2, '0')}:00` : null,
    camera: CAMERAS[i % CAMERAS.length],
    lens: null,
    latitude: i % 3 ? 48.8 + (i % 1000) / 1e4 : null,
    longitude: i % 3 ? 2.3 + (i % 997) / 1e4 : null,
    orientation: 1,
    label,
    label_conf: 0.5 + (i % 50) / 100,
    label_dims: 64,
    model: 'mrl-photo',
    embedding
  }
}

/** The data folder of `n` photos, built once. */
async function library(e: Embeddings, n: number): Promise<string> {
  const dir = join(CACHE, modelKey(e.model), `memory-${n}`)
  if (existsSync(join(dir, 'complete'))) return dir
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const db = n > e.train.n ? scaledDatabase(e.train, n, log) : realDatabase(e.train)
  await Store.migrate(dir)
  const store = await Store.open(dataLayout(dir).library, db.dims, 'photos')
  const batch = 20_000
  for (let s = 0; s < n; s += batch) {
    const rows = Array.from({ length: Math.min(batch, n - s) }, (_, i) => photoRow(s + i, db.vectors.subarray((s + i) * db.dims, (s + i + 1) * db.dims), e.train.classes[db.labels[s + i]]))
    await store.insert(rows)
    if ((s / batch) % 10 === 0) log(`memory: ${s + rows.length}/${n} rows written`)
  }
  await store.optimize()
  store.close()
  writeFileSync(join(dir, 'complete'), new Date().toISOString())
  return dir
}

export async function benchMemory(argv: string[], out: string | null): Promise<void> {
  const value = (f: string, d: string) => {
    const i = argv.indexOf(f)
    return i >= 0 ? argv[i + 1] : d
  }
  const n = Number(value('--photos', '1000000'))
  const ds = Number(value('--ds', '64'))
  const k = Number(value('--k', '400'))
  const loadStart = loadavg()
  const e = await loadEmbeddings()
  const full = e.model.card.embedding_dim
  const dir = await library(e, n)
  const qFile = join(dir, 'queries.f32')
  const rows = sampleRows(e.test.n, 200)
  const q = new Float32Array(rows.length * full)
  queryVectors(e.test, rows).forEach((v, i) => q.set(v, i * full))
  writeFileSync(qFile, q)
  // twice: the first open builds and saves the shortlist index, the second loads it as a restart does
  const probes = ['first open (builds the shortlist index)', 'reopen (index from disk)'].map((what) => {
    // started with the environment the app's launcher gives it (scripts/launchEnv.mjs)
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench', 'memoryProbe.ts'), dir, String(ds), String(k), qFile], { encoding: 'utf8', env: launchEnv(), stdio: ['ignore', 'pipe', 'inherit'] })
    if (r.status !== 0) throw new Error(`memory probe failed (${r.status})`)
    const steps = JSON.parse(r.stdout.trim().split('\n').pop()!)
    log(`memory ${n}: ${what}: ${JSON.stringify(steps)}`)
    return { what, steps }
  })
  // quality of the byte table's funnels against exact float32, on the real embeddings
  const real = realDatabase(e.train)
  const all = sampleRows(e.test.n, Number(value('--queries', String(e.test.n))))
  const vectors = queryVectors(e.test, all)
  const truthRows = exactTopRows(real, vectors, full, 10)
  const byRow = new Map(all.map((row, i) => [row, truthRows[i]]))
  const truth = (row: number) => byRow.get(row)!
  const exactF32 = quality(truthRows, all, truth, real.labels, e.test.labels)
  const funnels = [{ ds, k, dr: full }, { ds, k: 200, dr: full }, { ds: 32, k: 800, dr: full }, { ds: full, k: 0, dr: full }]
  const shortlists = new Map<number, Shortlist>()
  const qualities = funnels.map((f) => {
    if (f.k && !shortlists.has(f.ds)) shortlists.set(f.ds, Shortlist.build(real.table, f.ds, 'f16'))
    const deps = { table: real.table, shortlist: () => shortlists.get(f.ds)! }
    const answers = vectors.map((v) => runFunnel(deps, { at: () => [v] }, f, 10).hits.map((h) => h.id))
    const qy = quality(answers, all, truth, real.labels, e.test.labels)
    return { funnel: f, map10: qy.map10, recall10: qy.recall10, within_0_2: exactF32.map10 - qy.map10 <= 0.2 }
  })
  const report = { machine: machine(), model: e.model.card.name, photos: n, ds, k, launch_env: LAUNCH_ENV, load_start: loadStart, load_end: loadavg(), probes, quality: { database: real.scale, queries: all.length, exact_f32_map10: exactF32.map10, funnels: qualities } }
  log(`memory quality: exact f32 mAP@10 ${exactF32.map10.toFixed(3)}; ${qualities.map((x) => `${x.funnel.ds}/${x.funnel.k}/${x.funnel.dr}: ${x.map10.toFixed(3)} (recall ${x.recall10.toFixed(4)})`).join(', ')}`)
  if (out) {
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'memory.json'), JSON.stringify(report, null, 1))
    log(`wrote ${join(out, 'memory.json')}`)
  }
}
