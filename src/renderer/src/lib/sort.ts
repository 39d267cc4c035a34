// The orders the grid offers: the library's (the engine sorts and pages it) and, for search
// results, relevance first or the same orders applied to the hits.
import type { PhotoSort, SearchHit } from '../../../shared/api'

export type ResultSort = PhotoSort | 'relevance'

export const SORT_NAMES: Record<ResultSort, string> = {
  relevance: 'Best match',
  'date-desc': 'Newest first',
  'date-asc': 'Oldest first',
  name: 'Name',
  folder: 'Folder'
}

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })
// a hit's date: when it was taken; hits without one go last either way
const taken = (h: SearchHit) => h.takenAt ?? ''

export function sortHits(hits: SearchHit[], sort: ResultSort): SearchHit[] {
  if (sort === 'relevance') return hits
  const out = [...hits]
  if (sort === 'date-desc') out.sort((a, b) => taken(b).localeCompare(taken(a)))
  else if (sort === 'date-asc') out.sort((a, b) => (taken(a) || '~').localeCompare(taken(b) || '~'))
  else if (sort === 'name') out.sort((a, b) => natural.compare(a.name, b.name))
  else out.sort((a, b) => natural.compare(a.folder, b.folder) || natural.compare(a.name, b.name))
  return out
}
