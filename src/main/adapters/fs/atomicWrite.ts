// The one atomic write: a reader (or a crash) sees the old file or the new, never half of one.
// A reader that maps the old file (libvips maps a WebP it decodes) keeps a whole file too: a file
// truncated under a mapping kills the process with SIGBUS, a replaced one does not.
import { renameSync, writeFileSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'

export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp`
  await writeFile(tmp, data)
  await rename(tmp, file)
}
