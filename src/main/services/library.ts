// The library: its folders, its photos (listed, filtered, one in detail), and what could not be read.
// (What the media routes serve: services/media.ts.)
import { statSync } from 'node:fs'
import { realpath } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Input, Output, PhotoDetail } from '../../shared/api'
import { UserError } from '../../shared/errors'
import { isInside } from '../adapters/fs/paths'
import { browseRoots, listFolders } from '../adapters/fs/folderBrowser'
import type { EngineContext } from './context'
import { photoSummary } from './photos'
import { photoPlace } from './places'
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

  /**
   * Adds a folder. Folders are compared by real path, with each other and with the data folder: the
   * data folder (or a folder inside it) is refused; a folder the library holds already, itself or
   * through a parent, says so (adding it again re-scans it); a parent of library folders takes
   * their place (their photos stay). A parent of the data folder is fine: the scan leaves it out.
   */
  async addFolder({ path }: Input<'addFolder'>): Promise<Output<'addFolder'>> {
    const abs = resolve(path)
    let isDir = false
    try {
      isDir = statSync(abs).isDirectory()
    } catch {
      throw new UserError(`folder not found: ${abs}`, 404)
    }
    if (!isDir) throw new UserError(`not a folder: ${abs}`)
    const real = await realpath(abs)
    const dataReal = await realpath(this.ctx.dataDir).catch(() => this.ctx.dataDir)
    if (isInside(real, dataReal)) throw new UserError(real === dataReal ? "that is the app's own data folder" : `${abs} is inside the app's own data folder`)
    const store = this.space.store
    const folders = await this.realFolders()
    if (!folders.some((f) => f.path === abs)) {
      const same = folders.find((f) => f.real === real)
      if (same) throw new UserError(`${abs} is already in the library, as ${same.path}`, 409)
      const outer = folders.find((f) => isInside(real, f.real))
      if (outer) throw new UserError(`${abs} is already in the library: it is inside ${outer.path}, which is indexed with all its folders`, 409)
      // the new folder covers these: it takes their place
      for (const inner of folders.filter((f) => isInside(f.real, real))) await store.removeFolder(inner.path)
      await store.addFolder(abs)
    }
    this.ctx.indexer.start()
    return this.status()
  }

  async removeFolder({ path }: Input<'removeFolder'>): Promise<Output<'removeFolder'>> {
    const abs = resolve(path)
    const real = await realpath(abs).catch(() => null)
    const folder = (await this.realFolders()).find((f) => f.path === abs || (real !== null && f.real === real))
    const stored = folder?.path ?? ((await this.space.store.listFolders()).includes(abs) ? abs : null) // a folder gone from disk
    if (!stored) throw new UserError(`not a library folder: ${abs}`, 404)
    await this.space.store.removeFolder(stored)
    this.ctx.indexer.start()
    return this.status()
  }

  /** The library's folders as stored, with their real paths (those that exist). */
  private async realFolders(): Promise<{ path: string; real: string }[]> {
    const folders = await this.space.store.listFolders()
    const real = await Promise.all(folders.map((f) => realpath(f).catch(() => null)))
    return folders.flatMap((path, i) => (real[i] === null ? [] : [{ path, real: real[i]! }]))
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
      orientation: m.orientation,
      place: photoPlace(this.ctx, m)
    }
  }

  async skipped(): Promise<Output<'skipped'>> {
    return { files: (await this.space.store.listSkipped()).map(({ path, reason }) => ({ path, reason })) }
  }
}
