// The engine behind every shell (Electron, HTTP server, CLI): one object, one method per API call.
import { EventEmitter } from 'node:events'
import { mkdirSync, readFileSync, writeFileSync, renameSync, statSync } from 'node:fs'
import { realpath, rm, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { DialPoint, Filter, Input, ModelInfo, Models, ModelSwitchStatus, Output, PhotoDetail, PhotoSummary, Progress, SearchRequest } from '../../shared/api'
import { EmbedClient } from '../adapters/workers/embedClient'
import { UserError } from '../../shared/errors'
import { calibrate, configAt, dialPoints } from '../../core/dial'
import { Indexer } from '../jobs/indexing'
import { classVector, loadModel, type Model } from '../adapters/models/modelCard'
import { runFunnel, type QueryVectors } from '../../core/funnel'
import { usearchFullScan } from '../adapters/usearch/exactScan'
import { Shortlist, fingerprint } from '../adapters/usearch/shortlist'
import { Store, filterToSql, type PhotoMeta } from '../adapters/lance/store'
import { VectorTable } from '../../core/vectors'
import type { ConceptMatcher } from '../../core/words'
import { loadConceptMatcher } from '../adapters/fs/wordnet'
import { acquireLock, type Lock } from '../adapters/fs/lock'
import { isInside } from '../adapters/fs/paths'
import { adapt, adaptDirection } from '../../training/adaptor'
import { decide } from '../../training/autotag'
import { Adaptation, type ActiveAdaptor } from '../jobs/adaptorTraining'
import { UserLabels } from '../services/userLabels'
import { ModelRegistry, importModel, isMatryoshka, tableFor, type ModelEntry, type TableRef } from '../adapters/models/registry'
import { ModelSwitch, type SwitchHost } from '../jobs/reembedding'
import { Backbone } from '../jobs/fineTuning'
import { prefix } from '../../core/mrl'
import { conceptReaderFor, readCalibration, relevanceCutoff } from '../../core/concepts'

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

const IDLE: Progress = { phase: 'idle', done: 0, total: 0, perSecond: 0, etaSeconds: null, skipped: 0, message: '' }

/** A query none of whose words the model can see, said plainly with the nearest concepts it knows. */
function cannotSee(text: string, unknown: { term: string; nearest: string[] }[]): string {
  const near = [...new Set(unknown.flatMap((u) => u.nearest))].slice(0, 5)
  return `the model cannot see “${text}”: it is not among the concepts it knows${near.length ? `; the nearest it knows: ${near.join(', ')}` : ''}`
}

/** Prefixes for an adaptor on a model trained without them: powers of two from 8, and the full width. */
function prefixLadder(d: number): number[] {
  const out: number[] = []
  for (let m = 8; m < d; m *= 2) out.push(m)
  return [...out, d]
}

export class Engine extends EventEmitter implements SwitchHost {
  private progress: Progress = IDLE
  private readonly shortlists = new Map<number, Shortlist>()
  private meta = new Map<number, PhotoMeta>()
  private sorted: PhotoMeta[] | null = null
  private dial: DialPoint[]
  private matcher: Promise<ConceptMatcher> | null = null
  private embedClient: EmbedClient | null = null
  private readonly indexer: Indexer
  private userLabels!: UserLabels
  private adaptation!: Adaptation
  /** the adaptor search uses (null: the model's own embeddings) */
  private active: ActiveAdaptor | null = null
  /** rows indexed while the search space is rebuilt: id -> raw embedding (null: removed) */
  private arriving: Map<number, Float32Array | null> | null = null
  readonly registry: ModelRegistry
  private readonly switcher: ModelSwitch
  /** fine-tuning the whole model in PyTorch, where the machine has it */
  private readonly fineTuning: Backbone
  /** bumped when a model switch replaces the table, so a search that spanned it runs again */
  private generation = 0

  private constructor(
    readonly dataDir: string,
    /** the model search uses; replaced (with the store) when a model switch completes */
    public model: Model,
    public store: Store,
    /** what search ranks: the stored embeddings, or their adapted versions while an adaptor is in use */
    public vectors: VectorTable,
    readonly threads: number | undefined,
    private readonly lock: Lock
  ) {
    super()
    this.dial = dialPoints(model.card.nesting)
    this.indexer = new Indexer(this)
    this.registry = new ModelRegistry(dataDir)
    this.switcher = new ModelSwitch(this)
    this.fineTuning = new Backbone({
      dataDir,
      labelledPhotos: () => this.userLabels.labelled(this.meta.values()).map((l) => ({ path: this.meta.get(l.id)!.path, label: l.label })),
      importModel: async (path, cardPath) => (await this.importModel({ path, cardPath, use: true })).model.name
    })
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    const dataDir = resolve(opts.dataDir)
    mkdirSync(join(dataDir, 'thumbs'), { recursive: true })
    mkdirSync(join(dataDir, 'tmp'), { recursive: true })
    const lock = acquireLock(dataDir)
    try {
      const registry = new ModelRegistry(dataDir)
      const state = registry.state()
      // the model chosen in the app wins over the default (the bundled one, or opts.modelPath)
      const model = state.active ? await registry.load(state.active.model) : await loadModel(opts.modelPath)
      const store = await Store.open(join(dataDir, 'library.lance'), model.card.embedding_dim, state.active?.table ?? 'photos')
      await store.removeDuplicatePaths()
      // tables of a switch that finished (its old table) or was abandoned before a crash
      await store.dropPhotoTablesExcept([store.photosTable, ...(state.target ? [state.target.table] : [])])
      const { ids, vectors } = await store.embeddings()
      const engine = new Engine(dataDir, model, store, VectorTable.from(model.card.embedding_dim, ids, vectors), opts.threads, lock)
      for (const m of await store.meta()) engine.meta.set(m.id, m)
      engine.userLabels = await UserLabels.load(store)
      engine.adaptation = new Adaptation(dataDir, engine, engine.userLabels)
      try {
        const active = engine.adaptation.loadActive()
        if (active) await engine.adaptation.activate(active.version)
      } catch (err) {
        console.error(`the saved adaptor cannot be used; searching the model's own embeddings: ${(err as Error).message}`)
      }
      engine.loadDial()
      // a switch that a crash or close interrupted goes on where its last commit ended
      if (opts.resume === false) return engine
      if (state.target) engine.switcher.start(state.target, (await registry.find(state.target.model).catch(() => null))?.name ?? state.target.model, engine.onSwitch)
      else if (state.adaptFor === engine.modelId) engine.switcher.start(null, model.card.name, engine.onSwitch)
      return engine
    } catch (err) {
      lock.release()
      throw err
    }
  }

  get modelId(): string {
    return this.model.card.sha256 ?? this.model.card.name
  }

  /** What shortlists and the dial are measured on: the model, and the adaptor if one is in use. */
  get spaceId(): string {
    return this.active ? `${this.modelId}+adaptor-${this.active.version}` : this.modelId
  }

  /** The prefixes search can use: the model's, or those of the adaptor in use. */
  get nesting(): number[] {
    return this.active?.adaptor.nesting ?? this.model.card.nesting
  }

  get adaptorNesting(): number[] {
    const { card } = this.model
    return isMatryoshka(card) ? card.nesting : prefixLadder(card.embedding_dim)
  }

  // ---- state shared with the indexer ----

  indexedPhotos(): IterableIterator<PhotoMeta> {
    return this.meta.values()
  }

  embedder(): EmbedClient {
    if (!this.embedClient?.alive) this.embedClient = new EmbedClient(this.model.onnxPath, this.threads)
    return this.embedClient
  }

  thumbPath(id: number): string {
    return join(this.dataDir, 'thumbs', `${id}.webp`)
  }

  setProgress(p: Progress): void {
    this.progress = p
    this.emit('progress', p)
  }

  applyRows(rows: PhotoMeta[], embeddings: Float32Array[]): void {
    rows.forEach((row, i) => {
      this.meta.set(row.id, row)
      this.arriving?.set(row.id, embeddings[i])
      const v = this.toSearchSpace(embeddings[i])
      this.vectors.set(row.id, v)
      for (const s of this.shortlists.values()) {
        s.remove(row.id)
        s.add(row.id, v)
      }
    })
    this.sorted = null
  }

  removeRows(ids: number[]): void {
    for (const id of ids) {
      this.meta.delete(id)
      this.arriving?.set(id, null)
      this.vectors.delete(id)
      for (const s of this.shortlists.values()) s.remove(id)
    }
    this.sorted = null
  }

  private toSearchSpace(raw: Float32Array): Float32Array {
    return this.active ? adapt(this.active.adaptor, raw, 1) : raw
  }

  /**
   * Search with an adaptor's vectors (or the raw embeddings): re-embedded from the stored embeddings
   * (no image decoding), which stay untouched, so any version can be rolled back to. Rows indexed
   * meanwhile are carried over; shortlists and the dial follow the new space.
   */
  async useSearchSpace(active: ActiveAdaptor | null, adaptRows: (x: Float32Array) => Promise<Float32Array>): Promise<void> {
    this.arriving = new Map()
    try {
      const { ids, vectors } = await this.store.embeddings()
      const table = VectorTable.from(this.store.dims, ids, await adaptRows(vectors))
      this.active = active
      for (const [id, raw] of this.arriving) {
        if (raw) table.set(id, this.toSearchSpace(raw))
        else table.delete(id)
      }
      this.vectors = table
      this.shortlists.clear()
      this.dial = dialPoints(this.nesting)
      this.loadDial()
    } finally {
      this.arriving = null
    }
    if (!this.dialMeasured()) await this.calibrateDial()
  }

  private dialMeasured(): boolean {
    return this.dial.some((p) => p.recall !== null)
  }

  /** The shortlist index for a prefix, loaded from disk or rebuilt when it disagrees with the table. */
  shortlist(dims: number): Shortlist {
    let s = this.shortlists.get(dims)
    if (!s) {
      s = Shortlist.open(this.dataDir, this.vectors, dims, this.spaceId).shortlist
      this.shortlists.set(dims, s)
    }
    return s
  }

  persistShortlists(): void {
    for (const [dims, s] of this.shortlists) {
      s.save(join(this.dataDir, `shortlist-${dims}-${s.quantization}.usearch`), fingerprint(this.vectors.allIds(), dims, s.quantization, this.spaceId, s.connectivity))
    }
  }

  // ---- switching the model (models.ts, modelSwitch.ts) ----

  private readonly onSwitch = (s: ModelSwitchStatus): void => {
    this.emit('modelSwitch', s)
  }

  holdIndexer(): Promise<void> {
    return this.indexer.hold()
  }

  releaseIndexer(): void {
    this.indexer.release()
  }

  /**
   * Makes `store` (every photo embedded by `model`, same ids, so thumbnails and labels carry over)
   * the table search uses. The state file's rename is the commit point; the in-memory swap after it
   * is synchronous, so a search sees the old model or the new, never a mix.
   */
  async flip(model: Model, store: Store, target: TableRef): Promise<void> {
    const rows = await store.meta()
    const { ids, vectors } = await store.embeddings()
    const id = model.card.sha256 ?? model.card.name
    const adaptFor = isMatryoshka(model.card) || this.adaptation.versions.list(id).length ? null : id
    this.registry.setState({ active: target, target: null, adaptFor })
    const old = { store: this.store, client: this.embedClient }
    this.model = model
    this.store = store
    this.vectors = VectorTable.from(model.card.embedding_dim, ids, vectors)
    this.meta = new Map(rows.map((m) => [m.id, m]))
    this.sorted = null
    this.active = null
    this.shortlists.clear()
    this.matcher = null
    this.embedClient = null
    this.userLabels.rebind(store)
    this.dial = dialPoints(this.nesting)
    this.loadDial()
    this.generation++
    await old.client?.close()
    old.store.close()
    await store.dropPhotoTablesExcept([store.photosTable])
    // an adaptor trained for this model before (switching back) is used again
    try {
      const saved = this.adaptation.loadActive()
      if (saved) await this.adaptation.activate(saved.version)
    } catch (err) {
      console.error(`the saved adaptor cannot be used: ${(err as Error).message}`)
    }
    if (!this.dialMeasured()) await this.calibrateDial()
    this.persistShortlists()
    this.indexer.start() // photos that could not be embedded again, or changed meanwhile
  }

  async adaptUnsupervised(onProgress: (message: string) => void): Promise<void> {
    const id = this.modelId
    const clear = () => {
      const st = this.registry.state()
      if (st.adaptFor === id) this.registry.setState({ ...st, adaptFor: null })
    }
    if (this.vectors.size < 100) {
      clear()
      onProgress(`${this.model.card.name} in use; with fewer than 100 photos no adaptor is trained, so the dial searches the full embedding`)
      return
    }
    const listener = (t: Output<'training'>) => {
      this.emit('training', t)
      onProgress(t.phase === 'training' ? `unsupervised adaptor: epoch ${t.epoch}/${t.epochs}` : t.message)
    }
    this.adaptation.start('unsupervised', listener)
    await this.adaptation.idle()
    const t = this.adaptation.status()
    if (t.phase === 'done') clear()
    else if (t.phase === 'failed') {
      clear() // a run that cannot succeed is not retried at every start
      throw new Error(`the unsupervised adaptor failed: ${t.message}`)
    }
  }

  private async modelInfo(): Promise<Models> {
    const active = this.modelId
    const models: ModelInfo[] = (await this.registry.list()).map(({ onnxPath: _p, ...m }: ModelEntry) => ({ ...m, active: m.id === active }))
    return { active, models, switch: this.switcher.current() }
  }

  async models(): Promise<Output<'models'>> {
    return this.modelInfo()
  }

  /** A few library photos, spread over it, to check a model on. */
  private samplePhotos(n = 8): string[] {
    const all = [...this.meta.values()]
    const step = Math.max(1, Math.floor(all.length / n))
    return all.filter((_, i) => i % step === 0).slice(0, n).map((m) => m.path)
  }

  async importModel(input: Input<'importModel'>): Promise<Output<'importModel'>> {
    if (input.use !== false && this.switcher.busy) throw new UserError('a model switch is already running; wait for it or cancel it first', 409)
    let path = input.path
    if (input.data !== undefined) {
      const bytes = Buffer.from(input.data, 'base64')
      if (!bytes.length) throw new UserError('the uploaded model is empty')
      path = join(this.dataDir, 'tmp', `upload-${randomBytes(6).toString('hex')}.onnx`)
      await writeFile(path, bytes)
    }
    try {
      const imported = await importModel(this.dataDir, path!, { cardPath: input.cardPath, card: input.card, settings: input.settings }, { samplePhotos: this.samplePhotos() })
      if (input.use !== false) await this.useModel({ id: imported.id })
      const models = await this.modelInfo()
      return { model: models.models.find((m) => m.id === imported.id)!, models }
    } finally {
      if (input.data !== undefined) await rm(path!, { force: true })
    }
  }

  async useModel({ id }: Input<'useModel'>): Promise<Output<'useModel'>> {
    const entry = await this.registry.find(id.trim())
    if (this.switcher.busy) throw new UserError('a model switch is already running; wait for it or cancel it first', 409)
    if (this.adaptation.status().phase === 'training' || this.adaptation.status().phase === 'preparing') throw new UserError('a training run is going; cancel it first', 409)
    if (entry.id === this.modelId) return this.modelInfo()
    const target = { model: entry.id, table: tableFor(entry.id) }
    const st = this.registry.state()
    this.registry.setState({ ...st, target }) // from here a restart resumes the switch
    this.switcher.start(target, entry.name, this.onSwitch)
    return this.modelInfo()
  }

  async cancelModelSwitch(): Promise<Output<'cancelModelSwitch'>> {
    const st = this.registry.state()
    if (this.switcher.current().phase === 'adapting') {
      this.adaptation.stop()
      this.registry.setState({ ...st, adaptFor: null })
    }
    await this.switcher.stop()
    if (st.target) {
      this.registry.setState({ ...this.registry.state(), target: null })
      await this.store.dropPhotoTablesExcept([this.store.photosTable])
      this.switcher.markCancelled(this.onSwitch)
    }
    return this.modelInfo()
  }

  get modelSwitchBusy(): boolean {
    return this.switcher.busy
  }

  /** Resolves when the model switch in progress (and the adaptor it trains) has ended. */
  modelSwitchIdle(): Promise<void> {
    return this.switcher.idle()
  }

  // ---- the dial ----

  private dialFile(): string {
    return join(this.dataDir, 'dial.json')
  }

  private loadDial(): void {
    try {
      const saved = JSON.parse(readFileSync(this.dialFile(), 'utf8')) as { photos: number; model: string; points: DialPoint[] }
      // any number of positions: the measured frontier decides how many (a dial of 2 is a stale format)
      if (saved.model === this.spaceId && saved.points.length >= 3) this.dial = saved.points
    } catch {
      // not measured yet
    }
  }

  async calibrateDial(): Promise<void> {
    const ids = this.vectors.allIds()
    if (ids.length < 20) return
    const step = Math.max(1, Math.floor(ids.length / 100))
    const sample = Array.from({ length: Math.min(100, ids.length) }, (_, i) => ids[(i * step) % ids.length])
    this.dial = await calibrate({ table: this.vectors, shortlist: (d) => this.shortlist(d), fullScan: usearchFullScan }, this.nesting, sample)
    const tmp = `${this.dialFile()}.tmp`
    writeFileSync(tmp, JSON.stringify({ photos: ids.length, model: this.spaceId, points: this.dial }))
    renameSync(tmp, this.dialFile())
  }

  // ---- the API ----

  async status(): Promise<Output<'status'>> {
    const folders = await this.store.listFolders()
    const counts = new Map<string, number>()
    for (const m of this.meta.values()) {
      const f = folders.find((root) => m.path === root || m.path.startsWith(root.endsWith('/') ? root : `${root}/`))
      if (f) counts.set(f, (counts.get(f) ?? 0) + 1)
    }
    const { card } = this.model
    return {
      dataDir: this.dataDir,
      photos: this.meta.size,
      folders: folders.map((path) => ({ path, photos: counts.get(path) ?? 0 })),
      progress: this.progress,
      model: { id: this.modelId, name: card.name, arch: card.arch, nesting: this.nesting, classes: card.classes },
      dial: this.dial
    }
  }

  async addFolder({ path }: Input<'addFolder'>): Promise<Output<'addFolder'>> {
    const abs = resolve(path)
    let isDir = false
    try {
      isDir = statSync(abs).isDirectory()
    } catch {
      throw new UserError(`folder not found: ${abs}`, 404)
    }
    if (!isDir) throw new UserError(`not a folder: ${abs}`)
    if (abs === this.dataDir || abs.startsWith(`${this.dataDir}/`)) throw new UserError('that is the app\'s own data folder')
    await this.store.addFolder(abs)
    this.indexer.start()
    return this.status()
  }

  async removeFolder({ path }: Input<'removeFolder'>): Promise<Output<'removeFolder'>> {
    const abs = resolve(path)
    const folders = await this.store.listFolders()
    if (!folders.includes(abs)) throw new UserError(`not a library folder: ${abs}`, 404)
    await this.store.removeFolder(abs)
    this.indexer.start()
    return this.status()
  }

  async reindex(): Promise<Output<'reindex'>> {
    this.indexer.start()
    return this.status()
  }

  /** Resolves when the current indexing run (if any) has finished. */
  idle(): Promise<void> {
    return this.indexer.idle()
  }

  private summary(m: PhotoMeta): PhotoSummary {
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
      userLabel: this.userLabels.of(m.path),
      guess: this.guess(m.id)
    }
  }

  /** The model's calibrated reading of a photo; none under an adaptor (its space has other heads). */
  private guess(id: number): PhotoSummary['guess'] {
    const reader = this.active ? null : conceptReaderFor(this.model)
    return reader && this.vectors.has(id) ? reader.guess(this.vectors.vector(id)) : null
  }

  private async filtered(filter: Filter | undefined): Promise<PhotoMeta[]> {
    const where = filterToSql(filter)
    if (!where) {
      this.sorted ??= [...this.meta.values()].sort((a, b) => a.path.localeCompare(b.path))
      return this.sorted
    }
    return (await this.store.meta(where)).sort((a, b) => a.path.localeCompare(b.path))
  }

  async listPhotos(input: Input<'listPhotos'>): Promise<Output<'listPhotos'>> {
    const { offset = 0, limit = 200, filter } = input
    const all = await this.filtered(filter)
    return { total: all.length, photos: all.slice(offset, offset + limit).map((m) => this.summary(m)) }
  }

  async getPhoto({ id }: Input<'getPhoto'>): Promise<PhotoDetail> {
    const m = this.meta.get(id)
    if (!m) throw new UserError(`no photo ${id}`, 404)
    return {
      ...this.summary(m),
      size: m.size,
      mtime: new Date(m.mtime_ms).toISOString(),
      hash: m.hash,
      camera: m.camera,
      lens: m.lens,
      latitude: m.latitude,
      longitude: m.longitude,
      orientation: m.orientation
    }
  }

  async skipped(): Promise<Output<'skipped'>> {
    return { files: (await this.store.listSkipped()).map(({ path, reason }) => ({ path, reason })) }
  }

  /** The file behind an indexed photo, or null: the media routes serve nothing else. */
  photoFile(id: number): string | null {
    return this.meta.get(id)?.path ?? null
  }

  /**
   * What the media routes may serve for an indexed photo: its thumbnail, or the real path of its
   * original only while that is still a regular file inside a library folder (it may have been
   * replaced by a symlink to elsewhere since it was indexed). Null: serve nothing.
   */
  async mediaFile(id: number, kind: 'thumb' | 'photo'): Promise<string | null> {
    const original = this.photoFile(id)
    if (!original) return null
    if (kind === 'thumb') return this.thumbPath(id)
    const real = await realpath(original).catch(() => null)
    if (!real || !(await stat(real).catch(() => null))?.isFile()) return null
    const roots = await Promise.all((await this.store.listFolders()).map((f) => realpath(f).catch(() => null)))
    return roots.some((r) => r !== null && isInside(real, r)) ? real : null
  }

  private async queryVectors(req: SearchRequest): Promise<{ query: QueryVectors; matched: Output<'search'>['matched'] }> {
    const q = req.query
    if (q.kind === 'photo') {
      if (!this.vectors.has(q.id)) throw new UserError(`no photo ${q.id}`, 404)
      const v = this.vectors.vector(q.id)
      return { query: { at: () => [v], exclude: new Set([q.id]) }, matched: null }
    }
    if (q.kind === 'image') {
      const v = this.toSearchSpace(await this.embedUpload(Buffer.from(q.data, 'base64')))
      return { query: { at: () => [v] }, matched: null }
    }
    const own = this.labelQuery(q.text)
    if (own) return own
    this.matcher ??= loadConceptMatcher(this.model.card.concepts ?? this.model.card.classes)
    const { groups, unknown } = (await this.matcher).match(q.text)
    if (!groups.length) throw new UserError(cannotSee(q.text, unknown))
    // one group per query term ("dog on the beach"): a photo scores the mean of its best match in each
    const flat = groups.flatMap((g) => g.matches)
    return {
      query: { at: (m) => flat.map((x) => this.classQuery(x.index, m)), groups: groups.flatMap((g, gi) => g.matches.map(() => gi)) },
      matched: {
        classes: flat.map((x) => x.className),
        via: flat.map((x) => x.via),
        groups: groups.map((g) => ({ term: g.term, classes: g.matches.map((x) => x.className) })),
        unknown
      }
    }
  }

  /** A model class as a query; under an adaptor, its full-length head row carried through the map. */
  private classQuery(c: number, m: number): Float32Array {
    if (!this.model.heads.size) return prefix(this.classPrototype(c), m)
    if (!this.active) return classVector(this.model, c, m)
    return adaptDirection(this.active.adaptor, classVector(this.model, c, this.nesting[this.nesting.length - 1]))
  }

  /** A user label the adaptor in use was trained on: its head's class column at each prefix. */
  private labelQuery(text: string): { query: QueryVectors; matched: Output<'search'>['matched'] } | null {
    const a = this.active
    const k = a ? a.classes.findIndex((c) => c.toLowerCase() === text.trim().toLowerCase()) : -1
    if (!a || k < 0 || !a.heads.length) return null
    const column = (m: number) => {
      const h = a.heads.find((x) => x.dims === m) ?? a.heads[a.heads.length - 1]
      return Float32Array.from({ length: h.dims }, (_, j) => h.weight[j * h.classes + k])
    }
    return { query: { at: (m) => [column(m)] }, matched: { classes: [a.classes[k]], via: ['your label'], groups: [], unknown: [] } }
  }

  /**
   * A model without heads (an imported encoder) still names classes if it has logits: the mean of
   * the photos it labels as the class, in the search space, stands for the class.
   */
  private classPrototype(c: number): Float32Array {
    const name = this.model.card.classes[c]
    const d = this.vectors.dims
    const sum = new Float32Array(d)
    let n = 0
    for (const m of this.meta.values()) {
      if (m.label !== name || !this.vectors.has(m.id)) continue
      const v = this.vectors.vector(m.id)
      let norm = 0
      for (let j = 0; j < d; j++) norm += v[j] * v[j]
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0
      for (let j = 0; j < d; j++) sum[j] += v[j] * inv
      n++
    }
    if (!n) throw new UserError(`no photo is labelled “${name}” by ${this.model.card.name}, so words cannot be searched yet; search by photo`)
    return sum
  }

  private async embedUpload(data: Buffer): Promise<Float32Array> {
    if (!data.length) throw new UserError('the image is empty')
    const tmp = join(this.dataDir, 'tmp', `query-${randomBytes(6).toString('hex')}`)
    await writeFile(tmp, data)
    try {
      const res = await this.embedder().embed([{ path: tmp, thumbPath: `${tmp}.webp` }])
      if (!res.ok.length) throw new UserError(`cannot use that image: ${res.failed[0]?.reason ?? 'unknown error'}`)
      return res.ok[0].embedding
    } finally {
      await rm(tmp, { force: true })
      await rm(`${tmp}.webp`, { force: true })
    }
  }

  async search(req: SearchRequest): Promise<Output<'search'>> {
    const generation = this.generation
    const res = await this.searchOnce(req)
    // a model switch completed while this search awaited: answer it in the new space
    return generation === this.generation ? res : this.searchOnce(req)
  }

  private async searchOnce(req: SearchRequest): Promise<Output<'search'>> {
    const generation = this.generation
    const nest = this.nesting
    const point = req.config ? null : configAt(this.dial, req.dial ?? 1)
    const config = req.config ?? point!.config
    if (!nest.includes(config.ds) || !nest.includes(config.dr)) throw new UserError(`dims must be in the nesting list ${nest.join(', ')}`)
    if (config.ds > config.dr) throw new UserError('the shortlist prefix (ds) cannot be longer than the rerank prefix (dr)')
    const { query, matched } = await this.queryVectors(req)
    const where = filterToSql(req.filter)
    // LanceDB commits a batch just before the in-memory vectors take it in: search what both hold
    const allowed = where ? new Set([...(await this.store.ids(where))].filter((id) => this.vectors.has(id))) : null
    if (generation !== this.generation) return this.searchOnce(req)
    const res = runFunnel({ table: this.vectors, shortlist: (d) => this.shortlist(d), fullScan: usearchFullScan }, query, config, req.limit ?? 60, allowed)
    const cutoff = this.cutoff(req, res.stages[res.stages.length - 1]?.dims ?? config.dr)
    const shown = cutoff === null ? res.hits : res.hits.filter((h) => h.score >= cutoff)
    const hits = shown.flatMap((h) => {
      const m = this.meta.get(h.id)
      return m ? [{ ...this.summary(m), score: h.score }] : []
    })
    return {
      hits,
      stats: { stages: res.stages, ds: config.ds, k: config.k, dr: config.dr, exact: res.exact, scanned: res.scanned, ms: res.ms, estimatedRecall: point?.recall ?? null },
      matched,
      cutoff: cutoff === null ? null : { score: cutoff, dims: res.stages[res.stages.length - 1]?.dims ?? config.dr, hidden: res.hits.length - shown.length }
    }
  }

  /** The model card's calibrated score below which results are not relevant; none under an adaptor. */
  private cutoff(req: SearchRequest, dims: number): number | null {
    if (this.active || req.relevance !== 'calibrated') return null
    return relevanceCutoff(readCalibration(this.model.card.calibration), req.query.kind === 'text' ? 'text' : 'photo', dims)
  }

  // ---- the user's labels and the adaptors trained on them ----

  private labelSummary(): Output<'labels'> {
    return this.userLabels.summary(this.meta.values())
  }

  async labels(): Promise<Output<'labels'>> {
    return this.labelSummary()
  }

  async createLabel({ name }: Input<'createLabel'>): Promise<Output<'createLabel'>> {
    await this.userLabels.create(name.trim())
    return this.labelSummary()
  }

  async renameLabel({ from, to }: Input<'renameLabel'>): Promise<Output<'renameLabel'>> {
    await this.userLabels.rename(from.trim(), to.trim())
    return this.labelSummary()
  }

  async deleteLabel({ name }: Input<'deleteLabel'>): Promise<Output<'deleteLabel'>> {
    await this.userLabels.remove(name.trim())
    return this.labelSummary()
  }

  async assignLabel({ ids, label }: Input<'assignLabel'>): Promise<Output<'assignLabel'>> {
    const paths = ids.map((id) => {
      const m = this.meta.get(id)
      if (!m) throw new UserError(`no photo ${id}`, 404)
      return m.path
    })
    await this.userLabels.assign(paths, label === null ? null : label.trim())
    return this.labelSummary()
  }

  async train({ kind }: Input<'train'>): Promise<Output<'train'>> {
    if (this.switcher.busy && this.switcher.current().phase !== 'adapting') throw new UserError('the library is being embedded again for another model; train once the switch is done', 409)
    return this.adaptation.start(kind, (t) => this.emit('training', t))
  }

  async training(): Promise<Output<'training'>> {
    return this.adaptation.status()
  }

  async cancelTraining(): Promise<Output<'cancelTraining'>> {
    return this.adaptation.stop()
  }

  /** Resolves when the current training run (if any) has ended. */
  trainingIdle(): Promise<void> {
    return this.adaptation.idle()
  }

  // ---- fine-tuning the whole model in PyTorch (backbone.ts) ----

  async backbone({ recheck = false }: Input<'backbone'>): Promise<Output<'backbone'>> {
    return { requirements: await this.fineTuning.available(recheck), run: this.fineTuning.status() }
  }

  async trainBackbone({ epochs }: Input<'trainBackbone'>): Promise<Output<'trainBackbone'>> {
    if (['preparing', 'training', 'applying'].includes(this.adaptation.status().phase)) throw new UserError('an adaptor is training; wait for it or cancel it first', 409)
    if (this.switcher.busy) throw new UserError('the library is being embedded again for another model; fine-tune once the switch is done', 409)
    return this.fineTuning.start(epochs, (t) => this.emit('backbone', t))
  }

  async cancelBackbone(): Promise<Output<'cancelBackbone'>> {
    return this.fineTuning.stop()
  }

  /** Resolves when the current fine-tuning run (if any) has ended, its model imported. */
  backboneIdle(): Promise<void> {
    return this.fineTuning.idle()
  }

  async adaptors(): Promise<Output<'adaptors'>> {
    return this.adaptation.list()
  }

  async useAdaptor({ version }: Input<'useAdaptor'>): Promise<Output<'useAdaptor'>> {
    if (this.switcher.busy) throw new UserError('the library is being embedded again for another model; choose an adaptor once the switch is done', 409)
    await this.adaptation.activate(version)
    return this.adaptation.list()
  }

  /**
   * Auto-tags: the cascade over the adaptor's heads (smallest confident prefix first) for photos
   * without a label of yours, kept when it passes the threshold calibrated on the held-out split.
   * Accepting one is assignLabel; rejecting needs nothing stored.
   */
  async suggestions({ limit = 50 }: Input<'suggestions'>): Promise<Output<'suggestions'>> {
    const a = this.active
    if (!a || !a.heads.length || a.threshold === null) return { threshold: a?.threshold ?? null, suggestions: [] }
    const open = [...this.meta.values()].filter((m) => this.userLabels.of(m.path) === null && this.vectors.has(m.id))
    const d = this.vectors.dims
    const y = new Float32Array(open.length * d)
    open.forEach((m, i) => y.set(this.vectors.matrix.subarray(this.vectors.offset(m.id), this.vectors.offset(m.id) + d), i * d))
    const decisions = decide(a.heads, y, open.length, d, a.threshold)
    const out = open
      .map((m, i) => ({ id: m.id, name: m.name, label: a.classes[decisions[i].classIndex], confidence: decisions[i].confidence, dims: decisions[i].dims }))
      .filter((s) => s.confidence >= a.threshold!)
      .sort((x, y2) => y2.confidence - x.confidence || x.id - y2.id)
    return { threshold: a.threshold, suggestions: out.slice(0, limit) }
  }

  async close(): Promise<void> {
    try {
      await this.fineTuning.close()
      if (this.switcher.current().phase === 'adapting') this.adaptation.stop() // resumed at the next start
      await this.switcher.stop()
      await this.adaptation.close()
      await this.indexer.stop()
      // a shortlist that cannot be saved (disk full) is rebuilt from the table on the next start
      if (this.shortlists.size) {
        try {
          this.persistShortlists()
        } catch (err) {
          console.error(`could not save the shortlist index: ${(err as Error).message}`)
        }
      }
      await this.embedClient?.close()
      this.store.close()
    } finally {
      this.lock.release()
    }
  }
}
