// Everything read from one photo file: hash, EXIF, size, thumbnail and the model's input.
import { createHash } from 'node:crypto'
import { open, writeFile } from 'node:fs/promises'
import sharp, { type Metadata } from 'sharp'
import exifr from 'exifr'
import { MAX_PIXELS, toTensor, type InputSpec } from './preprocess'
import type { PhotoFacts } from '../../ports/encoder'

export type { PhotoFacts }

export const THUMB_SIZE = 320
/** Larger files are not read at all: no camera writes a 512 MB still, and reading one costs its size in memory. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024

/**
 * The data folder (not the photo) failed: disk full, read-only, gone. Such a failure must stop the
 * run with its message instead of marking every remaining photo as skipped for ever.
 */
export class DataFolderError extends Error {}

function readReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'file was deleted or moved before it could be read'
  if (code === 'EACCES' || code === 'EPERM') return `no permission to read the file (${code})`
  if (code === 'EISDIR') return 'not a file'
  return `cannot read the file (${code ?? (err as Error).message})`
}

const clean = (v: unknown, max = 120): string | null =>
  typeof v === 'string' && v.trim() ? v.replace(/[\u0000-\u001f]/g, '').trim().slice(0, max) : null
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

function isoDate(v: unknown): string | null {
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) return null
  const year = v.getUTCFullYear()
  return year >= 1800 && year <= 2200 ? v.toISOString().slice(0, 19) : null
}

/** "Canon" + "Canon EOS 400D DIGITAL" is "Canon EOS 400D DIGITAL": the make once, whichever way the camera wrote it. */
export function cameraName(make: string | null, model: string | null): string | null {
  const m = make?.split(/\s+/)[0] ?? ''
  const both = model && m && model.toLowerCase().startsWith(m.toLowerCase()) ? model : [make, model].filter(Boolean).join(' ')
  return clean(both) // one cap on the whole
}

/**
 * The decoder's message in words: what is wrong with the file, then its first distinct line once
 * (libvips repeats its warnings, one per scanline it gave up on).
 */
export function decodeReason(message: string): string {
  const lines = [...new Set(message.split('\n').map((l) => l.replace(/^(Input buffer has corrupt header:\s*)?(VipsJpeg|vipspng|VipsForeignLoad\w*|heif):\s*/i, '').trim()).filter(Boolean))]
  const detail = (lines[0] ?? message).slice(0, 120)
  if (/premature end|truncated|read error|unexpected end|end of (file|stream)/i.test(message)) return `not a readable image: the file is cut short, as by an unfinished copy or download (${detail})`
  if (/unsupported image format|not a known file format/i.test(message)) return 'not a readable image: not a picture format this app knows'
  if (/corrupt|invalid|bad|damaged/i.test(message)) return `not a readable image: its data is damaged (${detail})`
  return `not a readable image (${detail})`
}

/** EXIF is optional and often broken: a bad block loses its fields, never the photo. */
async function readExif(buf: Buffer): Promise<Omit<PhotoFacts, 'hash' | 'width' | 'height'>> {
  const none = { takenAt: null, camera: null, lens: null, latitude: null, longitude: null, orientation: null }
  try {
    const x = await exifr.parse(buf, { tiff: true, exif: true, gps: true, ifd1: false, xmp: false, icc: false, iptc: false })
    if (!x) return none
    const camera = cameraName(clean(x.Make), clean(x.Model))
    return {
      takenAt: isoDate(x.DateTimeOriginal ?? x.CreateDate ?? x.ModifyDate),
      camera,
      lens: clean(x.LensModel),
      latitude: finite(x.latitude),
      longitude: finite(x.longitude),
      orientation: finite(x.Orientation)
    }
  } catch {
    return none
  }
}

/** Reads, checks and decodes one file; throws an Error whose message is the reason to skip it. */
/** `thumbPath` undefined: no thumbnail (a model switch re-embeds photos that have one). */
export async function readPhoto(path: string, spec: InputSpec, tensor: Float32Array, offset: number, thumbPath?: string): Promise<PhotoFacts> {
  let buf: Buffer
  try {
    const file = await open(path, 'r')
    try {
      const { size } = await file.stat()
      if (size > MAX_FILE_BYTES) throw new Error(`file too large (${size} bytes)`)
      buf = await file.readFile()
    } finally {
      await file.close()
    }
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code ? new Error(readReason(err)) : err
  }
  if (buf.length === 0) throw new Error('empty file')
  let meta: Metadata
  try {
    meta = await sharp(buf, { limitInputPixels: MAX_PIXELS }).metadata()
  } catch (err) {
    const message = (err as Error).message
    // a decompression bomb: the header claims more pixels than the limit
    if (/pixel limit/i.test(message)) throw new Error(`image too large (over ${MAX_PIXELS / 1e6} megapixels)`)
    throw new Error(decodeReason(message))
  }
  if (!meta.width || !meta.height) throw new Error('image has no dimensions')
  if (meta.width * meta.height > MAX_PIXELS) throw new Error(`image too large (${meta.width}x${meta.height} pixels)`)
  let thumb: Buffer | null = null
  try {
    await toTensor(buf, spec, tensor, offset)
    if (thumbPath) {
      thumb = await sharp(buf, { limitInputPixels: MAX_PIXELS })
        .rotate()
        .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 82 })
        .toBuffer()
    }
  } catch (err) {
    throw new Error(decodeReason((err as Error).message))
  }
  // written apart from the decode, so a full disk is not mistaken for a bad photo
  if (thumbPath && thumb) {
    try {
      await writeFile(thumbPath, thumb)
    } catch (err) {
      throw new DataFolderError(`cannot write to the data folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${thumbPath}`)
    }
  }
  const swap = (meta.orientation ?? 1) >= 5
  return {
    hash: createHash('sha1').update(buf).digest('hex'),
    width: swap ? meta.height : meta.width,
    height: swap ? meta.width : meta.height,
    ...(await readExif(buf))
  }
}
