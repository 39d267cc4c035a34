// The bundled model's card (input size, mean/std, nesting list, classes) and its MRL heads.
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { displayName } from '../../../shared/api'

/** A concept of a vocabulary with a hierarchy (pretrain/photo.py): WordNet 3.0 id, words, parents by index. */
export const ConceptClass = z.object({
  wnid: z.string(),
  name: z.string(),
  words: z.array(z.string()),
  gloss: z.string().default(''),
  parents: z.array(z.number().int().nonnegative()).default([])
})
export type ConceptClass = z.infer<typeof ConceptClass>

/** The card as its file holds it (`classes` as names or as concept objects). */
export const CardFile = z.object({
  name: displayName(200),
  arch: z.string().default('unknown'),
  embedding_dim: z.number().int().positive(),
  nesting: z.array(z.number().int().positive()).min(1),
  input: z.object({
    name: z.string().default('image'),
    size: z.number().int().positive(),
    mean: z.array(z.number()).length(3),
    std: z.array(z.number()).length(3),
    channels: z.enum(['RGB', 'BGR']).default('RGB'),
    layout: z.enum(['NCHW', 'NHWC']).default('NCHW')
  }),
  outputs: z.object({ embedding: z.string(), logits: z.record(z.string(), z.string()).default({}) }),
  classes: z.array(z.union([z.string(), ConceptClass])),
  heads_file: z.string().optional(),
  sha256: z.string().optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  /** pretrain/calibrate.py's thresholds; read by concepts.ts */
  calibration: z.unknown().optional()
}).superRefine((card, ctx) => {
  card.classes.forEach((c, i) => {
    if (typeof c === 'string') return
    for (const p of c.parents) {
      if (p >= card.classes.length || p === i) ctx.addIssue({ code: 'custom', path: ['classes', i, 'parents'], message: `parent ${p} of “${c.name}” is not another class (${card.classes.length} classes)` })
    }
  })
})
export type CardFile = z.infer<typeof CardFile>

/**
 * The card as the app uses it: `classes` are the names everywhere; a card that gives concept
 * objects (every one of them) keeps them as `concepts`, in the same order. `cardFile` turns it back
 * into what a file holds, so a written copy round-trips.
 */
export const Card = CardFile.transform(({ classes, ...card }): Omit<CardFile, 'classes'> & { classes: string[]; concepts?: ConceptClass[] } => {
  const names = classes.map((c) => (typeof c === 'string' ? c : c.name))
  // a mix of names and objects keeps names only: a string class has no words or parents to keep
  const concepts = classes.length > 0 && classes.every((c) => typeof c !== 'string') ? (classes as ConceptClass[]) : undefined
  return concepts ? { ...card, classes: names, concepts } : { ...card, classes: names }
})
export type ModelCard = z.infer<typeof Card>

/** What a card file holds for `card` (the concept objects back in `classes`): Card.parse(cardFile(c)) gives c again. */
export function cardFile(card: ModelCard): CardFile {
  const { concepts, ...rest } = card
  return { ...rest, classes: concepts ?? card.classes }
}

/** A model card's MRL head: `weight` is classes x dims, row-major (training/heads.ts's Head is dims x classes). */
export interface CardHead {
  /** classes x m, row-major */
  weight: Float32Array
  bias: Float32Array
  dims: number
}

export interface Model {
  card: ModelCard
  onnxPath: string
  /** one head per prefix in card.nesting (empty when the model ships none) */
  heads: Map<number, CardHead>
}

export const BUNDLED_MODEL = 'mrl-photo'

/** resources/ next to the source tree (dev, tests) or the built app (out/main/..; app.asar.unpacked when installed). */
export function resourcesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (let dir = here; ; dir = dirname(dir)) {
    // in an installed app the model sits in app.asar.unpacked, where onnxruntime (native code) can read it
    const unpacked = dir.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked')
    if (unpacked !== dir && existsSync(join(unpacked, 'resources', 'models'))) return join(unpacked, 'resources')
    if (existsSync(join(dir, 'resources', 'models'))) return join(dir, 'resources')
    if (dirname(dir) === dir) break
  }
  throw new Error(`resources/models not found above ${here}`)
}

export function bundledModelPath(): string {
  return process.env.MRL_MODEL ?? join(resourcesDir(), 'models', `${BUNDLED_MODEL}.onnx`)
}

export async function loadModel(onnxPath = bundledModelPath()): Promise<Model> {
  const cardPath = onnxPath.replace(/\.onnx$/, '.json')
  const card = Card.parse(JSON.parse(await readFile(cardPath, 'utf8')))
  const heads = new Map<number, CardHead>()
  if (card.heads_file) {
    const raw = JSON.parse(await readFile(join(dirname(onnxPath), card.heads_file), 'utf8')) as {
      heads: Record<string, { weight: number[][]; bias: number[] }>
    }
    for (const [m, h] of Object.entries(raw.heads)) {
      heads.set(Number(m), { weight: Float32Array.from(h.weight.flat()), bias: Float32Array.from(h.bias), dims: Number(m) })
    }
  }
  return { card, onnxPath, heads }
}

/** A class's query vector at prefix m: that class's row of the MRL head for m. */
export function classVector(model: Model, classIndex: number, m: number): Float32Array {
  const head = model.heads.get(m)
  if (!head) throw new Error(`model ${model.card.name} has no head for ${m} dims`)
  return head.weight.slice(classIndex * m, (classIndex + 1) * m)
}
