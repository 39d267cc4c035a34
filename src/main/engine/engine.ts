// The engine behind every shell (Electron, HTTP server, CLI): one object, one method per API call.
import { EventEmitter } from 'node:events'
import { mkdirSync, readFileSync, writeFileSync, renameSync, statSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { DialPoint, Filter, Input, Output, PhotoDetail, PhotoSummary, Progress, SearchRequest } from '../../shared/api'
import { EmbedClient } from './embedClient'
import { UserError } from './errors'
import { calibrate, configAt, dialPoints } from './dial'
import { Indexer } from './indexer'
import { classVector, loadModel, type Model } from './modelCard'
import { runFunnel, type QueryVectors } from './search'
import { Shortlist, fingerprint } from './shortlist'
import { Store, filterToSql, type PhotoMeta } from './store'
import { VectorTable } from './vectors'
import { loadConceptMatcher, type ConceptMatcher } from './words'
import { acquireLock, type Lock } from './lock'

export interface EngineOptions {
  dataDir: string
  modelPath?: string
  /** onnxruntime threads in the worker (0: its default) */
  threads?: number
}

const IDLE: Progress = { phase: 'idle', done: 0, total: 0, perSecond: 0, etaSeconds: null, skipped: 0, message: '' }

export class Engine extends EventEmitter {
  private progress: Progress = IDLE
  private readonly shortlists = new Map<number, Shortlist>()
  private meta = new Map<number, PhotoMeta>()
  private sorted: PhotoMeta[] | null = null
  private dial: DialPoint[]
  private matcher: Promise<ConceptMatcher> | null = null
  private embedClient: EmbedClient | null = null
  private readonly indexer: Indexer

  private constructor(
    readonly dataDir: string,
    readonly model: Model,
    readonly store: Store,
    readonly vectors: VectorTable,
    private readonly threads: number | undefined,
    private readonly lock: Lock
  ) {
    super()
    this.dial = dialPoints(model.card.nesting)
    this.indexer = new Indexer(this)
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    const dataDir = resolve(opts.dataDir)
    mkdirSync(join(dataDir, 'thumbs'), { recursive: true })
    mkdirSync(join(dataDir, 'tmp'), { recursive: true })
    const lock = acquireLock(dataDir)
    try {
      const model = await loadModel(opts.modelPath)
      const store = await Store.open(join(dataDir, 'library.lance'), model.card.embedding_dim)
      const { ids, vectors } = await store.embeddings()
      const engine = new Engine(dataDir, model, store, VectorTable.from(model.card.embedding_dim, ids, vectors), opts.threads, lock)
      for (const m of await store.meta()) engine.meta.set(m.id, m)
      engine.loadDial()
      return engine
    } catch (err) {
      lock.release()
      throw err
    }
  }

  get modelId(): string {
    return this.model.card.sha256 ?? this.model.card.name
  }

  get nesting(): number[] {
    return this.model.card.nesting
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
      this.vectors.set(row.id, embeddings[i])
      for (const s of this.shortlists.values()) {
        s.remove(row.id)
        s.add(row.id, embeddings[i])
      }
    })
    this.sorted = null
  }

  removeRows(ids: number[]): void {
    for (const id of ids) {
      this.meta.delete(id)
      this.vectors.delete(id)
      for (const s of this.shortlists.values()) s.remove(id)
    }
    this.sorted = null
  }

  /** The shortlist index for a prefix, loaded from disk or rebuilt when it disagrees with the table. */
  shortlist(dims: number): Shortlist {
    let s = this.shortlists.get(dims)
    if (!s) {
      s = Shortlist.open(this.dataDir, this.vectors, dims, this.modelId).shortlist
      this.shortlists.set(dims, s)
    }
    return s
  }

  persistShortlists(): void {
    for (const [dims, s] of this.shortlists) {
      s.save(join(this.dataDir, `shortlist-${dims}-${s.quantization}.usearch`), fingerprint(this.vectors.allIds(), dims, s.quantization, this.modelId))
    }
  }

  // ---- the dial ----

  private dialFile(): string {
    return join(this.dataDir, 'dial.json')
  }

  private loadDial(): void {
    try {
      const saved = JSON.parse(readFileSync(this.dialFile(), 'utf8')) as { photos: number; model: string; points: DialPoint[] }
      if (saved.model === this.modelId && saved.points.length === this.dial.length) this.dial = saved.points
    } catch {
      // not measured yet
    }
  }

  async calibrateDial(): Promise<void> {
    const ids = this.vectors.allIds()
    if (ids.length < 20) return
    const step = Math.max(1, Math.floor(ids.length / 100))
    const sample = Array.from({ length: Math.min(100, ids.length) }, (_, i) => ids[(i * step) % ids.length])
    const measured = await calibrate({ table: this.vectors, shortlist: (d) => this.shortlist(d) }, this.nesting, sample)
    this.dial = dialPoints(this.nesting, measured)
    const tmp = `${this.dialFile()}.tmp`
    writeFileSync(tmp, JSON.stringify({ photos: ids.length, model: this.modelId, points: this.dial }))
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
      model: { name: card.name, arch: card.arch, nesting: card.nesting, classes: card.classes },
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
      labelDims: m.label_dims
    }
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

  private async queryVectors(req: SearchRequest): Promise<{ query: QueryVectors; matched: Output<'search'>['matched'] }> {
    const q = req.query
    if (q.kind === 'photo') {
      if (!this.vectors.has(q.id)) throw new UserError(`no photo ${q.id}`, 404)
      const v = this.vectors.vector(q.id)
      return { query: { at: () => [v], exclude: new Set([q.id]) }, matched: null }
    }
    if (q.kind === 'image') {
      const v = await this.embedUpload(Buffer.from(q.data, 'base64'))
      return { query: { at: () => [v] }, matched: null }
    }
    this.matcher ??= loadConceptMatcher(this.model.card.classes)
    const matches = (await this.matcher).match(q.text)
    if (!matches.length) {
      throw new UserError(`nothing in the model's vocabulary matches “${q.text}”; it knows ${this.model.card.classes.join(', ')} and their kinds`)
    }
    const classIdx = matches.map((m) => this.model.card.classes.indexOf(m.className))
    return {
      query: { at: (m) => classIdx.map((c) => classVector(this.model, c, m)) },
      matched: { classes: matches.map((m) => m.className), via: matches.map((m) => m.via) }
    }
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
    const nest = this.nesting
    const point = req.config ? null : configAt(this.dial, req.dial ?? 1)
    const config = req.config ?? point!.config
    if (!nest.includes(config.ds) || !nest.includes(config.dr)) throw new UserError(`dims must be in the nesting list ${nest.join(', ')}`)
    if (config.ds > config.dr) throw new UserError('the shortlist prefix (ds) cannot be longer than the rerank prefix (dr)')
    const { query, matched } = await this.queryVectors(req)
    const where = filterToSql(req.filter)
    const allowed = where ? await this.store.ids(where) : null
    const res = runFunnel({ table: this.vectors, shortlist: (d) => this.shortlist(d) }, query, config, req.limit ?? 60, allowed)
    const hits = res.hits.flatMap((h) => {
      const m = this.meta.get(h.id)
      return m ? [{ ...this.summary(m), score: h.score }] : []
    })
    return {
      hits,
      stats: { stages: res.stages, ds: config.ds, k: config.k, dr: config.dr, exact: res.exact, scanned: res.scanned, ms: res.ms, estimatedRecall: point?.recall ?? null },
      matched
    }
  }

  async close(): Promise<void> {
    await this.indexer.stop()
    if (this.shortlists.size) this.persistShortlists()
    await this.embedClient?.close()
    this.store.close()
    this.lock.release()
  }
}
