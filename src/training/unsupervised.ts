// The unsupervised Matryoshka adaptor, for a model trained without MRL: a linear map, started at the
// principal axes (centred), then trained so that every prefix keeps the neighbour distribution of
// the full embedding (similarity KL summed over the nesting list). No labels.
import { Adam } from './adam'
import { cloneAdaptor, forwardUnit, unitRows, type Adaptor } from './adaptor'
import { addMatmulAT, gatherRows, rng, shuffle } from './linalg'
import { principalAxes } from './pca'
import { Cancelled, mean, type EpochReport, type TrainControl } from './progress'
import { neighbourDistribution, neighbourOverlap, similarityLoss } from './similarity'
import { prefixRows } from '../core/mrl'

export interface UnsupervisedOptions {
  nesting: number[]
  epochs?: number
  /** optimiser steps per epoch */
  steps?: number
  batch?: number
  lr?: number
  patience?: number
  /** photos held out to measure neighbour preservation */
  holdout?: number
  /** photos the principal axes are estimated from */
  pcaSample?: number
  seed?: number
}

export interface UnsupervisedResult {
  adaptor: Adaptor
  history: EpochReport[]
  /** top-10 neighbour overlap with the full embedding per prefix, on the held-out photos */
  before: number[]
  atStart: number[]
  after: number[]
  stoppedBy: 'patience' | 'epochs'
}

/** The centred reference the prefixes should agree with (PCA is centred, so the target is too). */
function centred(xHat: Float32Array, n: number, d: number, mu: Float32Array): Float32Array {
  const out = xHat.slice()
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] -= mu[j]
  return out
}

export function trainUnsupervised(x: Float32Array, n: number, d: number, opts: UnsupervisedOptions, control: TrainControl = {}): UnsupervisedResult {
  const nesting = opts.nesting.filter((m) => m <= d)
  const seed = opts.seed ?? 1
  const random = rng(seed)
  const order = shuffle(Array.from({ length: n }, (_, i) => i), random)
  const holdout = Math.min(opts.holdout ?? 500, Math.floor(n / 4))
  const valIdx = order.slice(0, holdout)
  const trainIdx = order.slice(holdout)
  const xHat = unitRows(x, n, d)
  const pcaRows = gatherRows(xHat, d, trainIdx.slice(0, opts.pcaSample ?? 5000))
  const pca = principalAxes(pcaRows, pcaRows.length / d, d)

  // y = (x̂ - μ)·V: weight V, bias -μ·V
  const adaptor: Adaptor = { dIn: d, dOut: d, weight: pca.axes.slice(), bias: new Float32Array(d), nesting }
  for (let j = 0; j < d; j++) {
    let s = 0
    for (let r = 0; r < d; r++) s += pca.mean[r] * pca.axes[r * d + j]
    adaptor.bias[j] = -s
  }
  const valX = gatherRows(xHat, d, valIdx)
  const valRef = centred(valX, holdout, d, pca.mean)
  const overlap = (y: Float32Array, dims: number) => nesting.map((m) => neighbourOverlap(valRef, d, y, dims, holdout, m))
  const before = overlap(valX, d) // plain truncation of the model's own embedding
  const atStart = overlap(forwardUnit(adaptor, valX, holdout), d)
  const valTarget = neighbourDistribution(prefixRows(valRef, holdout, d, d).rows, holdout, d)
  const valLoss = () => similarityLoss(valTarget, forwardUnit(adaptor, valX, holdout), holdout, d, nesting, new Float32Array(holdout * d))

  const epochs = opts.epochs ?? 10
  const steps = opts.steps ?? 50
  const batch = opts.batch ?? 256
  const patience = opts.patience ?? 3
  const adam = new Adam([adaptor.weight, adaptor.bias], opts.lr ?? 5e-4)
  let best = { loss: valLoss(), adaptor: cloneAdaptor(adaptor) }
  let sinceBest = 0
  let stoppedBy: UnsupervisedResult['stoppedBy'] = 'epochs'
  const history: EpochReport[] = []
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let lossSum = 0
    for (let s = 0; s < steps; s++) {
      if (control.cancelled?.()) throw new Cancelled()
      const pick = Array.from({ length: Math.min(batch, trainIdx.length) }, () => trainIdx[Math.floor(random() * trainIdx.length)])
      const b = pick.length
      const xb = gatherRows(xHat, d, pick)
      const target = neighbourDistribution(prefixRows(centred(xb, b, d, pca.mean), b, d, d).rows, b, d)
      const yb = forwardUnit(adaptor, xb, b)
      const dy = new Float32Array(b * d)
      lossSum += similarityLoss(target, yb, b, d, nesting, dy)
      const gW = new Float32Array(d * d)
      addMatmulAT(xb, dy, b, d, d, gW)
      const gb = new Float32Array(d)
      for (let i = 0; i < b; i++) for (let j = 0; j < d; j++) gb[j] += dy[i * d + j]
      adam.step([gW, gb])
    }
    const loss = valLoss()
    const improved = loss < best.loss
    if (improved) {
      best = { loss, adaptor: cloneAdaptor(adaptor) }
      sinceBest = 0
    } else sinceBest++
    const report: EpochReport = { epoch, epochs, loss: lossSum / steps, perPrefix: overlap(forwardUnit(adaptor, valX, holdout), d), metric: 'neighbours@10', best: improved }
    history.push(report)
    control.onEpoch?.(report)
    if (sinceBest >= patience) {
      stoppedBy = 'patience'
      break
    }
  }
  return { adaptor: best.adaptor, history, before, atStart, after: overlap(forwardUnit(best.adaptor, valX, holdout), d), stoppedBy }
}

