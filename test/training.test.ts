// The training math on real embeddings: Fashion-MNIST photos (not trained on by the bundled model) and
// CIFAR-10 JPEGs through the non-Matryoshka FF-512 model, both embedded with onnxruntime as the app does.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { Embedder } from '../src/main/adapters/onnx/embedder.ts'
import { loadModel, resourcesDir, type Model } from '../src/main/adapters/models/modelCard.ts'
import { toTensor } from '../src/main/adapters/image/preprocess.ts'
import { adapt, identityAdaptor, saveAdaptor, unitRows } from '../src/training/adaptor.ts'
import { matryoshkaCrossEntropy, prototypeHeads } from '../src/training/heads.ts'
import { columns } from '../src/training/linalg.ts'
import { neighbourDistribution, similarityLoss } from '../src/training/similarity.ts'
import { trainSupervised } from '../src/training/supervised.ts'
import { trainUnsupervised } from '../src/training/unsupervised.ts'
import { AdaptorVersions, saveHeads } from '../src/main/adapters/fs/adaptorVersions.ts'
import { prefixRows } from '../src/core/mrl.ts'
import { fashionPng, readFashion } from '../fixtures/fashion.ts'
import { cifarLibrary, tempDir } from '../fixtures/photos.ts'
import { readdirSync } from 'node:fs'

async function embed(model: Model, inputs: (string | Buffer)[]): Promise<Float32Array> {
  const { card } = model
  const plane = 3 * card.input.size * card.input.size
  const batch = new Float32Array(inputs.length * plane)
  await Promise.all(inputs.map((src, i) => toTensor(src, card.input, batch, i * plane)))
  const e = await Embedder.create(model, 2)
  const out = (await e.run(batch, inputs.length)).embeddings.slice()
  await e.release()
  return out
}

const N_FASHION = 300
let mrl: Model
let fx: Float32Array
let fy: Int32Array

before(async () => {
  mrl = await loadModel()
  const split = readFashion('train')
  fx = await embed(mrl, await Promise.all(Array.from({ length: N_FASHION }, (_, i) => fashionPng(split, i))))
  fy = Int32Array.from(split.labels.subarray(0, N_FASHION))
})

/** (L(y + h e_k) - L(y - h e_k)) / 2h against the analytic dL/dy_k, at a few coordinates. */
function checkGradient(loss: (y: Float32Array, dy: Float32Array) => number, y: Float32Array): void {
  const dy = new Float32Array(y.length)
  loss(y, dy)
  // small against the rows' prefix norms: an 8-dim prefix of a unit 512-d embedding can be ~0.04
  const h = 1e-3
  for (const k of [0, 3, 17, 40, y.length - 1]) {
    const plus = y.slice()
    plus[k] += h
    const minus = y.slice()
    minus[k] -= h
    const numeric = (loss(plus, new Float32Array(y.length)) - loss(minus, new Float32Array(y.length))) / (2 * h)
    assert.ok(Math.abs(numeric - dy[k]) <= 2e-3 + 0.05 * Math.abs(numeric), `coordinate ${k}: analytic ${dy[k]}, numeric ${numeric}`)
  }
}

test('the gradients of the MRL cross-entropy and of the similarity term match finite differences', () => {
  const n = 12
  const d = 32
  const nesting = [8, 16, 32]
  const y = columns(unitRows(fx, n, 512), n, 512, d)
  const heads = prototypeHeads(nesting, 10, y, n, d, fy)
  checkGradient((yy, dy) => matryoshkaCrossEntropy(heads, yy, n, d, fy, dy).loss, y)
  const other = columns(unitRows(fx.subarray(n * 512), n, 512), n, 512, d)
  const target = neighbourDistribution(prefixRows(other, n, d, d).rows, n, d)
  checkGradient((yy, dy) => similarityLoss(target, yy, n, d, nesting, dy), y)
})

test('supervised Matryoshka fine-tuning: the loss falls, one head per prefix, every prefix beats chance on held-out photos', () => {
  const nesting = mrl.card.nesting
  const res = trainSupervised(
    { x: fx.subarray(0, 200 * 512), n: 200, d: 512, labels: fy.subarray(0, 200), classes: Array.from({ length: 10 }, (_, i) => `c${i}`), unlabelled: { x: fx.subarray(200 * 512), n: 100 } },
    { nesting, epochs: 15, patience: 15 }
  )
  assert.deepEqual(res.heads.map((h) => h.dims), nesting)
  assert.equal(res.valAccuracy.length, nesting.length)
  const first = res.history[0].loss
  const last = res.history[res.history.length - 1].loss
  assert.ok(last < 0.8 * first, `loss ${first} -> ${last}`)
  for (const [k, acc] of res.valAccuracy.entries()) assert.ok(acc > 0.3, `held-out accuracy at ${nesting[k]} dims: ${acc}`)
  // the held-out photos were not trained on
  const train = new Set(res.split.train)
  assert.ok(res.split.val.length > 0 && res.split.val.every((i) => !train.has(i)))
})

test('unsupervised adaptor on a non-Matryoshka model: short prefixes keep more of the full-embedding neighbours than truncation', async () => {
  const ff = await loadModel(join(resourcesDir(), 'models', 'ff512-resnet18-cifar10.onnx'))
  const lib = cifarLibrary(60)
  try {
    const files = readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jpg')).map((f) => join(lib, f))
    const x = await embed(ff, files)
    const nesting = [8, 16, 32, 64, 128, 256, 512]
    const res = trainUnsupervised(x, files.length, 512, { nesting, epochs: 3, steps: 10, batch: 128, holdout: 150, pcaSample: 450 })
    for (const m of [8, 16]) {
      const k = nesting.indexOf(m)
      assert.ok(res.after[k] > res.before[k], `${m} dims: truncation ${res.before[k]}, adaptor ${res.after[k]}`)
    }
    assert.equal(res.history.length > 0, true)
  } finally {
    rmSync(lib, { recursive: true, force: true })
  }
})

test('adaptor versions: each run is kept, and any can be made active or dropped (rollback)', () => {
  const dir = tempDir('mrl-adaptors-')
  try {
    const v = new AdaptorVersions(dir)
    const a = identityAdaptor(16, [8, 16])
    a.weight[1] = 0.5
    const info = { kind: 'supervised' as const, model: 'm', classes: ['a', 'b'], photos: 4, seconds: 1, epochs: 1, metric: 'accuracy' as const, perPrefix: [1, 1], threshold: 0.9 }
    const v1 = v.add(info, saveAdaptor(a), saveHeads(prototypeHeads([8, 16], 2, new Float32Array(32).fill(1), 2, 16, [0, 1])))
    const v2 = v.add(info, saveAdaptor(identityAdaptor(16, [8, 16])), [])
    assert.deepEqual(v.list('m').map((x) => x.version), [v1.version, v2.version])
    assert.deepEqual(v.list('other'), [])
    v.setActive('m', v2.version)
    assert.equal(v.active('m'), v2.version)
    v.setActive('m', v1.version)
    const back = v.load(v.active('m')!)
    assert.deepEqual(Array.from(back.adaptor.weight), Array.from(a.weight))
    const x = Float32Array.from({ length: 16 }, (_, i) => i + 1)
    assert.notDeepEqual(Array.from(adapt(back.adaptor, x, 1)), Array.from(unitRows(x, 1, 16)))
    v.setActive('m', null)
    assert.equal(v.active('m'), null)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
