// Importing an image encoder and switching the library to it: real ONNX files, onnxruntime,
// LanceDB and CIFAR JPEGs. The bundled FF-512 baseline (not Matryoshka) is the model imported.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import * as lancedb from '@lancedb/lancedb'
import { Engine } from '../src/main/app/engine.ts'
import { UserError } from '../src/shared/errors.ts'
import { Card, cardFile, loadModel } from '../src/main/adapters/models/modelCard.ts'
import { importModel } from '../src/main/adapters/models/registry.ts'
import { ROOT, cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'
import { openIndexed } from './indexed.ts'

const FF512 = join(ROOT, 'resources/models/ff512-resnet18-cifar10.onnx')
const FF512_CARD = join(ROOT, 'resources/models/ff512-resnet18-cifar10.json')
const CIFAR_NORM = { mean: [0.4912, 0.4821, 0.4465], std: [0.2452, 0.2428, 0.2606] }
const classOf = (path: string) => basename(dirname(path))

/** Imported model folders (a failed import leaves none, not even its temp folder). */
const imported = (data: string) => (existsSync(join(data, 'models')) ? readdirSync(join(data, 'models')) : [])

/** Mean share of a photo query's top 10 that is of its class, over 20 queries spread over the library. */
async function precisionAt10(engine: Engine): Promise<number> {
  const photos = [...engine.indexedPhotos()].sort((a, b) => a.id - b.id)
  let sum = 0
  for (let i = 0; i < 20; i++) {
    const q = photos[Math.floor((i * photos.length) / 20)]
    const res = await engine.search({ query: { kind: 'photo', id: q.id }, dial: 1, limit: 10 })
    sum += res.hits.filter((h) => classOf(h.path) === classOf(q.path)).length / 10
  }
  return sum / 20
}

async function refused(data: string, onnx: string, settings: Record<string, unknown>, reason: RegExp, status = 400): Promise<void> {
  await assert.rejects(
    importModel(data, onnx, { settings: { size: 32, ...CIFAR_NORM, output: 'embedding', ...settings } as never }),
    (err: unknown) => {
      assert.ok(err instanceof UserError, `a UserError, not ${String(err)}`)
      assert.equal(err.status, status)
      assert.match(err.message, reason)
      return true
    }
  )
  assert.deepEqual(imported(data), [], 'nothing is kept from a refused import')
}

test('a bad model or bad settings are refused with the reason, and nothing is kept', async () => {
  const data = tempDir()
  try {
    const text = join(data, 'not-a-model.onnx')
    writeFileSync(text, 'this is a text file, not a protobuf graph')
    await refused(data, text, {}, /not an ONNX model/)
    await refused(data, join(data, 'missing.onnx'), {}, /no such file/, 404)
    await refused(data, FF512, { size: 64 }, /wrong input size: the model takes 32x32/)
    await refused(data, FF512, { layout: 'NHWC' }, /wrong input size|channels/)
    await refused(data, FF512, { output: 'features' }, /output name absent.*embedding, logits_512/)
    await refused(data, FF512, { inputName: 'pixels' }, /no input "pixels"/)
    await refused(data, join(ROOT, 'test/onnx/feature-map.onnx'), {}, /4-D.*2-D output/)
    await refused(data, join(ROOT, 'test/onnx/nan.onnx'), {}, /NaN/)
    await assert.rejects(importModel(data, FF512, { settings: { size: 32, mean: [0.5], std: [0.2, 0.2, 0.2], output: 'embedding' } }), /invalid settings: mean/)
    await assert.rejects(importModel(data, FF512, { card: { ...JSON.parse(readFileSync(FF512_CARD, 'utf8')), embedding_dim: 256 } }), /card says 256 dims/)
  } finally {
    removeDirs(data)
  }
})

test('an encoder imported from form settings: checked on a generated image, copied into the data folder', async () => {
  const data = tempDir()
  try {
    const m = await importModel(data, FF512, { settings: { name: 'ff', size: 32, ...CIFAR_NORM, output: 'embedding' } })
    console.log(`# FF-512 from form settings: ${m.report.dims} dims, ${m.report.msPerPhoto.toFixed(2)} ms/photo (generated image)`)
    assert.equal(m.dims, 512)
    assert.deepEqual(m.nesting, [512])
    assert.equal(m.matryoshka, false)
    assert.equal(m.report.photos, 0)
    assert.ok(m.report.msPerPhoto > 0)
    assert.deepEqual(imported(data), [m.id])
    assert.ok(existsSync(join(data, 'models', m.id, 'model.onnx')))
    await assert.rejects(importModel(data, FF512, { cardPath: FF512_CARD }), (err: UserError) => err.status === 409 && /already imported as “ff”/.test(err.message))
    await assert.rejects(importModel(data, join(ROOT, 'resources/models/mrl-photo.onnx'), { settings: { size: 64, ...CIFAR_NORM, output: 'embedding' } }), /already bundled as “mrl-photo”/)
  } finally {
    removeDirs(data)
  }
})

test('a card whose classes are concept objects: imported as names plus concepts, and its written copy round-trips', async () => {
  const data = tempDir()
  try {
    const ff = JSON.parse(readFileSync(FF512_CARD, 'utf8'))
    const names: string[] = ff.classes
    // a made-up hierarchy over the ten classes (automobile and truck under airplane): only its shape matters
    const concepts = names.map((name, i) => ({ wnid: `n${String(i).padStart(8, '0')}`, name, words: [name, `${name}s`], gloss: `a ${name}`, parents: name === 'automobile' || name === 'truck' ? [names.indexOf('airplane')] : [] }))
    const calibration = { label: { threshold: 0.9, dims: 512 }, note: 'passed through as given' }
    const m = await importModel(data, FF512, { card: { ...ff, classes: concepts, calibration } })
    const written = JSON.parse(readFileSync(join(data, 'models', m.id, 'model.json'), 'utf8'))
    assert.deepEqual(written.classes, concepts, 'the file keeps the objects')
    assert.equal(written.concepts, undefined, 'and no second copy of them')
    assert.deepEqual(written.calibration, calibration)
    const { card } = await loadModel(join(data, 'models', m.id, 'model.onnx'))
    assert.deepEqual(card.classes, names)
    assert.deepEqual(card.concepts, concepts)
    assert.deepEqual(card.calibration, calibration)
    assert.deepEqual(Card.parse(cardFile(card)), card, 'parse(write(card)) is the card')
    // plain names stay plain: no concepts
    const plain = Card.parse(ff)
    assert.deepEqual(plain.classes, names)
    assert.equal('concepts' in plain, false)
    assert.deepEqual(cardFile(plain).classes, names)
    // a parent that is no class is refused
    const bad = concepts.map((c, i) => (i === 0 ? { ...c, parents: [99] } : c))
    assert.equal(Card.safeParse({ ...ff, classes: bad }).success, false)
  } finally {
    removeDirs(data)
  }
})

test('switching to an imported non-Matryoshka model: searches answer throughout, the adaptor gives it prefixes, and back', async () => {
  const lib = cifarLibrary(20) // 200 photos
  const data = tempDir()
  const engine = await openIndexed(lib, data)
  try {
    const bundled = engine.modelId
    const queryId = [...engine.indexedPhotos()][0].id
    const before = await precisionAt10(engine)
    const t0 = performance.now()
    const res = await engine.importModel({ path: FF512, cardPath: FF512_CARD, use: true })
    console.log(`# FF-512 checked on ${res.model.report.photos} library photos: ${res.model.report.dims} dims, ${res.model.report.msPerPhoto.toFixed(2)} ms/photo`)
    assert.equal(res.model.report.photos, 8)
    assert.equal(res.models.switch.phase, 'embedding')
    // searches keep answering from the old model until the new table is complete
    const during: string[] = []
    while ((await engine.models()).switch.phase === 'embedding') {
      const r = await engine.search({ query: { kind: 'photo', id: queryId }, limit: 10 })
      assert.equal(r.hits.length, 10)
      assert.equal((await engine.status()).model.id, bundled)
      during.push(r.hits[0].path)
      await new Promise((r) => setTimeout(r, 50))
    }
    assert.ok(during.length > 0, 'searched while re-embedding')
    await engine.modelSwitchIdle()
    console.log(`# re-embedded 200 photos and trained the adaptor in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${during.length} searches answered meanwhile`)
    const models = await engine.models()
    assert.equal(models.switch.phase, 'done', models.switch.message)
    assert.equal(models.active, res.model.id)
    const status = await engine.status()
    assert.equal(status.model.name, 'ff512-resnet18-cifar10')
    assert.equal(status.photos, 200)
    const rows = await engine.store.meta()
    assert.equal(rows.length, 200)
    assert.ok(rows.every((r) => r.model === res.model.id), 'every row embedded by the new model')
    // the unsupervised adaptor was trained, so the dial has prefixes again
    const adaptors = await engine.adaptors()
    assert.equal(adaptors.versions.length, 1)
    assert.equal(adaptors.versions[0].kind, 'unsupervised')
    assert.equal(adaptors.active, adaptors.versions[0].version)
    assert.deepEqual(status.model.nesting, [8, 16, 32, 64, 128, 256, 512])
    const short = await engine.search({ query: { kind: 'photo', id: queryId }, config: { ds: 16, k: 50, dr: 64 }, limit: 10 })
    assert.equal(short.hits.length, 10)
    const after = await precisionAt10(engine)
    console.log(`# precision@10 of 20 photo queries: bundled ${before.toFixed(2)}, FF-512 + adaptor ${after.toFixed(2)}`)
    assert.ok(after >= 0.6)
    // words still work without heads: the photos the model labels stand for a class
    const cats = await engine.search({ query: { kind: 'text', text: 'cat' }, limit: 10 })
    assert.ok(cats.hits.filter((h) => classOf(h.path) === 'cat').length >= 6)
    // the old table is gone once the new one is in use
    const db = await lancedb.connect(join(data, 'library.lance'))
    assert.deepEqual((await db.tableNames()).filter((n) => n.startsWith('photos')), [engine.store.photosTable])
    db.close()

    // back to the bundled model
    await engine.useModel({ id: 'bundled' })
    await engine.modelSwitchIdle()
    assert.equal(engine.modelId, bundled)
    assert.equal((await engine.store.meta()).filter((r) => r.model === bundled).length, 200)
    assert.equal((await engine.search({ query: { kind: 'photo', id: queryId }, limit: 10 })).hits.length, 10)
    assert.equal((await engine.models()).models.length, 2)
  } finally {
    await engine.close()
    removeDirs(lib, data)
  }
})

test('a switch interrupted by closing the app resumes at the next start and loses nothing', async () => {
  const lib = cifarLibrary(9) // 90 photos: too few for the adaptor, so the switch ends at the flip
  const data = tempDir()
  let engine = await openIndexed(lib, data)
  try {
    const bundled = engine.modelId
    const { model } = await engine.importModel({ path: FF512, settings: { size: 32, ...CIFAR_NORM, output: 'embedding' }, use: true })
    while ((await engine.models()).switch.done < 32) await new Promise((r) => setTimeout(r, 20))
    await engine.close()
    engine = await Engine.open({ dataDir: data })
    assert.equal(engine.modelId, bundled, 'the old model is in use until the new table is complete')
    assert.equal((await engine.search({ query: { kind: 'photo', id: 0 }, limit: 5 })).hits.length, 5)
    const resumed = await engine.models()
    assert.equal(resumed.switch.toId, model.id)
    await engine.modelSwitchIdle()
    assert.equal(engine.modelId, model.id)
    const rows = await engine.store.meta()
    assert.equal(rows.length, 90)
    assert.equal(new Set(rows.map((r) => r.path)).size, 90)
    assert.ok(rows.every((r) => r.model === model.id))
    assert.equal(engine.vectors.size, 90)
    assert.equal((await engine.adaptors()).versions.length, 0, 'no adaptor for 90 photos')
    assert.deepEqual((await engine.status()).model.nesting, [512], 'the dial searches the full embedding')
  } finally {
    await engine.close()
    removeDirs(lib, data)
  }
})

test('cancelling a switch keeps the model in use and drops the half-filled table', async () => {
  const lib = cifarLibrary(9)
  const data = tempDir()
  const engine = await openIndexed(lib, data)
  try {
    const bundled = engine.modelId
    const table = engine.store.photosTable
    await engine.importModel({ path: FF512, cardPath: FF512_CARD, use: true })
    while ((await engine.models()).switch.done < 32) await new Promise((r) => setTimeout(r, 20))
    const res = await engine.cancelModelSwitch()
    assert.equal(res.switch.phase, 'cancelled')
    assert.equal(res.active, bundled)
    assert.equal(engine.modelId, bundled)
    assert.deepEqual(JSON.parse(readFileSync(join(data, 'model-state.json'), 'utf8')).target, null)
    const db = await lancedb.connect(join(data, 'library.lance'))
    assert.deepEqual((await db.tableNames()).filter((n) => n.startsWith('photos')), [table])
    db.close()
    assert.equal((await engine.search({ query: { kind: 'photo', id: 0 }, limit: 5 })).hits.length, 5)
    assert.equal((await engine.models()).models.length, 2, 'the imported model stays available')
  } finally {
    await engine.close()
    removeDirs(lib, data)
  }
})
