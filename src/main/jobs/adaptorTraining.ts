// Training and applying adaptors for the engine: gathers the stored embeddings (no image decoding),
// runs the training worker, keeps each result as a version, and switches search to a version (or
// back to the model's own embeddings) by rebuilding the search space from the stored embeddings.
import { join } from 'node:path'
import type { Adaptors, Training, TrainingKind } from '../../shared/api'
import { saveAdaptor, type Adaptor } from '../../training/adaptor'
import type { Head } from '../../training/heads'
import { gatherRows, rng, shuffle } from '../../training/linalg'
import { Cancelled } from '../../training/progress'
import { TrainClient } from '../adapters/workers/trainClient'
import { AdaptorVersions } from '../adapters/fs/adaptorVersions'
import { UserError } from '../../shared/errors'
import type { Store, PhotoMeta } from '../adapters/lance/store'
import type { UserLabels } from '../services/userLabels'

/** What search uses instead of the raw embeddings. */
export interface ActiveAdaptor {
  version: number
  adaptor: Adaptor
  heads: Head[]
  classes: string[]
  threshold: number | null
}

/** The engine as training sees it. */
export interface AdaptationHost {
  readonly store: Store
  readonly nesting: number[]
  /** the prefixes an adaptor is trained for: the model's, or a ladder for a model trained without them */
  readonly adaptorNesting: number[]
  readonly modelId: string
  indexedPhotos(): IterableIterator<PhotoMeta>
  /** swap the search space (null: the raw embeddings); resolves once search uses it */
  useSearchSpace(active: ActiveAdaptor | null, adapt: (x: Float32Array) => Promise<Float32Array>): Promise<void>
}

const UNLABELLED_SAMPLE = 2000
const UNSUPERVISED_SAMPLE = 20000
const MIN_PER_CLASS = 2

export class Adaptation {
  private state: Training
  private cancel: (() => void) | null = null
  /** a cancel that came before the worker had the job */
  private cancelRequested = false
  private run: Promise<void> | null = null
  readonly client = new TrainClient()
  readonly versions: AdaptorVersions

  constructor(dataDir: string, private readonly host: AdaptationHost, private readonly labels: UserLabels) {
    this.versions = new AdaptorVersions(join(dataDir, 'adaptors'))
    this.state = this.idleState()
  }

  private idleState(): Training {
    return { phase: 'idle', kind: null, epoch: 0, epochs: 0, loss: null, metric: 'accuracy', nesting: this.host.nesting, perPrefix: [], message: '', version: null }
  }

  status(): Training {
    return this.state
  }

  private set(next: Partial<Training>, listener?: (t: Training) => void): void {
    this.state = { ...this.state, ...next }
    listener?.(this.state)
  }

  /** Starts a run in the worker; progress arrives through `listener` and `status()`. */
  start(kind: TrainingKind, listener?: (t: Training) => void): Training {
    if (this.run) throw new UserError('a training run is already going; cancel it first', 409)
    this.cancelRequested = false
    this.state = { ...this.idleState(), nesting: this.host.adaptorNesting, phase: 'preparing', kind, metric: kind === 'supervised' ? 'accuracy' : 'neighbours@10', message: 'reading the stored embeddings' }
    listener?.(this.state)
    this.run = this.execute(kind, listener)
      .catch((err) => {
        if (err instanceof Cancelled) this.set({ phase: 'cancelled', message: 'cancelled; nothing changed' }, listener)
        else this.set({ phase: 'failed', message: (err as Error).message ?? String(err) }, listener)
      })
      .finally(() => {
        this.run = null
        this.cancel = null
      })
    return this.state
  }

  /** Resolves when the current run (if any) has ended. */
  idle(): Promise<void> {
    return this.run ?? Promise.resolve()
  }

  stop(): Training {
    if (this.run) this.cancelRequested = true
    this.cancel?.()
    return this.state
  }

  private async execute(kind: TrainingKind, listener?: (t: Training) => void): Promise<void> {
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
      const labelled = this.labels.labelled(this.host.indexedPhotos()).filter((l) => row.has(l.id))
      const perClass = new Map<string, number>()
      for (const l of labelled) perClass.set(l.label, (perClass.get(l.label) ?? 0) + 1)
      classes = [...perClass.keys()].filter((c) => perClass.get(c)! >= MIN_PER_CLASS).sort()
      if (classes.length < 2) throw new UserError(`label at least ${MIN_PER_CLASS} photos in each of at least 2 labels first`)
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
    if (this.cancelRequested) throw new Cancelled()
    this.set({ phase: 'training', message: `training on ${photos} photos` }, listener)
    const { outcome, cancel } = this.client.train(job, (r) => this.set({ epoch: r.epoch, epochs: r.epochs, loss: r.loss, perPrefix: r.perPrefix }, listener))
    this.cancel = cancel
    if (this.cancelRequested) cancel()
    const result = await outcome
    this.cancel = null
    const info = this.versions.add(
      { kind, model: modelId, classes, photos, seconds: (performance.now() - started) / 1000, epochs: result.epochs, metric: result.metric, perPrefix: result.perPrefix, threshold: result.threshold },
      result.adaptor,
      result.heads
    )
    this.set({ phase: 'applying', perPrefix: result.perPrefix, version: info.version, message: `applying version ${info.version}: re-embedding from the stored embeddings` }, listener)
    await this.activate(info.version)
    this.set({ phase: 'done', message: `version ${info.version} in use (${((performance.now() - started) / 1000).toFixed(1)} s)` }, listener)
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
    this.cancel?.()
    await this.idle()
    await this.client.close()
  }
}
