// The one atomic write: a reader (or a crash) sees the old file or the new, never half of one.
import { renameSync, writeFileSync } from 'node:fs'

export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}
