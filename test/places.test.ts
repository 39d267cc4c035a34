// Places: real photos with GPS written into their EXIF get the right city, region and country
// offline (a landmark nearer a suburb's centre than the city's still counts as the city; the
// countryside gets its region and country; the coast its country; the open sea nothing), and are
// searchable by those names alone or with a year, and by the place filter.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Engine } from '../src/main/app/engine.ts'
import { indexedEngine } from '../fixtures/engine.ts'
import { chooseCity, reachKm } from '../src/core/places.ts'
import { removeDirs } from '../fixtures/photos.ts'
import { GEO_CASES, placesLibrary } from '../fixtures/places.ts'

let lib: string
let data: string
let engine: Engine
const idOf = new Map<string, number>()

before(async () => {
  lib = await placesLibrary(2)
  ;({ engine, data } = await indexedEngine(lib))
  for (const p of (await engine.listPhotos({ limit: 1000 })).photos) idOf.set(p.name, p.id)
})

after(async () => {
  await engine?.close()
  removeDirs(lib, data)
})

test('a big city counts as "there" before a nearer suburb; a town far from any is the countryside', () => {
  const paris = { name: 'Paris', country: 'FR', population: 2_138_551, lat: 0, lon: 0, km: 4.0 }
  const neuilly = { name: 'Neuilly-sur-Seine', country: 'FR', population: 61_300, lat: 0, lon: 0, km: 3.4 }
  assert.equal(chooseCity([neuilly, paris], 'FR')?.name, 'Paris')
  assert.equal(chooseCity([{ ...neuilly, km: 0.5 }, { ...paris, km: 17 }], 'FR')?.name, 'Neuilly-sur-Seine', 'a town keeps its own centre')
  assert.equal(chooseCity([{ name: 'Newtonmore', country: 'GB', population: 1100, lat: 0, lon: 0, km: 24 }], 'GB'), null)
  assert.ok(reachKm(0) >= 1)
})

test('every geotagged photo gets the right city, region and country', async () => {
  let right = 0
  const wrong: string[] = []
  for (const g of GEO_CASES) {
    const d = await engine.getPhoto({ id: idOf.get(g.file)! })
    const got = d.place ? [d.place.city, d.place.region, d.place.country] : [null, null, null]
    if (JSON.stringify(got) === JSON.stringify([g.city, g.region, g.country])) right++
    else wrong.push(`${g.file} (${g.at}): ${JSON.stringify(got)}, expected ${JSON.stringify([g.city, g.region, g.country])}`)
  }
  console.log(`places: ${right}/${GEO_CASES.length} photos placed right (city, region and country)`)
  assert.deepEqual(wrong, [])
  for (const name of ['no-gps-0.jpg', 'no-gps-1.jpg']) assert.equal((await engine.getPhoto({ id: idOf.get(name)! })).place, null, `${name} has no GPS`)
})

const ids = (files: string[]) => files.map((f) => idOf.get(f)!).sort((a, b) => a - b)
const hitIds = (res: { hits: { id: number }[] }) => res.hits.map((h) => h.id).sort((a, b) => a - b)

test('a city, a region or a country alone finds the photos taken there', async () => {
  const paris = await engine.search({ query: { kind: 'text', text: 'Paris' }, limit: 60 })
  assert.deepEqual(hitIds(paris), ids(['paris-2021.jpg', 'paris-2023.jpg']))
  assert.deepEqual(paris.matched?.terms.map((t) => [t.kind, t.term, t.label]), [['place', 'Paris', 'Paris, Île-de-France, France']])
  assert.deepEqual(hitIds(await engine.search({ query: { kind: 'text', text: 'France' }, limit: 60 })), ids(['paris-2021.jpg', 'paris-2023.jpg', 'versailles.jpg', 'off-nice.jpg']))
  assert.deepEqual(hitIds(await engine.search({ query: { kind: 'text', text: 'ile de france' }, limit: 60 })), ids(['paris-2021.jpg', 'paris-2023.jpg', 'versailles.jpg']))
  assert.deepEqual(hitIds(await engine.search({ query: { kind: 'text', text: 'UK' }, limit: 60 })), ids(['london.jpg', 'highlands.jpg']), 'the country by its other name')
  assert.deepEqual(hitIds(await engine.search({ query: { kind: 'text', text: 'new york city' }, limit: 60 })), ids(['new-york.jpg']))
  assert.deepEqual(hitIds(await engine.search({ query: { kind: 'text', text: 'United States' }, limit: 60 })), ids(['new-york.jpg', 'san-francisco.jpg']))
})

test('"Paris 2023": the place and the year both narrow', async () => {
  const res = await engine.search({ query: { kind: 'text', text: 'Paris 2023' }, limit: 60 })
  assert.deepEqual(hitIds(res), ids(['paris-2023.jpg']))
  assert.deepEqual(res.matched?.terms.map((t) => t.kind), ['place', 'date'])
  assert.deepEqual(hitIds(await engine.search({ query: { kind: 'text', text: 'France 2023' }, limit: 60 })), ids(['paris-2023.jpg', 'versailles.jpg', 'off-nice.jpg']))
  assert.equal((await engine.search({ query: { kind: 'text', text: 'Paris 2019' }, limit: 60 })).hits.length, 0)
})

test('a place and words the model sees: the words rank the photos taken there', async () => {
  const res = await engine.search({ query: { kind: 'text', text: 'dog France' }, limit: 60, relevance: 'all' })
  assert.ok(res.hits.length > 0 && res.hits.every((h) => ids(['paris-2021.jpg', 'paris-2023.jpg', 'versailles.jpg', 'off-nice.jpg']).includes(h.id)))
  assert.ok(res.matched?.classes.length, 'the rest of the query went to the concepts')
})

test('the place filter takes a key from the map or a name, for search and for the photo list', async () => {
  const places = await engine.places()
  const paris = places.cities.find((c) => c.name === 'Paris')!
  assert.equal(paris.key, 'FR/Île-de-France/Paris')
  assert.equal(paris.count, 2)
  assert.equal(places.countries.find((c) => c.name === 'France')?.count, 4)
  assert.equal(places.countries.find((c) => c.name === 'France')?.countryN3, '250')
  assert.equal(places.located, GEO_CASES.length - 1, 'every photo but the one at sea')
  assert.equal(places.withGps, GEO_CASES.length)
  const listed = await engine.listPhotos({ filter: { place: paris.key } })
  assert.deepEqual(listed.photos.map((p) => p.id).sort((a, b) => a - b), ids(['paris-2021.jpg', 'paris-2023.jpg']))
  assert.equal((await engine.listPhotos({ filter: { place: 'brazil' } })).total, 1)
  const inFrance = await engine.search({ query: { kind: 'text', text: 'dog' }, filter: { place: 'FR' }, limit: 60, relevance: 'all' })
  assert.ok(inFrance.hits.length > 0 && inFrance.hits.every((h) => ids(['paris-2021.jpg', 'paris-2023.jpg', 'versailles.jpg', 'off-nice.jpg']).includes(h.id)))
})
