// Dominant colours: a photo's pixels binned into eleven colour names (the basic colour terms of
// Berlin & Kay, cyan folded into blue), and the colour words of a query ("red car": red + car).

export const COLOUR_NAMES = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black', 'white', 'gray'] as const
export type ColourName = (typeof COLOUR_NAMES)[number]

export interface ColourShare {
  name: ColourName
  /** the fraction of the photo's pixels of this colour */
  share: number
}

const SYNONYMS: Record<string, ColourName> = {
  grey: 'gray', violet: 'purple', crimson: 'red', scarlet: 'red', turquoise: 'blue', cyan: 'blue', navy: 'blue', golden: 'yellow', gold: 'yellow'
}

/** The colour name of one sRGB pixel (0..255), by hue, saturation and value. */
export function colourOf(r: number, g: number, b: number): ColourName {
  const max = Math.max(r, g, b) / 255
  const min = Math.min(r, g, b) / 255
  const v = max
  const s = max === 0 ? 0 : (max - min) / max
  if (v < 0.2) return 'black'
  if (s < 0.18) return v > 0.85 ? 'white' : 'gray'
  const d = max - min
  const rr = r / 255, gg = g / 255, bb = b / 255
  let h = max === rr ? ((gg - bb) / d) % 6 : max === gg ? (bb - rr) / d + 2 : (rr - gg) / d + 4
  h = (h * 60 + 360) % 360
  if (h < 15 || h >= 340) return v < 0.45 && s > 0.4 ? 'brown' : s < 0.5 && v > 0.75 ? 'pink' : 'red'
  if (h < 45) return v < 0.65 ? 'brown' : 'orange'
  if (h < 70) return v < 0.5 ? 'brown' : 'yellow'
  if (h < 165) return 'green'
  if (h < 255) return 'blue'
  if (h < 290) return 'purple'
  return 'pink'
}

/** The colours covering at least `minShare` of the pixels (RGB, 3 bytes each), largest first, at most 3. */
export function dominantColours(rgb: Uint8Array, minShare = 0.12): ColourShare[] {
  const counts = new Map<ColourName, number>()
  const n = Math.floor(rgb.length / 3)
  for (let i = 0; i < n; i++) {
    const c = colourOf(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2])
    counts.set(c, (counts.get(c) ?? 0) + 1)
  }
  return [...counts]
    .map(([name, k]) => ({ name, share: k / Math.max(1, n) }))
    .filter((c) => c.share >= minShare)
    .sort((a, b) => b.share - a.share || a.name.localeCompare(b.name))
    .slice(0, 3)
}

/** The colour words of a query, and the rest of it ("a red car" → [red], "a car"). */
export function colourWords(query: string): { colours: ColourName[]; rest: string } {
  const colours: ColourName[] = []
  const rest: string[] = []
  for (const word of query.split(/\s+/).filter(Boolean)) {
    const w = word.toLowerCase().replace(/[^a-z]/g, '')
    const c = (COLOUR_NAMES as readonly string[]).includes(w) ? (w as ColourName) : SYNONYMS[w]
    if (c) {
      if (!colours.includes(c)) colours.push(c)
    } else rest.push(word)
  }
  return { colours, rest: rest.join(' ') }
}

/** How much of a photo is of every one of `wanted` (0 when one is missing): the smallest share. */
export function colourScore(photo: ColourShare[] | undefined, wanted: ColourName[]): number {
  if (!photo) return 0
  let score = Infinity
  for (const w of wanted) score = Math.min(score, photo.find((c) => c.name === w)?.share ?? 0)
  return score === Infinity ? 0 : score
}
