// Duplicates: made copies (resized, recompressed, cropped, PNG, WebP, byte-identical) of real photos
// are grouped with their source by the funnel's self-join; distinct photos of the same class (alike
// to the model) are not. The thresholds in src/main/jobs/signals/duplicates.ts were calibrated on
// other photos (the first 8 val photos of each Imagenette class, the first 6 wallpapers): these are
// held out (val photos 8 to 13, wallpapers 7 to 10), so the figures printed here are honest.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { indexedEngine, settled } from '../fixtures/engine.ts'
import { bestCopy, groupPairs, pairScores } from '../src/core/duplicates.ts'
import { removeDirs } from '../fixtures/photos.ts'
import { duplicateLibrary, type DuplicateLibrary } from '../fixtures/duplicates.ts'

let lib: DuplicateLibrary
let data: string
let engine: Engine
const idOf = new Map<string, number>()

before(async () => {
  lib = await duplicateLibrary({ classes: 10, perClass: 6, offset: 8, withCopies: 2, wallpapers: 4, wallpaperOffset: 7 })
  ;({ engine, data } = await indexedEngine(lib.dir))
  for (const p of (await engine.listPhotos({ limit: 1000 })).photos) idOf.set(p.path, p.id)
})

after(async () => {
  await engine?.close()
  removeDirs(lib.dir, data)
})

test('groups: a chain of copies is one group; alike photos are shown apart, never merged into it', () => {
  const t = { duplicate: 0.93, look: 0.5, cropDuplicate: 0.91, cropLook: 0.72, similar: 0.93, similarLook: 0.25 }
  const groups = groupPairs(
    [
      { a: 1, b: 2, score: 0.99, look: 0.98 },
      { a: 2, b: 3, score: 0.95, look: 0.6 },
      { a: 3, b: 4, score: 0.97, look: 0.1 }, // the same thing, another photo
      { a: 5, b: 6, score: 1, look: 1 }
    ],
    t
  )
  assert.deepEqual(groups.map((g) => [g.kind, g.ids]), [['duplicate', [1, 2, 3]], ['exact', [5, 6]]])
  // two dark seascapes (the model: 0.92; 12 x 12 grey: 0.56) are not copies; a crop (0.915, 0.8) is
  const tiers = groupPairs([{ a: 7, b: 8, score: 0.92, look: 0.56 }, { a: 7, b: 9, score: 0.915, look: 0.8 }], t)
  assert.deepEqual(tiers.map((g) => [g.kind, g.ids]), [['duplicate', [7, 9]]])
  const alike = groupPairs([{ a: 3, b: 4, score: 0.97, look: 0.3 }, { a: 1, b: 3, score: 0.99, look: 0.99 }], t)
  assert.deepEqual(alike.map((g) => [g.kind, g.ids]), [['duplicate', [1, 3]], ['similar', [1, 3, 4]]])
})

test('the copy to keep: the largest, then an original format, then the earliest', () => {
  const base = { size: 1000, when: '2020-01-01' }
  assert.equal(bestCopy([{ id: 1, width: 400, height: 300, format: 'jpg', ...base }, { id: 2, width: 800, height: 600, format: 'png', ...base }]), 2)
  assert.equal(bestCopy([{ id: 1, width: 800, height: 600, format: 'png', ...base }, { id: 2, width: 800, height: 600, format: 'jpg', ...base }]), 2)
  assert.equal(bestCopy([{ id: 1, width: 800, height: 600, format: 'jpg', ...base, when: '2021-01-01' }, { id: 2, width: 800, height: 600, format: 'jpg', ...base }]), 2)
})

test('made copies are found and distinct photos of the same class are not (held-out precision and recall)', async () => {
  const res = await engine.duplicates({ kind: 'duplicates' })
  const truth = lib.groups.filter((g) => g.copies.length).map((g) => [g.source, ...g.copies.map((c) => c.path)].map((p) => idOf.get(p)!))
  const predicted = res.groups.map((g) => g.photos.map((p) => p.id))
  const s = pairScores(predicted, truth)
  // per kind of copy: found in its source's group
  const groupOf = new Map<number, number>()
  predicted.forEach((g, i) => g.forEach((id) => groupOf.set(id, i)))
  const byKind = new Map<string, [number, number]>()
  for (const g of lib.groups) {
    for (const c of g.copies) {
      const [found, all] = byKind.get(c.kind) ?? [0, 0]
      const a = groupOf.get(idOf.get(g.source)!)
      byKind.set(c.kind, [found + Number(a !== undefined && a === groupOf.get(idOf.get(c.path)!)), all + 1])
    }
  }
  console.log(
    `duplicates (held out): ${idOf.size} photos, ${truth.length} sources with copies; pair precision ${s.precision.toFixed(3)} (${s.tp}/${s.predicted}), recall ${s.recall.toFixed(3)} (${s.tp}/${s.actual}); ` +
      `found per kind: ${[...byKind].map(([k, [f, a]]) => `${k} ${f}/${a}`).join(', ')}; similar groups apart: ${(await engine.duplicates({ kind: 'similar' })).groups.length}`
  )
  assert.ok(s.precision >= 0.9, `pair precision ${s.precision}`)
  assert.ok(s.recall >= 0.9, `pair recall ${s.recall}`)
  for (const kind of ['resized', 'recompressed', 'png', 'webp', 'exact']) assert.equal(byKind.get(kind)![0], byKind.get(kind)![1], `every ${kind} copy is found`)
  // the source (largest, JPEG, earliest) or its byte-identical copy is the one to keep in the wallpapers' groups
  for (const g of lib.groups.filter((x) => x.cls === 'wallpaper')) {
    const group = res.groups.find((x) => x.photos.some((p) => p.id === idOf.get(g.source)))!
    assert.ok([g.source, g.copies.find((c) => c.kind === 'exact')!.path].map((p) => idOf.get(p)).includes(group.best), `best of ${g.source}`)
  }
})

test('a photo is never deleted or moved, and a new copy joins its group without the others being joined again', async () => {
  const g = lib.groups.find((x) => x.cls === 'wallpaper')!
  const before = (await engine.duplicates({})).groups.find((x) => x.photos.some((p) => p.path === g.source))!
  const totals: number[] = []
  const stop = engine.follow('signals', (d) => {
    if (d.signal === 'duplicates' && d.phase === 'computing') totals.push(d.total)
  })
  const extra = join(lib.dir, 'wallpapers', 'one-more-exact.jpg')
  copyFileSync(g.source, extra)
  await engine.reindex()
  await settled(engine)
  stop()
  assert.equal(Math.max(...totals), 1, 'only the new photo was joined')
  const after = (await engine.duplicates({})).groups.find((x) => x.photos.some((p) => p.path === g.source))!
  assert.deepEqual(after.photos.map((p) => p.path).sort(), [...before.photos.map((p) => p.path), extra].sort())
  assert.equal((await engine.listPhotos({ limit: 1000 })).total, idOf.size + 1, 'every photo is still there')
})
