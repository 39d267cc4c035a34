// Decode any photo into the model's input: orientation applied, centre square crop, resized,
// RGB (or BGR), (x/255 - mean)/std, CHW (or HWC) float32. mean/std are per channel in that order.
// Every photo is decoded once, small: sharp shrinks a JPEG on load (libjpeg's DCT scaling, 1/2 to
// 1/8) to a raster just large enough for both the thumbnail and the model's input, and the model's
// input is made from that raster. Indexing, search by photo, fine-tuning and the model check all go
// through decodeSmall, so a photo gives the same input wherever it is embedded.
import sharp from 'sharp'
import { openImage } from './heic'

export interface InputSpec {
  size: number
  mean: number[]
  std: number[]
  /** channel order the model expects (default RGB) */
  channels?: 'RGB' | 'BGR'
  /** NCHW: one plane per channel (default); NHWC: channels interleaved per pixel */
  layout?: 'NCHW' | 'NHWC'
}

// decompression-bomb guard: 100 megapixels is larger than any camera sensor we expect
export const MAX_PIXELS = 100_000_000
/** The thumbnail's longer side, and the least the decoded raster keeps of it. */
export const THUMB_SIZE = 320

/** A decoded photo: 8-bit sRGB pixels (3 channels, or 4 with alpha), interleaved, oriented. */
export interface Raster {
  data: Buffer
  width: number
  height: number
  channels: 3 | 4
}

/**
 * The photo decoded once, oriented, at the smallest size that serves both the thumbnail (longer
 * side THUMB_SIZE) and a centre crop of `inputSize` (shorter side at least that), never enlarged.
 * `width`/`height`: the photo's size after orientation, when the caller has read the header.
 */
export async function decodeSmall(input: string | Buffer, inputSize: number, size?: { width: number; height: number }): Promise<Raster> {
  const options = { limitInputPixels: MAX_PIXELS, failOn: 'error' } as const
  const img = typeof input === 'string' ? sharp(input, options) : await openImage(input, options)
  if (!size) {
    const m = await img.metadata()
    const swap = (m.orientation ?? 1) >= 5
    size = { width: (swap ? m.height : m.width) ?? 0, height: (swap ? m.width : m.height) ?? 0 }
  }
  const { width, height } = size
  const scale = Math.min(1, Math.max(THUMB_SIZE / Math.max(width, height), inputSize / Math.min(width, height)))
  const box = { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
  const { data, info } = await img
    .rotate()
    .resize({ ...box, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  if (info.channels !== 3 && info.channels !== 4) throw new Error(`decoded ${info.channels} channels`)
  return { data, width: info.width, height: info.height, channels: info.channels }
}

/** The model's input from a decoded raster. */
export async function tensorFrom(raster: Raster, spec: InputSpec, out: Float32Array, offset: number): Promise<void> {
  const { data } = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: raster.channels } })
    .resize(spec.size, spec.size, { fit: 'cover', position: 'centre' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const plane = spec.size * spec.size
  if (data.length !== plane * 3) throw new Error(`decoded ${data.length} bytes, expected ${plane * 3}`)
  const bgr = spec.channels === 'BGR'
  const hwc = spec.layout === 'NHWC'
  for (let c = 0; c < 3; c++) {
    const src = bgr ? 2 - c : c
    const mean = spec.mean[c]
    const std = spec.std[c]
    if (hwc) for (let i = 0; i < plane; i++) out[offset + i * 3 + c] = (data[i * 3 + src] / 255 - mean) / std
    else for (let i = 0; i < plane; i++) out[offset + c * plane + i] = (data[i * 3 + src] / 255 - mean) / std
  }
}

/** A photo file (or its bytes) into the model's input at out[offset…]. */
export async function toTensor(input: string | Buffer, spec: InputSpec, out: Float32Array, offset: number): Promise<void> {
  await tensorFrom(await decodeSmall(input, spec.size), spec, out, offset)
}
