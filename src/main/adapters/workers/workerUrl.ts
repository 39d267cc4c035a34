// Where a worker's code is: from source (tests, tsx) a .dev.mjs shim beside the .ts (Node 20 does
// not pass tsx's loader to workers); built, out/main/<name>.js, next to the importing chunk or one
// folder up when that chunk is shared.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** `from` is the importing module's import.meta.url (it sits beside the worker's source). */
export function workerUrl(name: 'embedWorker' | 'trainWorker' | 'rerankWorker' | 'placesWorker' | 'faceWorker' | 'textWorker', from: string): URL {
  if (fileURLToPath(from).endsWith('.ts')) return new URL(`./${name}.dev.mjs`, from)
  const sibling = new URL(`./${name}.js`, from)
  return existsSync(sibling) ? sibling : new URL(`../${name}.js`, from)
}
