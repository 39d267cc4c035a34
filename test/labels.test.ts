// The user's labels and the adaptors trained on them, through the engine on real files: labels
// survive re-indexing, training gives a new version that search uses, and rollback restores the
// model's own answers exactly.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { fashionLibrary } from '../fixtures/fashion.ts'
import { removeDirs, tempDir } from '../fixtures/photos.ts'
import { openIndexed } from './indexed.ts'

const CLASSES = ['trouser', 'bag', 'sneaker']
let lib: string
let data: string
let engine: Engine

const photosOf = async (cls: string) => (await engine.listPhotos({ offset: 0, limit: 1000 })).photos.filter((p) => p.path.includes(`/${cls}/`))
const counts = async () => Object.fromEntries((await engine.labels()).labels.map((l) => [l.name, l.count]))

before(async () => {
  lib = await fashionLibrary(12, CLASSES)
  data = tempDir()
  engine = await openIndexed(lib, data)
})

after(async () => {
  await engine?.close()
  removeDirs(lib, data)
})

test('labels: create, assign to many photos, rename, count, and they survive a re-index', async () => {
  await engine.createLabel({ name: 'unused' })
  for (const cls of CLASSES) await engine.assignLabel({ ids: (await photosOf(cls)).map((p) => p.id), label: cls })
  assert.deepEqual(await counts(), { unused: 0, trouser: 12, bag: 12, sneaker: 12 })
  await engine.renameLabel({ from: 'bag', to: 'handbag' })
  assert.equal((await photosOf('bag'))[0].userLabel, 'handbag')
  await assert.rejects(engine.renameLabel({ from: 'handbag', to: 'trouser' }), /already/)
  await engine.deleteLabel({ name: 'unused' })
  // a changed file is re-embedded under the same path: its label stays
  const bag = join(lib, 'bag', readdirSync(join(lib, 'bag'))[0])
  utimesSync(bag, new Date(), new Date(Date.now() + 5000))
  await engine.reindex()
  await engine.idle()
  assert.deepEqual(await counts(), { trouser: 12, handbag: 12, sneaker: 12 })
  assert.equal((await engine.labels()).labelled, 36)
  const one = (await photosOf('sneaker'))[0]
  await engine.assignLabel({ ids: [one.id], label: null })
  assert.equal((await engine.getPhoto({ id: one.id })).userLabel, null)
  await engine.assignLabel({ ids: [one.id], label: 'sneaker' })
})

test('training: a cancelled run keeps nothing; a finished one becomes a version search uses; rollback restores the exact answers', async () => {
  const query = { query: { kind: 'photo' as const, id: (await photosOf('trouser'))[0].id }, dial: 1, limit: 10 }
  const original = (await engine.search(query)).hits.map((h) => [h.id, h.score])

  await engine.train({ kind: 'supervised' })
  await engine.cancelTraining()
  await engine.trainingIdle()
  assert.equal((await engine.training()).phase, 'cancelled')
  assert.deepEqual((await engine.adaptors()).versions, [])

  await engine.train({ kind: 'supervised' })
  await engine.trainingIdle()
  const run = await engine.training()
  assert.equal(run.phase, 'done', run.message)
  assert.equal(run.perPrefix.length, run.nesting.length)
  const { active, versions } = await engine.adaptors()
  assert.equal(active, versions[0].version)
  assert.deepEqual(versions[0].classes, ['handbag', 'sneaker', 'trouser'])

  const adapted = (await engine.search(query)).hits.map((h) => [h.id, h.score])
  assert.notDeepEqual(adapted, original)
  // the label itself is now a query, answered by its head
  const byLabel = await engine.search({ query: { kind: 'text', text: 'sneaker' }, dial: 1, limit: 10 })
  assert.deepEqual(byLabel.matched?.via, ['your label'])
  assert.ok(byLabel.hits.filter((h) => h.path.includes('/sneaker/')).length >= 6, byLabel.hits.map((h) => h.path).join(' '))

  await engine.useAdaptor({ version: null })
  assert.deepEqual((await engine.search(query)).hits.map((h) => [h.id, h.score]), original)
  await engine.useAdaptor({ version: versions[0].version })
  assert.deepEqual((await engine.search(query)).hits.map((h) => [h.id, h.score]), adapted)

  // the choice outlives a restart
  await engine.close()
  engine = await Engine.open({ dataDir: data })
  assert.equal((await engine.adaptors()).active, versions[0].version)
  assert.deepEqual((await engine.search(query)).hits.map((h) => [h.id, h.score]), adapted)
})

test('auto-tags: suggestions only for photos without a label of yours, above the threshold calibrated on held-out photos', async () => {
  const open = (await photosOf('sneaker')).slice(0, 4)
  await engine.assignLabel({ ids: open.map((p) => p.id), label: null })
  const { threshold, suggestions } = await engine.suggestions({ limit: 50 })
  const openIds = new Set(open.map((p) => p.id))
  for (const s of suggestions) {
    assert.ok(openIds.has(s.id), `photo ${s.id} already has a label`)
    assert.ok(threshold !== null && s.confidence >= threshold)
  }
})
