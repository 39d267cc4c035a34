// The dominant-colours signal end to end: computed after the embedding from the thumbnails, kept in
// its own table with its own staleness, and searchable ("red", "red car") through the one search box.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { colourOf, colourWords, dominantColours } from '../src/core/colours.ts'
import { Engine } from '../src/main/app/engine.ts'
import { indexedEngine, settled } from '../fixtures/engine.ts'
import { SignalTable } from '../src/main/adapters/lance/signalTable.ts'
import { coloursSignal } from '../src/main/jobs/signals/colours.ts'
import { cifarLibrary, removeDirs } from '../fixtures/photos.ts'

let lib: string
let data: string
let engine: Engine

/** A photo-sized JPEG of one colour with some grain, as a red wall or a blue sky would be. */
async function colourPhoto(path: string, rgb: [number, number, number], seed: number): Promise<void> {
  const w = 96, h = 64
  const px = Buffer.alloc(w * h * 3)
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) px[3 * i + c] = Math.max(0, Math.min(255, rgb[c] + (((i * 7919 + seed * 31 + c * 13) % 29) - 14)))
  writeFileSync(path, await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toBuffer())
}

before(async () => {
  lib = cifarLibrary(4) // 40 real CIFAR-10 JPEGs
  mkdirSync(join(lib, 'walls'))
  for (let i = 0; i < 3; i++) await colourPhoto(join(lib, 'walls', `red-${i}.jpg`), [200, 25, 30], i)
  await colourPhoto(join(lib, 'walls', 'blue.jpg'), [30, 60, 200], 9)
  ;({ engine, data } = await indexedEngine(lib))
})

after(async () => {
  await engine?.close()
  removeDirs(lib, data)
})

test('pixels are named by hue, saturation and value; a query keeps its colour words apart', () => {
  assert.equal(colourOf(220, 20, 20), 'red')
  assert.equal(colourOf(20, 40, 210), 'blue')
  assert.equal(colourOf(250, 250, 250), 'white')
  assert.equal(colourOf(10, 10, 10), 'black')
  assert.equal(colourOf(128, 128, 128), 'gray')
  assert.deepEqual(colourWords('a Red car'), { colours: ['red'], rest: 'a car' })
  assert.deepEqual(colourWords('grey cat'), { colours: ['gray'], rest: 'cat' })
  const half = new Uint8Array(300).map((_, i) => (i < 150 ? [220, 20, 20][i % 3] : [20, 40, 210][i % 3]))
  assert.deepEqual(dominantColours(half).map((c) => c.name).sort(), ['blue', 'red'])
})

test('every photo gets its colours after indexing, in its own table, stamped with the signal version and the file hash', async () => {
  const table = await SignalTable.open(data, coloursSignal.name)
  const rows = await table.all()
  table.close()
  const { photos } = await engine.listPhotos({ limit: 500 })
  assert.equal(rows.length, photos.length)
  const byId = new Map(rows.map((r) => [r.id, r]))
  for (const p of photos) {
    const row = byId.get(p.id)!
    assert.equal(row.version, coloursSignal.version)
    assert.equal(row.hash, (await engine.getPhoto({ id: p.id })).hash)
  }
  const red = photos.filter((p) => p.name.startsWith('red-'))
  for (const p of red) assert.equal(JSON.parse(byId.get(p.id)!.value)[0].name, 'red')
})

test('a colour alone ranks the photos of that colour first; a different colour does not bring them', async () => {
  const res = await engine.search({ query: { kind: 'text', text: 'red' }, limit: 10 })
  assert.deepEqual(res.matched?.colours, ['red'])
  assert.deepEqual(res.hits.slice(0, 3).map((h) => h.name).sort(), ['red-0.jpg', 'red-1.jpg', 'red-2.jpg'])
  const blue = await engine.search({ query: { kind: 'text', text: 'blue' }, limit: 10 })
  assert.equal(blue.hits[0].name, 'blue.jpg')
  assert.ok(!blue.hits.some((h) => h.name.startsWith('red-')))
})

test('"red car" ranks by the words among the photos that are red', async () => {
  const cars = await engine.search({ query: { kind: 'text', text: 'car' }, limit: 500, relevance: 'all' })
  const redCars = await engine.search({ query: { kind: 'text', text: 'red car' }, limit: 500, relevance: 'all' })
  assert.deepEqual(redCars.matched?.colours, ['red'])
  assert.deepEqual(redCars.matched?.classes, cars.matched?.classes)
  const reds = new Set((await engine.search({ query: { kind: 'text', text: 'red' }, limit: 500 })).hits.map((h) => h.id))
  assert.ok(redCars.hits.length > 0 && redCars.hits.length < cars.hits.length, `${redCars.hits.length} of ${cars.hits.length}`)
  for (const h of redCars.hits) assert.ok(reds.has(h.id), `${h.name} is not red`)
  // the same order as the word query, restricted to red photos
  assert.deepEqual(redCars.hits.map((h) => h.id), cars.hits.filter((h) => reds.has(h.id)).map((h) => h.id))
})

test('a photo whose file changed gets its colours again; the others are not recomputed on reopen', async () => {
  await colourPhoto(join(lib, 'walls', 'blue.jpg'), [200, 25, 30], 5) // painted red
  await engine.reindex()
  await settled(engine)
  const res = await engine.search({ query: { kind: 'text', text: 'red' }, limit: 10 })
  assert.ok(res.hits.slice(0, 4).some((h) => h.name === 'blue.jpg'))
  await engine.close()
  engine = await Engine.open({ dataDir: data })
  await engine.signalsIdle()
  const snap = engine.jobSnapshot().find((e) => e.kind === 'signals')!
  assert.equal(snap.detail.total, 0, 'nothing was stale at reopen')
})
