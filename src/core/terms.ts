// The words of a query that name something other than what photos look like: a colour, one of the
// user's labels or albums, a person, a place, a date. Each such term narrows the photos (every one
// must hold); what is left of the query goes on to the model's concepts. Pure: the sources that know
// the names live in src/main/services/terms.ts.

export type TermKind = 'colour' | 'label' | 'album' | 'person' | 'place' | 'date' | 'text'

export interface TermMatch {
  kind: TermKind
  /** the words of the query it stands for, as typed */
  term: string
  /** what the user is shown: "person Anna", "Paris, Île-de-France, France", "2023" */
  label: string
  /** the photos it keeps, each with a score in [0, 1] (ranks them when no other words are left) */
  photos: Map<number, number>
  /** what each photo says that matched (text read in it), to show beside the hit */
  said?: Map<number, string>
}

/** What a source claimed of a query, and the text it left for the next. */
export interface Claim {
  matches: TermMatch[]
  rest: string
}

/** Lower case, accents off, punctuation to spaces: "Île-de-France" and "ile de france" compare equal. */
export function foldWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean)
}

export interface Named<T> {
  /** the name as the user knows it ("Anna", "New York", "Summer 2023") */
  name: string
  value: T
}

/**
 * Finds known names in a query, longest first and on word boundaries ("new york" before "york"),
 * each word used once. Returns each found name's value with the words as typed, and the words left.
 */
export function claimNames<T>(text: string, names: Iterable<Named<T>>): { found: { term: string; value: T }[]; rest: string } {
  const typed = text.split(/\s+/).filter(Boolean)
  const folded = typed.map((w) => foldWords(w).join(' '))
  const byLength = new Map<number, Map<string, T[]>>()
  for (const n of names) {
    const key = foldWords(n.name)
    if (!key.length) continue
    const group = byLength.get(key.length) ?? new Map<string, T[]>()
    byLength.set(key.length, group)
    const k = key.join(' ')
    group.set(k, [...(group.get(k) ?? []), n.value])
  }
  const used = new Array<boolean>(typed.length).fill(false)
  const found: { term: string; value: T; at: number }[] = []
  for (const len of [...byLength.keys()].sort((a, b) => b - a)) {
    const group = byLength.get(len)!
    for (let i = 0; i + len <= typed.length; i++) {
      if (used.slice(i, i + len).some(Boolean)) continue
      // a typed word may fold to several ("rock'n'roll") or none ("&"): compare the joined words
      const key = folded.slice(i, i + len).filter(Boolean).join(' ')
      const values = group.get(key)
      if (!values) continue
      for (let j = i; j < i + len; j++) used[j] = true
      for (const value of values) found.push({ term: typed.slice(i, i + len).join(' '), value, at: i })
    }
  }
  found.sort((a, b) => a.at - b.at)
  return { found: found.map(({ term, value }) => ({ term, value })), rest: typed.filter((_, i) => !used[i]).join(' ') }
}

/** The ids of `allowed` that `keep` holds (allowed null: the whole library, so `keep` itself). */
export function intersect(allowed: Set<number> | null, keep: { has(id: number): boolean; keys(): Iterable<number> }): Set<number> {
  const out = new Set<number>()
  for (const id of allowed ?? keep.keys()) if (keep.has(id)) out.add(id)
  return out
}

/** The photos every match keeps, within `allowed` (null: the whole library). */
export function narrow(allowed: Set<number> | null, matches: TermMatch[]): Set<number> | null {
  let out = allowed
  for (const m of matches) out = intersect(out, m.photos)
  return out
}

/** The narrowed photos ranked by their terms alone (no words left): the mean score, ties by `tie`. */
export function rankByTerms(ids: Iterable<number>, matches: TermMatch[], limit: number, tie: (a: number, b: number) => number): { id: number; score: number }[] {
  const scored = [...ids].map((id) => ({ id, score: matches.reduce((s, m) => s + (m.photos.get(id) ?? 0), 0) / Math.max(1, matches.length) }))
  return scored.sort((a, b) => b.score - a.score || tie(a.id, b.id)).slice(0, limit)
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
const MONTH_WORDS = new Map<string, number>(MONTHS.flatMap((m, i) => [[m, i + 1] as [string, number], [m.slice(0, 3), i + 1] as [string, number]]))
MONTH_WORDS.set('sept', 9)
MONTH_WORDS.delete('may') // "may" alone is too often a verb; "may 2023" is still a date (below)

export interface DateRange {
  /** inclusive ISO dates (YYYY-MM-DD) */
  from: string
  to: string
  label: string
}

const pad = (n: number) => String(n).padStart(2, '0')
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate()

/**
 * Dates in a query: a year ("2023"), a month and year ("July 2023", "may 2023"), a month alone
 * ("july": that month in any year, as ranges are per year it is left to the caller: `month`).
 * Years between 1826 (the oldest photograph) and 2199.
 */
export function dateTerms(text: string): { ranges: (DateRange & { term: string })[]; months: { month: number; term: string }[]; rest: string } {
  const typed = text.split(/\s+/).filter(Boolean)
  const word = (i: number) => foldWords(typed[i] ?? '').join('')
  const year = (i: number) => {
    const w = word(i)
    const y = /^\d{4}$/.test(w) ? Number(w) : NaN
    return y >= 1826 && y <= 2199 ? y : null
  }
  const month = (i: number, withYear: boolean) => (withYear && word(i) === 'may' ? 5 : MONTH_WORDS.get(word(i)) ?? null)
  const ranges: (DateRange & { term: string })[] = []
  const months: { month: number; term: string }[] = []
  const rest: string[] = []
  for (let i = 0; i < typed.length; i++) {
    const m = month(i, year(i + 1) !== null)
    const y = year(i)
    if (m !== null && year(i + 1) !== null) {
      const yy = year(i + 1)!
      ranges.push({ from: `${yy}-${pad(m)}-01`, to: `${yy}-${pad(m)}-${pad(lastDay(yy, m))}`, label: `${MONTHS[m - 1][0].toUpperCase()}${MONTHS[m - 1].slice(1)} ${yy}`, term: `${typed[i]} ${typed[i + 1]}` })
      i++
    } else if (y !== null) ranges.push({ from: `${y}-01-01`, to: `${y}-12-31`, label: String(y), term: typed[i] })
    else if (m !== null) months.push({ month: m, term: typed[i] })
    else rest.push(typed[i])
  }
  return { ranges, months, rest: rest.join(' ') }
}
