// Fine-tuning the whole model from the app (src/main/engine/backbone.ts): finding Python with
// PyTorch or saying what is missing, and a run through the engine on labelled CIFAR JPEGs that
// ends with the fine-tuned model imported and searched with. Real interpreters: Debian's
// /usr/bin/python3 (torch) and a fresh venv of it (no torch).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { FineTune } from '../src/shared/api.ts'
import { detectBackbone } from '../src/main/adapters/python/torchCheck.ts'
import { createRpc } from '../src/main/shells/rpc.ts'
import { cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'
import { openIndexed } from './indexed.ts'

const TORCH_PYTHON = '/usr/bin/python3'
const venv = tempDir('mrl-venv-')
execFileSync(TORCH_PYTHON, ['-m', 'venv', '--without-pip', venv])
const NO_TORCH = join(venv, 'bin', 'python')
after(() => removeDirs(venv))

test('detection: a Python without PyTorch, no Python at all, and one with everything', async () => {
  const missing = await detectBackbone([NO_TORCH])
  assert.equal(missing.available, false)
  assert.equal(missing.python, NO_TORCH)
  assert.match(missing.pythonVersion!, /^3\.\d+\.\d+$/)
  assert.equal(missing.torch, null)
  assert.match(missing.missing!, /^PyTorch is not installed for Python 3\.\d+\.\d+ \(.*venv.*\): ModuleNotFoundError: No module named 'torch'\. Install it/)

  const none = await detectBackbone([join(venv, 'no-such-python')])
  assert.equal(none.available, false)
  assert.equal(none.python, null)
  assert.match(none.missing!, /^no Python 3 found \(looked for .*no-such-python\)/)

  // the first interpreter that has everything wins over one that lacks torch
  const ok = await detectBackbone([NO_TORCH, TORCH_PYTHON])
  assert.equal(ok.available, true, ok.missing ?? '')
  assert.equal(ok.python, TORCH_PYTHON)
  assert.match(ok.torch!, /^\d+\.\d+/)
  assert.equal(ok.missing, null)
})

test('without PyTorch the API says what is missing and refuses the run (409)', async () => {
  const lib = cifarLibrary(2)
  const data = tempDir()
  process.env.MRL_PYTHON = NO_TORCH
  const engine = await openIndexed(lib, data)
  try {
    const rpc = createRpc(engine)
    const status = (await rpc('backbone', {})).body as { requirements: { available: boolean; missing: string } }
    assert.equal(status.requirements.available, false)
    assert.match(status.requirements.missing, /PyTorch is not installed/)
    const res = await rpc('trainBackbone', {})
    assert.equal(res.status, 409)
    assert.match((res.body as { error: string }).error, /^fine-tuning the whole model needs Python with PyTorch: PyTorch is not installed for Python 3/)
  } finally {
    delete process.env.MRL_PYTHON
    await engine.close()
    removeDirs(lib, data)
  }
})

test('through the engine: 100 labelled photos, one epoch, the model imported and searched with; cancel kills a run', async () => {
  const lib = cifarLibrary(10)
  const data = tempDir()
  const engine = await openIndexed(lib, data)
  try {
    const rpc = createRpc(engine)
    // too few labels: a clear 400 before anything starts
    const early = await rpc('trainBackbone', { epochs: 1 })
    assert.equal(early.status, 400)
    assert.match((early.body as { error: string }).error, /label at least 2 photos in each of at least 2 labels/)
    for (const cls of readdirSync(lib)) {
      const ids = [...engine.indexedPhotos()].filter((m) => m.path.startsWith(join(lib, cls) + '/')).map((m) => m.id)
      await engine.assignLabel({ ids, label: cls })
    }
    const seen: FineTune[] = []
    engine.follow('finetune', (t: FineTune) => seen.push(t))
    const started = await rpc('trainBackbone', { epochs: 1 })
    assert.equal(started.status, 200, JSON.stringify(started.body))
    assert.equal((started.body as FineTune).phase, 'preparing')
    assert.equal((await rpc('trainBackbone', { epochs: 1 })).status, 409) // one run at a time
    await engine.backboneIdle()
    const run = (await engine.backbone({})).run
    assert.equal(run.phase, 'done', run.message)
    assert.match(run.model!, /^mrl-finetuned-/)
    assert.equal(run.before.length, 7)
    assert.equal(run.perPrefix.length, 7)
    assert.ok(seen.some((t) => t.phase === 'training' && t.epoch === 1 && t.loss !== null))
    assert.deepEqual([...new Set(seen.map((t) => t.phase))], ['preparing', 'training', 'exporting', 'importing', 'done'])
    assert.deepEqual(readdirSync(join(data, 'tmp')).filter((f) => f.startsWith('finetune-')), [])

    await engine.modelSwitchIdle()
    const status = await engine.status()
    assert.equal(status.model.name, run.model)
    assert.deepEqual(status.model.classes, readdirSync(lib).sort())
    const res = await engine.search({ query: { kind: 'text', text: 'cat' }, limit: 10 })
    assert.deepEqual(res.matched?.classes, ['cat'])
    assert.equal(res.hits.length, 10)

    await engine.trainBackbone({ epochs: 50 })
    await new Promise<void>((resolve) => {
      const unfollow = engine.follow('finetune', (t: FineTune) => t.phase === 'training' && (unfollow(), resolve()))
    })
    await engine.cancelBackbone()
    await engine.backboneIdle()
    assert.equal((await engine.backbone({})).run.phase, 'cancelled')
    assert.equal((await engine.status()).model.name, run.model)
    assert.ok(!existsSync(join(data, 'finetuned')))
    assert.deepEqual(readdirSync(join(data, 'tmp')).filter((f) => f.startsWith('finetune-')), [])
  } finally {
    await engine.close()
    removeDirs(lib, data)
  }
})
