// A photo (or thumbnail) as the media routes of both shells serve it: opened once by openInside,
// its type read from the bytes of that descriptor, its length from that descriptor's fstat, and its
// bytes streamed from that descriptor, so no swap of the path after the check changes what is sent.
import type { FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import sharp from 'sharp'
import { openInside, OutsideLibraryError } from '../fs/openInside'
import { MAX_PIXELS } from '../image/preprocess'
import { openImage } from '../image/heic'
import { MAX_FILE_BYTES } from '../image/photoFile'
import { SNIFF_BYTES, sniffMediaType } from './mediaType'

/** Why nothing is served: 404 the file is gone or no longer inside the library, 415 not a photo format we serve. */
export class MediaRefused extends Error {
  constructor(
    message: string,
    readonly status: 404 | 415
  ) {
    super(message)
  }
}

export interface OpenedMedia {
  type: string
  /** bytes the body will have, exactly */
  size: number
  /** of the file as opened (for the ETag) */
  mtimeMs: number
  /** The bytes, once; closes the descriptor at the end (or when the stream is destroyed). */
  body(): Readable
  /** For a body never asked for. */
  close(): Promise<void>
}

/** Rendered TIFF/HEIF photos are a display copy: at most this many pixels on the long side. */
const RENDER_MAX_SIDE = 4096
const CHUNK = 256 * 1024

/** Exactly `size` bytes from position 0 of `handle`, or an error (the file shrank meanwhile): never a short body. */
async function* exactly(handle: FileHandle, size: number): AsyncGenerator<Buffer> {
  try {
    for (let at = 0; at < size; ) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - at))
      const { bytesRead } = await handle.read(buf, 0, buf.length, at)
      if (bytesRead === 0) throw new Error('the file shrank while it was served')
      at += bytesRead
      yield buf.subarray(0, bytesRead)
    }
  } finally {
    await handle.close()
  }
}

async function render(handle: FileHandle, size: number, format: 'tiff' | 'heif'): Promise<Buffer> {
  if (size > MAX_FILE_BYTES) throw new MediaRefused(`the ${format.toUpperCase()} file is too large to show (${size} bytes)`, 415)
  const bytes = Buffer.alloc(size)
  for (let at = 0; at < size; ) {
    const { bytesRead } = await handle.read(bytes, at, size - at, at)
    if (bytesRead === 0) throw new MediaRefused('the file shrank while it was read', 404)
    at += bytesRead
  }
  try {
    // sharp picks its decoder from the bytes too: it must be the format the magic number named
    if ((await sharp(bytes, { limitInputPixels: MAX_PIXELS }).metadata()).format !== format) throw new Error('the file is not what its first bytes say')
    const image = await openImage(bytes, { limitInputPixels: MAX_PIXELS })
    return await image.rotate().resize(RENDER_MAX_SIDE, RENDER_MAX_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer()
  } catch (err) {
    throw new MediaRefused(`this ${format.toUpperCase()} photo cannot be shown (${(err as Error).message})`, 415)
  }
}

/**
 * Opens `path` for serving when its descriptor lies inside one of `roots` (real paths) and holds a
 * photo format from the allowlist (mediaType.ts). Throws MediaRefused with the status to answer.
 */
export async function openMedia(path: string, roots: readonly string[]): Promise<OpenedMedia> {
  let handle: FileHandle
  try {
    handle = await openInside(path, roots)
  } catch (err) {
    const why = err instanceof OutsideLibraryError ? err.message : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is gone' : `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`
    throw new MediaRefused(why, 404)
  }
  let handedOver = false
  try {
    const st = await handle.stat()
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, st.size))
    await handle.read(head, 0, head.length, 0)
    const media = sniffMediaType(head)
    if (!media) throw new MediaRefused('not a photo format that is served (JPEG, PNG, GIF, WebP, AVIF; TIFF and HEIF as JPEG)', 415)
    if (media.kind === 'render') {
      const jpeg = await render(handle, st.size, media.format)
      return { type: 'image/jpeg', size: jpeg.length, mtimeMs: st.mtimeMs, body: () => Readable.from([jpeg]), close: async () => {} }
    }
    handedOver = true
    let started = false
    return {
      type: media.type,
      size: st.size,
      mtimeMs: st.mtimeMs,
      body: () => {
        started = true
        return Readable.from(exactly(handle, st.size), { objectMode: false })
      },
      close: async () => {
        if (!started) await handle.close()
      }
    }
  } finally {
    if (!handedOver) await handle.close()
  }
}
