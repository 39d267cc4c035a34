// A photo's concepts in plain words, for the grid, the viewer and the CLI alike.
export interface Guess {
  label: string | null
  p: number
  kinds: string[]
  below: { name: string; p: number } | null
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
