// The bundled model's embeddings of the CIFAR-10 JPEGs, computed once with onnxruntime-node (as the
// app does) and cached in bench/cache/<model sha256>/ as raw files, so a new model recomputes them:
//   <split>.f32            n x d embeddings (not normalised), row-major
//   <split>.labels.u8      class index per photo
//   <split>.logits-<m>.f32 n x classes logits of the MRL head for prefix m
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Embedder } from '../src/main/engine/embedder'
import { loadModel, type Model } from '../src/main/engine/modelCard'
import { toTensor } from '../src/main/engine/preprocess'
import { ROOT, cifarSplit } from '../test/fixtures'

export const CACHE = join(ROOT, 'bench', 'cache')

export interface Split {
  n: number
  dims: number
  vectors: Float32Array
  labels: Uint8Array
  /** per prefix of the nesting list: n x classes */
  logits: Float32Array[]
}

export interface Embeddings {
  model: Model
  dir: string
  train: Split
  test: Split
}

export function modelKey(model: Model): string {
  return (model.card.sha256 ?? model.card.name).slice(0, 16)
}

const f32 = (file: string) => {
  const b = readFileSync(file)
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)
}

function writeAtomic(file: string, data: Float32Array | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data)
  renameSync(`${file}.tmp`, file)
}

async function embedSplit(model: Model, split: 'train' | 'test', dir: string): Promise<void> {
  const root = cifarSplit(split)
  const files = model.card.classes.flatMap((cls, label) =>
    readdirSync(join(root, cls))
      .sort()
      .map((f) => ({ path: join(root, cls, f), label }))
  )
  const { card } = model
  const d = card.embedding_dim
  const classes = card.classes.length
  const plane = 3 * card.input.size * card.input.size
  const vectors = new Float32Array(files.length * d)
  const logits = card.nesting.map(() => new Float32Array(files.length * classes))
  const embedder = await Embedder.create(model)
  const B = 250
  const t0 = performance.now()
  for (let i = 0; i < files.length; i += B) {
    const chunk = files.slice(i, i + B)
    const batch = new Float32Array(chunk.length * plane)
    await Promise.all(chunk.map((f, j) => toTensor(f.path, card.input, batch, j * plane)))
    const out = await embedder.run(batch, chunk.length)
    vectors.set(out.embeddings.subarray(0, chunk.length * d), i * d)
    out.logits.forEach((l, k) => logits[k].set(l.subarray(0, chunk.length * classes), i * classes))
    if ((i / B) % 20 === 0) {
      const s = (performance.now() - t0) / 1000
      console.error(`  embedding ${split}: ${i + chunk.length}/${files.length} (${((i + chunk.length) / s).toFixed(0)} photos/s)`)
    }
  }
  await embedder.release()
  writeAtomic(join(dir, `${split}.labels.u8`), Uint8Array.from(files, (f) => f.label))
  card.nesting.forEach((m, k) => writeAtomic(join(dir, `${split}.logits-${m}.f32`), logits[k]))
  writeAtomic(join(dir, `${split}.f32`), vectors) // last: its presence marks the split complete
}

function readSplit(model: Model, dir: string, split: 'train' | 'test'): Split {
  const dims = model.card.embedding_dim
  const vectors = f32(join(dir, `${split}.f32`))
  return {
    n: vectors.length / dims,
    dims,
    vectors,
    labels: new Uint8Array(readFileSync(join(dir, `${split}.labels.u8`))),
    logits: model.card.nesting.map((m) => f32(join(dir, `${split}.logits-${m}.f32`)))
  }
}

/** Loads the cached embeddings of both splits, computing what is missing for this model. */
export async function loadEmbeddings(): Promise<Embeddings> {
  const model = await loadModel()
  const dir = join(CACHE, modelKey(model))
  mkdirSync(dir, { recursive: true })
  for (const split of ['test', 'train'] as const) {
    if (!existsSync(join(dir, `${split}.f32`))) {
      console.error(`embedding the CIFAR-10 ${split} JPEGs with ${model.card.name} (cached in ${dir})…`)
      await embedSplit(model, split, dir)
    }
  }
  return { model, dir, train: readSplit(model, dir, 'train'), test: readSplit(model, dir, 'test') }
}
