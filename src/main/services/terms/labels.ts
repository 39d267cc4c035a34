// The user's own labels in a query ("my holiday", "Ben's bike"): the photos given that label.
import type { UserLabels } from '../userLabels'
import { namedSource, type TermSource } from './queryTerms'

export function labelSource(labels: UserLabels): TermSource {
  return namedSource('label', (space) =>
    labels.names.map((name) => ({
      name,
      label: `your label “${name}”`,
      photos: () => {
        const out = new Map<number, number>()
        for (const m of space.meta.values()) if (labels.of(m.path) === name) out.set(m.id, 1)
        return out
      }
    }))
  )
}
