// Where things live when nobody says otherwise.
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export function defaultDataDir(): string {
  if (process.env.MRL_PHOTOS_DATA) return resolve(process.env.MRL_PHOTOS_DATA)
  const base = process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share')
  return join(base, 'mrl-photos')
}

/** The built renderer (out/renderer), from the build or from the source tree. */
export function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const candidate of [join(here, '..', 'renderer'), join(here, '..', '..', '..', 'out', 'renderer')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate
  }
  throw new Error('the renderer is not built: run `npm run build` first')
}
