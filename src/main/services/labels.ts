// The user's labels on photos, and the auto-tags an adaptor trained on them suggests.
import type { Input, Output } from '../../shared/api'
import { UserError } from '../../shared/errors'
import { decide } from '../../training/autotag'
import type { EngineContext } from './context'
import { photoPaths } from './photos'

export class LabelsService {
  constructor(private readonly ctx: EngineContext) {}

  private summary(): Output<'labels'> {
    return this.ctx.userLabels.summary(this.ctx.slot.current.meta.values())
  }

  async labels(): Promise<Output<'labels'>> {
    return this.summary()
  }

  async createLabel({ name }: Input<'createLabel'>): Promise<Output<'createLabel'>> {
    await this.ctx.userLabels.create(name.trim())
    return this.summary()
  }

  async renameLabel({ from, to }: Input<'renameLabel'>): Promise<Output<'renameLabel'>> {
    await this.ctx.userLabels.rename(from.trim(), to.trim())
    return this.summary()
  }

  async deleteLabel({ name }: Input<'deleteLabel'>): Promise<Output<'deleteLabel'>> {
    await this.ctx.userLabels.remove(name.trim())
    return this.summary()
  }

  async assignLabel({ ids, label }: Input<'assignLabel'>): Promise<Output<'assignLabel'>> {
    await this.ctx.userLabels.assign(photoPaths(this.ctx, ids), label === null ? null : label.trim())
    return this.summary()
  }

  /** The labelled photos of the library, by id and by path. */
  labelled(): { id: number; path: string; label: string }[] {
    const meta = this.ctx.slot.current.meta
    return this.ctx.userLabels.labelled(meta.values()).map((l) => ({ ...l, path: meta.get(l.id)!.path }))
  }

  /**
   * Auto-tags: the cascade over the adaptor's heads (smallest confident prefix first) for photos
   * without a label of yours, kept when it passes the threshold calibrated on the held-out split.
   * Accepting one is assignLabel; rejecting needs nothing stored.
   */
  async suggestions({ limit = 50 }: Input<'suggestions'>): Promise<Output<'suggestions'>> {
    const space = this.ctx.slot.current
    const a = space.active
    if (!a || !a.heads.length || a.threshold === null) return { threshold: a?.threshold ?? null, suggestions: [] }
    const { vectors } = space
    const open = [...space.meta.values()].filter((m) => this.ctx.userLabels.of(m.path) === null && vectors.has(m.id))
    const d = vectors.dims
    const y = new Float32Array(open.length * d)
    open.forEach((m, i) => vectors.rowInto(vectors.slotOf(m.id), y, i * d))
    const decisions = decide(a.heads, y, open.length, d, a.threshold)
    const out = open
      .map((m, i) => ({ id: m.id, name: m.name, label: a.classes[decisions[i].classIndex], confidence: decisions[i].confidence, dims: decisions[i].dims }))
      .filter((s) => s.confidence >= a.threshold!)
      .sort((x, y2) => y2.confidence - x.confidence || x.id - y2.id)
    return { threshold: a.threshold, suggestions: out.slice(0, limit) }
  }
}
