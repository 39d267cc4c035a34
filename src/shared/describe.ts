// A photo's concepts in plain words, for the grid, the viewer and the CLI alike.
export interface Guess {
  /** the most specific concept at or above the model's calibrated threshold (null: none is sure) */
  label: string | null
  /** its probability, its own and everything below it */
  p: number
  /** the concepts above the label, nearest first ("dog" for a golden retriever) */
  kinds: string[]
  /** the likeliest concept below a general label ("dog": probably a golden retriever), if any */
  below: { name: string; p: number } | null
  /** the likeliest concepts that are not the label, each with its own probability */
  top: { name: string; p: number }[]
}

const pct = (p: number) => `${Math.round(p * 100)}%`
const article = (w: string) => (/^[aeiou]/i.test(w) ? 'an' : 'a')

/** "golden retriever · dog", "dog · probably a golden retriever (48%)", "maybe a tabby (31%) · lynx (12%)". */
export function describeGuess(g: Guess): string {
  if (g.label) {
    const probably = g.below && g.below.p >= 0.25 ? [`probably ${article(g.below.name)} ${g.below.name} (${pct(g.below.p)})`] : []
    return [g.label, ...probably, ...g.kinds].join(' · ')
  }
  const shown = g.top.filter((t, i) => i === 0 || t.p >= 0.05)
  if (!shown.length) return 'not sure what this shows'
  return `maybe ${article(shown[0].name)} ${shown.map((t) => `${t.name} (${pct(t.p)})`).join(' · ')}`
}
