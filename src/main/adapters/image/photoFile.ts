// Everything read from one photo file: hash, EXIF, size, thumbnail and the model's input.
import { createHash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import sharp, { type Metadata } from 'sharp'
import exifr from 'exifr'
import { MAX_PIXELS, THUMB_SIZE, decodeSmall, tensorFrom, type InputSpec, type Raster } from './preprocess'
import { openInside, OutsideLibraryError } from '../fs/openInside'
import type { FolderBounds, PhotoFacts } from '../../ports/encoder'
import { writeFileAtomic } from '../fs/atomicWrite'

export type { PhotoFacts }

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
  // sharp's prebuilt libvips carries no HEVC decoder (libde265), so a HEIC photo is decoded by libheif
  // (image/heic.ts); should libvips be asked anyway, say what the file is rather than the seek errors
  if (/compression format has not been built in: HEVC/i.test(message)) return 'a HEIC photo (HEVC-coded, as phones save them) that libvips was asked to decode and cannot'
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

/** The whole file behind an open handle, which it closes; a file over MAX_FILE_BYTES is refused unread. */
export async function readWhole(file: FileHandle): Promise<Buffer> {
  try {
    const { size } = await file.stat()
    if (size > MAX_FILE_BYTES) throw new Error(`file too large (${size} bytes)`)
    return await file.readFile()
  } finally {
    await file.close()
  }
}

/** Raster formats (as sharp's metadata names them) that are photos; SVG, PDF and the rest are not. */
export const PHOTO_FORMATS = new Set(['jpeg', 'png', 'webp', 'avif', 'heif', 'gif', 'tiff'])
/** EXIF sits in a JPEG's first APP1 segment (at most 64 KB): the parse needs no more of the file. */
const JPEG_EXIF_BYTES = 128 * 1024

/**
 * The file's bytes, read from the one descriptor openInside checked: a file swapped for a link to
 * elsewhere after the scan is refused, and what is hashed and decoded is what was checked.
 */
async function readInside(path: string, within: FolderBounds): Promise<Buffer> {
  let file: FileHandle
  try {
    file = await openInside(path, within.roots, within.exclude)
  } catch (err) {
    if (err instanceof OutsideLibraryError) throw new Error(err.message)
    throw (err as NodeJS.ErrnoException).code ? new Error(readReason(err)) : err
  }
  try {
    return await readWhole(file)
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code ? new Error(readReason(err)) : err
  }
}

/** Time spent in each step of readPhoto, in ms (the indexing benchmark adds them up). */
export interface StageTimes {
  read: number
  hash: number
  header: number
  decode: number
  tensor: number
  thumbnail: number
  exif: number
}

/**
 * Reads, checks and decodes one file; throws an Error whose message is the reason to skip it. The
 * file is opened once inside `within` (real paths), read once, decoded once (small: decodeSmall).
 * `thumbPath` undefined: no thumbnail (a model switch re-embeds photos that have one).
 */
export async function readPhoto(path: string, within: FolderBounds, spec: InputSpec, tensor: Float32Array, offset: number, thumbPath?: string, times?: StageTimes): Promise<PhotoFacts> {
  let t = performance.now()
  const lap = (stage: keyof StageTimes) => {
    const now = performance.now()
    if (times) times[stage] += now - t
    t = now
  }
  const buf = await readInside(path, within)
  lap('read')
  if (buf.length === 0) throw new Error('empty file')
  const hash = createHash('sha1').update(buf).digest('hex')
  lap('hash')
  let meta: Metadata
  try {
    meta = await sharp(buf, { limitInputPixels: MAX_PIXELS }).metadata()
  } catch (err) {
    const message = (err as Error).message
    // a decompression bomb: the header claims more pixels than the limit
    if (/pixel limit/i.test(message)) throw new Error(`image too large (over ${MAX_PIXELS / 1e6} megapixels)`)
    throw new Error(decodeReason(message))
  }
  lap('header')
  if (!PHOTO_FORMATS.has(meta.format ?? '')) throw new Error(`not a photo (${meta.format ?? 'unknown format'})`)
  if (!meta.width || !meta.height) throw new Error('image has no dimensions')
  if (meta.width * meta.height > MAX_PIXELS) throw new Error(`image too large (${meta.width}x${meta.height} pixels)`)
  const swap = (meta.orientation ?? 1) >= 5
  const width = swap ? meta.height : meta.width
  const height = swap ? meta.width : meta.height
  let thumb: Buffer | null = null
  try {
    const raster = await decodeSmall(buf, spec.size, { width, height })
    lap('decode')
    await tensorFrom(raster, spec, tensor, offset)
    lap('tensor')
    if (thumbPath) thumb = await thumbnail(raster)
    lap('thumbnail')
  } catch (err) {
    throw new Error(decodeReason((err as Error).message))
  }
  // written apart from the decode, so a full disk is not mistaken for a bad photo
  if (thumbPath && thumb) {
    try {
      await writeFileAtomic(thumbPath, thumb) // the signals may be reading the old one
    } catch (err) {
      throw new DataFolderError(`cannot write to the data folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${thumbPath}`)
    }
  }
  const exif = await readExif(meta.format === 'jpeg' ? buf.subarray(0, JPEG_EXIF_BYTES) : buf)
  lap('exif')
  return { hash, width, height, ...exif }
}

/** The thumbnail (longer side THUMB_SIZE) from the decoded raster. */
function thumbnail(raster: Raster): Promise<Buffer> {
  const { data, width, height, channels } = raster
  let img = sharp(data, { raw: { width, height, channels } })
  if (Math.max(width, height) > THUMB_SIZE) img = img.resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside' })
  return img.webp({ quality: 82, effort: 2 }).toBuffer() // effort 2: 0.59x the encoding time of the default 4, 3% larger
}
