// The user's favourites and albums in LanceDB, beside the photo tables and by photo path like the
// user's labels: re-indexing and model switches keep paths, so both survive them. Nothing is ever
// written into the photo files.
import * as lancedb from '@lancedb/lancedb'
import { Field, Float64, Schema, Utf8 } from 'apache-arrow'
import type { CollectionRepository } from '../../ports/collections'
import { dataLayout } from '../fs/dataLayout'
import { sqlString } from './filter'

const utf8 = (name: string) => new Field(name, new Utf8(), false)
const ms = (name: string) => new Field(name, new Float64(), false)
const favouriteSchema = new Schema([utf8('path'), ms('added_ms')])
const albumSchema = new Schema([utf8('name'), ms('created_ms')])
const albumPhotoSchema = new Schema([utf8('album'), utf8('path'), ms('added_ms')])

const inList = (column: string, values: string[]) => `${column} IN (${values.map(sqlString).join(',')})`
const CHUNK = 500

export class CollectionTables implements CollectionRepository {
  private constructor(
    private readonly db: lancedb.Connection,
    private readonly favourites: lancedb.Table,
    private readonly albums: lancedb.Table,
    private readonly albumPhotos: lancedb.Table
  ) {}

  static async open(dataDir: string): Promise<CollectionTables> {
    const db = await lancedb.connect(dataLayout(dataDir).library)
    const table = (name: string, schema: Schema) => db.createEmptyTable(name, schema, { existOk: true })
    return new CollectionTables(db, await table('favourites', favouriteSchema), await table('albums', albumSchema), await table('album_photos', albumPhotoSchema))
  }

  async favouritePaths(): Promise<string[]> {
    return (await this.favourites.query().select(['path']).toArray()).map((r) => String(r.path))
  }

  async setFavourite(paths: string[], on: boolean): Promise<void> {
    if (!paths.length) return
    if (on) {
      const now = Date.now()
      await this.favourites.mergeInsert('path').whenNotMatchedInsertAll().execute(paths.map((path) => ({ path, added_ms: now })))
    } else for (let i = 0; i < paths.length; i += CHUNK) await this.favourites.delete(inList('path', paths.slice(i, i + CHUNK)))
  }

  async albumList(): Promise<{ name: string; paths: string[] }[]> {
    const albums = (await this.albums.query().toArray()).sort((a, b) => Number(a.created_ms) - Number(b.created_ms)).map((r) => String(r.name))
    const byAlbum = new Map<string, { path: string; at: number }[]>(albums.map((a) => [a, []]))
    for (const r of await this.albumPhotos.query().toArray()) byAlbum.get(String(r.album))?.push({ path: String(r.path), at: Number(r.added_ms) })
    return albums.map((name) => ({ name, paths: byAlbum.get(name)!.sort((a, b) => a.at - b.at).map((p) => p.path) }))
  }

  async createAlbum(name: string): Promise<void> {
    await this.albums.mergeInsert('name').whenNotMatchedInsertAll().execute([{ name, created_ms: Date.now() }])
  }

  async renameAlbum(from: string, to: string): Promise<void> {
    await this.albums.update({ where: `name = ${sqlString(from)}`, values: { name: to } })
    await this.albumPhotos.update({ where: `album = ${sqlString(from)}`, values: { album: to } })
  }

  async deleteAlbum(name: string): Promise<void> {
    await this.albumPhotos.delete(`album = ${sqlString(name)}`)
    await this.albums.delete(`name = ${sqlString(name)}`)
  }

  async addToAlbum(name: string, paths: string[]): Promise<void> {
    const now = Date.now()
    // one row per (album, path): merge on a key of both
    const existing = new Set((await this.albumPhotos.query().where(`album = ${sqlString(name)}`).select(['path']).toArray()).map((r) => String(r.path)))
    const rows = [...new Set(paths)].filter((p) => !existing.has(p)).map((path, i) => ({ album: name, path, added_ms: now + i }))
    if (rows.length) await this.albumPhotos.add(rows)
  }

  async removeFromAlbum(name: string, paths: string[]): Promise<void> {
    for (let i = 0; i < paths.length; i += CHUNK) await this.albumPhotos.delete(`album = ${sqlString(name)} AND ${inList('path', paths.slice(i, i + CHUNK))}`)
  }

  close(): void {
    this.favourites.close()
    this.albums.close()
    this.albumPhotos.close()
    this.db.close()
  }
}
