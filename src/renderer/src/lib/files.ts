// Image queries travel as base64 (see Query in shared/api.ts).
export function isImageFile(file: File): boolean {
  return file.type.startsWith('image/') || /\.(jpe?g|png|webp|gif|bmp|tiff?|heic|avif)$/i.test(file.name)
}

export function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onerror = () => reject(new Error(`Could not read ${file.name}`))
    reader.onload = () => {
      const url = String(reader.result)
      resolve(url.slice(url.indexOf(',') + 1)) // drop the "data:image/jpeg;base64," prefix
    }
    reader.readAsDataURL(file)
  })
}
