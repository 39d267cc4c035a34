// People from faces, end to end on real photos of known identities (test/faces.manifest.json, cut
// from what the face packages ship by fixtures/faces.ts): faces found in the faces signal, clustered
// into people, the pairwise precision and recall of that clustering against the hand-checked
// identities, the face space's short prefix against exact search, search by name, and the user's
// edits (names, merges, faces taken off) kept in LanceDB across a restart and a new clustering.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { Engine } from '../src/main/app/engine.ts'
import { UserError } from '../src/shared/errors.ts'
import { indexedEngine, settled } from '../fixtures/engine.ts'
import { FaceVectorTable } from '../src/main/adapters/lance/faceTables.ts'
import { SignalTable } from '../src/main/adapters/lance/signalTable.ts'
import { dataLayout } from '../src/main/adapters/fs/dataLayout.ts'
import { FACES, faceKey, type PhotoFaces } from '../src/main/jobs/signals/faces.ts'
import { nearest, pairwiseScores, unitPrefixRows } from '../src/core/faces.ts'
import { loadFaceSpace, toFaceSpace } from '../src/training/faceSpace.ts'
import { copyGroupPhotos, faceManifest, identityOf, writeFacePhotos } from '../fixtures/faces.ts'
import { removeDirs, tempDir } from '../fixtures/photos.ts'

const m = faceManifest()
let lib: string
let data: string
let engine: Engine
/** photo name (without .jpg) → id */
const ids = new Map<string, number>()

async function open(): Promise<Engine> {
  const e = await Engine.open({ dataDir: data })
  await e.idle()
  await e.signalsIdle()
  return e
}

before(async () => {
  lib = tempDir('mrl-faces-')
  await writeFacePhotos(lib)
  copyGroupPhotos(join(lib, 'groups'))
  ;({ engine, data } = await indexedEngine(lib))
  for (const p of (await engine.listPhotos({ limit: 1000 })).photos) ids.set(p.name.replace(/\.jpg$/, ''), p.id)
  const table = await SignalTable.open(data, FACES)
  for (const r of await table.all()) stored.set(r.id, JSON.parse(r.value))
  table.close()
})

after(async () => {
  await engine?.close()
  removeDirs(lib, data)
})

/** each photo's faces, as the faces signal stored them */
const stored = new Map<number, PhotoFaces>()
const facesOf = (name: string) => stored.get(ids.get(name)!)

/** The person of each face photo's largest face (the cells and the webcam photo; -1: no face found). */
async function personOfPhoto(): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  const { people } = await engine.people()
  for (const p of people) {
    const { faces } = await engine.personFaces({ id: p.id, limit: 500 })
    for (const f of faces) if (f.key.endsWith('#0')) out.set(engine.space.meta.get(f.photo)!.name.replace(/\.jpg$/, ''), p.id)
  }
  return out
}

test('a face is found in every face photo, and in each group photo as many as counted by eye', () => {
  const missed = [...ids.keys()].filter((n) => !n.startsWith('sample') && identityOf(m, n) !== 'exclude' && !facesOf(n)?.faces.length)
  assert.deepEqual(missed, [], 'face photos with no face found')
  for (const [name, count] of Object.entries(m.groups.faces)) assert.equal(facesOf(name.replace(/\.jpg$/, ''))?.faces.length, count, name)
})

test('faces cluster into people: pairwise precision and recall against the hand-checked identities', async () => {
  const persons = await personOfPhoto()
  const names = [...ids.keys()].filter((n) => !n.startsWith('sample') && identityOf(m, n) !== 'exclude')
  const truth = names.map((n) => identityOf(m, n) as string | null)
  // a photo whose face was not found is a person of its own
  const predicted = names.map((n, i) => persons.get(n) ?? -1 - i)
  const s = pairwiseScores(names.length, predicted, (i, j) => (truth[i] === null && truth[j] === null ? null : truth[i] === truth[j]))
  const people = new Set(predicted).size
  console.log(`faces clustering: ${names.length} faces, ${people} people; pairwise precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} over ${s.pairs} known pairs (${s.positives} same-person)`)
  assert.ok(s.precision >= 0.95, `precision ${s.precision}`)
  // measured 0.583 at the app's threshold (precision first: the rest is a merge away on the People screen)
  assert.ok(s.recall >= 0.5, `recall ${s.recall}`)
})

test("the face space's 16-dim prefix shortlists the faces exact search on the full embedding finds", async () => {
  const table = await FaceVectorTable.open(data, 1024)
  const { keys, vectors } = await table.all()
  table.close()
  const space = loadFaceSpace(JSON.parse(readFileSync(dataLayout(data).faceSpace, 'utf8')))
  const n = keys.length
  const full = unitPrefixRows({ n, dims: 1024, rows: vectors }, 1024)
  const adapted = toFaceSpace(space, vectors, n)
  const all = Array.from({ length: n }, (_, i) => i)
  const line: string[] = []
  for (const ds of [8, 16, 32]) {
    const short = unitPrefixRows({ n, dims: space.dims, rows: adapted }, ds)
    const plain = unitPrefixRows({ n, dims: 1024, rows: vectors }, ds)
    let hit = 0
    let hitPlain = 0
    for (let i = 0; i < n; i++) {
      const exact = new Set(nearest(full, 1024, i, all, 5).map((h) => h.j))
      const rerank = (cands: number[]) => nearest(full, 1024, i, cands, 5).filter((h) => exact.has(h.j)).length
      hit += rerank(nearest(short, ds, i, all, 20).map((h) => h.j))
      hitPlain += rerank(nearest(plain, ds, i, all, 20).map((h) => h.j))
    }
    line.push(`${ds} dims: ${(hit / (5 * n)).toFixed(3)} (plain truncation ${(hitPlain / (5 * n)).toFixed(3)})`)
    if (ds === 16) assert.ok(hit / (5 * n) >= 0.9, `recall@5 of the 16-dim shortlist ${hit / (5 * n)}`)
  }
  console.log(`faces funnel recall@5 vs exact (shortlist 20 of ${n} faces, reranked on 1024 dims): ${line.join('; ')}`)
})

test('a person id that names nobody is a 404 with its reason, not an internal error (a fuzzed id found it)', async () => {
  for (const call of [() => engine.personFaces({ id: 1_000_000 }), () => engine.namePerson({ id: 1_000_000, name: 'Nobody' })])
    await assert.rejects(call, (err: unknown) => err instanceof UserError && err.status === 404 && /no person 1000000/.test(err.message))
})

test('a named person is searched by name, alone, with other words and as a filter', async () => {
  const persons = await personOfPhoto()
  const vlad = persons.get('r1c1')!
  await engine.namePerson({ id: vlad, name: 'Vladimir' })
  const his = new Set([...persons].filter(([, p]) => p === vlad).map(([n]) => ids.get(n)))
  const alone = await engine.search({ query: { kind: 'text', text: 'vladimir' }, limit: 200 })
  assert.deepEqual(alone.matched?.terms.map((t) => t.kind), ['person'])
  assert.deepEqual(new Set(alone.hits.map((h) => h.id)), his)
  const combined = await engine.search({ query: { kind: 'text', text: 'Vladimir dog' }, limit: 200, relevance: 'all' })
  assert.ok(combined.hits.length > 0 && combined.hits.every((h) => his.has(h.id)), 'words with a name rank only that person’s photos')
  const listed = await engine.listPhotos({ filter: { person: 'vladimir' }, limit: 500 })
  assert.deepEqual(new Set(listed.photos.map((p) => p.id)), his)
  const byFilter = await engine.search({ query: { kind: 'text', text: 'dog' }, filter: { person: `#${vlad}` }, limit: 200, relevance: 'all' })
  assert.ok(byFilter.hits.every((h) => his.has(h.id)))
})

test('names, merges and faces taken off a person stay through a restart, a re-index and a new clustering', async () => {
  let persons = await personOfPhoto()
  const vlad = persons.get('r1c1')!
  // every other person holding one of his photos is merged into him
  const others = [...new Set(m.identities.vladimir.map((n) => persons.get(n)).filter((p): p is number => p !== undefined && p !== vlad))]
  if (others.length) await engine.mergePeople({ into: vlad, from: others })
  const off = faceKey(engine.space.meta.get(ids.get('r1c2')!)!.hash, 0)
  await engine.removeFaces({ person: vlad, keys: [off] })
  persons = await personOfPhoto()
  assert.notEqual(persons.get('r1c2'), vlad, 'a face taken off a person does not rejoin it')
  const expected = m.identities.vladimir.filter((n) => n !== 'r1c2' && persons.has(n))
  const check = async (when: string) => {
    const now = await personOfPhoto()
    const named = (await engine.people()).people.find((p) => p.name === 'Vladimir')
    assert.ok(named, `the name is kept (${when})`)
    for (const n of expected) assert.equal(now.get(n), named.id, `${n} stays Vladimir's (${when})`)
    assert.notEqual(now.get('r1c2'), named.id, `the face taken off stays off (${when})`)
  }
  await check('at once')
  await engine.close()
  engine = await open()
  await check('after a restart')
  await engine.reindex()
  await settled(engine)
  await check('after a re-index')
  await engine.services.people.recluster()
  await check('after a new clustering')
})
