// The engine every shell (Electron, HTTP server, CLI) holds: opens the data folder, builds the search
// space, has the composition root (compose.ts) wire the jobs and services over it, and answers the
// API (one handler per method, handlers.ts) and the job event stream.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ApiHandlers } from '../../shared/api'
import type { JobDetail, JobEvent, JobKind } from '../../shared/events'
import { VectorTable } from '../../core/vectors'
import { loadModel, type Model } from '../adapters/models/modelCard'
import { ModelRegistry } from '../adapters/models/registry'
import { Store } from '../adapters/lance/store'
import type { Library, PhotoMeta } from '../ports/photos'
import { acquireLock, type Lock } from '../adapters/fs/lock'
import { SearchSpace } from '../space/searchSpace'
import { sweepHalfRows } from '../adapters/vectors/halfRows'
import type { EngineContext } from '../services/context'
import { UserLabels } from '../services/userLabels'
import { MediaService, type Media, type MediaKind } from '../services/media'
import { Collections } from '../services/collections'
import { CollectionTables } from '../adapters/lance/collections'
import { apiHandlers, type Services } from './handlers'
import { compose, type Composed } from './compose'
import { dataLayout, tightenDataDir } from '../adapters/fs/dataLayout'

export interface EngineOptions {
  dataDir: string
  modelPath?: string
  /** onnxruntime threads in the worker (0: its default) */
  threads?: number
  /**
   * Go on with a model switch (or its adaptor) that a crash or close interrupted (default true).
   * One-shot commands that only read (status, search) leave it for the next real session.
   */
  resume?: boolean
}

/** The API's methods are the Engine's (assigned from the handlers in the constructor). */
export interface Engine extends ApiHandlers {}

export class Engine {
  readonly handlers: ApiHandlers
  readonly services: Services
  private readonly ctx: EngineContext
  private readonly mediaService: MediaService

  private constructor(
    readonly dataDir: string,
    private readonly parts: Composed,
    private readonly lock: Lock
  ) {
    this.ctx = parts.ctx
    this.services = parts.services
    this.handlers = apiHandlers(parts.services)
    this.mediaService = new MediaService(this.ctx)
    Object.assign(this, this.handlers)
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    const dataDir = resolve(opts.dataDir)
    const layout = dataLayout(dataDir)
    mkdirSync(layout.thumbs, { recursive: true, mode: 0o700 })
    mkdirSync(layout.tmp, { recursive: true, mode: 0o700 })
    tightenDataDir(dataDir)
    const lock = acquireLock(dataDir)
    try {
      sweepHalfRows(layout.vectors) // copies a crash left where an open file cannot be unlinked (Windows)
      const registry = new ModelRegistry(dataDir)
      const state = registry.state()
      // the model chosen in the app wins over the default (the bundled one, or opts.modelPath)
      const model = state.active ? await registry.load(state.active.model) : await loadModel(opts.modelPath)
      await Store.migrate(dataDir) // the data folder's schema up to this build's (adapters/lance/migrations.ts)
      const store = await Store.open(layout.library, model.card.embedding_dim, state.active?.table ?? 'photos')
      await store.removeDuplicatePaths()
      // tables of a switch that finished (its old table) or was abandoned before a crash
      await store.dropPhotoTablesExcept([store.photosTable, ...(state.target ? [state.target.table] : [])])
      const space = await SearchSpace.open(dataDir, model, store)
      const engine = new Engine(dataDir, compose(dataDir, space, registry, await UserLabels.load(store), await Collections.load(await CollectionTables.open(dataDir)), { threads: opts.threads }), lock)
      await engine.start(opts.resume !== false)
      return engine
    } catch (err) {
      lock.release()
      throw err
    }
  }

  /** Uses the saved adaptor, opens the signals, and resumes an interrupted switch. */
  private async start(resume: boolean): Promise<void> {
    const { adaptation, registry, switcher, slot, signals } = this.ctx
    try {
      const active = adaptation.loadActive()
      if (active) await adaptation.activate(active.version)
    } catch (err) {
      console.error(`the saved adaptor cannot be used; searching the model's own embeddings: ${(err as Error).message}`)
    }
    await signals.open()
    // a switch that a crash or close interrupted goes on where its last commit ended
    if (!resume) return
    const state = registry.state()
    if (state.target) switcher.start(state.target, (await registry.find(state.target.model).catch(() => null))?.name ?? state.target.model)
    else if (state.adaptFor === slot.current.modelId) switcher.start(null, slot.current.model.card.name)
    signals.start()
  }

  // ---- the one event stream: every job's status ----

  on(event: 'job', listener: (e: JobEvent) => void): this {
    this.ctx.board.on(event, listener)
    return this
  }

  off(event: 'job', listener: (e: JobEvent) => void): this {
    this.ctx.board.off(event, listener)
    return this
  }

  /** Follows one job's detail (the shape its API call answers), each change once; returns the unsubscribe. */
  follow<K extends JobKind>(kind: K, listener: (detail: JobDetail<K>) => void): () => void {
    let last: unknown = null
    const on = (e: JobEvent) => {
      // a run's end is pushed with its last detail again (the state changes, not the detail)
      if (e.kind !== kind || e.detail === last) return
      last = e.detail
      listener(e.detail as JobDetail<K>)
    }
    this.ctx.board.on('job', on)
    return () => this.ctx.board.off('job', on)
  }

  /** The latest event of each job, for a subscriber that joins late. */
  jobSnapshot(): JobEvent[] {
    return this.ctx.board.snapshot()
  }

  // ---- waiting for background work (the CLI and tests) ----

  /** Resolves when the current indexing run (if any) has finished. */
  idle(): Promise<void> {
    return this.ctx.indexer.idle()
  }

  trainingIdle(): Promise<void> {
    return this.ctx.adaptation.idle()
  }

  modelSwitchIdle(): Promise<void> {
    return this.ctx.switcher.idle()
  }

  backboneIdle(): Promise<void> {
    return this.ctx.fineTuning.idle()
  }

  signalsIdle(): Promise<void> {
    return this.ctx.signals.idle()
  }

  // ---- for the media routes, and for tests that look inside ----

  /** An indexed photo's original or thumbnail, opened for serving (services/media.ts). */
  media(id: number, kind: MediaKind): Promise<Media> {
    return this.mediaService.open(id, kind)
  }

  thumbPath(id: number): string {
    return this.ctx.thumbPath(id)
  }

  get space(): SearchSpace {
    return this.ctx.slot.current
  }

  get store(): Library {
    return this.space.store
  }

  get vectors(): VectorTable {
    return this.space.vectors
  }

  get model(): Model {
    return this.space.model
  }

  get modelId(): string {
    return this.space.modelId
  }

  get spaceId(): string {
    return this.space.spaceId
  }

  indexedPhotos(): IterableIterator<PhotoMeta> {
    return this.space.meta.values()
  }

  /** what `close` is waiting for, for a shell that gives up on a close that hangs (shells/quit.ts) */
  closing: string | null = null

  async close(): Promise<void> {
    const { fineTuning, switcher, adaptation, indexer, signals } = this.ctx
    const step = (name: string) => (this.closing = name)
    try {
      step('the backbone fine-tuning')
      await fineTuning.close()
      if (switcher.current().phase === 'adapting') adaptation.stop() // resumed at the next start
      step('the model switch')
      await switcher.stop()
      step('the adaptor training')
      await adaptation.close()
      step('indexing')
      await indexer.stop()
      step('the signals job')
      await signals.close()
      step('the files')
      this.services.people.close()
      // a shortlist that cannot be saved (disk full) is rebuilt from the table on the next start
      if (this.space.hasShortlists) {
        try {
          this.space.persistShortlists()
        } catch (err) {
          console.error(`could not save the shortlist index: ${(err as Error).message}`)
        }
      }
      await this.parts.closeEmbedder()
      this.store.close()
      this.ctx.collections.close()
      this.space.close() // its f16 copy's descriptor (a replaced space's closes when it is collected)
    } finally {
      this.lock.release()
    }
  }
}
