// The dominant-colours signal: read off the photo's thumbnail (already decoded and oriented at
// indexing), 32x32, so it costs about a millisecond a photo and never opens the original again.
import sharp from 'sharp'
import { dominantColours, type ColourShare } from '../../../core/colours'
import type { SignalDefinition } from '../signals'

export const COLOURS = 'colours'

export const coloursSignal: SignalDefinition<ColourShare[]> = {
  name: COLOURS,
  version: 'colours-1',
  async compute({ thumbPath }) {
    const { data } = await sharp(thumbPath).resize(32, 32, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    return dominantColours(new Uint8Array(data.buffer, data.byteOffset, data.length))
  }
}
