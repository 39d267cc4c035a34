// Decode any photo into the model's input: orientation applied, centre square crop, resized,
// RGB (or BGR), (x/255 - mean)/std, CHW (or HWC) float32. mean/std are per channel in that order.
import sharp from 'sharp'

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

export async function toTensor(input: string | Buffer, spec: InputSpec, out: Float32Array, offset: number): Promise<void> {
  const { data } = await sharp(input, { limitInputPixels: MAX_PIXELS, failOn: 'error' })
    .rotate()
    .resize(spec.size, spec.size, { fit: 'cover', position: 'centre' })
    .removeAlpha()
    .toColourspace('srgb')
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
