// The user's own labels in a query ("my holiday", "Ben's bike"): the photos given that label. A
// label named like one of the model's classes ("cat", or a model fine-tuned on the labels) is left
// to the model, which finds every photo that looks like it, labelled or not.
import type { UserLabels } from '../userLabels'
import { foldWords } from '../../../core/terms'
import { namedSource, type TermSource } from './queryTerms'

export function labelSource(labels: UserLabels): TermSource {
  return namedSource('label', (space) => {
    const classes = new Set(space.model.card.classes.map((c) => foldWords(c).join(' ')))
    return labels.names
      .filter((name) => !classes.has(foldWords(name).join(' ')))
      .map((name) => ({
        name,
        label: `your label “${name}”`,
        photos: () => {
          const out = new Map<number, number>()
          for (const m of space.meta.values()) if (labels.of(m.path) === name) out.set(m.id, 1)
          return out
        }
      }))
  })
}
