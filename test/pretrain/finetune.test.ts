// pretrain/finetune.py with Debian's python3-torch and python3-onnx: full-backbone fine-tuning from
// the bundled model (its PyTorch weights derived from the ONNX initializers, the network rebuilt from
// its card) on labelled photos, exported as the app loads models and checked in onnxruntime-node
// (the app's runtime).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { toTensor } from '../../src/main/adapters/image/preprocess.ts'
import { fashionLibrary } from '../../fixtures/fashion.ts'
import { cifarLibrary, removeDirs, ROOT, tempDir } from '../../fixtures/photos.ts'

const PYTHON = process.env.MRL_PYTHON ?? '/usr/bin/python3'
const NESTING = ['8', '16', '32', '64', '128', '256', '512']
const BUNDLED = join(ROOT, 'resources', 'models', 'mrl-photo')
const BUNDLED_CARD = JSON.parse(readFileSync(`${BUNDLED}.json`, 'utf8'))

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

/** The photos as the embedder decodes them for the card's input (N x 3 x S x S, normalised). */
async function batchOf(card: { input: { size: number; mean: number[]; std: number[] } }, paths: string[]): Promise<Float32Array> {
  const plane = 3 * card.input.size * card.input.size
  const batch = new Float32Array(paths.length * plane)
  await Promise.all(paths.map((p, i) => toTensor(p, card.input, batch, i * plane)))
  return batch
}

async function embeddings(onnx: string, paths: string[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const card = JSON.parse(readFileSync(onnx.replace(/\.onnx$/, '.json'), 'utf8'))
  const batch = await batchOf(card, paths)
  const session = await ort.InferenceSession.create(onnx)
  const out = await session.run({ image: new ort.Tensor('float32', batch, [paths.length, 3, card.input.size, card.input.size]) })
  await session.release()
  return { data: out.embedding.data as Float32Array, dims: out.embedding.dims }
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

// The bundled network rebuilt from its card, with the state dict derived from its ONNX initializers,
// run in PyTorch on a float32 N x 3 x S x S batch file; writes the embedding (float32) and the
// logits of every prefix head (float32, prefix after prefix).
const DERIVED_FORWARD = `
import sys, numpy as np, torch
from pretrain.finetune import load_init
card, cfg, net = load_init(sys.argv[1])
s = card["input"]["size"]
x = torch.from_numpy(np.fromfile(sys.argv[2], dtype=np.float32).reshape(-1, 3, s, s))
with torch.no_grad():
    z, logits = net(x)
z.numpy().astype(np.float32).tofile(sys.argv[3])
torch.cat([l.flatten() for l in logits]).numpy().astype(np.float32).tofile(sys.argv[4])
`

test('the PyTorch network derived from the bundled ONNX (card architecture, initializers as state dict) gives onnxruntime\'s outputs to 1e-3', async () => {
  const lib = cifarLibrary(2)
  const out = tempDir('mrl-finetune-')
  try {
    const photos = labelsOf(lib).map((l) => l.path)
    const batch = await batchOf(BUNDLED_CARD, photos)
    writeFileSync(join(out, 'x.f32'), batch)
    const res = spawnSync(PYTHON, ['-c', DERIVED_FORWARD, `${BUNDLED}.onnx`, join(out, 'x.f32'), join(out, 'z.f32'), join(out, 'logits.f32')], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 })
    assert.equal(res.status, 0, res.stderr)
    const z = new Float32Array(readFileSync(join(out, 'z.f32')).buffer.slice(0))
    const logits = new Float32Array(readFileSync(join(out, 'logits.f32')).buffer.slice(0))

    const s = BUNDLED_CARD.input.size
    const session = await ort.InferenceSession.create(`${BUNDLED}.onnx`)
    const ref = await session.run({ image: new ort.Tensor('float32', batch, [photos.length, 3, s, s]) })
    await session.release()
    assert.deepEqual(ref.embedding.dims, [photos.length, BUNDLED_CARD.embedding_dim])
    assert.equal(z.length, ref.embedding.data.length)
    const dz = maxDiff(z, ref.embedding.data as Float32Array)
    assert.ok(dz < 1e-3, `embedding max abs diff ${dz}`)
    assert.ok(maxDiff(z, new Float32Array(z.length)) > 1e-2, 'a non-trivial embedding')
    const k = BUNDLED_CARD.classes.length
    let at = 0
    for (const m of BUNDLED_CARD.nesting) {
      const mine = logits.subarray(at, at + photos.length * k)
      const d = maxDiff(mine, ref[`logits_${m}`].data as Float32Array)
      assert.ok(d < 1e-3, `logits_${m} max abs diff ${d}`)
      at += photos.length * k
    }
    assert.equal(at, logits.length)
  } finally {
    removeDirs(lib, out)
  }
})

test('a starting ONNX that lacks a weight of the card\'s network fails loudly, naming it', () => {
  const lib = cifarLibrary(3)
  const out = tempDir('mrl-finetune-')
  try {
    const broken = join(out, 'broken.onnx')
    const drop = `
import sys, onnx
m = onnx.load(sys.argv[1])
victim = next(t for t in m.graph.initializer if t.name.startswith("net.backbone.layers.0.conv2."))
m.graph.initializer.remove(victim)
onnx.save(m, sys.argv[2])
`
    const res = spawnSync(PYTHON, ['-c', drop, `${BUNDLED}.onnx`, broken], { encoding: 'utf8' })
    assert.equal(res.status, 0, res.stderr)
    copyFileSync(`${BUNDLED}.json`, join(out, 'broken.json'))
    const labels = join(out, 'labels.json')
    writeFileSync(labels, JSON.stringify(labelsOf(lib)))
    const run = finetune(['--labels', labels, '--out', join(out, 'model'), '--epochs', '1', '--init', broken])
    assert.equal(run.status, 1)
    const err = run.events.at(-1)!
    assert.equal(err.event, 'error')
    assert.match(err.message, /broken\.onnx does not match the network its card describes: missing \['backbone\.layers\.0\.conv2\.weight'\] \(1\)/)
    assert.ok(!existsSync(join(out, 'model')))
  } finally {
    removeDirs(lib, out)
  }
})

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
    // the starting model's input (64 px) and architecture carry over, so the result can itself be --init
    assert.deepEqual(card.input, BUNDLED_CARD.input)
    assert.equal(card.arch, BUNDLED_CARD.arch)
    for (const k of ['widths', 'blocks', 'stem_stride', 'input_size']) assert.deepEqual(card.training.config[k], BUNDLED_CARD.training.config[k], k)
    assert.equal(card.training.base.name, 'mrl-photo')
    // the card's "after" metrics are those of the epoch kept: before (0) or the one epoch
    assert.deepEqual(card.metrics.mrl.top1, done.best_epoch === 1 ? epoch.accuracy : before.accuracy)
    for (const metric of ['top1', 'nn1', 'map10']) assert.deepEqual(Object.keys(card.metrics.before[metric]), NESTING)
    const heads = JSON.parse(readFileSync(join(out, 'model', card.heads_file), 'utf8'))
    for (const m of NESTING) {
      assert.equal(heads.heads[m].weight.length, 10)
      assert.equal(heads.heads[m].weight[0].length, Number(m))
    }
    assert.ok(existsSync(join(out, 'model', 'ft.pt')))

    const s = BUNDLED_CARD.input.size
    const session = await ort.InferenceSession.create(onnx)
    assert.deepEqual(session.inputNames, ['image'])
    assert.deepEqual(session.outputNames, ['embedding', ...NESTING.map((m) => `logits_${m}`)])
    await session.release()
    const photos = labelsOf(lib).slice(0, 4).map((l) => l.path)
    const emb = await embeddings(onnx, photos)
    assert.deepEqual(emb.dims, [4, 512])
    // the fine-tuned ONNX takes the card's input size, and only that
    const again = await ort.InferenceSession.create(onnx)
    const other = s === 32 ? 64 : 32
    await assert.rejects(again.run({ image: new ort.Tensor('float32', new Float32Array(3 * other * other), [1, 3, other, other]) }), new RegExp(`Got: ${other} Expected: ${s}`))
    await again.release()
    // the whole backbone moved: the same photos no longer embed as the bundled model embeds them
    const base = await embeddings(`${BUNDLED}.onnx`, photos)
    const moved = emb.data.reduce((m, v, i) => Math.max(m, Math.abs(v - base.data[i])), 0)
    if (done.best_epoch === 1) assert.ok(moved > 1e-3, `max change ${moved}`)
  } finally {
    removeDirs(lib, out)
  }
})

test('heads only (--epochs 0) from the derived weights keeps the bundled ONNX\'s embedding to 1e-4', async () => {
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
