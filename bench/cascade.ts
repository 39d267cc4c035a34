// Adaptive classification (the paper's cascade, mrl.ts): accuracy against the expected number of
// dims used, across confidence thresholds, next to each fixed prefix and the model card's FF-d.
import { calibrateCascade, cascadeScore, prefixPredictions, stableThreshold, type PrefixPredictions } from '../src/core/mrl'
import { rng, shuffle } from '../src/training/linalg'
import type { ModelCard } from '../src/main/adapters/models/modelCard'
import type { Split } from './embeddings'

export interface CascadePoint {
  threshold: number
  accuracy: number
  expected_dims: number
}

/** A calibration rule scored on rows it was not fitted on, over several random 5-fold splits. */
export interface HeldOut {
  /** mean over splits (each split scores every row once) */
  accuracy: number
  expected_dims: number
  min_accuracy: number
  max_accuracy: number
  /** splits whose held-out accuracy reaches the full head's */
  splits_reaching: number
  splits: number
  /** the first split's thresholds per fold (one per prefix but the last) */
  thresholds: number[][]
}

export interface CascadeResult {
  points: CascadePoint[]
  /** top-1 (percent) of each MRL head alone, on these logits */
  fixed: { dims: number; accuracy: number }[]
  /** FF-d top-1 (percent) from the model card: a separately trained model per d */
  ff: { dims: number; accuracy: number }[]
  full_dims: number
  full_accuracy: number
  /** the cheapest single threshold whose accuracy reaches the full head's, chosen on all rows (in-sample) */
  matches_full: CascadePoint | null
  /**
   * Thresholds fitted on 4/5 of the test split to reach the full head's accuracy there and scored
   * on the other 1/5: per-prefix (mrl.calibrateCascade) and one stable threshold (mrl.stableThreshold)
   */
  calibrated: { per_prefix: HeldOut; stable: HeldOut }
}

function rowsOf(pred: PrefixPredictions, rows: number[]): PrefixPredictions {
  return { classIndex: pred.classIndex.map((c) => Int32Array.from(rows, (r) => c[r])), confidence: pred.confidence.map((c) => Float64Array.from(rows, (r) => c[r])) }
}

const FOLDS = 5
const SPLITS = 20

type Rule = (pred: PrefixPredictions, labels: number[], nesting: number[], target: number) => number[]

function heldOut(test: Split, pred: PrefixPredictions, nesting: number[], fullAccuracy: number, rule: Rule): HeldOut {
  const all = Array.from({ length: test.n }, (_, r) => r)
  const runs = Array.from({ length: SPLITS }, (_, s) => {
    const order = s === 0 ? all : shuffle(all.slice(), rng(s)) // split 0: row % 5, as before
    let correct = 0
    let dims = 0
    const thresholds = Array.from({ length: FOLDS }, (_, h) => {
      const fit = order.filter((_, i) => i % FOLDS !== h)
      const score = order.filter((_, i) => i % FOLDS === h)
      const fitPred = rowsOf(pred, fit)
      const fitLabels = fit.map((r) => test.labels[r])
      const target = cascadeScore(fitPred, fitLabels, nesting, nesting.map(() => 1.01)).accuracy
      const th = rule(fitPred, fitLabels, nesting, target)
      const sc = cascadeScore(rowsOf(pred, score), score.map((r) => test.labels[r]), nesting, th)
      correct += sc.correct
      dims += sc.dims * score.length
      return th.slice(0, -1)
    })
    return { accuracy: (100 * correct) / test.n, dims: dims / test.n, thresholds }
  })
  const accs = runs.map((r) => r.accuracy)
  return {
    accuracy: accs.reduce((a, b) => a + b, 0) / SPLITS,
    expected_dims: runs.reduce((a, r) => a + r.dims, 0) / SPLITS,
    min_accuracy: Math.min(...accs),
    max_accuracy: Math.max(...accs),
    splits_reaching: accs.filter((a) => a >= fullAccuracy - 1e-9).length,
    splits: SPLITS,
    thresholds: runs[0].thresholds
  }
}

/** 0 stops at the first prefix; above 1 always walks to the last */
export const THRESHOLDS = [0, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995, 0.999, 0.9999, 1.01]

export function benchCascade(test: Split, card: ModelCard): CascadeResult {
  const nesting = card.nesting
  const classes = test.classes.length // CIFAR-10's label space (bench/embeddings.ts)
  // each row's top class and confidence at every prefix, once: every threshold below reuses them
  const pred = prefixPredictions(test.logits, classes)
  const points = THRESHOLDS.map((threshold) => {
    const s = cascadeScore(pred, test.labels, nesting, nesting.map(() => threshold))
    return { threshold, accuracy: (100 * s.correct) / test.n, expected_dims: s.dims }
  })
  const fixed = nesting.map((m, i) => {
    let correct = 0
    for (let r = 0; r < test.n; r++) if (pred.classIndex[i][r] === test.labels[r]) correct++
    return { dims: m, accuracy: (100 * correct) / test.n }
  })
  // the card's FF-d top-1 on CIFAR-10: metrics.cifar10.ff (a photo-model card, per evaluation set) or metrics.ff
  const metrics = card.metrics as Record<string, { top1?: Record<string, number>; ff?: { top1?: Record<string, number> } }> | undefined
  const ffTop1 = (metrics?.cifar10?.ff?.top1 ?? metrics?.ff?.top1 ?? {}) as Record<string, number>
  const ff = Object.entries(ffTop1).map(([d, a]) => ({ dims: Number(d), accuracy: a }))
  const full = fixed[fixed.length - 1]
  const reaching = points.filter((p) => p.accuracy >= full.accuracy).sort((a, b) => a.expected_dims - b.expected_dims)
  return {
    points,
    fixed,
    ff,
    full_dims: full.dims,
    full_accuracy: full.accuracy,
    matches_full: reaching[0] ?? null,
    calibrated: {
      per_prefix: heldOut(test, pred, nesting, full.accuracy, calibrateCascade),
      stable: heldOut(test, pred, nesting, full.accuracy, (p, l, n, t) => n.map(() => stableThreshold(p, l, n, t, THRESHOLDS)))
    }
  }
}
