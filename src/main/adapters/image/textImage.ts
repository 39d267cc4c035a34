// A photo decoded for reading its text: upright, small for the cheap look and at most READ_SIZE on
// its long side to read it (sharp shrinks JPEGs on load, so a 24 MP photo never lives in memory
// whole), and the copies the text detector looks at, sized to multiples of 32 as it needs.
import sharp from 'sharp'
import { MAX_PIXELS } from './preprocess'
import { openImage } from './heic'

/** Packed RGB, 3 bytes a pixel. */
export interface Pixels {
  data: Uint8Array
  width: number
  height: number
}

/** Recognition crops come from this size: a caption 1.5% of the photo's height is still 24 px. */
export const READ_SIZE = 1600

/** Decodes a photo file's bytes, upright, to RGB at most `side` on its long side (a small side decodes a JPEG at 1/8 its size). */
export async function decodeForText(file: Buffer, side = READ_SIZE): Promise<Pixels> {
  const { data, info } = await (await openImage(file, { limitInputPixels: MAX_PIXELS, failOn: 'error' }))
    .rotate()
    .resize(side, side, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }
}

const multipleOf32 = (n: number) => Math.max(32, Math.round(n / 32) * 32)

/** The image with its long side at `side` (up or down), both sides rounded to multiples of 32. */
export async function scaledTo(p: Pixels, side: number): Promise<Pixels> {
  const r = side / Math.max(p.width, p.height)
  const width = multipleOf32(p.width * r)
  const height = multipleOf32(p.height * r)
  if (width === p.width && height === p.height) return p
  const data = await sharp(p.data, { raw: { width: p.width, height: p.height, channels: 3 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer()
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height }
}
