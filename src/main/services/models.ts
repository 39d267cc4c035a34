// The image encoders: the bundled one and those imported, which one search uses, and switching to
// another (the re-embedding job; its commit, `flip`, swaps the whole search space at once).
import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import type { Input, ModelInfo, Models, Output } from '../../shared/api'
import type { JobKind } from '../../shared/events'
import { UserError } from '../../shared/errors'
import { VectorTable } from '../../core/vectors'
import { importModel, isMatryoshka, modelId, tableFor, type ModelEntry, type TableRef } from '../adapters/models/registry'
import type { Model } from '../adapters/models/modelCard'
import type { Library } from '../ports/photos'
import { SearchSpace, fineCopy } from '../space/searchSpace'
import type { EngineContext } from './context'

export class ModelsService {
  constructor(private readonly ctx: EngineContext) {}

  async models(): Promise<Output<'models'>> {
    const active = this.ctx.slot.current.modelId
    const models: ModelInfo[] = (await this.ctx.registry.list()).map(({ onnxPath: _p, ...m }: ModelEntry) => ({ ...m, active: m.id === active }))
    return { active, models, switch: this.ctx.switcher.current() } satisfies Models
  }

  /** A few library photos, spread over it, to check a model on. */
  private samplePhotos(n = 8): string[] {
    const all = [...this.ctx.slot.current.meta.values()]
    const step = Math.max(1, Math.floor(all.length / n))
    return all.filter((_, i) => i % step === 0).slice(0, n).map((m) => m.path)
  }

  /** `by`: the job importing it (fine-tuning hands its result over while it still runs). */
  async importModel(input: Input<'importModel'>, by?: JobKind): Promise<Output<'importModel'>> {
    if (input.use !== false) this.ctx.board.admit('reembedding', by)
    let path = input.path
    if (input.data !== undefined) {
      const bytes = Buffer.from(input.data, 'base64')
      if (!bytes.length) throw new UserError('the uploaded model is empty')
      path = this.ctx.tmpPath(`upload-${randomBytes(6).toString('hex')}.onnx`)
      await writeFile(path, bytes)
    }
    try {
      const imported = await importModel(this.ctx.dataDir, path!, { cardPath: input.cardPath, card: input.card, settings: input.settings }, { samplePhotos: this.samplePhotos() })
      if (input.use !== false) await this.useModel({ id: imported.id }, by)
      const models = await this.models()
      return { model: models.models.find((m) => m.id === imported.id)!, models }
    } finally {
      if (input.data !== undefined) await rm(path!, { force: true })
    }
  }

  async useModel({ id }: Input<'useModel'>, by?: JobKind): Promise<Output<'useModel'>> {
    const { registry, switcher, board } = this.ctx
    const entry = await registry.find(id.trim())
    board.admit('reembedding', by)
    if (entry.id === this.ctx.slot.current.modelId) return this.models()
    const target = { model: entry.id, table: tableFor(entry.id) }
    registry.setState({ ...registry.state(), target }) // from here a restart resumes the switch
    switcher.start(target, entry.name, by)
    return this.models()
  }

  async cancelModelSwitch(): Promise<Output<'cancelModelSwitch'>> {
    const { registry, switcher, adaptation } = this.ctx
    const st = registry.state()
    if (switcher.current().phase === 'adapting') {
      adaptation.stop()
      registry.setState({ ...st, adaptFor: null })
    }
    await switcher.stop()
    if (st.target) {
      registry.setState({ ...registry.state(), target: null })
      const { store } = this.ctx.slot.current
      await store.dropPhotoTablesExcept([store.photosTable])
      switcher.markCancelled()
    }
    return this.models()
  }

  /**
   * Makes `store` (every photo embedded by `model`, same ids, so thumbnails and labels carry over)
   * the table search uses. The state file's rename is the commit point; the swap after it is
   * synchronous, so a search sees the old model or the new, never a mix.
   */
  async flip(model: Model, store: Library, target: TableRef, closeEmbedder: () => Promise<void>): Promise<void> {
    const { registry, adaptation, slot, userLabels } = this.ctx
    const rows = await store.meta()
    const { ids, vectors } = await store.embeddings()
    const id = modelId(model.card)
    const adaptFor = isMatryoshka(model.card) || adaptation.versions.list(id).length ? null : id
    registry.setState({ active: target, target: null, adaptFor })
    const old = slot.current
    slot.swap(new SearchSpace(this.ctx.dataDir, model, store, VectorTable.from(model.card.embedding_dim, ids, vectors, fineCopy(this.ctx.dataDir, model.card.embedding_dim)), new Map(rows.map((m) => [m.id, m])), null))
    userLabels.rebind(store)
    await store.setSignalVersion('embedding', id)
    await closeEmbedder()
    old.store.close()
    await store.dropPhotoTablesExcept([store.photosTable])
    // an adaptor trained for this model before (switching back) is used again
    try {
      const saved = adaptation.loadActive()
      if (saved) await adaptation.activate(saved.version)
    } catch (err) {
      console.error(`the saved adaptor cannot be used: ${(err as Error).message}`)
    }
    if (!slot.current.dialMeasured) await slot.current.calibrateDial()
    slot.current.persistShortlists()
    this.ctx.indexer.start() // photos that could not be embedded again, or changed meanwhile
  }
}
