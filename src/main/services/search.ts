// Search: the query as vectors (a photo, an uploaded image, words through WordNet onto the model's
// concepts, or a label an adaptor was trained on), the funnel over the search space, the calibrated
// relevance cut-off, and the hits as photos.
import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import type { FunnelConfig, Input, Output } from '../../shared/api'

type SearchRequest = Input<'search'>
import { UserError } from '../../shared/errors'
import { configAt } from '../../core/dial'
import { runFunnel, type QueryVectors } from '../../core/funnel'
import { prefix } from '../../core/mrl'
import { readCalibration, relevanceCutoff } from '../../core/concepts'
import type { ConceptMatcher } from '../../core/words'
import { narrow, rankByTerms, type Claim, type TermMatch } from '../../core/terms'
import { adaptDirection } from '../../training/adaptor'
import { classVector, type Model } from '../adapters/models/modelCard'
import { loadConceptMatcher } from '../adapters/fs/wordnet'
import type { SearchSpace } from '../space/searchSpace'
import type { EngineContext } from './context'
import { photoSummary } from './photos'
import { photoDay } from './photoDate'

/** The query's words name nothing the model knows (said with the nearest concepts it does know). */
class CannotSee extends UserError {}

/** A matched term as the response shows it. */
const termShown = (m: TermMatch) => ({ kind: m.kind, term: m.term, label: m.label, photos: m.photos.size })

/** What each photo says that matched (text read in it), over every match that knows. */
const saidBy = (matches: TermMatch[]) => new Map(matches.flatMap((m) => [...(m.said ?? [])]))

/** The colour words among the matched terms (the response's `matched.colours`). */
const colourTerms = (matches: TermMatch[]) => matches.filter((m) => m.kind === 'colour').flatMap((m) => m.term.split(' '))

type Matched = Output<'search'>['matched']

/** A query none of whose words the model can see, said plainly with the nearest concepts it knows. */
function cannotSee(text: string, unknown: { term: string; nearest: string[] }[]): string {
  const near = [...new Set(unknown.flatMap((u) => u.nearest))].slice(0, 5)
  return `the model cannot see “${text}”: it is not among the concepts it knows${near.length ? `; the nearest it knows: ${near.join(', ')}` : ''}`
}

export class SearchService {
  /** the WordNet matcher for a model's concepts, built once per model */
  private readonly matchers = new WeakMap<Model, Promise<ConceptMatcher>>()

  constructor(private readonly ctx: EngineContext) {}

  async search(req: SearchRequest): Promise<Output<'search'>> {
    const generation = this.ctx.slot.generation
    const res = await this.searchOnce(req)
    // the space was swapped (a model switch, an adaptor) while this search awaited: answer it in the new one
    return generation === this.ctx.slot.generation ? res : this.searchOnce(req)
  }

  private async searchOnce(req: SearchRequest): Promise<Output<'search'>> {
    const generation = this.ctx.slot.generation
    const space = this.ctx.slot.current
    const nest = space.nesting
    const point = req.config ? null : configAt(space.dial, req.dial ?? 1)
    const limit = req.limit ?? 60
    const config = fitShortlist(req.config ?? point!.config, limit, space.vectors.size)
    if (!nest.includes(config.ds) || !nest.includes(config.dr)) throw new UserError(`dims must be in the nesting list ${nest.join(', ')}`)
    if (config.ds > config.dr) throw new UserError('the shortlist prefix (ds) cannot be longer than the rerank prefix (dr)')
    let allowed = await this.ctx.terms.filterIds(req.filter, space)
    if (generation !== this.ctx.slot.generation) return this.searchOnce(req)
    // the words that name a label, an album, a person, a place, a date or a colour narrow the photos;
    // what is left ranks them by how they look ("red car", "Anna at the beach", "Paris 2023")
    const text = req.query.kind === 'text' ? req.query.text : null
    const claimed: Claim = text !== null && !labelQuery(space, text) ? await this.ctx.terms.claim(text, space) : { matches: [], rest: text ?? '' }
    allowed = narrow(allowed, claimed.matches)
    if (text !== null && !claimed.rest) return this.byTerms(space, allowed ?? new Set(), claimed.matches, limit)
    const rest: SearchRequest = text !== null ? { ...req, query: { kind: 'text', text: claimed.rest } } : req
    const texts = text !== null ? await this.ctx.terms.textHits(claimed.rest, space, allowed, limit) : []
    const terms = [...claimed.matches, ...texts].map(termShown)
    let vectors: { query: QueryVectors; matched: Matched }
    try {
      vectors = await this.queryVectors(space, rest)
    } catch (err) {
      // words the model cannot see may still be written in photos ("Hotel Adlon")
      if (err instanceof CannotSee && texts.length) return this.byTerms(space, new Set(texts.flatMap((t) => [...t.photos.keys()])), texts, limit, terms)
      throw err
    }
    const { query, matched } = vectors
    if (matched) Object.assign(matched, { colours: colourTerms(claimed.matches), terms })
    const res = runFunnel(space.funnel(), query, config, limit, allowed)
    // relevance is judged on the full embedding whatever the dial: the dial changes how the photos
    // are found, not how many pass (a cut-off calibrated per prefix let the count swing 30 to 60)
    const dims = nest[nest.length - 1]
    const cutoff = this.cutoff(space, req, dims)
    const full = cutoff === null ? null : fullScores(space, query, res.hits.map((h) => h.id))
    const shown = cutoff === null ? res.hits : res.hits.filter((h) => (full!.get(h.id) ?? h.score) >= cutoff)
    // photos that say the words come first, then those that look like them
    const byText = rankByTerms(new Set(texts.flatMap((t) => [...t.photos.keys()])), texts, limit, (a, b) => a - b)
    const seen = new Set(byText.map((h) => h.id))
    return {
      hits: this.photos(space, [...byText, ...shown.filter((h) => !seen.has(h.id))].slice(0, limit), saidBy(texts)),
      stats: { stages: res.stages, ds: config.ds, k: config.k, dr: config.dr, exact: res.exact, scanned: res.scanned, ms: res.ms, estimatedRecall: point?.recall ?? null },
      matched,
      cutoff: cutoff === null ? null : { score: cutoff, dims, hidden: res.hits.length - shown.length }
    }
  }

  private photos(space: SearchSpace, ranked: { id: number; score: number }[], said?: Map<number, string>): Output<'search'>['hits'] {
    return ranked.flatMap((h) => {
      const m = space.meta.get(h.id)
      const line = said?.get(h.id)
      return m ? [{ ...photoSummary(this.ctx, m), score: h.score, ...(line !== undefined ? { said: line } : {}) }] : []
    })
  }

  /** A query of such words only ("red", "Anna", "Paris 2023"): the photos they keep, by their scores, newest first on ties. */
  private byTerms(space: SearchSpace, allowed: Set<number>, matches: TermMatch[], limit: number, shown = matches.map(termShown)): Output<'search'> {
    const t0 = performance.now()
    const day = (id: number) => {
      const m = space.meta.get(id)
      return m ? photoDay(m) : ''
    }
    const ranked = rankByTerms(allowed, matches, limit, (a, b) => day(b).localeCompare(day(a)) || a - b)
    return {
      hits: this.photos(space, ranked, saidBy(matches)),
      stats: { stages: [], ds: 0, k: 0, dr: 0, exact: true, scanned: allowed.size, ms: performance.now() - t0, estimatedRecall: null },
      matched: { classes: [], via: [], groups: [], unknown: [], colours: colourTerms(matches), terms: shown },
      cutoff: null
    }
  }

  /** The model card's calibrated score below which results are not relevant; none under an adaptor. */
  private cutoff(space: SearchSpace, req: SearchRequest, dims: number): number | null {
    if (space.active || req.relevance !== 'calibrated') return null
    return relevanceCutoff(readCalibration(space.model.card.calibration), req.query.kind === 'text' ? 'text' : 'photo', dims)
  }

  private async queryVectors(space: SearchSpace, req: SearchRequest): Promise<{ query: QueryVectors; matched: Matched }> {
    const q = req.query
    if (q.kind === 'photo') {
      if (!space.vectors.has(q.id)) throw new UserError(`no photo ${q.id}`, 404)
      const v = space.vectors.vector(q.id)
      return { query: { at: () => [v], exclude: new Set([q.id]) }, matched: null }
    }
    if (q.kind === 'image') {
      const v = space.toSpace(await this.embedUpload(Buffer.from(q.data, 'base64')))
      return { query: { at: () => [v] }, matched: null }
    }
    const own = labelQuery(space, q.text)
    if (own) return own
    let matcher = this.matchers.get(space.model)
    if (!matcher) this.matchers.set(space.model, (matcher = loadConceptMatcher(space.model.card.concepts ?? space.model.card.classes)))
    const { groups, unknown } = (await matcher).match(q.text)
    if (!groups.length) throw new CannotSee(cannotSee(q.text, unknown))
    // one group per query term ("dog on the beach"): a photo scores the mean of its best match in each
    const flat = groups.flatMap((g) => g.matches)
    return {
      query: { at: (m) => flat.map((x) => classQuery(space, x.index, m)), groups: groups.flatMap((g, gi) => g.matches.map(() => gi)) },
      matched: {
        classes: flat.map((x) => x.className),
        via: flat.map((x) => x.via),
        groups: groups.map((g) => ({ term: g.term, classes: g.matches.map((x) => x.className) })),
        unknown,
        colours: [],
        terms: []
      }
    }
  }

  private async embedUpload(data: Buffer): Promise<Float32Array> {
    if (!data.length) throw new UserError('the image is empty')
    const tmp = this.ctx.tmpPath(`query-${randomBytes(6).toString('hex')}`)
    await writeFile(tmp, data)
    try {
      const res = await this.ctx.embedder().embed([{ path: tmp, thumbPath: `${tmp}.webp` }])
      if (!res.ok.length) throw new UserError(`cannot use that image: ${res.failed[0]?.reason ?? 'unknown error'}`)
      return res.ok[0].embedding
    } finally {
      await rm(tmp, { force: true })
      await rm(`${tmp}.webp`, { force: true })
    }
  }
}

/** The hits' scores on the full embedding (an exact scan of just those photos). */
function fullScores(space: SearchSpace, query: QueryVectors, ids: number[]): Map<number, number> {
  const d = space.nesting[space.nesting.length - 1]
  const res = runFunnel(space.funnel(), query, { ds: d, k: 0, dr: d }, ids.length, new Set(ids))
  return new Map(res.hits.map((h) => [h.id, h.score]))
}

/**
 * The shortlist as searched: never fewer candidates than the results asked for (the dial changes
 * how they are found, not how many), never more than the library holds. K = 0 (exact) stays.
 */
export function fitShortlist(config: FunnelConfig, limit: number, photos: number): FunnelConfig {
  return config.k === 0 ? config : { ...config, k: Math.max(1, Math.min(Math.max(config.k, limit), photos)) }
}

/** A model class as a query; under an adaptor, its full-length head row carried through the map. */
function classQuery(space: SearchSpace, c: number, m: number): Float32Array {
  if (!space.model.heads.size) return prefix(classPrototype(space, c), m)
  if (!space.active) return classVector(space.model, c, m)
  return adaptDirection(space.active.adaptor, classVector(space.model, c, space.nesting[space.nesting.length - 1]))
}

/** A user label the adaptor in use was trained on: its head's class column at each prefix. */
function labelQuery(space: SearchSpace, text: string): { query: QueryVectors; matched: Matched } | null {
  const a = space.active
  const k = a ? a.classes.findIndex((c) => c.toLowerCase() === text.trim().toLowerCase()) : -1
  if (!a || k < 0 || !a.heads.length) return null
  const column = (m: number) => {
    const h = a.heads.find((x) => x.dims === m) ?? a.heads[a.heads.length - 1]
    return Float32Array.from({ length: h.dims }, (_, j) => h.weight[j * h.classes + k])
  }
  return { query: { at: (m) => [column(m)] }, matched: { classes: [a.classes[k]], via: ['your label'], groups: [], unknown: [], colours: [], terms: [] } }
}

/**
 * A model without heads (an imported encoder) still names classes if it has logits: the mean of
 * the photos it labels as the class, in the search space, stands for the class.
 */
function classPrototype(space: SearchSpace, c: number): Float32Array {
  const name = space.model.card.classes[c]
  const d = space.vectors.dims
  const sum = new Float32Array(d)
  let n = 0
  for (const m of space.meta.values()) {
    if (m.label !== name || !space.vectors.has(m.id)) continue
    const v = space.vectors.vector(m.id)
    let norm = 0
    for (let j = 0; j < d; j++) norm += v[j] * v[j]
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0
    for (let j = 0; j < d; j++) sum[j] += v[j] * inv
    n++
  }
  if (!n) throw new UserError(`no photo is labelled “${name}” by ${space.model.card.name}, so words cannot be searched yet; search by photo`)
  return sum
}
