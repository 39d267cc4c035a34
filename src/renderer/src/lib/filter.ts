// The filter bar edits plain strings; the API wants absent fields rather than empty ones
// (from/to must be ISO dates when present).
import type { Filter } from '../../../shared/api'

export interface FilterDraft {
  from: string
  to: string
  camera: string
  folder: string
  name: string
  /** a concept of the model */
  label: string
  /** a place's key from the map, or a place's name */
  place: string
  /** a person's name, or #id (People screen) */
  person: string
  /** words written in the photo */
  text: string
  /** one of the user's own labels */
  userLabel: string
}

export const emptyDraft = (): FilterDraft => ({ from: '', to: '', camera: '', folder: '', name: '', label: '', place: '', person: '', text: '', userLabel: '' })

export function toFilter(d: FilterDraft): Filter | undefined {
  const f: Filter = {}
  for (const key of Object.keys(d) as (keyof FilterDraft)[]) {
    const v = d[key].trim()
    if (v) f[key] = v
  }
  return Object.keys(f).length ? f : undefined
}

export const activeCount = (d: FilterDraft): number => Object.values(d).filter((v) => v.trim()).length
