// What a query's words can name besides what photos look like, and what a filter can hold besides
// the photo table's columns: each per-photo signal (colours, places, people, text read in photos)
// and each of the user's own collections (labels, albums) registers a source here (compose.ts), and
// search and the photo listing ask this one place. The combination rules are in src/core/terms.ts.
import type { Filter } from '../../../shared/api'
import { filterActive } from '../../../shared/api'
import { claimNames, intersect, type Claim, type TermMatch } from '../../../core/terms'
import type { SearchSpace } from '../../space/searchSpace'

/** Claims the words of a query it knows (a person's name, a place, a colour) and leaves the rest. */
export interface TermSource {
  claim(text: string, space: SearchSpace): Claim | Promise<Claim>
}

/** Resolves the filter fields that are not columns of the photo table (person, place, album, text…). */
export interface FilterSource {
  readonly keys: readonly (keyof Filter)[]
  /** the photos the source's fields keep (null: its fields are empty, it keeps everything) */
  ids(filter: Filter, space: SearchSpace): Set<number> | null | Promise<Set<number> | null>
}

/**
 * Words answered by what a photo holds rather than how it looks (the text read in it): its hits join
 * the concept ranking instead of narrowing it ("receipt": photos that look like one, and photos
 * that say it).
 */
export interface TextSource {
  find(text: string, space: SearchSpace, allowed: Set<number> | null, limit: number): TermMatch | null | Promise<TermMatch | null>
}

export class QueryTerms {
  private readonly sources: TermSource[] = []
  private readonly filters: FilterSource[] = []
  private readonly texts: TextSource[] = []

  addSource(s: TermSource): this {
    this.sources.push(s)
    return this
  }

  addFilter(f: FilterSource): this {
    this.filters.push(f)
    return this
  }

  addText(t: TextSource): this {
    this.texts.push(t)
    return this
  }

  /** The filter's fields no source resolves: the photo table's own columns (lance/filter.ts). */
  private columnsOnly(filter: Filter): Filter {
    const out: Record<string, unknown> = { ...filter }
    for (const f of this.filters) for (const k of f.keys) delete out[k]
    return out as Filter
  }

  /** The photos a filter keeps in this space (null: it keeps every photo). */
  async filterIds(filter: Filter | undefined, space: SearchSpace): Promise<Set<number> | null> {
    if (!filterActive(filter)) return null
    const columns = this.columnsOnly(filter)
    // LanceDB commits a batch just before the in-memory vectors take it in: keep what both hold
    let allowed = filterActive(columns) ? new Set([...(await space.store.ids(columns))].filter((id) => space.vectors.has(id))) : null
    for (const f of this.filters) {
      if (!f.keys.some((k) => filter[k] !== undefined && filter[k] !== '')) continue
      const ids = await f.ids(filter, space)
      if (ids) allowed = intersect(allowed, ids)
    }
    return allowed
  }

  /** Every source in turn claims what it knows of the query; the rest goes to the model's concepts. */
  async claim(text: string, space: SearchSpace): Promise<Claim> {
    const matches: TermMatch[] = []
    let rest = text
    for (const s of this.sources) {
      if (!rest.trim()) break
      const c = await s.claim(rest, space)
      matches.push(...c.matches)
      rest = c.rest
    }
    return { matches, rest: rest.trim() }
  }

  /** Photos whose contents say the words (each text source's hits), best first. */
  async textHits(text: string, space: SearchSpace, allowed: Set<number> | null, limit: number): Promise<TermMatch[]> {
    const out: TermMatch[] = []
    for (const t of this.texts) {
      const m = await t.find(text, space, allowed, limit)
      if (m && m.photos.size) out.push(m)
    }
    return out
  }
}

/** A named collection of photos (a user label, an album, a person) as a term source. */
export function namedSource(kind: TermMatch['kind'], names: (space: SearchSpace) => Iterable<{ name: string; label: string; photos: () => Map<number, number> }>): TermSource {
  return {
    claim(text, space) {
      const { found, rest } = claimNames(text, [...names(space)].map((n) => ({ name: n.name, value: n })))
      return { matches: found.map(({ term, value }) => ({ kind, term, label: value.label, photos: value.photos() })), rest }
    }
  }
}
