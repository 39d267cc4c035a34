// The library: its folders, its photos (listed, filtered, one in detail), and what could not be read.
// (What the media routes serve: services/media.ts.)
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Filter, Input, Output, PhotoDetail } from '../../shared/api'
import { UserError } from '../../shared/errors'
import { filterActive } from '../../shared/api'
import type { PhotoMeta } from '../ports/photos'
import { isInside } from '../adapters/fs/paths'
import type { EngineContext } from './context'
import { photoSummary } from './photos'

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
      dial: space.dial
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

  private async filtered(filter: Filter | undefined): Promise<PhotoMeta[]> {
    if (!filterActive(filter)) return this.space.sortedPhotos()
    return (await this.space.store.meta(filter)).sort((a, b) => a.path.localeCompare(b.path))
  }

  async listPhotos(input: Input<'listPhotos'>): Promise<Output<'listPhotos'>> {
    const { offset = 0, limit = 200, filter } = input
    const all = await this.filtered(filter)
    return { total: all.length, photos: all.slice(offset, offset + limit).map((m) => photoSummary(this.ctx, m)) }
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
}
