// pretrain/ end to end in its --smoke configuration with Debian's python3-torch: train MRL, MRL-E
// and every FF-d on a few hundred CIFAR images, evaluate every prefix, export ONNX, check that
// onnxruntime agrees with PyTorch; and once more under torchrun with 2 processes (gloo DDP).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { ROOT, SHARED_CIFAR, tempDir } from '../../fixtures/photos.ts'

const PYTHON = process.env.MRL_PYTHON ?? '/usr/bin/python3'
const NESTING = ['8', '16', '32', '64', '128', '256', '512']

function run(args: string[]): string {
  return execFileSync(PYTHON, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PYTHONUNBUFFERED: '1' }, timeout: 170_000 })
}

test('smoke run: every head and metric, ONNX export, sidecar heads, model card, plot', async () => {
  const out = tempDir('mrl-pretrain-')
  try {
    const log = run(['-m', 'pretrain.run', '--smoke', '--data', SHARED_CIFAR, '--out', out])
    assert.match(log, /onnxruntime vs PyTorch \(mrl-resnet18-cifar10\.onnx\): max abs diff/)
    assert.match(log, /onnxruntime vs PyTorch \(ff512-resnet18-cifar10\.onnx\): max abs diff/)
    const card = JSON.parse(readFileSync(join(out, 'mrl-resnet18-cifar10.json'), 'utf8'))
    assert.deepEqual(card.nesting, NESTING.map(Number))
    assert.equal(card.classes.length, 10)
    assert.ok(card.parity.max_abs_diff < 1e-3)
    const onnx = join(out, 'mrl-resnet18-cifar10.onnx')
    assert.equal(card.sha256, createHash('sha256').update(readFileSync(onnx)).digest('hex'))
    for (const head of ['mrl', 'mrle', 'ff512_truncated', 'ff512_pca']) {
      for (const metric of ['top1', 'nn1', 'map10']) {
        assert.deepEqual(Object.keys(card.metrics[head][metric]), NESTING, `${head}.${metric}`)
        for (const v of Object.values(card.metrics[head][metric]) as number[]) assert.ok(v >= 0 && v <= 100)
      }
    }
    assert.deepEqual(Object.keys(card.metrics.ff.top1), ['8', '16', '32', '64', '512'])
    assert.ok(existsSync(join(out, 'accuracy-vs-dims.png')))
    assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /\| mrl \|/)
    // the app's runtime sees the interface the card describes
    const session = await ort.InferenceSession.create(onnx)
    assert.deepEqual(session.inputNames, ['image'])
    assert.deepEqual(session.outputNames, ['embedding', ...NESTING.map((m) => `logits_${m}`)])
    const res = await session.run({ image: new ort.Tensor('float32', new Float32Array(3 * 3 * 32 * 32), [3, 3, 32, 32]) })
    assert.deepEqual(res.embedding.dims, [3, 512])
    assert.deepEqual(res.logits_8.dims, [3, 10])
    const heads = JSON.parse(readFileSync(join(out, card.heads_file), 'utf8'))
    for (const m of NESTING) assert.equal(heads.heads[m].weight[0].length, Number(m))
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

test('torchrun --nproc_per_node 2 trains with DistributedDataParallel (gloo on CPU)', () => {
  const out = tempDir('mrl-ddp-')
  try {
    // torchrun is `python3 -m torch.distributed.run`. Debian's torch 1.13 on Python 3.11 cannot parse
    // its default --redirects 0 (Std.from_str returns None), so name stdout explicitly and tee it.
    const log = run(['-m', 'torch.distributed.run', '--redirects', '1', '--tee', '1', '--nproc_per_node', '2', '-m', 'pretrain.run', '--smoke', '--data', SHARED_CIFAR, '--out', out, '--models', 'mrl,ff512'])
    assert.match(log, /\[mrl\] epoch 1\/1/)
    const card = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))
    assert.equal(card.training.world_size, 2)
    assert.ok(existsSync(join(out, 'mrl-resnet18-cifar10.onnx')))
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

test('a run trained where Node is absent (--ship, --budget) is exported and parity-checked here (--finish)', async () => {
  const dir = tempDir('mrl-ship-')
  const [ship, out] = [join(dir, 'ship'), join(dir, 'out')]
  try {
    // --budget 0.01: the first model always trains; the next cannot fit and is skipped, and said so
    const log = run(['-m', 'pretrain.run', '--smoke', '--data', SHARED_CIFAR, '--out', join(dir, 'run'), '--models', 'mrl,ff8', '--ship', ship, '--budget', '0.01'])
    assert.match(log, /\[ff8\] skipped/)
    const shipped = JSON.parse(readFileSync(join(ship, 'results.json'), 'utf8'))
    assert.deepEqual(shipped.training.skipped_for_time, ['ff8'])
    assert.ok(existsSync(join(ship, 'mrl.weights.npz.0')))
    assert.ok(!existsSync(join(ship, 'mrl-resnet18-cifar10.onnx')), 'nothing is exported where it was trained')

    run(['-m', 'pretrain.run', '--finish', ship, '--data', SHARED_CIFAR, '--out', out])
    const card = JSON.parse(readFileSync(join(out, 'mrl-resnet18-cifar10.json'), 'utf8'))
    assert.deepEqual(card.metrics, shipped.metrics, 'the metrics are the ones measured where it trained')
    assert.ok(card.parity.max_abs_diff < 1e-3)
    const onnx = join(out, 'mrl-resnet18-cifar10.onnx')
    assert.equal(card.sha256, createHash('sha256').update(readFileSync(onnx)).digest('hex'))
    // smoke weights are stored as fp16 and cast in the graph: the app still reads fp32
    const session = await ort.InferenceSession.create(onnx)
    const res = await session.run({ image: new ort.Tensor('float32', new Float32Array(2 * 3 * 32 * 32).fill(0.5), [2, 3, 32, 32]) })
    assert.equal(res.embedding.type, 'float32')
    assert.ok(existsSync(join(out, 'mrl-resnet18-cifar10.pt')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
