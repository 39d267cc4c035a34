// Colour words ("red", "red car"): the photos with each colour among their dominant colours (the
// colours signal), scored by the smallest share, so "red" alone ranks the reddest first.
import { colourScore, colourWords, type ColourShare } from '../../../core/colours'
import { COLOURS } from '../../jobs/signals/colours'
import type { Signals } from '../../jobs/signals'
import type { TermSource } from './queryTerms'

export function colourSource(signals: Signals): TermSource {
  return {
    claim(text, space) {
      const { colours, rest } = colourWords(text)
      if (!colours.length) return { matches: [], rest: text }
      const photos = new Map<number, number>()
      for (const m of space.meta.values()) {
        const score = colourScore(signals.value<ColourShare[]>(COLOURS, m), colours)
        if (score > 0) photos.set(m.id, score)
      }
      return { matches: [{ kind: 'colour', term: colours.join(' '), label: colours.join(' and '), photos }], rest }
    }
  }
}
