// A query's words that name something besides the look of a photo: the user's own labels, dates,
// colours. Each narrows the photos, the rest of the words rank them, and the response says which
// words matched what. Before this, "my test label" got the vocabulary error and a year was ignored.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { claimNames, dateTerms, foldWords } from '../src/core/terms.ts'
import { Engine } from '../src/main/app/engine.ts'
import { indexedEngine } from '../fixtures/engine.ts'
import { cifarLibrary, removeDirs } from '../fixtures/photos.ts'

let lib: string
let data: string
let engine: Engine

before(async () => {
  lib = cifarLibrary(4) // 40 CIFAR-10 JPEGs, no EXIF date: the file time stands for it
  // the cats were "taken" in July 2023, everything else in 2021
  for (const cls of readdirSync(lib)) {
    for (const f of readdirSync(join(lib, cls))) {
      const when = cls === 'cat' ? new Date('2023-07-14T12:00:00Z') : new Date('2021-03-02T12:00:00Z')
      utimesSync(join(lib, cls, f), when, when)
    }
  }
  ;({ engine, data } = await indexedEngine(lib))
})

after(async () => {
  await engine?.close()
  removeDirs(lib, data)
})

test('names are found longest first, on word boundaries, accents and case folded', () => {
  const names = [{ name: 'York', value: 1 }, { name: 'New York', value: 2 }, { name: 'Île-de-France', value: 3 }]
  assert.deepEqual(claimNames('dogs in new york', names), { found: [{ term: 'new york', value: 2 }], rest: 'dogs in' })
  assert.deepEqual(claimNames('ile de france at night', names).found, [{ term: 'ile de france', value: 3 }])
  assert.deepEqual(claimNames('yorkshire terrier', names).found, [], 'a name inside a longer word is not that name')
  assert.deepEqual(foldWords('Crème Brûlée!'), ['creme', 'brulee'])
})

test('years and months are dates; other numbers and "may" alone are not', () => {
  assert.deepEqual(dateTerms('Paris 2023').ranges.map((r) => [r.from, r.to]), [['2023-01-01', '2023-12-31']])
  assert.deepEqual(dateTerms('beach july 2023').ranges.map((r) => [r.from, r.to, r.label]), [['2023-07-01', '2023-07-31', 'July 2023']])
  assert.deepEqual(dateTerms('may 2024').ranges.map((r) => r.to), ['2024-05-31'])
  assert.equal(dateTerms('dogs may run').ranges.length + dateTerms('dogs may run').months.length, 0)
  assert.equal(dateTerms('room 1234').ranges.length, 0)
  assert.deepEqual(dateTerms('july').months.map((m) => m.month), [7])
})

test('a label of your own is searchable by its name: it keeps the photos you gave it', async () => {
  const { photos } = await engine.listPhotos({ limit: 100 })
  const chosen = photos.filter((p) => p.folder.endsWith('ship')).map((p) => p.id)
  await engine.assignLabel({ ids: chosen, label: 'my test label' })
  const res = await engine.search({ query: { kind: 'text', text: 'my test label' }, limit: 60, relevance: 'calibrated' })
  assert.deepEqual(res.hits.map((h) => h.id).sort((a, b) => a - b), [...chosen].sort((a, b) => a - b))
  assert.deepEqual(res.matched?.terms.map((t) => [t.kind, t.term, t.photos]), [['label', 'my test label', chosen.length]])
})

test('a year narrows to the photos taken then, and the other words rank within them', async () => {
  const all = await engine.search({ query: { kind: 'text', text: 'cat' }, limit: 60, relevance: 'all' })
  const in2023 = await engine.search({ query: { kind: 'text', text: 'cat 2023' }, limit: 60, relevance: 'all' })
  const cats = new Set((await engine.listPhotos({ limit: 100 })).photos.filter((p) => p.folder.endsWith('cat')).map((p) => p.id))
  assert.equal(in2023.hits.length, cats.size)
  for (const h of in2023.hits) assert.ok(cats.has(h.id), `${h.name} was not taken in 2023`)
  // the same order as the word query, restricted to the year
  assert.deepEqual(in2023.hits.map((h) => h.id), all.hits.filter((h) => cats.has(h.id)).map((h) => h.id))
  assert.deepEqual(in2023.matched?.terms.map((t) => t.label), ['2023'])
  const july = await engine.search({ query: { kind: 'text', text: 'July 2023' }, limit: 60 })
  assert.equal(july.hits.length, cats.size)
  const none = await engine.search({ query: { kind: 'text', text: '1999' }, limit: 60 })
  assert.equal(none.hits.length, 0)
})

test('words no source and no concept knows still get the plain "cannot see" answer', async () => {
  await assert.rejects(engine.search({ query: { kind: 'text', text: 'xylophonist 2023' } }), /cannot see/)
})
