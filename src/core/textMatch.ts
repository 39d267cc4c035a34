// How well the text read in a photo says a query's words. OCR runs words together ("HOTEL ADLON"
// read as "hoteladlon") and glues numbers on ("receipt2023"), so a word may match inside a longer
// one; but a short word inside another is mostly chance ("car" in "Scarborough"), so that needs
// four letters or more, and ranks below a whole word.
import { foldWords } from './terms'

/** Query words shorter than this are not searched in text (the full-text index holds trigrams). */
export const MIN_TEXT_WORD = 3
/** ...and a word matches inside another only from this length. */
const MIN_INFIX = 4

const WHOLE = 1
const PREFIX = 0.8
const INFIX = 0.6

/** The words of a query that text can be searched for: folded (lower case, no accents), 3+ characters. */
export function textWords(query: string): string[] {
  return [...new Set(foldWords(query).filter((w) => w.length >= MIN_TEXT_WORD))]
}

function wordScore(word: string, tokens: string[]): number {
  let best = 0
  for (const t of tokens) {
    if (t === word) return WHOLE
    if (t.startsWith(word)) best = Math.max(best, PREFIX)
    else if (word.length >= MIN_INFIX && t.includes(word)) best = Math.max(best, INFIX)
  }
  return best
}

/**
 * The photo's score for the words (0: some word is not said; else the mean of each word's best
 * match, 1 for whole words) and the line that says the most of them, to show the user.
 */
export function textScore(words: string[], lines: readonly string[]): { score: number; line: string | null } {
  if (!words.length) return { score: 0, line: null }
  const tokens = lines.map((l) => foldWords(l))
  const all = tokens.flat()
  const scores = words.map((w) => wordScore(w, all))
  if (scores.some((s) => s === 0)) return { score: 0, line: null }
  let line = 0
  let most = -1
  tokens.forEach((t, i) => {
    const n = words.reduce((s, w) => s + wordScore(w, t), 0)
    if (n > most) [most, line] = [n, i]
  })
  return { score: scores.reduce((a, b) => a + b, 0) / scores.length, line: lines[line] }
}
