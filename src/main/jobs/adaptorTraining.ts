// Training and applying adaptors for the engine: gathers the stored embeddings (no image decoding),
// runs the training worker, keeps each result as a version, and switches search to a version (or
// back to the model's own embeddings) by rebuilding the search space from the stored embeddings.
import { join } from 'node:path'
import type { Adaptors, Training, TrainingKind } from '../../shared/api'
import { saveAdaptor } from '../../training/adaptor'
import { gatherRows, rng, shuffle } from '../../training/linalg'
import { Cancelled } from '../../training/progress'
import { TrainClient } from '../adapters/workers/trainClient'
import { AdaptorVersions } from '../adapters/fs/adaptorVersions'
import { UserError } from '../../shared/errors'
import type { PhotoRepository } from '../ports/photos'
import type { ActiveAdaptor } from '../space/searchSpace'
import type { Job, RunControl } from './job'
import type { JobKind, JobState } from '../../shared/events'
import { trainableClasses } from './labelRules'
import { dataLayout } from '../adapters/fs/dataLayout'

/** The engine as training sees it. */
export interface AdaptationHost {
  readonly store: PhotoRepository
  readonly nesting: number[]
  /** the prefixes an adaptor is trained for: the model's, or a ladder for a model trained without them */
  readonly adaptorNesting: number[]
  readonly modelId: string
  /** the photos the user labelled, by id */
  labelled(): { id: number; label: string }[]
  /** swap the search space (null: the raw embeddings); resolves once search uses it */
  useSearchSpace(active: ActiveAdaptor | null, adapt: (x: Float32Array) => Promise<Float32Array>): Promise<void>
}

const UNLABELLED_SAMPLE = 2000
const UNSUPERVISED_SAMPLE = 20000

export const adaptorSpec = (nesting: () => number[]) => ({
  kind: 'adaptor' as const,
  idle: (): Training => ({ phase: 'idle', kind: null, epoch: 0, epochs: 0, loss: null, metric: 'accuracy', nesting: nesting(), perPrefix: [], message: '', version: null }),
  summary: (t: Training) => ({ phase: t.phase, done: t.epoch, total: t.epochs, perSecond: 0, etaSeconds: null, message: t.message }),
  ended: (t: Training): JobState => (t.phase === 'failed' || t.phase === 'cancelled' || t.phase === 'idle' ? t.phase : 'done')
})

export class Adaptation {
  readonly client = new TrainClient()
  readonly versions: AdaptorVersions

  constructor(
    dataDir: string,
    private readonly host: AdaptationHost,
    private readonly job: Job<'adaptor', Training>
  ) {
    this.versions = new AdaptorVersions(dataLayout(dataDir).adaptors)
  }

  status(): Training {
    return this.job.current()
  }

  get busy(): boolean {
    return this.job.busy
  }

  private set(next: Partial<Training>): void {
    this.job.set(next)
  }

  /** Starts a run in the worker; progress arrives as job events and through `status()`. `by`: the job starting it. */
  start(kind: TrainingKind, by?: JobKind): Training {
    const first: Partial<Training> = { nesting: this.host.adaptorNesting, phase: 'preparing', kind, metric: kind === 'supervised' ? 'accuracy' : 'neighbours@10', message: 'reading the stored embeddings' }
    this.job.start(
      first,
      (ctl) => this.execute(kind, ctl),
      (err) => (err instanceof Cancelled ? { phase: 'cancelled', message: 'cancelled; nothing changed' } : { phase: 'failed', message: (err as Error).message ?? String(err) }),
      by
    )
    return this.status()
  }

  /** Resolves when the current run (if any) has ended. */
  idle(): Promise<void> {
    return this.job.idle()
  }

  stop(): Training {
    this.job.stop()
    return this.status()
  }

  private async execute(kind: TrainingKind, ctl: RunControl): Promise<void> {
    const started = performance.now()
    const { store, adaptorNesting: nesting, modelId } = this.host
    const { ids, vectors } = await store.embeddings()
    const d = store.dims
    const row = new Map<number, number>()
    ids.forEach((id, i) => row.set(id, i))
    const random = rng(Date.now() >>> 0)
    let job
    let photos: number
    let classes: string[] = []
    if (kind === 'supervised') {
      const labelled = this.host.labelled().filter((l) => row.has(l.id))
      const perClass = new Map<string, number>()
      for (const l of labelled) perClass.set(l.label, (perClass.get(l.label) ?? 0) + 1)
      classes = trainableClasses(perClass)
      const used = labelled.filter((l) => classes.includes(l.label))
      const usedIds = new Set(used.map((l) => l.id))
      const others = shuffle(Array.from(ids).filter((id) => !usedIds.has(id)), random).slice(0, UNLABELLED_SAMPLE)
      photos = used.length
      job = {
        type: 'supervised' as const,
        nesting,
        d,
        x: gatherRows(vectors, d, used.map((l) => row.get(l.id)!)),
        labels: Int32Array.from(used, (l) => classes.indexOf(l.label)),
        classes,
        unlabelled: gatherRows(vectors, d, others.map((id) => row.get(id)!))
      }
    } else {
      if (ids.length < 100) throw new UserError('the unsupervised adaptor needs at least 100 indexed photos')
      const sample = shuffle(Array.from(ids), random).slice(0, UNSUPERVISED_SAMPLE)
      photos = sample.length
      // a small library is seen whole in a few batches: 50 steps an epoch would pass over it 50 times
      const steps = Math.max(5, Math.min(50, Math.ceil((5 * photos * 0.75) / 256)))
      job = { type: 'unsupervised' as const, nesting, d, steps, x: gatherRows(vectors, d, sample.map((id) => row.get(id)!)) }
    }
    if (ctl.stopping) throw new Cancelled()
    this.set({ phase: 'training', message: `training on ${photos} photos` })
    const { outcome, cancel } = this.client.train(job, (r) => this.set({ epoch: r.epoch, epochs: r.epochs, loss: r.loss, perPrefix: r.perPrefix }))
    ctl.onStop(cancel)
    const result = await outcome
    const info = this.versions.add(
      { kind, model: modelId, classes, photos, seconds: (performance.now() - started) / 1000, epochs: result.epochs, metric: result.metric, perPrefix: result.perPrefix, threshold: result.threshold },
      result.adaptor,
      result.heads
    )
    this.set({ phase: 'applying', perPrefix: result.perPrefix, version: info.version, message: `applying version ${info.version}: re-embedding from the stored embeddings` })
    await this.activate(info.version)
    this.set({ phase: 'done', message: `version ${info.version} in use (${((performance.now() - started) / 1000).toFixed(1)} s)` })
  }

  /** The version in use at start-up, if any. */
  loadActive(): ActiveAdaptor | null {
    const v = this.versions.active(this.host.modelId)
    return v === null ? null : this.toActive(v)
  }

  private toActive(version: number): ActiveAdaptor {
    if (!this.versions.list(this.host.modelId).some((v) => v.version === version)) throw new UserError(`no adaptor version ${version} for this model`, 404)
    const { info, adaptor, heads } = this.versions.load(version)
    if (info.model !== this.host.modelId) throw new UserError(`adaptor version ${version} belongs to another model`)
    return { version, adaptor, heads, classes: info.classes, threshold: info.threshold }
  }

  /** Search with this version (null: the model's own embeddings); the stored embeddings never change. */
  async activate(version: number | null): Promise<void> {
    const active = version === null ? null : this.toActive(version)
    await this.host.useSearchSpace(active, (x) => (active ? this.client.adapt(saveAdaptor(active.adaptor), x) : Promise.resolve(x)))
    this.versions.setActive(this.host.modelId, version)
  }

  list(): Adaptors {
    const versions = this.versions.list(this.host.modelId).map(({ model: _m, threshold: _t, ...v }) => v)
    return { active: this.versions.active(this.host.modelId), versions }
  }

  async close(): Promise<void> {
    this.job.stop()
    await this.idle()
    await this.client.close()
  }
}
