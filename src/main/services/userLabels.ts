// The user's labels, kept in LanceDB by photo path (re-indexing keeps paths, and ids for changed
// files), mirrored in memory so every photo summary can carry its label without a query.
import type { Labels } from '../../shared/api'
import { UserError } from '../../shared/errors'
import type { LabelRepository, PhotoMeta } from '../ports/photos'

export class UserLabels {
  private byPath = new Map<string, string>()
  private labelNames: string[] = []

  private constructor(private store: LabelRepository) {}

  /** After a model switch the labels live on through the new model's store (same label tables). */
  rebind(store: LabelRepository): void {
    this.store = store
  }

  static async load(store: LabelRepository): Promise<UserLabels> {
    const l = new UserLabels(store)
    l.byPath = await store.labelAssignments()
    l.labelNames = await store.listLabels()
    return l
  }

  /** every label's name, oldest first */
  get names(): readonly string[] {
    return this.labelNames
  }

  of(path: string): string | null {
    return this.byPath.get(path) ?? null
  }

  /** Counts over the photos indexed now (a label on a path that left the library is kept, not counted). */
  summary(photos: Iterable<PhotoMeta>): Labels {
    const counts = new Map(this.labelNames.map((n) => [n, 0]))
    let labelled = 0
    for (const m of photos) {
      const l = this.byPath.get(m.path)
      if (l === undefined) continue
      counts.set(l, (counts.get(l) ?? 0) + 1)
      labelled++
    }
    return { labels: [...counts].map(([name, count]) => ({ name, count })), labelled }
  }

  /** The labelled photos among `photos`, with their label. */
  labelled(photos: Iterable<PhotoMeta>): { id: number; label: string }[] {
    const out: { id: number; label: string }[] = []
    for (const m of photos) {
      const l = this.byPath.get(m.path)
      if (l !== undefined) out.push({ id: m.id, label: l })
    }
    return out
  }

  async create(name: string): Promise<void> {
    if (this.labelNames.includes(name)) throw new UserError(`there is already a label “${name}”`, 409)
    await this.store.createLabel(name)
    this.labelNames.push(name)
  }

  async rename(from: string, to: string): Promise<void> {
    if (!this.labelNames.includes(from)) throw new UserError(`no label “${from}”`, 404)
    if (from === to) return
    if (this.labelNames.includes(to)) throw new UserError(`there is already a label “${to}”`, 409)
    await this.store.renameLabel(from, to)
    this.labelNames = this.labelNames.map((n) => (n === from ? to : n))
    for (const [p, l] of this.byPath) if (l === from) this.byPath.set(p, to)
  }

  async remove(name: string): Promise<void> {
    if (!this.labelNames.includes(name)) throw new UserError(`no label “${name}”`, 404)
    await this.store.deleteLabel(name)
    this.labelNames = this.labelNames.filter((n) => n !== name)
    for (const [p, l] of this.byPath) if (l === name) this.byPath.delete(p)
  }

  /** Label these photos (creating the label if new), or clear their label (null). */
  async assign(paths: string[], label: string | null): Promise<void> {
    if (label !== null && !this.labelNames.includes(label)) await this.create(label)
    await this.store.assignLabel(paths, label)
    for (const p of paths) {
      if (label === null) this.byPath.delete(p)
      else this.byPath.set(p, label)
    }
  }
}
