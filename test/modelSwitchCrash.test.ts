// kill -9 during a model switch, at random moments (while the library is embedded again, around
// the flip, while the adaptor trains), repeatedly and in both directions: on restart the model in
// use is the old one or the new one, its table whole (no duplicate or half-written rows, every
// row embedded by it), its shortlists verified against it, search answers; the switch resumes and
// completes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import * as lancedb from '@lancedb/lancedb'
import { Engine } from '../src/main/app/engine.ts'
import type { ModelState } from '../src/main/adapters/models/registry.ts'
import { assertConsistent, assertShortlistsVerified, random, seedFromEnv } from './crashChecks.ts'
import { ROOT, cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'

const PHOTOS = 200
const KILLS = 4
const FF512 = join(ROOT, 'resources/models/ff512-resnet18-cifar10.onnx')
const FF512_CARD = join(ROOT, 'resources/models/ff512-resnet18-cifar10.json')

const readState = (data: string): ModelState => {
  try {
    return JSON.parse(readFileSync(join(data, 'model-state.json'), 'utf8'))
  } catch {
    return { active: null, target: null, adaptFor: null }
  }
}

/** Commits to the table being filled by the switch (0 before it exists). */
function stagingCommits(data: string): number {
  const table = readState(data).target?.table
  const dir = table ? join(data, 'library.lance', `${table}.lance`, '_versions') : null
  return dir && existsSync(dir) ? readdirSync(dir).length : 0
}

async function photoTables(data: string): Promise<string[]> {
  const db = await lancedb.connect(join(data, 'library.lance'))
  try {
    return (await db.tableNames()).filter((n) => /^photos(_|$)/.test(n))
  } finally {
    db.close()
  }
}

test('SIGKILL at random moments of model switches: the old model or the new one whole, verified shortlists, and the switch completes', async () => {
  const rand = random(seedFromEnv())
  const lib = cifarLibrary(PHOTOS / 10)
  const data = tempDir()
  const cli = (...args: string[]) => [join(ROOT, 'src/main/shells/cli/main.ts'), '--data', data, ...args]
  try {
    const indexed = spawnSync(process.execPath, ['--import', 'tsx', ...cli('index', lib, '--json')], { cwd: ROOT, encoding: 'utf8' })
    assert.equal(indexed.status, 0, indexed.stderr)
    const imported = spawnSync(process.execPath, ['--import', 'tsx', ...cli('model', 'import', FF512, '--card', FF512_CARD, '--no-use', '--json')], { cwd: ROOT, encoding: 'utf8' })
    assert.equal(imported.status, 0, imported.stderr)
    const ff = JSON.parse(imported.stdout.trim().split('\n').pop()!).model.id as string
    const engine0 = await Engine.open({ dataDir: data, resume: false })
    const bundled = engine0.modelId
    await engine0.close()

    for (let kill = 1; kill <= KILLS; kill++) {
      const before = readState(data)
      const from = before.active?.model ?? bundled
      // an interrupted switch resumes; otherwise switch the other way
      const to = before.target?.model ?? (from === ff ? bundled : ff)
      const child = spawn(process.execPath, ['--import', 'tsx', ...cli('model', 'use', to === bundled ? 'bundled' : to)], { cwd: ROOT, stdio: 'ignore' })
      const exited = new Promise((r) => child.once('exit', r))
      // in the re-embedding (after 1 to 3 more commits), or after the flip (0 to 3 s into what follows it)
      const moment = rand() < 0.5 ? 'embedding' : 'after the flip'
      const commits = stagingCommits(data) + 1 + Math.floor(rand() * 3)
      for (let i = 0; i < 4800 && child.exitCode === null; i++) {
        const s = readState(data)
        if (moment === 'embedding' ? stagingCommits(data) >= commits || s.active?.model === to : s.active?.model === to) break
        await sleep(25)
      }
      await sleep(Math.floor(rand() * (moment === 'embedding' ? 200 : 3000)))
      const wasRunning = child.exitCode === null
      child.kill('SIGKILL')
      await exited
      const after = readState(data)
      const active = after.active?.model ?? bundled
      console.log(`# kill ${kill} (${from.slice(0, 8)} → ${to.slice(0, 8)}, ${moment}${wasRunning ? '' : ', had finished'}): ${active === to ? 'new' : 'old'} model in use${after.target ? `, switch pending with ${stagingCommits(data)} commits` : ''}${after.adaptFor ? ', adaptor pending' : ''}`)
      assert.ok([from, to].includes(active))

      const engine = await Engine.open({ dataDir: data, resume: false })
      try {
        assert.equal(engine.modelId, active)
        assert.equal(await assertConsistent(engine), PHOTOS, 'the table in use holds every photo, once, whole')
        assertShortlistsVerified(engine, data)
        const res = await engine.search({ query: { kind: 'photo', id: engine.vectors.idAt(0) }, limit: 10 })
        assert.equal(res.hits.length, 10)
        // only the table in use and, while a switch is pending, the one it fills
        assert.deepEqual((await photoTables(data)).sort(), [engine.store.photosTable, ...(after.target ? [after.target.table] : [])].sort())
      } finally {
        await engine.close()
      }
    }

    // the next session resumes whatever was interrupted and completes it
    const engine = await Engine.open({ dataDir: data })
    try {
      await engine.modelSwitchIdle()
      const st = readState(data)
      assert.equal(st.target, null)
      assert.equal(st.adaptFor, null)
      assert.equal(engine.modelId, st.active?.model ?? bundled)
      assert.equal(await assertConsistent(engine), PHOTOS)
      assertShortlistsVerified(engine, data)
      assert.deepEqual(await photoTables(data), [engine.store.photosTable])
      assert.equal((await engine.search({ query: { kind: 'photo', id: engine.vectors.idAt(0) }, limit: 10 })).hits.length, 10)
      if (engine.modelId === ff) assert.ok((await engine.adaptors()).active !== null, 'the FF-512 model searches through its unsupervised adaptor')
    } finally {
      await engine.close()
    }
  } finally {
    removeDirs(lib, data)
  }
})
