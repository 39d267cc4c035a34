// The photo model's pipeline (pretrain/photo.py) end to end in its smoke configuration: the three
// sets as one vocabulary, the hierarchical loss, per-set metrics, the transfer run joined into the
// card, the calibration, and an ONNX the app's runtime reads at 64 px.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { ROOT, tempDir } from '../../fixtures/photos.ts'

const PYTHON = process.env.MRL_PYTHON ?? '/usr/bin/python3'
const NESTING = ['8', '16', '32', '64', '128', '256', '512']
const concepts = JSON.parse(readFileSync(join(ROOT, 'pretrain', 'concepts.json'), 'utf8')).concepts as
  { wnid: string; name: string; parents: number[]; ancestors: number[]; sources: Record<string, string> }[]

function python(args: string[]): string {
  return execFileSync(PYTHON, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PYTHONUNBUFFERED: '1' }, timeout: 240_000 })
}

test('the vocabulary puts every breed under its CIFAR class and keeps one concept per synset', () => {
  const byName = new Map(concepts.map((c, i) => [c.name, i]))
  assert.equal(concepts.length, 220)
  assert.equal(new Set(concepts.map((c) => c.wnid)).size, concepts.length)
  for (const [child, parent] of [['golden retriever', 'dog'], ['tabby', 'cat'], ['convertible', 'car'], ['moving van', 'truck'],
    ['garbage truck', 'truck'], ['goose', 'bird'], ['bullfrog', 'frog'], ['English springer', 'dog']]) {
    assert.ok(concepts[byName.get(child)!].parents.includes(byName.get(parent)!), `${child} → ${parent}`)
  }
  // every set's classes are there, by their own folder names
  const count = (set: string) => concepts.filter((c) => set in c.sources).length
  assert.deepEqual([count('tinyimagenet'), count('imagenette'), count('cifar10')], [200, 10, 10])
})

test('concepts.json is what WordNet 3.0 gives (regenerated, not edited by hand)', { skip: !existsSync('/usr/share/wordnet/data.noun') && 'wordnet-base is not installed' }, () => {
  const fresh = python(['-c', 'import json; from pretrain.concepts import build; print(json.dumps(build()))'])
  assert.deepEqual(JSON.parse(fresh), concepts)
})

test('the hierarchical loss counts a breed as right for "dog" and a wrong breed as wrong for a breed', () => {
  // logits put all mass on golden retriever: cheap for a "dog" label, dear for a "tabby" label
  const out = python(['-c', `
import json, torch
from pretrain.mrl import HierarchicalNLL
from pretrain.photo_data import load_concepts, subtree_mask
c = load_concepts(); idx = {x["name"]: i for i, x in enumerate(c)}
loss = HierarchicalNLL(subtree_mask(c))
lg = torch.full((1, len(c)), -10.0); lg[0, idx["golden retriever"]] = 10.0
print(json.dumps({k: loss(lg, torch.tensor([idx[k]])).item() for k in ("dog", "golden retriever", "tabby")}))`])
  const l = JSON.parse(out.trim().split('\n').pop()!)
  assert.ok(l.dog < 1e-3 && l['golden retriever'] < 1e-3, JSON.stringify(l))
  assert.ok(l.tabby > 15, JSON.stringify(l))
})

test('smoke run: per-set metrics for every head, the transfer run in the card, calibration, a 64-px ONNX', async () => {
  const dir = tempDir('mrl-photo-')
  const [held, out] = [join(dir, 'held'), join(dir, 'out')]
  try {
    python(['-m', 'pretrain.photo', '--config', 'photo-smoke', '--holdout', '20', '--out', held])
    const log = python(['-m', 'pretrain.photo', '--config', 'photo-smoke', '--out', out, '--transfer', held])
    assert.match(log, /onnxruntime vs PyTorch \(mrl-photo\.onnx\): max abs diff/)
    const card = JSON.parse(readFileSync(join(out, 'mrl-photo.json'), 'utf8'))
    assert.equal(card.input.size, 64)
    assert.equal(card.classes.length, 220)
    assert.deepEqual(Object.keys(card.classes[0]).sort(), ['gloss', 'name', 'parents', 'wnid', 'words'])
    for (const ds of ['tinyimagenet', 'cifar10', 'imagenette']) {
      for (const head of ['mrl', 'ff512_truncated', 'ff512_pca']) {
        for (const metric of ['top1', 'top1_exact', 'nn1', 'map10']) {
          assert.deepEqual(Object.keys(card.metrics[ds][head][metric]), NESTING, `${ds}.${head}.${metric}`)
        }
      }
      assert.deepEqual(Object.keys(card.metrics[ds].ff.top1), ['512'])
    }
    for (const head of ['mrl', 'ff512_truncated', 'ff512_pca']) assert.deepEqual(Object.keys(card.metrics.transfer[head].map10), NESTING)
    assert.equal(card.training.transfer_run.held_out.length, 20)
    const cal = card.calibration
    assert.deepEqual(Object.keys(cal.text), NESTING)
    assert.deepEqual(Object.keys(cal.photo), NESTING)
    assert.ok(cal.label.threshold > 0 && cal.label.threshold <= 1)
    const session = await ort.InferenceSession.create(join(out, 'mrl-photo.onnx'))
    const res = await session.run({ image: new ort.Tensor('float32', new Float32Array(2 * 3 * 64 * 64), [2, 3, 64, 64]) })
    assert.deepEqual(res.embedding.dims, [2, 512])
    assert.deepEqual(res.logits_16.dims, [2, 220])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
