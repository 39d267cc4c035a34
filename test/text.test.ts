// Text in photos end to end: a library of photos with known text (signs, receipts and posters
// rendered over real photographs, real photos with text) and photos without any, indexed by the
// engine; the text signal reads them after the embedding. Measured and printed: character accuracy
// (1 - CER), the photos without text that got some (false positives), and how often searching a
// photo's words finds it; each with a floor below what was measured.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import sharp from 'sharp'
import { Engine } from '../src/main/app/engine.ts'
import { indexedEngine, settled } from '../fixtures/engine.ts'
import { textScore, textWords } from '../src/core/textMatch.ts'
import { removeDirs } from '../fixtures/photos.ts'
import { textLibrary, textPhotosAvailable, type TextLibrary } from '../fixtures/textPhotos.ts'
import { charAccuracy } from '../fixtures/textAccuracy.ts'

const skip = textPhotosAvailable() ? false : 'the photos come from Debian packages that .ci/run installs (mate-backgrounds, lomiri and plasma wallpapers, python3-skimage)'

let lib: TextLibrary
let data: string
let engine: Engine
const ids = new Map<string, number>()
const read = new Map<string, string[]>()

before(async () => {
  if (skip) return
  lib = await textLibrary()
  ;({ engine, data } = await indexedEngine(lib.dir))
  for (const p of (await engine.listPhotos({ limit: 500 })).photos) ids.set(p.name, p.id)
  for (const p of lib.photos) read.set(p.name, (await engine.photoText({ id: ids.get(p.name)! })).lines.map((l) => l.text))
})

after(async () => {
  await engine?.close()
  if (lib) removeDirs(lib.dir, data)
})

/** A text search's hits; none where the model cannot see the words and no photo says them (the engine says so). */
async function search(text: string, extra: Partial<Parameters<Engine['search']>[0]> = {}): Promise<Awaited<ReturnType<Engine['search']>>['hits']> {
  try {
    return (await engine.search({ query: { kind: 'text', text }, relevance: 'calibrated', ...extra })).hits
  } catch (err) {
    if (/cannot see/.test((err as Error).message)) return []
    throw err
  }
}

const withText = () => lib.photos.filter((p) => p.lines.length)
const without = () => lib.photos.filter((p) => !p.lines.length)

test('the text read in photos is accurate: 1 - CER over the rendered and real photos (hard ones apart)', { skip }, () => {
  const counted = withText().filter((p) => !p.hard)
  const acc = charAccuracy(counted.map((p) => ({ truth: p.lines, read: read.get(p.name)! })))
  const worst = counted.map((p) => ({ name: p.name, acc: charAccuracy([{ truth: p.lines, read: read.get(p.name)! }]) })).sort((a, b) => a.acc - b.acc).slice(0, 3)
  console.log(`text: character accuracy ${acc.toFixed(3)} over ${counted.length} photos; lowest: ${worst.map((w) => `${w.name} ${w.acc.toFixed(2)}`).join(', ')}`)
  for (const p of withText().filter((x) => x.hard)) console.log(`text: hard photo ${p.name}: read ${JSON.stringify(read.get(p.name))}`)
  assert.ok(acc >= 0.85, `character accuracy ${acc.toFixed(3)} is below 0.85`)
  for (const p of counted) assert.ok(read.get(p.name)!.length > 0, `nothing was read in ${p.name}`)
})

test('photos without text (real ones, blank signs and paper) stay empty: no false positives', { skip }, () => {
  const wrong = without().filter((p) => read.get(p.name)!.length)
  console.log(`text: false positives ${wrong.length} of ${without().length} photos without text${wrong.length ? `: ${wrong.map((p) => `${p.name} ${JSON.stringify(read.get(p.name))}`).join('; ')}` : ''}`)
  assert.deepEqual(wrong.map((p) => p.name), [])
})

test('each line has a box over where it is written, in shares of the upright photo', { skip }, async () => {
  const { lines, state } = await engine.photoText({ id: ids.get('sign-adlon.jpg')! })
  assert.equal(state, 'read')
  const adlon = lines.find((l) => /adlon/i.test(l.text))!
  assert.ok(adlon, `no line says Adlon: ${JSON.stringify(lines)}`)
  for (const v of adlon.box) assert.ok(v >= 0 && v <= 1)
  const cx = (adlon.box[0] + adlon.box[2] + adlon.box[4] + adlon.box[6]) / 4
  const cy = (adlon.box[1] + adlon.box[3] + adlon.box[5] + adlon.box[7]) / 4
  // rendered centred at (0.5, 0.3)
  assert.ok(Math.abs(cx - 0.5) < 0.06 && Math.abs(cy - 0.3) < 0.06, `box centre (${cx.toFixed(2)}, ${cy.toFixed(2)})`)
})

test('searching a word written in a photo finds it first: hit rate over every word of the library', { skip }, async () => {
  let first = 0
  let top5 = 0
  const words = lib.photos.flatMap((p) => p.words.map((w) => ({ p, w })))
  const missed: string[] = []
  for (const { p, w } of words) {
    const hits = await search(w, { limit: 20 })
    const at = hits.findIndex((h) => h.name === p.name)
    if (at === 0) first++
    if (at >= 0 && at < 5) top5++
    else missed.push(`${w} (${p.name})`)
    if (at >= 0) assert.ok(hits[at].said, `the hit for “${w}” does not say it matched by its text`)
  }
  console.log(`text: search hits: first ${first}/${words.length}, top 5 ${top5}/${words.length}${missed.length ? `; missed: ${missed.join(', ')}` : ''}`)
  assert.ok(top5 / words.length >= 0.85, `only ${top5} of ${words.length} words find their photo in the top 5`)
})

test('a name the model cannot see but a photo says is answered by the text alone ("Hotel Adlon")', { skip }, async () => {
  const res = await engine.search({ query: { kind: 'text', text: 'Hotel Adlon' }, relevance: 'calibrated' })
  assert.equal(res.hits[0]?.name, 'sign-adlon.jpg')
  assert.deepEqual(res.hits.filter((h) => h.said).map((h) => h.name), ['sign-adlon.jpg'])
  assert.ok(res.matched?.terms.some((t) => t.kind === 'text' && t.photos === 1))
  assert.match(res.hits[0].said ?? '', /adlon/i)
})

test('"receipt 2023": the receipts that say so, kept to those dated 2023', { skip }, async () => {
  const all = await engine.search({ query: { kind: 'text', text: 'receipt' }, relevance: 'calibrated' })
  const saying = all.hits.filter((h) => h.said).map((h) => h.name).sort()
  assert.deepEqual(saying, ['receipt-fuel.jpg', 'receipt-grocer.jpg', 'receipt-pharmacy.jpg'])
  const res = await engine.search({ query: { kind: 'text', text: 'receipt 2023' }, relevance: 'calibrated' })
  assert.deepEqual(res.hits.filter((h) => h.said).map((h) => h.name).sort(), ['receipt-grocer.jpg', 'receipt-pharmacy.jpg'])
  assert.ok(res.matched?.terms.some((t) => t.kind === 'date' && t.term === '2023'))
})

test('the text filter keeps the photos that say its words, in the listing and combined with a search', { skip }, async () => {
  const listed = await engine.listPhotos({ filter: { text: 'receipt' } })
  assert.deepEqual(listed.photos.map((p) => p.name).sort(), ['receipt-fuel.jpg', 'receipt-grocer.jpg', 'receipt-pharmacy.jpg'])
  const none = await engine.listPhotos({ filter: { text: 'zeppelin' } })
  assert.equal(none.total, 0)
  // a concept with a text filter: the dogs behind the ticket booth, and no other photo
  const dogs = await engine.search({ query: { kind: 'text', text: 'dog' }, filter: { text: 'ticket' }, relevance: 'all' })
  assert.deepEqual(dogs.hits.map((h) => h.name), ['poster-ticket.jpg'])
})

test('a short word does not match inside a longer one; a long one does (OCR runs words together)', () => {
  assert.deepEqual(textWords('Hotel Adlon of'), ['hotel', 'adlon'])
  assert.equal(textScore(['car'], ['Scarborough']).score, 0)
  assert.equal(textScore(['car'], ['car park']).score, 1)
  assert.equal(textScore(['adlon'], ['HOTELADLON']).score, 0.6)
  assert.equal(textScore(['receipt'], ['RECEIPT2023-07-14']).score, 0.8)
  assert.equal(textScore(['hotel', 'berlin'], ['Hotel Adlon']).score, 0)
  assert.equal(textScore(['cafe'], ['Café Luna']).line, 'Café Luna')
})

test('a photo whose file changes is read again: its old words no longer find it, its new ones do', { skip }, async () => {
  const path = lib.photos.find((p) => p.name === 'poster-jazz.jpg')!.path
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1067"><text x="800" y="560" font-family="DejaVu Serif" font-size="120" fill="#ffd23f" text-anchor="middle">Blues Evening</text></svg>'
  writeFileSync(path, await sharp({ create: { width: 1600, height: 1067, channels: 3, background: '#203050' } }).composite([{ input: Buffer.from(svg) }]).jpeg().toBuffer())
  await engine.reindex()
  await settled(engine)
  assert.ok(!(await search('jazz')).some((h) => h.said), 'the old text still finds the photo')
  assert.equal((await search('blues'))[0]?.name, 'poster-jazz.jpg')
})
