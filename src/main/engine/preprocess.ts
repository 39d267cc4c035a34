// Decode any photo into the model's input: orientation applied, centre square crop, resized,
// RGB, (x/255 - mean)/std, CHW float32.
import sharp from 'sharp'

export interface InputSpec {
  size: number
  mean: number[]
  std: number[]
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
  for (let c = 0; c < 3; c++) {
    const base = offset + c * plane
    const mean = spec.mean[c]
    const std = spec.std[c]
    for (let i = 0; i < plane; i++) out[base + i] = (data[i * 3 + c] / 255 - mean) / std
  }
}
