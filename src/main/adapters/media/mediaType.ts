// What a file is, from its first bytes (its magic number), never from its name: a photo named
// .jpg may hold SVG or HTML, which a browser would run. Only decoded raster formats are photos.
// `shown`: a browser shows the bytes as they are; `render`: a photo format browsers do not show
// (TIFF, HEIF), served as a JPEG rendered from the same bytes. Anything else is not served.

export type MediaType =
  | { kind: 'shown'; type: 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp' | 'image/avif' }
  | { kind: 'render'; format: 'tiff' | 'heif' }

/** Bytes needed to tell the formats apart (an ISO-BMFF `ftyp` box lists its brands in its first 64). */
export const SNIFF_BYTES = 64

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to))
const starts = (b: Uint8Array, ...bytes: number[]) => bytes.every((x, i) => b[i] === x)

/** The brands of an ISO-BMFF file (AVIF, HEIF): the major brand and the compatible ones. */
function ftypBrands(b: Uint8Array): string[] | null {
  if (b.length < 16 || ascii(b, 4, 8) !== 'ftyp') return null
  const boxSize = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0
  const end = Math.min(b.length, boxSize)
  const brands = [ascii(b, 8, 12)]
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(b, at, at + 4))
  return brands
}

const AVIF_BRANDS = new Set(['avif', 'avis'])
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1'])

/** The media type of a file that starts with `head`, or null: not a photo format we serve. */
export function sniffMediaType(head: Uint8Array): MediaType | null {
  if (starts(head, 0xff, 0xd8, 0xff)) return { kind: 'shown', type: 'image/jpeg' }
  if (starts(head, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { kind: 'shown', type: 'image/png' }
  if (head.length >= 6 && (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a')) return { kind: 'shown', type: 'image/gif' }
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { kind: 'shown', type: 'image/webp' }
  if (starts(head, 0x49, 0x49, 0x2a, 0x00) || starts(head, 0x4d, 0x4d, 0x00, 0x2a)) return { kind: 'render', format: 'tiff' }
  const brands = ftypBrands(head)
  if (brands?.some((b) => AVIF_BRANDS.has(b))) return { kind: 'shown', type: 'image/avif' }
  if (brands?.some((b) => HEIF_BRANDS.has(b))) return { kind: 'render', format: 'heif' }
  return null
}
