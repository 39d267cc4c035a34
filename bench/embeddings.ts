// The bundled model's embeddings of the CIFAR-10 JPEGs, computed once with onnxruntime-node (as the
// app does) and cached in bench/cache/<model sha256>/ as raw files, so a new model recomputes them:
//   <split>.f32            n x d embeddings (not normalised), row-major
//   <split>.labels.u8      CIFAR-10 class index per photo (its folder, in sorted order)
//   <split>.logits-<m>.f32 n x 10 scores of the MRL head for prefix m in CIFAR-10's label space: per
//                          CIFAR class, the log of the summed probability of the model's class that
//                          stands for it and every class below it (a model of many concepts, e.g.
//                          mrl-photo's 220, counts a golden retriever as "dog"); for a model whose
//                          classes are CIFAR-10's own names these are its logits (up to a constant)
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Embedder } from '../src/main/adapters/onnx/embedder'
import { loadModel, type Model, type ModelCard } from '../src/main/adapters/models/modelCard'
import { toTensor } from '../src/main/adapters/image/preprocess'
import { ROOT, cifarSplit } from '../fixtures/photos'
import { modelId } from '../src/main/adapters/models/registry'

export const CACHE = join(ROOT, 'bench', 'cache')

export interface Split {
  n: number
  dims: number
  vectors: Float32Array
  labels: Uint8Array
  /** the CIFAR-10 classes (folder names) that `labels` index and `logits` score */
  classes: string[]
  /** per prefix of the nesting list: n x classes.length */
  logits: Float32Array[]
}

/**
 * For each CIFAR-10 folder, the model's classes that count as it: the class named so (by name, or
 * for a concept card by one of its words: CIFAR's "automobile" is the concept "car") and every class
 * below it through the card's parents.
 */
export function cifarMembers(card: ModelCard, folders: string[]): number[][] {
  const names = card.classes.map((c) => c.toLowerCase())
  const words = card.concepts?.map((c) => c.words.map((w) => w.toLowerCase())) ?? names.map((n) => [n])
  const parents = card.concepts?.map((c) => c.parents) ?? names.map(() => [])
  const below = (k: number, c: number, seen = new Set<number>()): boolean =>
    k === c || (!seen.has(k) && (seen.add(k), parents[k].some((p) => below(p, c, seen))))
  return folders.map((folder) => {
    const f = folder.toLowerCase()
    let c = names.indexOf(f)
    if (c < 0) c = words.findIndex((ws) => ws.includes(f))
    if (c < 0) throw new Error(`${card.name} has no class for CIFAR-10's "${folder}"`)
    return names.map((_, k) => k).filter((k) => below(k, c))
  })
}

/** Per row, log of the summed exp of the logits over each member set: n x members.length. */
function reduceLogits(logits: Float32Array, n: number, classes: number, members: number[][]): Float32Array {
  const out = new Float32Array(n * members.length)
  for (let r = 0; r < n; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes)
    let top = -Infinity
    for (const v of row) if (v > top) top = v
    members.forEach((ks, j) => {
      let s = 0
      for (const k of ks) s += Math.exp(row[k] - top)
      out[r * members.length + j] = top + Math.log(s)
    })
  }
  return out
}

export interface Embeddings {
  model: Model
  dir: string
  train: Split
  test: Split
}

export function modelKey(model: Model): string {
  return modelId(model.card).slice(0, 16)
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
  const folders = readdirSync(root).sort()
  const files = folders.flatMap((cls, label) =>
    readdirSync(join(root, cls))
      .sort()
      .map((f) => ({ path: join(root, cls, f), label }))
  )
  const { card } = model
  const members = cifarMembers(card, folders)
  const d = card.embedding_dim
  const classes = card.classes.length
  const plane = 3 * card.input.size * card.input.size
  const vectors = new Float32Array(files.length * d)
  const logits = card.nesting.map(() => new Float32Array(files.length * folders.length))
  const embedder = await Embedder.create(model)
  const B = 250
  const t0 = performance.now()
  for (let i = 0; i < files.length; i += B) {
    const chunk = files.slice(i, i + B)
    const batch = new Float32Array(chunk.length * plane)
    await Promise.all(chunk.map((f, j) => toTensor(f.path, card.input, batch, j * plane)))
    const out = await embedder.run(batch, chunk.length)
    vectors.set(out.embeddings.subarray(0, chunk.length * d), i * d)
    out.logits.forEach((l, k) => logits[k].set(reduceLogits(l, chunk.length, classes, members), i * folders.length))
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
    classes: readdirSync(cifarSplit(split)).sort(),
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
