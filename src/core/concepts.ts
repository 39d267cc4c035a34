// What a photo shows, in concepts people can trust: the model's full head, temperature-calibrated,
// read through the vocabulary's hierarchy (a concept's probability is its own plus everything below
// it, so "dog" is sure when the breeds disagree). A concept is named as sure only at or above the
// card's calibrated threshold; otherwise the few likeliest are given with their probability.
// Pure: no I/O; the card's calibration is written by pretrain/calibrate.py.
import { z } from 'zod'
import { softmax } from './mrl'
import type { Guess } from '../shared/describe'

const Cut = z.object({ threshold: z.number(), precision: z.number(), recall: z.number() })
export const Calibration = z.object({
  temperature: z.record(z.string(), z.number()),
  label: z.object({ threshold: z.number(), temperature: z.number(), dims: z.number(), precision: z.number().nullable(), coverage: z.number() }),
  text: z.record(z.string(), Cut),
  photo: z.record(z.string(), Cut)
})
export type Calibration = z.infer<typeof Calibration>

/** label: the most specific concept at or above the calibrated threshold (null: none is sure); see describe.ts */
export type ConceptGuess = Guess

export interface GuessHead { weight: Float32Array; bias: Float32Array; dims: number }

/** A card's calibration, or null where it has none (imported models) or it does not parse. */
export function readCalibration(raw: unknown): Calibration | null {
  const parsed = Calibration.safeParse(raw)
  return parsed.success ? parsed.data : null
}

export class ConceptReader {
  private readonly ancestors: number[][]
  private readonly depth: number[]

  constructor(private readonly names: string[], parents: number[][], private readonly head: GuessHead,
    private readonly calibration: Calibration) {
    const up = (c: number, seen = new Set<number>()): number[] => {
      for (const p of parents[c] ?? []) if (!seen.has(p)) { seen.add(p); up(p, seen) }
      return [...seen]
    }
    this.ancestors = names.map((_n, c) => up(c))
    this.depth = this.ancestors.map((a) => a.length)
  }

  /** Probability of every concept (own) and of its subtree, from a photo's embedding. */
  probabilities(z: Float32Array): { own: number[]; subtree: number[] } {
    const { weight, bias, dims } = this.head
    const t = this.calibration.label.temperature
    const logits = new Float64Array(this.names.length)
    for (let c = 0; c < logits.length; c++) {
      let s = bias[c]
      const row = c * dims
      for (let j = 0; j < dims; j++) s += weight[row + j] * z[j]
      logits[c] = s / t
    }
    const own = softmax(logits)
    const subtree = own.slice()
    own.forEach((p, c) => { for (const a of this.ancestors[c]) subtree[a] += p })
    return { own, subtree }
  }

  guess(z: Float32Array, alternatives = 3): ConceptGuess {
    const { own, subtree } = this.probabilities(z)
    const tau = this.calibration.label.threshold
    let label = -1
    for (let c = 0; c < subtree.length; c++) {
      if (subtree[c] < tau) continue
      if (label < 0 || this.depth[c] > this.depth[label] || (this.depth[c] === this.depth[label] && subtree[c] > subtree[label])) label = c
    }
    const kinds = label < 0 ? [] : [...this.ancestors[label]].sort((a, b) => this.depth[b] - this.depth[a]).map((a) => this.names[a])
    const top = own.map((p, c) => ({ c, p }))
      .filter(({ c }) => c !== label && !(label >= 0 && this.ancestors[label].includes(c)))
      .sort((a, b) => b.p - a.p).slice(0, alternatives)
      .map(({ c, p }) => ({ name: this.names[c], p }))
    let below: ConceptGuess['below'] = null
    if (label >= 0) {
      for (let c = 0; c < own.length; c++) {
        if (this.ancestors[c].includes(label) && own[c] > (below?.p ?? 0)) below = { name: this.names[c], p: own[c] }
      }
    }
    return { label: label < 0 ? null : this.names[label], p: label < 0 ? 0 : subtree[label], kinds, below, top }
  }
}

/** The calibrated cut-off for a search whose last stage scores on `dims` (null: none known). */
export function relevanceCutoff(calibration: Calibration | null, kind: 'text' | 'photo', dims: number): number | null {
  return calibration?.[kind][String(dims)]?.threshold ?? null
}

interface CardLike {
  classes: string[]
  concepts?: { parents: number[] }[]
  nesting: number[]
  calibration?: unknown
}
const readers = new WeakMap<object, ConceptReader | null>()

/** The reader of a loaded model (cached per model object), or null where its card has no calibration or heads. */
export function conceptReaderFor(model: { card: CardLike; heads: Map<number, GuessHead> }): ConceptReader | null {
  if (readers.has(model)) return readers.get(model)!
  const calibration = readCalibration(model.card.calibration)
  const head = calibration ? model.heads.get(calibration.label.dims) : undefined
  const reader = calibration && head
    ? new ConceptReader(model.card.classes, model.card.concepts?.map((c) => c.parents) ?? [], head, calibration)
    : null
  readers.set(model, reader)
  return reader
}
