// LanceDB, embedded in the data folder: one row per photo (path, hash, EXIF, full embedding,
// predicted label), plus the folder list, the files skipped with their reasons, and the user's own
// labels (assigned by path, which re-indexing keeps, so labels survive it), and the version of each
// per-photo signal the library holds (signal_versions). The data folder's schema version and its
// migrations: migrations.ts (Store.migrate, before Store.open).
import * as lancedb from '@lancedb/lancedb'
import type { FixedSizeList, Schema } from 'apache-arrow'
import type { Filter } from '../../../shared/api'
import type { Library, PhotoMeta, PhotoRow } from '../../ports/photos'
import { assignmentSchema, folderSchema, labelSchema, META_COLUMNS, photoSchema, skippedSchema } from './schemas'
import { filterToSql, sqlString } from './filter'
import { migrateDataFolder, type MigrationReport } from './migrations'
import { SIGNAL_VERSIONS, signalVersionRow, signalVersionsSchema } from './signalVersions'
import { IdMark, keepOneRowPerPath } from './photoIds'
import { columnsToRows, embeddingsOf, plainMeta, tableRows } from './rows'

/**
 * LanceDB's default caches (6 GB of index, 1 GB of metadata) keep the manifest and file footers of
 * every commit: indexing 50,000 photos in 32-photo commits grew the process by hundreds of MB.
 * The tables have no Lance index, and scans read the same with a small metadata cache.
 */
const INDEX_CACHE_BYTES = BigInt(16 * 2 ** 20)
const METADATA_CACHE_BYTES = BigInt(32 * 2 ** 20)

const idList = (ids: number[]) => `id IN (${ids.map((i) => Math.trunc(i)).join(',')})`

export type { PhotoMeta, PhotoRow }

export class Store implements Library {
  private idMark: IdMark | null = null

  private constructor(
    private readonly dir: string,
    private readonly db: lancedb.Connection,
    private photos: lancedb.Table,
    private readonly folders: lancedb.Table,
    private readonly skipped: lancedb.Table,
    private readonly labels: lancedb.Table,
    private readonly assignments: lancedb.Table,
    private readonly signalVersions: lancedb.Table,
    readonly dims: number,
    /** the photo table: each model has its own (see models.ts), `photos` is the bundled model's first */
    readonly photosTable: string
  ) {}

  /**
   * Brings the data folder's schema up to the one this build writes (schema.json), before the
   * first Store.open of a session; refuses a folder a newer build wrote, changing nothing.
   */
  static migrate(dataDir: string): Promise<MigrationReport> {
    return migrateDataFolder(dataDir)
  }

  static async open(dir: string, dims: number, photosTable = 'photos'): Promise<Store> {
    const db = await lancedb.connect(dir, { session: new lancedb.Session(INDEX_CACHE_BYTES, METADATA_CACHE_BYTES) })
    const names = new Set(await db.tableNames())
    const table = async (name: string, schema: Schema) =>
      names.has(name) ? db.openTable(name) : db.createEmptyTable(name, schema, { existOk: true })
    const photos = await table(photosTable, photoSchema(dims))
    const store = new Store(
      dir,
      db,
      photos,
      await table('folders', folderSchema),
      await table('skipped', skippedSchema),
      await table('labels', labelSchema),
      await table('photo_labels', assignmentSchema),
      await table(SIGNAL_VERSIONS, signalVersionsSchema),
      dims,
      photosTable
    )
    const field = (await photos.schema()).fields.find((f) => f.name === 'embedding')
    const stored = (field?.type as FixedSizeList | undefined)?.listSize
    if (stored !== dims) throw new Error(`the photo table holds ${stored}-d embeddings, the model gives ${dims}`)
    return store
  }

  /**
   * Append rows for paths not in the table yet: one commit, and unlike a merge its cost does not
   * grow with the table (a merge reads every stored path; at 50,000 photos that dominated indexing).
   */
  async insert(rows: PhotoRow[]): Promise<void> {
    if (!rows.length) return
    await this.photos.add(rows.map((r) => ({ ...r, embedding: Array.from(r.embedding) })))
  }

  /** Insert or replace rows by path: one LanceDB commit, so a crash leaves all or none. */
  async upsert(rows: PhotoRow[]): Promise<void> {
    if (!rows.length) return
    const data = rows.map((r) => ({ ...r, embedding: Array.from(r.embedding) }))
    await this.photos.mergeInsert('path').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(data)
  }

  /**
   * One row per path. New photos are appended, and a commit that reported a failure (a full disk)
   * or a killed run may still have landed; the next run would then append the same path again.
   * Keeps the newest, always exactly one row (photoIds.ts).
   */
  async removeDuplicatePaths(): Promise<void> {
    const paths = tableRows(await this.photos.query().select(['id', 'path']).toArrow(), ['id', 'path'])
    await keepOneRowPerPath(this.photos, paths as { id: number; path: string }[], (ids) => this.deleteIds(ids))
  }

  /** Reserves `count` new photo ids, never given before (photoIds.ts); returns the first. */
  reserveIds(count: number): Promise<number> {
    this.idMark ??= new IdMark(this.dir, () => this.maxId())
    return this.idMark.reserve(count)
  }

  async deleteIds(ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) await this.photos.delete(idList(ids.slice(i, i + 1000)))
  }

  async count(filter?: string | null): Promise<number> {
    return this.photos.countRows(filter ?? undefined)
  }

  async version(): Promise<number> {
    return this.photos.version()
  }

  /** Metadata of every photo (or those matching `where`), without embeddings. */
  async meta(filter?: Filter): Promise<PhotoMeta[]> {
    const where = filterToSql(filter)
    let q = this.photos.query().select(META_COLUMNS)
    if (where) q = q.where(where)
    return tableRows(await q.toArrow(), META_COLUMNS).map(plainMeta)
  }

  async ids(filter: Filter): Promise<Set<number>> {
    const where = filterToSql(filter)
    let q = this.photos.query().select(['id'])
    if (where) q = q.where(where)
    return new Set((await q.toArray()).map((r) => Number(r.id)))
  }

  async get(id: number): Promise<PhotoMeta | null> {
    const rows = await this.photos.query().select(META_COLUMNS).where(`id = ${Math.trunc(id)}`).limit(1).toArray()
    return rows.length ? plainMeta(rows[0]) : null
  }

  /** Every (id, embedding) as one float copy (a model switch, an adaptor); opening a library streams instead (eachBatch). */
  async embeddings(): Promise<{ ids: Int32Array; vectors: Float32Array }> {
    const ids: number[] = []
    const parts: Float32Array[] = []
    await this.eachBatch((rows, embeddings) => (rows.forEach((r) => ids.push(r.id)), parts.push(embeddings.slice())), ['id'])
    const vectors = new Float32Array(ids.length * this.dims)
    parts.reduce((at, p) => (vectors.set(p, at), at + p.length), 0)
    return { ids: Int32Array.from(ids), vectors }
  }

  /** Every row with its embedding, a record batch at a time: no copy of the whole library at once. */
  async eachBatch(each: (rows: PhotoMeta[], embeddings: Float32Array) => void, columns = META_COLUMNS): Promise<void> {
    for await (const batch of this.photos.query().select([...columns, 'embedding'])) {
      const rows = columnsToRows(batch, columns)
      each(columns === META_COLUMNS ? rows.map(plainMeta) : rows.map((r) => ({ id: Number(r.id) }) as PhotoMeta), embeddingsOf(batch, this.dims))
    }
  }

  async maxId(): Promise<number> {
    const table = await this.photos.query().select(['id']).toArrow()
    let max = -1
    for (const batch of table.batches) {
      const col = batch.getChild('id')!
      for (let i = 0; i < batch.numRows; i++) max = Math.max(max, Number(col.get(i)))
    }
    return max
  }

  async listFolders(): Promise<string[]> {
    return (await this.folders.query().toArray()).map((r) => String(r.path)).sort()
  }

  async addFolder(path: string): Promise<void> {
    await this.folders.mergeInsert('path').whenNotMatchedInsertAll().execute([{ path, added_ms: Date.now() }])
  }

  async removeFolder(path: string): Promise<void> {
    await this.folders.delete(`path = ${sqlString(path)}`)
  }

  async listSkipped(): Promise<{ path: string; reason: string; size: number; mtime_ms: number }[]> {
    return (await this.skipped.query().toArray()).map((r) => ({
      path: String(r.path),
      reason: String(r.reason),
      size: Number(r.size),
      mtime_ms: Number(r.mtime_ms)
    }))
  }

  async setSkipped(rows: { path: string; reason: string; size: number; mtime_ms: number }[]): Promise<void> {
    if (rows.length) await this.skipped.mergeInsert('path').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows)
  }

  /** Skip reasons for paths not listed yet: appended, so the cost does not grow with the list. */
  async addSkipped(rows: { path: string; reason: string; size: number; mtime_ms: number }[]): Promise<void> {
    if (rows.length) await this.skipped.add(rows)
  }

  async clearSkipped(paths: string[]): Promise<void> {
    for (let i = 0; i < paths.length; i += 500) {
      const chunk = paths.slice(i, i + 500)
      if (chunk.length) await this.skipped.delete(`path IN (${chunk.map(sqlString).join(',')})`)
    }
  }

  // ---- the user's labels: a label list, and at most one label per photo path ----

  async listLabels(): Promise<string[]> {
    return (await this.labels.query().toArray()).sort((a, b) => Number(a.created_ms) - Number(b.created_ms)).map((r) => String(r.name))
  }

  async createLabel(name: string): Promise<void> {
    await this.labels.mergeInsert('name').whenNotMatchedInsertAll().execute([{ name, created_ms: Date.now() }])
  }

  async renameLabel(from: string, to: string): Promise<void> {
    await this.labels.update({ where: `name = ${sqlString(from)}`, values: { name: to } })
    await this.assignments.update({ where: `label = ${sqlString(from)}`, values: { label: to } })
  }

  async deleteLabel(name: string): Promise<void> {
    await this.assignments.delete(`label = ${sqlString(name)}`)
    await this.labels.delete(`name = ${sqlString(name)}`)
  }

  /** Gives these photos the label, or takes theirs away (label null). */
  async assignLabel(paths: string[], label: string | null): Promise<void> {
    if (!paths.length) return
    if (label === null) {
      for (let i = 0; i < paths.length; i += 500) await this.assignments.delete(`path IN (${paths.slice(i, i + 500).map(sqlString).join(',')})`)
      return
    }
    await this.assignments.mergeInsert('path').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(paths.map((path) => ({ path, label })))
  }

  /** Every assignment, by photo path. */
  async labelAssignments(): Promise<Map<string, string>> {
    return new Map((await this.assignments.query().toArray()).map((r) => [String(r.path), String(r.label)]))
  }

  // ---- which version of each per-photo signal the library holds ('embedding': the model id) ----

  async signalVersion(signal: string): Promise<string | null> {
    const rows = await this.signalVersions.query().where(`signal = ${sqlString(signal)}`).limit(1).toArray()
    return rows.length ? String(rows[0].version) : null
  }

  async setSignalVersion(signal: string, version: string): Promise<void> {
    await this.signalVersions.mergeInsert('signal').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute([{ ...signalVersionRow(signal, version) }])
  }

  /** Drops the photo tables of models other than `keep` (left by a finished or abandoned switch). */
  async dropPhotoTablesExcept(keep: string[]): Promise<string[]> {
    const gone = (await this.db.tableNames()).filter((n) => /^photos(_|$)/.test(n) && !keep.includes(n))
    for (const name of gone) await this.db.dropTable(name)
    return gone
  }

  /** Compacts the many small commits that indexing leaves. */
  async optimize(): Promise<void> {
    await this.photos.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) })
  }

  close(): void {
    this.photos.close()
    this.folders.close()
    this.skipped.close()
    this.labels.close()
    this.assignments.close()
    this.signalVersions.close()
    this.db.close()
  }
}
