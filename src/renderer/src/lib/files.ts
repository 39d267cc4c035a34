// Image queries travel as base64 (see Query in shared/api.ts). The model looks at a few dozen
// pixels, so a 16 MB camera JPEG is first shrunk in the page to a 1024-pixel JPEG: reading,
// encoding and sending 22 MB of base64, and the engine decoding 27 megapixels, cost seconds for
// the same answer (bench/ux.ts measures both).
export const QUERY_MAX_SIDE = 1024

export function isImageFile(file: File): boolean {
  return file.type.startsWith('image/') || /\.(jpe?g|png|webp|gif|bmp|tiff?|heic|avif)$/i.test(file.name)
}

/** Base64 of bytes, in chunks (String.fromCharCode on a whole 16 MB array overflows the stack). */
function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export async function readAsBase64(file: Blob): Promise<string> {
  return toBase64(new Uint8Array(await file.arrayBuffer()))
}

/**
 * The image as a query: at most QUERY_MAX_SIDE pixels on its long side (EXIF orientation applied),
 * as JPEG, with an object URL of it for a preview. An image the browser cannot decode (HEIC, say)
 * goes as it is: the engine may still read it.
 */
export async function imageQuery(file: File): Promise<{ data: string; preview: string | null }> {
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  } catch {
    return { data: await readAsBase64(file), preview: null }
  }
  try {
    const scale = Math.min(1, QUERY_MAX_SIDE / Math.max(bitmap.width, bitmap.height))
    const w = Math.max(1, Math.round(bitmap.width * scale))
    const h = Math.max(1, Math.round(bitmap.height * scale))
    const canvas = new OffscreenCanvas(w, h)
    const ctx = canvas.getContext('2d')
    if (!ctx) return { data: await readAsBase64(file), preview: null }
    ctx.imageSmoothingQuality = 'high'
    ctx.drawImage(bitmap, 0, 0, w, h)
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 })
    return { data: await readAsBase64(blob), preview: URL.createObjectURL(blob) }
  } finally {
    bitmap.close()
  }
}
