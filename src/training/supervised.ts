// Supervised Matryoshka fine-tuning: a linear adaptor on the stored embeddings, trained with the MRL
// loss over the user's labels (a cosine head per prefix, cross-entropies summed) plus a term that
// keeps the neighbour structure of unlabelled photos; early stopping on the held-out split.
import { Adam } from './adam'
import { cloneAdaptor, forwardUnit, identityAdaptor, unitRows, type Adaptor } from './adaptor'
import { headAccuracy, matryoshkaCrossEntropy, prototypeHeads, type Head } from './heads'
import { addMatmulAT, gatherRows, rng, shuffle } from './linalg'
import { Cancelled, mean, type EpochReport, type TrainControl } from './progress'
import { neighbourDistribution, similarityLoss } from './similarity'
import { stratifiedSplit } from './split'
import { prefixRows } from '../core/mrl'

export interface SupervisedData {
  /** n x d raw embeddings of the labelled photos */
  x: Float32Array
  n: number
  d: number
  /** class index per labelled photo */
  labels: Int32Array
  classes: string[]
  /** raw embeddings of other photos, whose neighbour structure the adaptor should keep */
  unlabelled?: { x: Float32Array; n: number }
}

export interface SupervisedOptions {
  nesting: number[]
  epochs?: number
  batch?: number
  lr?: number
  /** weight of the structure-keeping term */
  structure?: number
  holdout?: number
  patience?: number
  seed?: number
}

export interface SupervisedResult {
  adaptor: Adaptor
  heads: Head[]
  classes: string[]
  /** held-out accuracy per prefix of the kept (best) epoch */
  valAccuracy: number[]
  history: EpochReport[]
  /** indices into the labelled set */
  split: { train: number[]; val: number[] }
  stoppedBy: 'patience' | 'epochs'
}

const copyHeads = (hs: Head[]) => hs.map((h) => ({ ...h, weight: h.weight.slice(), bias: h.bias.slice() }))

export function trainSupervised(data: SupervisedData, opts: SupervisedOptions, control: TrainControl = {}): SupervisedResult {
  const { d, classes } = data
  const nesting = opts.nesting.filter((m) => m <= d)
  const epochs = opts.epochs ?? 30
  // small batches: a few hundred labels give few steps per epoch, and more, smaller steps learn more per second
  const batch = opts.batch ?? 64
  const structure = opts.structure ?? 1
  // the held-out split is small (20 % of the labels), so its accuracy is noisy: wait longer for a new best
  const patience = opts.patience ?? 10
  const seed = opts.seed ?? 1
  const random = rng(seed)
  const xHat = unitRows(data.x, data.n, d)
  const split = stratifiedSplit(data.labels, opts.holdout ?? 0.2, seed)
  const valX = gatherRows(xHat, d, split.val)
  const valY = Int32Array.from(split.val, (i) => data.labels[i])
  const pool = data.unlabelled && data.unlabelled.n >= 16 ? unitRows(data.unlabelled.x, data.unlabelled.n, d) : null
  const poolN = data.unlabelled?.n ?? 0

  const adaptor = identityAdaptor(d, nesting)
  const trainX = gatherRows(xHat, d, split.train)
  const heads = prototypeHeads(nesting, classes.length, trainX, split.train.length, d, Int32Array.from(split.train, (i) => data.labels[i]))
  const params = [adaptor.weight, adaptor.bias, ...heads.flatMap((h) => [h.weight, h.bias])]
  const adam = new Adam(params, opts.lr ?? 3e-3)

  let best = { score: -1, adaptor: cloneAdaptor(adaptor), heads: copyHeads(heads), perPrefix: nesting.map(() => 0) }
  let sinceBest = 0
  const history: EpochReport[] = []
  let stoppedBy: SupervisedResult['stoppedBy'] = 'epochs'
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = shuffle([...split.train], random)
    let lossSum = 0
    let steps = 0
    for (let s = 0; s < order.length; s += batch) {
      if (control.cancelled?.()) throw new Cancelled()
      const idx = order.slice(s, s + batch)
      const n = idx.length
      const xb = gatherRows(xHat, d, idx)
      const yb = forwardUnit(adaptor, xb, n)
      const dy = new Float32Array(n * d)
      const ce = matryoshkaCrossEntropy(heads, yb, n, d, Int32Array.from(idx, (i) => data.labels[i]), dy)
      const gW = new Float32Array(d * d)
      const gb = new Float32Array(d)
      addMatmulAT(xb, dy, n, d, d, gW)
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) gb[j] += dy[i * d + j]
      let loss = ce.loss
      if (pool && structure > 0) {
        // a batch of unlabelled photos: their neighbours under the adapted full vector should stay
        const u = Math.min(batch / 2, poolN)
        const pick = Array.from({ length: u }, () => Math.floor(random() * poolN))
        const xu = gatherRows(pool, d, pick)
        const target = neighbourDistribution(prefixRows(xu, u, d, d).rows, u, d)
        const yu = forwardUnit(adaptor, xu, u)
        const dyu = new Float32Array(u * d)
        loss += similarityLoss(target, yu, u, d, [d], dyu, structure)
        addMatmulAT(xu, dyu, u, d, d, gW)
        for (let i = 0; i < u; i++) for (let j = 0; j < d; j++) gb[j] += dyu[i * d + j]
      }
      adam.step([gW, gb, ...ce.grads.weight.flatMap((w, k) => [w, ce.grads.bias[k]])])
      lossSum += loss
      steps++
    }
    const perPrefix = headAccuracy(heads, forwardUnit(adaptor, valX, valY.length), valY.length, d, valY)
    const score = mean(perPrefix)
    const improved = score > best.score
    if (improved) {
      best = { score, adaptor: cloneAdaptor(adaptor), heads: copyHeads(heads), perPrefix }
      sinceBest = 0
    } else sinceBest++
    const report: EpochReport = { epoch, epochs, loss: lossSum / Math.max(1, steps), perPrefix, metric: 'accuracy', best: improved }
    history.push(report)
    control.onEpoch?.(report)
    if (sinceBest >= patience) {
      stoppedBy = 'patience'
      break
    }
  }
  return { adaptor: best.adaptor, heads: best.heads, classes, valAccuracy: best.perPrefix, history, split, stoppedBy }
}
