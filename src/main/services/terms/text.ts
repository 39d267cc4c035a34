// Words written in photos (the text signal, read by OCR): the query's words found through the
// signal table's full-text index, scored on the text itself (src/core/textMatch.ts). As a text
// source its hits come before those that only look like the words ("receipt", "Hotel Adlon"); as a
// filter source it keeps the photos that say the filter's `text`.
import { textScore, textWords } from '../../../core/textMatch'
import type { TermMatch } from '../../../core/terms'
import type { Signals } from '../../jobs/signals'
import { TEXT, type PhotoText } from '../../jobs/signals/text'
import type { SearchSpace } from '../../space/searchSpace'
import type { FilterSource, TextSource } from './queryTerms'

/** How many full-text candidates are scored: more than any word is written in, in a real library. */
const CANDIDATES = 5000

/** The photos that say every word of `text`, each with its score and the line that says it. */
async function photosSaying(signals: Signals, text: string, space: SearchSpace, allowed: Set<number> | null): Promise<{ photos: Map<number, number>; said: Map<number, string> }> {
  const words = textWords(text)
  const photos = new Map<number, number>()
  const said = new Map<number, string>()
  if (!words.length) return { photos, said }
  for (const hit of await signals.searchText(TEXT, words, CANDIDATES, (id) => space.meta.get(id))) {
    if (allowed && !allowed.has(hit.id)) continue
    const m = space.meta.get(hit.id)
    const value = m && signals.value<PhotoText>(TEXT, m)
    if (!value) continue
    const { score, line } = textScore(words, value.lines.map((l) => l.text))
    if (score <= 0) continue
    photos.set(hit.id, score)
    if (line) said.set(hit.id, line)
  }
  return { photos, said }
}

export function textSource(signals: Signals): TextSource {
  return {
    async find(text, space, allowed): Promise<TermMatch | null> {
      const { photos, said } = await photosSaying(signals, text, space, allowed)
      return photos.size ? { kind: 'text', term: text, label: `says “${text}”`, photos, said } : null
    }
  }
}

export function textFilter(signals: Signals): FilterSource {
  return {
    keys: ['text'],
    async ids(filter, space) {
      if (!filter.text?.trim()) return null
      return new Set((await photosSaying(signals, filter.text, space, null)).photos.keys())
    }
  }
}
