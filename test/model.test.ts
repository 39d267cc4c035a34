// The committed model, as the app runs it: onnxruntime-node on photos decoded by sharp.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Embedder } from '../src/main/engine/embedder.ts'
import { bundledModelPath, loadModel } from '../src/main/engine/modelCard.ts'
import { toTensor } from '../src/main/engine/preprocess.ts'
import { cifarSplit } from './fixtures.ts'

const HEADS = ['mrl', 'mrle', 'ff', 'ff512_truncated', 'ff512_pca']

test('the model card describes the committed ONNX file and every metric', async () => {
  const model = await loadModel()
  const onnx = readFileSync(bundledModelPath())
  assert.equal(model.card.sha256, createHash('sha256').update(onnx).digest('hex'))
  for (const head of HEADS) for (const metric of ['top1', 'nn1', 'map10']) assert.ok(model.card.metrics?.[head], `${head}`)
  const dir = join(bundledModelPath(), '..')
  const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0)
  assert.ok(bytes < 50 * 1024 * 1024, `model files take ${bytes} bytes`)
})

test('the sidecar heads are the ONNX graph\'s heads: logits_m = z[:m] W_m^T + b_m', async () => {
  const model = await loadModel()
  const embedder = await Embedder.create(model)
  const s = model.card.input.size
  const batch = new Float32Array(4 * 3 * s * s).map((_, i) => Math.sin(i * 0.37))
  const out = await embedder.run(batch, 4)
  const d = model.card.embedding_dim
  const classes = model.card.classes.length
  model.card.nesting.forEach((m, k) => {
    const head = model.heads.get(m)!
    for (let n = 0; n < 4; n++) {
      for (let c = 0; c < classes; c++) {
        let v = head.bias[c]
        for (let j = 0; j < m; j++) v += out.embeddings[n * d + j] * head.weight[c * m + j]
        assert.ok(Math.abs(v - out.logits[k][n * classes + c]) < 1e-3, `head ${m}, class ${c}`)
      }
    }
  })
  await embedder.release()
})

test('classifying the 10,000 CIFAR-10 test JPEGs reproduces the card\'s d=512 top-1 within 0.2 points', async () => {
  const model = await loadModel()
  const embedder = await Embedder.create(model)
  const root = cifarSplit('test')
  const files = model.card.classes.flatMap((cls, label) => readdirSync(join(root, cls)).map((f) => ({ path: join(root, cls, f), label })))
  assert.equal(files.length, 10000)
  const spec = model.card.input
  const plane = 3 * spec.size * spec.size
  const last = model.card.nesting.length - 1
  const classes = model.card.classes.length
  let correct = 0
  const B = 250
  for (let i = 0; i < files.length; i += B) {
    const chunk = files.slice(i, i + B)
    const batch = new Float32Array(chunk.length * plane)
    await Promise.all(chunk.map((f, j) => toTensor(f.path, spec, batch, j * plane)))
    const logits = (await embedder.run(batch, chunk.length)).logits[last]
    chunk.forEach((f, j) => {
      let best = 0
      for (let c = 1; c < classes; c++) if (logits[j * classes + c] > logits[j * classes + best]) best = c
      if (best === f.label) correct++
    })
  }
  const top1 = (100 * correct) / files.length
  const card = (model.card.metrics as Record<string, Record<string, Record<string, number>>>).mrl.top1['512']
  console.log(`# onnxruntime-node + sharp: top-1 ${top1.toFixed(2)}% at d=512; model card ${card}%`)
  assert.ok(Math.abs(top1 - card) <= 0.2, `${top1} vs ${card}`)
  await embedder.release()
})
