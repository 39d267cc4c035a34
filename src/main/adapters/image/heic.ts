// HEIC as phones save it (HEIF holding HEVC): sharp's prebuilt libvips reads its header but has no
// HEVC decoder, so its pixels come from libheif compiled to WebAssembly (heic-decode), upright (libheif
// applies the file's rotation and mirror), and go on to sharp as raw RGBA. About 1.5-2.2 s of one
// core for a 12-MP photo here (sharp decodes a 12-MP JPEG, shrunk on load, in 26 ms), so it is the
// fallback for these files only. Everything that opens an original goes through `openImage`.
import sharp, { type Sharp, type SharpOptions } from 'sharp'
import decodeHeic from 'heic-decode'

/** An ISO-BMFF file (an ftyp box first): HEIF, HEIC or AVIF, which the header must tell apart. */
export function isIsoBmff(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && bytes[4] === 0x66 && bytes[5] === 0x74 && bytes[6] === 0x79 && bytes[7] === 0x70 // 'ftyp'
}

/**
 * sharp over a photo's bytes, whatever its format: the bytes themselves, or for HEVC-coded HEIF its
 * pixels decoded by libheif (the header's size checked first against options.limitInputPixels).
 */
export async function openImage(bytes: Buffer, options: SharpOptions = {}): Promise<Sharp> {
  if (!isIsoBmff(bytes)) return sharp(bytes, options)
  const header = await sharp(bytes).metadata()
  if (header.compression !== 'hevc') return sharp(bytes, options) // AVIF (AV1): libvips decodes it
  const limit = typeof options.limitInputPixels === 'number' ? options.limitInputPixels : Infinity
  if ((header.width ?? 0) * (header.height ?? 0) > limit) throw new Error(`image too large (${header.width}x${header.height} pixels): over the pixel limit`)
  let image: { width: number; height: number; data: Uint8ClampedArray }
  try {
    image = await decodeHeic({ buffer: bytes })
  } catch (err) {
    throw new Error(`heif: the HEVC image could not be decoded (${(err as Error).message ?? err})`)
  }
  const { failOn: _failOn, limitInputPixels: _limit, ...rest } = options
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { ...rest, raw: { width: image.width, height: image.height, channels: 4 } })
}
