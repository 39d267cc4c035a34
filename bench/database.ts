// The databases the benchmark searches, all made of the model's real embeddings:
//   real   the 50,000 CIFAR-10 train embeddings (quality is measured here)
//   small  every 10th of them (5,000), for CI
//   1M     1,000,000 = 20 copies of the 50,000: copy 0 as is, copies 1..19 each embedding plus
//          Gaussian noise with per-dimension sigma = NOISE x that dimension's std over the train
//          set, not renormalised (the engine stores raw embeddings and ranks by cosine). Noise
//          scaled per dimension keeps each prefix's structure; it serves speed and memory only.
//          Like the app's, each table keeps an f16 copy of its rows to rescore the last candidates.
import { join } from 'node:path'
import { VectorTable } from '../src/core/vectors'
import { rng } from '../src/training/linalg'
import { shortFor } from '../src/core/kernels'
import { HalfRows } from '../src/main/adapters/vectors/halfRows'
import { CACHE, type Split } from './embeddings'

const fineCopy = (dims: number) => HalfRows.create(join(CACHE, 'scratch'), dims)

export const NOISE = 0.25

export interface Database {
  scale: string
  n: number
  dims: number
  /** the embeddings as float32, row after row: the ground truth and the peers search these */
  vectors: Float32Array
  /** our engine's table of the same rows (one byte a dim, src/core/vectors.ts); ids = rows */
  table: VectorTable
  /** class of each row (a noisy copy keeps its source's class) */
  labels: Uint8Array
  /** quality is meaningful only on the real embeddings */
  real: boolean
}

function rows(split: Split, pick: number[]): { vectors: Float32Array; labels: Uint8Array } {
  const d = split.dims
  const vectors = new Float32Array(pick.length * d)
  pick.forEach((r, i) => vectors.set(split.vectors.subarray(r * d, (r + 1) * d), i * d))
  return { vectors, labels: Uint8Array.from(pick, (r) => split.labels[r]) }
}

function table(dims: number, vectors: Float32Array): VectorTable {
  const n = vectors.length / dims
  return VectorTable.from(dims, Int32Array.from({ length: n }, (_, i) => i), vectors, fineCopy(dims))
}

export function realDatabase(train: Split, every = 1): Database {
  const pick = Array.from({ length: Math.floor(train.n / every) }, (_, i) => i * every)
  const { vectors, labels } = rows(train, pick)
  return { scale: every === 1 ? `${train.n / 1000}k` : `${pick.length / 1000}k`, n: pick.length, dims: train.dims, vectors, table: table(train.dims, vectors), labels, real: true }
}

/** A deterministic normal generator (mulberry32 + Box-Muller), so every run searches the same 1M. */
function gaussian(seed: number): () => number {
  const uniform = rng(seed)
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform())
}

export function scaledDatabase(train: Split, n: number, log: (s: string) => void): Database {
  const d = train.dims
  const std = new Float64Array(d)
  const mean = new Float64Array(d)
  for (let r = 0; r < train.n; r++) for (let j = 0; j < d; j++) mean[j] += train.vectors[r * d + j] / train.n
  for (let r = 0; r < train.n; r++) for (let j = 0; j < d; j++) std[j] += (train.vectors[r * d + j] - mean[j]) ** 2 / train.n
  for (let j = 0; j < d; j++) std[j] = NOISE * Math.sqrt(std[j])
  const t = new VectorTable(d, n, shortFor(d), fineCopy(d))
  const vectors = new Float32Array(n * d)
  const labels = new Uint8Array(n)
  const noise = gaussian(12345)
  for (let i = 0; i < n; i++) {
    const src = i % train.n
    const copy = Math.floor(i / train.n)
    const row = vectors.subarray(i * d, (i + 1) * d)
    for (let j = 0; j < d; j++) row[j] = train.vectors[src * d + j] + (copy ? std[j] * noise() : 0)
    t.set(i, row)
    labels[i] = train.labels[src]
    if ((i + 1) % 200_000 === 0) log(`  building the ${n / 1e6}M database: ${i + 1}/${n}`)
  }
  return { scale: `${n / 1e6}M`, n, dims: d, vectors, table: t, labels, real: false }
}

/** Every (total / count)-th row: a sample stratified over the class-sorted query split. */
export function sampleRows(total: number, count: number): number[] {
  const c = Math.min(total, count)
  return Array.from({ length: c }, (_, i) => Math.floor((i * total) / c))
}

export function queryVectors(split: Split, rowsWanted: number[]): Float32Array[] {
  const d = split.dims
  return rowsWanted.map((r) => split.vectors.subarray(r * d, (r + 1) * d))
}
