// The committed model, as the app runs it: onnxruntime-node on photos decoded by sharp. The bundled
// model is pretrain/photo.py's: ~220 WordNet concepts (Tiny ImageNet, Imagenette, CIFAR-10) at 64 px,
// its card's metrics per evaluation set (metrics.<set>.<head>.<metric>.<dims>).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Embedder } from '../src/main/adapters/onnx/embedder.ts'
import { bundledModelPath, loadModel } from '../src/main/adapters/models/modelCard.ts'
import { toTensor } from '../src/main/adapters/image/preprocess.ts'
import { cifarSplit, ROOT } from '../fixtures/photos.ts'

const SETS = ['tinyimagenet', 'cifar10', 'imagenette']
const HEADS = ['mrl', 'ff', 'ff512_truncated', 'ff512_pca']
/** the card's training config, which the engine's schema does not keep */
const RAW_CONFIG = JSON.parse(readFileSync(bundledModelPath().replace(/\.onnx$/, '.json'), 'utf8')).training.config as { name: string; input_size: number; test_limit_per_class: number }
type Metrics = Record<string, Record<string, Record<string, Record<string, number>>>>
/** pretrain/concepts.json: each concept's folder name in the sets it comes from */
const VOCABULARY = JSON.parse(readFileSync(join(ROOT, 'pretrain', 'concepts.json'), 'utf8')).concepts as { wnid: string; sources: Record<string, string> }[]

test('the model card describes the committed ONNX file, its 64-px input, its concepts and every metric', async () => {
  const model = await loadModel()
  const { card } = model
  const onnx = readFileSync(bundledModelPath())
  assert.equal(card.sha256, createHash('sha256').update(onnx).digest('hex'))
  assert.equal(card.name, 'mrl-photo')
  assert.equal(card.input.size, 64)
  assert.equal(RAW_CONFIG.input_size, card.input.size)
  // the concepts: names in `classes`, the objects (WordNet id, words, parents) in `concepts`
  assert.equal(card.classes.length, VOCABULARY.length)
  assert.equal(card.concepts?.length, card.classes.length)
  assert.deepEqual(card.concepts!.map((c) => c.wnid), VOCABULARY.map((c) => c.wnid))
  assert.deepEqual(card.concepts!.map((c) => c.name), card.classes)
  const dog = card.classes.indexOf('dog')
  assert.ok(card.concepts![card.classes.indexOf('golden retriever')].parents.includes(dog), 'golden retriever → dog')
  for (const c of card.concepts!) assert.ok(c.words.length > 0 && c.parents.every((p) => p >= 0 && p < card.classes.length), c.name)
  const metrics = card.metrics as Metrics
  for (const set of SETS) {
    for (const head of HEADS) for (const metric of ['top1', 'nn1', 'map10']) assert.ok(metrics[set]?.[head]?.[metric], `${set}.${head}.${metric}`)
    for (const metric of ['top1', 'nn1', 'map10']) assert.deepEqual(Object.keys(metrics[set].mrl[metric]).map(Number), card.nesting, `${set}.mrl.${metric}`)
  }
  // the new-class transfer run, once joined into the card (pretrain/photo.py --transfer)
  if (metrics.transfer) for (const metric of ['nn1', 'map10']) assert.deepEqual(Object.keys(metrics.transfer.mrl[metric]).map(Number), card.nesting)
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

const cifarSubset = (RAW_CONFIG.test_limit_per_class ?? 0) > 0
  ? `the card's CIFAR-10 metrics are from ${RAW_CONFIG.test_limit_per_class} test photos per class (${RAW_CONFIG.name}): nothing to reproduce on all 10,000`
  : false

test('classifying the 10,000 CIFAR-10 test JPEGs through the hierarchy reproduces the card\'s cifar10 d=512 top-1 within 1.5 points (the card decodes with Pillow, the app with sharp: 32-px images upscale differently)', { skip: cifarSubset }, async () => {
  const model = await loadModel()
  const embedder = await Embedder.create(model)
  const root = cifarSplit('test')
  const concepts = model.card.concepts!
  const K = concepts.length
  // each CIFAR class scored as the probability of its subtree (the card's top1: a retriever counts as "dog")
  const below = (k: number, c: number): boolean => k === c || concepts[k].parents.some((p) => below(p, c))
  const folders = readdirSync(root).sort()
  const classConcept = folders.map((f) => VOCABULARY.findIndex((c) => c.sources.cifar10 === f))
  assert.ok(classConcept.every((c) => c >= 0), 'every CIFAR folder is a concept')
  const subtree = classConcept.map((c) => Array.from({ length: K }, (_, k) => below(k, c)))
  const files = folders.flatMap((cls, label) => readdirSync(join(root, cls)).map((f) => ({ path: join(root, cls, f), label })))
  assert.equal(files.length, 10000)
  const spec = model.card.input
  const plane = 3 * spec.size * spec.size
  const last = model.card.nesting.length - 1
  let correct = 0
  const B = 250
  for (let i = 0; i < files.length; i += B) {
    const chunk = files.slice(i, i + B)
    const batch = new Float32Array(chunk.length * plane)
    await Promise.all(chunk.map((f, j) => toTensor(f.path, spec, batch, j * plane)))
    const logits = (await embedder.run(batch, chunk.length)).logits[last]
    chunk.forEach((f, j) => {
      const row = logits.subarray(j * K, (j + 1) * K)
      const top = Math.max(...row)
      const p = Array.from(row, (v) => Math.exp(v - top))
      const scores = subtree.map((mask) => p.reduce((s, v, k) => (mask[k] ? s + v : s), 0))
      if (scores.indexOf(Math.max(...scores)) === f.label) correct++
    })
  }
  const top1 = (100 * correct) / files.length
  const card = (model.card.metrics as Metrics).cifar10.mrl.top1['512']
  console.log(`# onnxruntime-node + sharp: CIFAR-10 top-1 ${top1.toFixed(2)}% at d=512 (through the hierarchy); model card ${card}%`)
  // measured here: 71.84 (app, sharp's Lanczos 32→64) vs 73.16 (card, Pillow's); the old 32-px model had no upscaling to differ
  assert.ok(Math.abs(top1 - card) <= 1.5, `${top1} vs ${card}`)
  await embedder.release()
})
