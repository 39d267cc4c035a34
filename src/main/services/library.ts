// The library: its folders, its photos (listed, filtered, one in detail), what could not be read,
// and which files the media routes may serve.
import { statSync } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Input, Output, PhotoDetail } from '../../shared/api'
import { UserError } from '../../shared/errors'
import { isInside } from '../adapters/fs/paths'
import { browseRoots, listFolders } from '../adapters/fs/folderBrowser'
import type { EngineContext } from './context'
import { photoSummary } from './photos'
import { listPage, timeline } from './timeline'
import { fitShortlist } from './search'

export class LibraryService {
  constructor(private readonly ctx: EngineContext) {}

  private get space() {
    return this.ctx.slot.current
  }

  async status(): Promise<Output<'status'>> {
    const space = this.space
    const folders = await space.store.listFolders()
    const counts = new Map<string, number>()
    for (const m of space.meta.values()) {
      const f = folders.find((root) => isInside(m.path, root))
      if (f) counts.set(f, (counts.get(f) ?? 0) + 1)
    }
    const { card } = space.model
    return {
      dataDir: this.ctx.dataDir,
      photos: space.meta.size,
      folders: folders.map((path) => ({ path, photos: counts.get(path) ?? 0 })),
      progress: this.ctx.indexer.progress(),
      model: { id: space.modelId, name: card.name, arch: card.arch, nesting: space.nesting, classes: card.classes },
      // K never more than the library holds (an 82-photo library is not offered K = 1600)
      dial: space.dial.map((p) => ({ ...p, config: fitShortlist(p.config, 0, space.meta.size) }))
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
    if (isInside(abs, this.ctx.dataDir)) throw new UserError("that is the app's own data folder")
    await this.space.store.addFolder(abs)
    this.ctx.indexer.start()
    return this.status()
  }

  async removeFolder({ path }: Input<'removeFolder'>): Promise<Output<'removeFolder'>> {
    const abs = resolve(path)
    const folders = await this.space.store.listFolders()
    if (!folders.includes(abs)) throw new UserError(`not a library folder: ${abs}`, 404)
    await this.space.store.removeFolder(abs)
    this.ctx.indexer.start()
    return this.status()
  }

  async reindex(): Promise<Output<'reindex'>> {
    this.ctx.indexer.start()
    return this.status()
  }

  /** A page of the library in the order asked for (newest first by default), filtered. */
  async listPhotos(input: Input<'listPhotos'>): Promise<Output<'listPhotos'>> {
    const { offset = 0, limit = 200, filter, sort = 'date-desc' } = input
    const { total, rows } = await listPage(this.ctx, filter, sort, offset, limit)
    return { total, photos: rows.map((m) => photoSummary(this.ctx, m)) }
  }

  /** The headings of that order (days, folders) with their counts: the timeline's scrubber. */
  timeline({ filter, sort = 'date-desc' }: Input<'timeline'>): Promise<Output<'timeline'>> {
    return timeline(this.ctx, filter, sort)
  }

  /** The folder browser: the roots (home, mounted volumes), or the folders inside one of their folders. */
  async browseFolders({ path }: Input<'browseFolders'>): Promise<Output<'browseFolders'>> {
    const roots = browseRoots()
    const rootEntries = roots.map(({ name, path }) => ({ name, path }))
    if (!path) return { path: null, parent: null, roots: rootEntries, folders: rootEntries, images: 0 }
    const listing = await listFolders(path, roots)
    return { ...listing, roots: rootEntries }
  }

  async getPhoto({ id }: Input<'getPhoto'>): Promise<PhotoDetail> {
    const m = this.space.meta.get(id)
    if (!m) throw new UserError(`no photo ${id}`, 404)
    return {
      ...photoSummary(this.ctx, m),
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
    return { files: (await this.space.store.listSkipped()).map(({ path, reason }) => ({ path, reason })) }
  }

  /** The file behind an indexed photo, or null: the media routes serve nothing else. */
  photoFile(id: number): string | null {
    return this.space.meta.get(id)?.path ?? null
  }

  /**
   * What the media routes may serve for an indexed photo: its thumbnail, or the real path of its
   * original only while that is still a regular file inside a library folder (it may have been
   * replaced by a symlink to elsewhere since it was indexed). Null: serve nothing.
   */
  async mediaFile(id: number, kind: 'thumb' | 'photo'): Promise<string | null> {
    const original = this.photoFile(id)
    if (!original) return null
    if (kind === 'thumb') return this.ctx.thumbPath(id)
    const real = await realpath(original).catch(() => null)
    if (!real || !(await stat(real).catch(() => null))?.isFile()) return null
    const roots = await Promise.all((await this.space.store.listFolders()).map((f) => realpath(f).catch(() => null)))
    return roots.some((r) => r !== null && isInside(real, r)) ? real : null
  }
}
