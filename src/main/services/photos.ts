// A photo as the API shows it: its row, the user's label, and the model's calibrated guess.
import type { PhotoSummary } from '../../shared/api'
import { UserError } from '../../shared/errors'
import { conceptReaderFor } from '../../core/concepts'
import type { PhotoMeta } from '../ports/photos'
import type { EngineContext } from './context'

export function photoSummary(ctx: EngineContext, m: PhotoMeta): PhotoSummary {
  return {
    id: m.id,
    path: m.path,
    name: m.name,
    folder: m.folder,
    width: m.width,
    height: m.height,
    takenAt: m.taken_at,
    label: m.label,
    labelConfidence: m.label_conf,
    labelDims: m.label_dims,
    userLabel: ctx.userLabels.of(m.path),
    favourite: ctx.collections.isFavourite(m.path),
    guess: guess(ctx, m.id)
  }
}

/** The model's calibrated reading of a photo; none under an adaptor (its space has other heads). */
function guess(ctx: EngineContext, id: number): PhotoSummary['guess'] {
  const space = ctx.slot.current
  const reader = space.active ? null : conceptReaderFor(space.model)
  return reader && space.vectors.has(id) ? reader.guess(space.vectors.vector(id)) : null
}

/** The files of these photos (labels, favourites and albums are kept by path); an unknown id is a 404. */
export function photoPaths(ctx: EngineContext, ids: number[]): string[] {
  const meta = ctx.slot.current.meta
  return ids.map((id) => {
    const m = meta.get(id)
    if (!m) throw new UserError(`no photo ${id}`, 404)
    return m.path
  })
}
