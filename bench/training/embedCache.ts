// Embeddings of benchmark images through a real model (onnxruntime-node, the app's preprocess),
// cached in bench/cache/training/<model>/<name>.f32 so a new model recomputes them.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Embedder } from '../../src/main/adapters/onnx/embedder'
import type { Model } from '../../src/main/adapters/models/modelCard'
import { ROOT } from '../../fixtures/photos'
import { modelId } from '../../src/main/adapters/models/registry'

export const TRAINING_CACHE = join(ROOT, 'bench', 'cache', 'training')

export const modelKey = (model: Model) => modelId(model.card).slice(0, 16)

/** n x d embeddings of `n` images; `tensor(i, out, offset)` writes image i's model input. */
export async function embedCached(model: Model, name: string, n: number, tensor: (i: number, out: Float32Array, offset: number) => Promise<void>): Promise<Float32Array> {
  const dir = join(TRAINING_CACHE, modelKey(model))
  const file = join(dir, `${name}.f32`)
  if (existsSync(file)) {
    const b = readFileSync(file)
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)
  }
  mkdirSync(dir, { recursive: true })
  const { card } = model
  const d = card.embedding_dim
  const plane = 3 * card.input.size * card.input.size
  const out = new Float32Array(n * d)
  const embedder = await Embedder.create(model)
  const B = 250
  const t0 = performance.now()
  for (let s = 0; s < n; s += B) {
    const rows = Math.min(B, n - s)
    const batch = new Float32Array(rows * plane)
    await Promise.all(Array.from({ length: rows }, (_, j) => tensor(s + j, batch, j * plane)))
    const res = await embedder.run(batch, rows)
    out.set(res.embeddings.subarray(0, rows * d), s * d)
    if ((s / B) % 40 === 0) console.error(`  ${card.name} ${name}: ${s + rows}/${n} (${((s + rows) / ((performance.now() - t0) / 1000)).toFixed(0)}/s)`)
  }
  await embedder.release()
  writeFileSync(`${file}.tmp`, out)
  renameSync(`${file}.tmp`, file)
  return out
}
