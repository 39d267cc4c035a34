// Switching the image encoder without losing search: every photo is embedded again by the new model
// into that model's own photo table while the old model keeps answering; once the new table holds
// every photo (checked with indexing held), one atomic write of model-state.json makes it the one
// search uses. Batches are whole LanceDB commits, so a killed switch resumes where it stopped. A
// model trained without Matryoshka then gets the unsupervised adaptor, so the dial's prefixes work.
import { join } from 'node:path'
import type { ModelSwitchStatus } from '../../shared/api'
import { EmbedClient } from '../adapters/workers/embedClient'
import type { Embedded } from '../ports/encoder'
import type { Model } from '../adapters/models/modelCard'
import { isMatryoshka, type ModelRegistry, type TableRef } from '../adapters/models/registry'
import { photoLabel } from './photoLabel'
import type { Job, RunControl } from './job'
import type { JobKind, JobState } from '../../shared/events'
import { Store } from '../adapters/lance/store'
import type { PhotoMeta, PhotoRow } from '../ports/photos'
import { dataLayout } from '../adapters/fs/dataLayout'
import { scanRoots } from '../adapters/fs/folderScan'

const BATCH = 32

/** The engine as a switch sees it. */
export interface SwitchHost {
  readonly dataDir: string
  readonly registry: ModelRegistry
  readonly threads: number | undefined
  readonly cascadeThreshold: number
  /** the model search uses now */
  readonly model: Model
  indexedPhotos(): IterableIterator<PhotoMeta>
  /** waits for a running indexing run to stop and keeps new ones from starting */
  holdIndexer(): Promise<void>
  releaseIndexer(): void
  /** makes `store` (every photo embedded by `model`) the one search uses */
  flip(model: Model, store: Store, target: TableRef): Promise<void>
  /** trains the unsupervised adaptor for the model in use; resolves when it has ended */
  adaptUnsupervised(onProgress: (message: string) => void): Promise<void>
}

export const IDLE_SWITCH: ModelSwitchStatus = { phase: 'idle', from: null, to: null, toId: null, done: 0, total: 0, perSecond: 0, etaSeconds: null, message: '' }

export const reembeddingSpec = {
  kind: 'reembedding' as const,
  idle: () => IDLE_SWITCH,
  summary: (s: ModelSwitchStatus) => ({ phase: s.phase, done: s.done, total: s.total, perSecond: s.perSecond, etaSeconds: s.etaSeconds, message: s.message }),
  ended: (s: ModelSwitchStatus): JobState => (s.phase === 'failed' || s.phase === 'cancelled' || s.phase === 'idle' ? s.phase : 'done')
}

export class ModelSwitch {
  constructor(
    private readonly host: SwitchHost,
    private readonly job: Job<'reembedding', ModelSwitchStatus>
  ) {}

  get busy(): boolean {
    return this.job.busy
  }

  current(): ModelSwitchStatus {
    return this.job.current()
  }

  private set(next: Partial<ModelSwitchStatus>): void {
    this.job.set(next)
  }

  /** Re-embeds for `target` (null: only the adaptor step of a finished switch), in the background. */
  start(target: TableRef | null, targetName: string, by?: JobKind): void {
    const first: Partial<ModelSwitchStatus> = { phase: target ? 'embedding' : 'adapting', from: this.host.model.card.name, to: targetName, toId: target?.model ?? null, message: 'starting' }
    this.job.start(
      first,
      async (ctl) => {
        const flipped = target ? await this.execute(target, ctl) : true
        if (!flipped) return
        if (this.host.registry.state().adaptFor) {
          this.set({ phase: 'adapting', message: 'training the unsupervised Matryoshka adaptor, so short prefixes work' })
          await this.host.adaptUnsupervised((message) => this.set({ message }))
        }
        this.set({ phase: 'done', message: `${this.host.model.card.name} in use` })
      },
      (err) => ({ phase: 'failed', message: `the model switch failed: ${(err as Error).message ?? err}` }),
      by
    )
  }

  idle(): Promise<void> {
    return this.job.idle()
  }

  markCancelled(): void {
    this.set({ phase: 'cancelled', message: `cancelled; ${this.host.model.card.name} stays in use` })
  }

  /** Stops at the next batch; the target stays in model-state.json, so the next start resumes. */
  async stop(): Promise<void> {
    this.job.stop()
    await this.idle()
  }

  private row(model: Model, m: PhotoMeta, r: Embedded): PhotoRow {
    return { ...m, ...photoLabel(model, r.logits, this.host.cascadeThreshold), embedding: r.embedding }
  }

  /** True once the new table is in use; false when stopped first (resumable). */
  private async execute(target: TableRef, ctl: RunControl): Promise<boolean> {
    const host = this.host
    const model = await host.registry.load(target.model)
    const staging = await Store.open(dataLayout(host.dataDir).library, model.card.embedding_dim, target.table)
    const client = new EmbedClient(model.onnxPath, host.threads)
    let held = false
    let flipped = false
    const failed = new Set<number>()
    const t0 = performance.now()
    let embedded = 0
    try {
      await staging.removeDuplicatePaths()
      // each photo is read inside the library's folders, as indexing reads it
      const roots = await scanRoots(await staging.listFolders(), host.dataDir)
      const within = { roots: roots.real, exclude: roots.exclude }
      for (;;) {
        if (ctl.stopping) return false
        const wanted = new Map([...host.indexedPhotos()].map((m) => [m.id, m]))
        const have = await staging.meta()
        // rows for photos that left the library, or changed, since they were embedded again
        const stale = have.filter((h) => {
          const w = wanted.get(h.id)
          return !w || w.path !== h.path || w.hash !== h.hash || w.mtime_ms !== h.mtime_ms
        })
        if (stale.length) await staging.deleteIds(stale.map((h) => h.id))
        const done = new Set(have.map((h) => h.id))
        for (const h of stale) done.delete(h.id)
        const todo = [...wanted.values()].filter((m) => !done.has(m.id) && !failed.has(m.id))
        const total = wanted.size
        if (!todo.length) {
          if (held) break
          // nothing left: hold indexing and look once more, so nothing slips in before the flip
          this.set({ phase: 'finishing', done: total, total, message: 'checking the new index against the library' })
          await host.holdIndexer()
          held = true
          continue
        }
        let count = total - todo.length
        for (let i = 0; i < todo.length && !ctl.stopping; i += BATCH) {
          const batch = todo.slice(i, i + BATCH)
          const res = await client.embed(batch.map((m) => ({ path: m.path })), within)
          const byPath = new Map(batch.map((m) => [m.path, m]))
          await staging.insert(res.ok.map((r) => this.row(model, byPath.get(r.path)!, r)))
          for (const f of res.failed) failed.add(byPath.get(f.path)!.id)
          count += batch.length
          embedded += batch.length
          const secs = (performance.now() - t0) / 1000
          const perSecond = secs > 0 ? embedded / secs : 0
          this.set(
            { phase: 'embedding', done: count, total, perSecond, etaSeconds: perSecond > 0 ? (total - count) / perSecond : null, message: `${count} of ${total} photos embedded by ${model.card.name}` }
          )
        }
      }
      this.set({ phase: 'finishing', message: `switching search to ${model.card.name}` })
      await host.flip(model, staging, target)
      flipped = true
      if (!isMatryoshka(model.card)) this.set({ message: `${model.card.name} is not Matryoshka: the dial searches its full embedding until the adaptor is trained` })
      return true
    } finally {
      await client.close()
      if (held) host.releaseIndexer()
      if (!flipped) staging.close()
    }
  }
}
