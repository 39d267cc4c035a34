// Everything read from one photo file: hash, EXIF, size, thumbnail and the model's input.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import sharp, { type Metadata } from 'sharp'
import exifr from 'exifr'
import { MAX_PIXELS, toTensor, type InputSpec } from './preprocess'

export interface PhotoFacts {
  hash: string
  width: number
  height: number
  takenAt: string | null
  camera: string | null
  lens: string | null
  latitude: number | null
  longitude: number | null
  orientation: number | null
}

export const THUMB_SIZE = 320

const clean = (v: unknown, max = 120): string | null =>
  typeof v === 'string' && v.trim() ? v.replace(/[\u0000-\u001f]/g, '').trim().slice(0, max) : null
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

function isoDate(v: unknown): string | null {
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) return null
  const year = v.getUTCFullYear()
  return year >= 1800 && year <= 2200 ? v.toISOString().slice(0, 19) : null
}

/** EXIF is optional and often broken: a bad block loses its fields, never the photo. */
async function readExif(buf: Buffer): Promise<Omit<PhotoFacts, 'hash' | 'width' | 'height'>> {
  const none = { takenAt: null, camera: null, lens: null, latitude: null, longitude: null, orientation: null }
  try {
    const x = await exifr.parse(buf, { tiff: true, exif: true, gps: true, ifd1: false, xmp: false, icc: false, iptc: false })
    if (!x) return none
    const camera = [clean(x.Make), clean(x.Model)].filter(Boolean).join(' ') || null
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
export async function readPhoto(path: string, spec: InputSpec, tensor: Float32Array, offset: number, thumbPath: string): Promise<PhotoFacts> {
  const buf = await readFile(path)
  if (buf.length === 0) throw new Error('empty file')
  let meta: Metadata
  try {
    meta = await sharp(buf, { limitInputPixels: MAX_PIXELS }).metadata()
  } catch (err) {
    throw new Error(`not a readable image (${(err as Error).message})`)
  }
  if (!meta.width || !meta.height) throw new Error('image has no dimensions')
  if (meta.width * meta.height > MAX_PIXELS) throw new Error(`image too large (${meta.width}x${meta.height} pixels)`)
  try {
    await toTensor(buf, spec, tensor, offset)
    await sharp(buf, { limitInputPixels: MAX_PIXELS })
      .rotate()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toFile(thumbPath)
  } catch (err) {
    throw new Error(`cannot decode image (${(err as Error).message})`)
  }
  const swap = (meta.orientation ?? 1) >= 5
  return {
    hash: createHash('sha1').update(buf).digest('hex'),
    width: swap ? meta.height : meta.width,
    height: swap ? meta.width : meta.height,
    ...(await readExif(buf))
  }
}
