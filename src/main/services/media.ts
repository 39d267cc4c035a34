// What the media routes of both shells (HTTP and Electron's app://, both /media/…) serve: an indexed
// photo's original, read only from inside the library folders, or its thumbnail, read only from the
// data folder's thumbnails. One home, so the two shells cannot drift apart.
import { dirname } from 'node:path'
import { UserError } from '../../shared/errors'
import { MediaRefused, openMedia, type OpenedMedia } from '../adapters/media/openMedia'
import { realRoots } from '../adapters/fs/openInside'
import type { EngineContext } from './context'

export type MediaKind = 'thumb' | 'photo'

export interface Media extends OpenedMedia {
  /**
   * Names these exact bytes: the photo's id, the hash it was indexed with, and the size and mtime of
   * the file opened, so a changed file or a photo that got another's id never matches a cached copy.
   */
  etag: string
}

export class MediaService {
  constructor(private readonly ctx: EngineContext) {}

  /** Throws UserError 404 (no such photo, gone, outside the library) or 415 (not a photo format served). */
  async open(id: number, kind: MediaKind): Promise<Media> {
    const meta = this.ctx.slot.current.meta.get(id)
    if (!meta) throw new UserError(`no photo ${id}`, 404)
    const thumb = this.ctx.thumbPath(id)
    const roots = kind === 'thumb' ? [dirname(thumb)] : await this.ctx.slot.current.store.listFolders()
    try {
      const media = await openMedia(kind === 'thumb' ? thumb : meta.path, await realRoots(roots))
      const etag = `"${kind[0]}${id}-${meta.hash.slice(0, 16)}-${media.size}-${Math.trunc(media.mtimeMs)}"`
      return { ...media, etag }
    } catch (err) {
      if (err instanceof MediaRefused) throw new UserError(`photo ${id}: ${err.message}`, err.status)
      throw err
    }
  }
}
