// People in a query ("Anna", "Anna at the beach") and the `person` filter field: the photos of the
// people the user named (services/people.ts).
import type { PeopleService } from '../people'
import { namedSource, type FilterSource, type TermSource } from './queryTerms'

export function personSource(people: PeopleService): TermSource {
  return namedSource('person', () => people.named().map((p) => ({ name: p.name, label: `person ${p.name}`, photos: () => people.photosOf(`#${p.id}`) })))
}

export function personFilter(people: PeopleService): FilterSource {
  return {
    keys: ['person'],
    ids: (filter) => (filter.person ? new Set(people.photosOf(filter.person).keys()) : null)
  }
}
