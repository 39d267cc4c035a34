// Dates in a query ("2023", "July 2023", "july"): the photos taken then. A photo without an EXIF
// date counts by its file's modification time, as the timeline shows it (photoDate.ts).
import { dateTerms } from '../../../core/terms'
import type { SearchSpace } from '../../space/searchSpace'
import { photoDay } from '../photoDate'
import type { TermSource } from './queryTerms'

function photosWhere(space: SearchSpace, test: (day: string) => boolean): Map<number, number> {
  const out = new Map<number, number>()
  for (const m of space.meta.values()) if (test(photoDay(m))) out.set(m.id, 1)
  return out
}

export const dateSource: TermSource = {
  claim(text, space) {
    const { ranges, months, rest } = dateTerms(text)
    return {
      matches: [
        ...ranges.map((r) => ({ kind: 'date' as const, term: r.term, label: r.label, photos: photosWhere(space, (d) => d >= r.from && d <= r.to) })),
        ...months.map((m) => ({ kind: 'date' as const, term: m.term, label: m.term, photos: photosWhere(space, (d) => Number(d.slice(5, 7)) === m.month) }))
      ],
      rest
    }
  }
}
