// CIFAR-10 JPEGs (the shared tar, as the tests use) through any model with the app's preprocess.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Model } from '../../src/main/adapters/models/modelCard'
import { toTensor } from '../../src/main/adapters/image/preprocess'
import { cifarSplit } from '../../fixtures/photos'
import { embedCached } from './embedCache'

export async function embedCifar(model: Model, split: 'train' | 'test'): Promise<{ n: number; vectors: Float32Array; labels: Uint8Array }> {
  const root = cifarSplit(split)
  const classes = readdirSync(root).sort()
  const files = classes.flatMap((cls, label) => readdirSync(join(root, cls)).sort().map((f) => ({ path: join(root, cls, f), label })))
  const vectors = await embedCached(model, `cifar-${split}`, files.length, (i, out, off) => toTensor(files[i].path, model.card.input, out, off))
  return { n: files.length, vectors, labels: Uint8Array.from(files, (f) => f.label) }
}
