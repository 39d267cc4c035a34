// The engine on real files, real LanceDB, real onnxruntime and real usearch: no mocks.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, readdirSync, rmSync, unlinkSync, utimesSync, writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'
import { openIndexed } from './indexed.ts'

let lib: string
let data: string
let engine: Engine

const photoCount = async () => (await engine.status()).photos
const files = () => readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jpg'))

before(async () => {
  lib = cifarLibrary(8) // 80 real CIFAR-10 JPEGs
  data = tempDir()
  engine = await openIndexed(lib, data)
})

after(async () => {
  await engine?.close()
  removeDirs(lib, data)
})

test('indexes every photo with an embedding, a label from the cascade and a thumbnail', async () => {
  const status = await engine.status()
  assert.equal(status.photos, 80)
  assert.deepEqual(status.folders, [{ path: lib, photos: 80 }])
  const { photos } = await engine.listPhotos({ offset: 0, limit: 500 })
  for (const p of photos) {
    assert.ok(status.model.classes.includes(p.label), `label ${p.label}`)
    assert.ok(status.model.nesting.includes(p.labelDims), `cascade stopped at ${p.labelDims}`)
    assert.ok(existsSync(engine.thumbPath(p.id)))
  }
  const detail = await engine.getPhoto({ id: photos[0].id })
  assert.equal(detail.width, 32)
  assert.match(detail.hash, /^[0-9a-f]{40}$/)
})

test('funnel search reports its dims, candidates and time, and dial ends differ', async () => {
  const { photos } = await engine.listPhotos({ offset: 0, limit: 1 })
  const fast = await engine.search({ query: { kind: 'photo', id: photos[0].id }, dial: 0, limit: 10 })
  const exact = await engine.search({ query: { kind: 'photo', id: photos[0].id }, dial: 1, limit: 10 })
  assert.equal(fast.hits.length, 10)
  assert.equal(exact.hits.length, 10)
  assert.ok(!exact.hits.some((h) => h.id === photos[0].id), 'the query photo is not its own answer')
  assert.equal(exact.stats.exact, true)
  assert.equal(exact.stats.dr, 512)
  assert.equal(exact.stats.scanned, 80)
  assert.ok(fast.stats.dr < exact.stats.dr)
  assert.ok(exact.stats.ms >= 0)
  // exact search ranks by cosine, descending
  for (let i = 1; i < exact.hits.length; i++) assert.ok(exact.hits[i - 1].score >= exact.hits[i].score)
})

test('a funnel with a shortlist smaller than the library reranks only its candidates', async () => {
  const { photos } = await engine.listPhotos({ offset: 0, limit: 1 })
  const res = await engine.search({ query: { kind: 'photo', id: photos[0].id }, config: { ds: 8, k: 20, dr: 64 }, limit: 5 })
  assert.equal(res.stats.exact, false)
  assert.deepEqual(res.stats.stages.map((s) => s.dims), [8, 64])
  // the shortlist asks for one extra to make up for the excluded query photo
  assert.ok(res.stats.stages[0].candidates <= 21 && res.stats.stages[0].candidates >= 20)
  assert.equal(res.stats.stages[1].candidates, 20)
  assert.equal(res.hits.length, 5)
})

test('bad dims and unknown photos are user errors', async () => {
  await assert.rejects(engine.search({ query: { kind: 'photo', id: 0 }, config: { ds: 7, k: 10, dr: 64 }, limit: 5 }), /nesting list/)
  await assert.rejects(engine.search({ query: { kind: 'photo', id: 999999 }, limit: 5 }), /no photo 999999/)
  await assert.rejects(engine.addFolder({ path: join(lib, 'nope') }), /folder not found/)
})

test('incremental re-index touches only new and changed files', async () => {
  const before = await engine.listPhotos({ offset: 0, limit: 500 })
  const [a, b] = files()
  // change one file's content, add one new file
  copyFileSync(join(lib, b), join(lib, a))
  utimesSync(join(lib, a), new Date(), new Date(Date.now() + 5000))
  copyFileSync(join(lib, b), join(lib, 'new-photo.jpg'))
  await engine.reindex()
  await engine.idle()
  const status = await engine.status()
  assert.equal(status.progress.total, 2, status.progress.message)
  assert.equal(status.photos, 81)
  const after = await engine.listPhotos({ offset: 0, limit: 500 })
  const changed = after.photos.find((p) => p.path === join(lib, a))!
  assert.equal(changed.id, before.photos.find((p) => p.path === join(lib, a))!.id, 'a changed file keeps its id')
  assert.equal((await engine.getPhoto({ id: changed.id })).hash, (await engine.getPhoto({ id: after.photos.find((p) => p.path === join(lib, b))!.id })).hash)
  // and a run with nothing changed processes nothing
  await engine.reindex()
  await engine.idle()
  assert.equal((await engine.status()).progress.total, 0)
})

test('a deleted photo leaves the index and the results', async () => {
  const { photos } = await engine.listPhotos({ offset: 0, limit: 500 })
  const victim = photos[5]
  unlinkSync(victim.path)
  await engine.reindex()
  await engine.idle()
  assert.equal(await photoCount(), 80)
  await assert.rejects(engine.getPhoto({ id: victim.id }), /no photo/)
  assert.equal(existsSync(engine.thumbPath(victim.id)), false)
  for (const dial of [0, 0.5, 1]) {
    const res = await engine.search({ query: { kind: 'photo', id: photos[0].id }, dial, limit: 79 })
    assert.ok(!res.hits.some((h) => h.id === victim.id), `deleted photo returned at dial ${dial}`)
  }
})

test('corrupt, empty and fake JPEGs are skipped with a reason and the run goes on', async () => {
  writeFileSync(join(lib, 'empty.jpg'), '')
  writeFileSync(join(lib, 'text.jpg'), 'this is not a photo\n')
  const good = readFileSync(join(lib, files()[0]))
  writeFileSync(join(lib, 'truncated.jpg'), good.subarray(0, Math.floor(good.length / 3)))
  copyFileSync(join(lib, files()[1]), join(lib, 'also new.jpg'))
  await engine.reindex()
  await engine.idle()
  const { files: skipped } = await engine.skipped()
  const reason = (name: string) => skipped.find((s) => s.path === join(lib, name))?.reason
  assert.equal(reason('empty.jpg'), 'empty file')
  assert.match(reason('text.jpg') ?? '', /not a readable image/)
  assert.ok(reason('truncated.jpg'), 'truncated JPEG reported')
  assert.equal(await photoCount(), 81, 'the good new photo was indexed')
  // unchanged bad files are not retried on the next run
  await engine.reindex()
  await engine.idle()
  assert.equal((await engine.status()).progress.total, 0)
})

test('the usearch shortlist is rebuilt when deleted or stale, and a second instance is refused', async () => {
  const { photos } = await engine.listPhotos({ offset: 0, limit: 1 })
  const query = { query: { kind: 'photo' as const, id: photos[0].id }, config: { ds: 16, k: 30, dr: 512 }, limit: 10 }
  const expected = (await engine.search(query)).hits.map((h) => h.id)
  await assert.rejects(Engine.open({ dataDir: data }), /another instance/)
  await engine.close()
  const indexFiles = readdirSync(data).filter((f) => f.startsWith('shortlist-'))
  // one index for the prefix, at the storage measured on this library (core/adanns.ts)
  const saved = indexFiles.filter((f) => /^shortlist-16-\w+\.usearch$/.test(f))
  assert.equal(saved.length, 1, `persisted: ${indexFiles}`)
  for (const f of indexFiles) rmSync(join(data, f))
  engine = await Engine.open({ dataDir: data })
  assert.deepEqual((await engine.search(query)).hits.map((h) => h.id), expected)
  assert.ok(existsSync(join(data, saved[0])), 'rebuilt and saved, at the same storage')
  // a fingerprint that disagrees with the table forces a rebuild too
  await engine.close()
  writeFileSync(join(data, `${saved[0]}.json`), JSON.stringify({ fingerprint: 'stale' }))
  engine = await Engine.open({ dataDir: data })
  assert.deepEqual((await engine.search(query)).hits.map((h) => h.id), expected)
  const meta = JSON.parse(readFileSync(join(data, `${saved[0]}.json`), 'utf8'))
  assert.notEqual(meta.fingerprint, 'stale')
})

test('metadata filters run inside LanceDB and combine with a photo query', async () => {
  const { photos } = await engine.listPhotos({ offset: 0, limit: 500 })
  const trucks = await engine.listPhotos({ offset: 0, limit: 500, filter: { folder: 'truck' } })
  assert.equal(trucks.total, photos.filter((p) => p.folder.endsWith('/truck')).length)
  const res = await engine.search({ query: { kind: 'photo', id: photos[0].id }, filter: { folder: 'truck' }, dial: 0.5, limit: 50 })
  assert.ok(res.hits.length > 0)
  assert.ok(res.hits.every((h) => h.folder.endsWith('/truck')))
  const named = await engine.listPhotos({ offset: 0, limit: 5, filter: { name: "also new" } })
  assert.equal(named.total, 1)
  // quotes and wildcards are data, not SQL
  assert.equal((await engine.listPhotos({ offset: 0, limit: 5, filter: { name: "' OR 1=1 --" } })).total, 0)
  assert.equal((await engine.listPhotos({ offset: 0, limit: 5, filter: { name: '%' } })).total, 0)
})

test('removing a folder removes its photos', async () => {
  await engine.removeFolder({ path: lib })
  await engine.idle()
  assert.equal(await photoCount(), 0)
  assert.deepEqual((await engine.status()).folders, [])
})
