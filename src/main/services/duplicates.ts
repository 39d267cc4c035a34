// Duplicate groups for the Duplicates screen and the CLI: near copies from the duplicates signal's
// self-join, identical files by hash, each group with the copy to keep suggested. Nothing here
// deletes or moves a photo: the user gets lists of paths.
import { extname } from 'node:path'
import type { Input, Output } from '../../shared/api'
import { bestCopy, groupPairs, type Pair } from '../../core/duplicates'
import { DUPLICATES, JOIN, currentPairs, spaceView, type DuplicateValue } from '../jobs/signals/duplicates'
import type { PhotoMeta } from '../ports/photos'
import type { EngineContext } from './context'
import { photoSummary } from './photos'

const format = (m: PhotoMeta) => extname(m.name).slice(1).toLowerCase()
const when = (m: PhotoMeta) => m.taken_at ?? new Date(m.mtime_ms).toISOString()

export class DuplicatesService {
  constructor(private readonly ctx: EngineContext) {}

  duplicates(input: Input<'duplicates'> = {}): Output<'duplicates'> {
    const space = this.ctx.slot.current
    const view = spaceView(space)
    // near copies, as the funnel scores them now (an identical file is scored 1 below, by its hash)
    const pairs: Pair[] = currentPairs(view, this.ctx.signals.values<DuplicateValue>(DUPLICATES)).map((p) => ({ ...p, score: Math.min(p.score, 0.99999) }))
    const byHash = new Map<string, number[]>()
    for (const m of space.meta.values()) byHash.set(m.hash, [...(byHash.get(m.hash) ?? []), m.id])
    for (const ids of byHash.values()) for (let i = 1; i < ids.length; i++) pairs.push({ a: ids[0], b: ids[i], score: 1, look: 1 })
    const kind = input.kind ?? 'all'
    const groups = groupPairs(pairs, JOIN)
      .filter((g) => kind === 'all' || (kind === 'similar') === (g.kind === 'similar'))
      .map((g) => {
        const members = g.ids.map((id) => space.meta.get(id)).filter((m): m is PhotoMeta => !!m)
        const best = bestCopy(members.map((m) => ({ id: m.id, width: m.width, height: m.height, size: m.size, format: format(m), when: when(m) })))
        return {
          kind: g.kind,
          score: g.score,
          best,
          photos: members.map((m) => ({ ...photoSummary(this.ctx, m), size: m.size, format: format(m), when: when(m) }))
        }
      })
      .filter((g) => g.photos.length > 1)
      // exact and near copies first, the biggest groups first
      .sort((a, b) => Number(a.kind === 'similar') - Number(b.kind === 'similar') || b.photos.length - a.photos.length || a.best - b.best)
    const inGroups = (k: 'dup' | 'similar') => new Set(groups.filter((g) => (g.kind === 'similar') === (k === 'similar')).flatMap((g) => g.photos.map((p) => p.id))).size
    return {
      groups,
      photos: space.meta.size,
      duplicatePhotos: inGroups('dup'),
      similarPhotos: inGroups('similar'),
      thresholds: { ...JOIN }
    }
  }
}
