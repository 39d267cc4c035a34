// Places in a query ("Paris", "France", "Paris 2023", "beach in Brazil") and the place filter: the
// photos taken there, by the places signal. A name shared by several places (Paris, France and
// Paris, Texas) keeps the photos of each.
import { placeMatches } from '../../../core/places'
import { claimNames } from '../../../core/terms'
import type { PlaceIndex } from '../../jobs/signals/places'
import type { FilterSource, TermSource } from './queryTerms'

export function placeSource(index: PlaceIndex): TermSource {
  return {
    claim(text) {
      const { found, rest } = claimNames(text, index.searchNames().map((n) => ({ name: n.name, value: n })))
      return {
        matches: found.map(({ term, value }) => ({ kind: 'place' as const, term, label: value.label, photos: new Map([...value.photos].map((id) => [id, 1])) })),
        rest
      }
    }
  }
}

/** The `place` filter: a place's key from the map ("FR/Île-de-France/Paris") or any of its names. */
export function placeFilter(index: PlaceIndex): FilterSource {
  return {
    keys: ['place'],
    ids(filter) {
      if (!filter.place) return null
      const out = new Set<number>()
      for (const [id, p] of index.byPhoto) if (placeMatches(p, filter.place)) out.add(id)
      return out
    }
  }
}
