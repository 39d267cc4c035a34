// pretrain/finetune.py with Debian's python3-torch: full-backbone fine-tuning from the bundled
// model's PyTorch weights on labelled photos, exported as the app loads models and checked in
// onnxruntime-node (the app's runtime).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { toTensor } from '../../src/main/engine/preprocess.ts'
import { fashionLibrary } from '../fashionFixtures.ts'
import { cifarLibrary, removeDirs, ROOT, tempDir } from '../fixtures.ts'

const PYTHON = process.env.MRL_PYTHON ?? '/usr/bin/python3'
const NESTING = ['8', '16', '32', '64', '128', '256', '512']
const BUNDLED = join(ROOT, 'resources', 'models', 'mrl-resnet18-cifar10')

interface Run {
  status: number | null
  events: Record<string, any>[]
  stderr: string
}

function finetune(args: string[]): Run {
  const res = spawnSync(PYTHON, ['-m', 'pretrain.finetune', ...args, '--threads', '2'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PYTHONUNBUFFERED: '1' }, timeout: 900_000 })
  const events = res.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, any>)
  return { status: res.status, events, stderr: res.stderr }
}

/** {path, label} for every photo of a class/photo folder. */
function labelsOf(lib: string, classes?: string[]): { path: string; label: string }[] {
  return readdirSync(lib)
    .filter((c) => !classes || classes.includes(c))
    .flatMap((c) => readdirSync(join(lib, c)).map((f) => ({ path: join(lib, c, f), label: c })))
}

async function embeddings(onnx: string, paths: string[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const card = JSON.parse(readFileSync(onnx.replace(/\.onnx$/, '.json'), 'utf8'))
  const plane = 3 * card.input.size * card.input.size
  const batch = new Float32Array(paths.length * plane)
  await Promise.all(paths.map((p, i) => toTensor(p, card.input, batch, i * plane)))
  const session = await ort.InferenceSession.create(onnx)
  const out = await session.run({ image: new ort.Tensor('float32', batch, [paths.length, 3, card.input.size, card.input.size]) })
  await session.release()
  return { data: out.embedding.data as Float32Array, dims: out.embedding.dims }
}

test('one epoch on 100 labelled CIFAR JPEGs: progress lines, ONNX with the card\'s interface, parity, heads, weights', async () => {
  const lib = cifarLibrary(10)
  const out = tempDir('mrl-finetune-')
  try {
    const labels = join(out, 'labels.json')
    writeFileSync(labels, JSON.stringify(labelsOf(lib)))
    const run = finetune(['--labels', labels, '--out', join(out, 'model'), '--epochs', '1', '--name', 'ft'])
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(run.events.map((e) => e.event), ['data', 'before', 'epoch', 'done'])
    const [data, before, epoch, done] = run.events
    assert.equal(data.photos, 100)
    assert.equal(data.classes.length, 10)
    assert.equal(data.train + data.heldout, 100)
    assert.equal(data.heldout, 20) // 20% of each class
    for (const e of [before, epoch]) {
      assert.deepEqual(Object.keys(e.accuracy), NESTING)
      for (const v of Object.values(e.accuracy) as number[]) assert.ok(v >= 0 && v <= 100)
    }
    assert.equal(epoch.epoch, 1)
    assert.ok(Number.isFinite(epoch.loss) && epoch.loss > 0)
    assert.ok(done.parity.max_abs_diff < 1e-3)

    const onnx = join(out, 'model', 'ft.onnx')
    assert.equal(done.onnx, onnx)
    const card = JSON.parse(readFileSync(join(out, 'model', 'ft.json'), 'utf8'))
    assert.equal(card.name, 'ft')
    assert.deepEqual(card.nesting, NESTING.map(Number))
    assert.deepEqual(card.classes, readdirSync(lib).sort())
    assert.equal(card.sha256, createHash('sha256').update(readFileSync(onnx)).digest('hex'))
    assert.equal(card.training.train_images, data.train)
    assert.equal(card.training.finetune.pixels, 'pillow')
    // the card's "after" metrics are those of the epoch kept: before (0) or the one epoch
    assert.deepEqual(card.metrics.mrl.top1, done.best_epoch === 1 ? epoch.accuracy : before.accuracy)
    for (const metric of ['top1', 'nn1', 'map10']) assert.deepEqual(Object.keys(card.metrics.before[metric]), NESTING)
    const heads = JSON.parse(readFileSync(join(out, 'model', card.heads_file), 'utf8'))
    for (const m of NESTING) {
      assert.equal(heads.heads[m].weight.length, 10)
      assert.equal(heads.heads[m].weight[0].length, Number(m))
    }
    assert.ok(existsSync(join(out, 'model', 'ft.pt')))

    const session = await ort.InferenceSession.create(onnx)
    assert.deepEqual(session.inputNames, ['image'])
    assert.deepEqual(session.outputNames, ['embedding', ...NESTING.map((m) => `logits_${m}`)])
    await session.release()
    const photos = labelsOf(lib).slice(0, 4).map((l) => l.path)
    const emb = await embeddings(onnx, photos)
    assert.deepEqual(emb.dims, [4, 512])
    // the whole backbone moved: the same photos no longer embed as the bundled model embeds them
    const base = await embeddings(`${BUNDLED}.onnx`, photos)
    const moved = emb.data.reduce((m, v, i) => Math.max(m, Math.abs(v - base.data[i])), 0)
    if (done.best_epoch === 1) assert.ok(moved > 1e-3, `max change ${moved}`)
  } finally {
    removeDirs(lib, out)
  }
})

test('the bundled PyTorch weights are the bundled ONNX: heads only (--epochs 0) keeps its embedding to 1e-4', async () => {
  const lib = await fashionLibrary(4, ['sandal', 'bag', 'trouser'])
  const out = tempDir('mrl-finetune-')
  try {
    const labels = join(out, 'labels.json')
    writeFileSync(labels, JSON.stringify(labelsOf(lib)))
    const run = finetune(['--labels', labels, '--out', join(out, 'model'), '--epochs', '0', '--name', 'probe'])
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(run.events.map((e) => e.event), ['data', 'before', 'done'])
    const photos = labelsOf(lib).map((l) => l.path)
    const mine = await embeddings(join(out, 'model', 'probe.onnx'), photos)
    const base = await embeddings(`${BUNDLED}.onnx`, photos)
    const diff = mine.data.reduce((m, v, i) => Math.max(m, Math.abs(v - base.data[i])), 0)
    assert.ok(diff < 1e-4, `max abs diff ${diff}`)
  } finally {
    removeDirs(lib, out)
  }
})

test('too few labels: a JSON error line and exit 1, nothing written', () => {
  const lib = cifarLibrary(3)
  const out = tempDir('mrl-finetune-')
  try {
    const labels = join(out, 'labels.json')
    writeFileSync(labels, JSON.stringify(labelsOf(lib, ['cat'])))
    const run = finetune(['--labels', labels, '--out', join(out, 'model'), '--epochs', '1'])
    assert.equal(run.status, 1)
    assert.deepEqual(run.events.at(-1), { event: 'error', message: 'label at least 2 photos in each of at least 2 labels first' })
    assert.ok(!existsSync(join(out, 'model')))
  } finally {
    removeDirs(lib, out)
  }
})
