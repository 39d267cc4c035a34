// kill -9 in the middle of indexing: the next start resumes, with no duplicate or torn rows; a run
// stopped while it scans (closing the app, or a model switch's flip) removes nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Engine } from '../src/main/app/engine.ts'
import { assertConsistent, assertShortlistsVerified, random, seedFromEnv } from './crashChecks.ts'
import { ROOT, cifarLibrary, tempDir } from '../fixtures/photos.ts'
import { openIndexed } from './indexed.ts'

test('an indexer killed with SIGKILL resumes where its last commit ended', async () => {
  const lib = cifarLibrary(30) // 300 photos
  const data = tempDir()
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/shells/cli/main.ts'), '--data', data, 'index', lib, '--json'], {
      cwd: ROOT,
      stdio: 'ignore'
    })
    // every committed batch adds a LanceDB version: wait for a few
    const versions = join(data, 'library.lance', 'photos.lance', '_versions')
    for (let i = 0; i < 600; i++) {
      if (existsSync(versions) && readdirSync(versions).length >= 4) break
      await sleep(50)
    }
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))

    const engine = await Engine.open({ dataDir: data }) // the dead process's lock is taken over
    try {
      const rows = await engine.store.meta()
      const killedAt = rows.length
      console.log(`# killed after ${killedAt} of 300 photos were committed`)
      assert.ok(killedAt < 300, 'killed before the end')
      assert.equal(new Set(rows.map((r) => r.path)).size, rows.length, 'no duplicate rows')
      assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'no duplicate ids')
      assert.equal(engine.vectors.size, rows.length, 'every row has its embedding')
      await engine.reindex()
      await engine.idle()
      const status = await engine.status()
      assert.equal(status.photos, 300)
      assert.equal(status.progress.total, 300 - killedAt, 'only what was not committed is processed again')
      const after = await engine.store.meta()
      assert.equal(new Set(after.map((r) => r.path)).size, 300)
    } finally {
      await engine.close()
    }
  } finally {
    rmSync(lib, { recursive: true, force: true })
    rmSync(data, { recursive: true, force: true })
  }
})

test('three SIGKILLs at random moments: no duplicate or torn rows, shortlists verified, the run completes', async () => {
  const rand = random(seedFromEnv())
  const lib = cifarLibrary(40) // 400 photos
  const later = tempDir('mrl-later-')
  const data = tempDir()
  const cli = (...args: string[]) => [join(ROOT, 'src/main/shells/cli/main.ts'), '--data', data, ...args]
  try {
    // a finished first run over a quarter of the library leaves persisted shortlists...
    for (const cls of readdirSync(lib)) {
      mkdirSync(join(later, cls))
      for (const f of readdirSync(join(lib, cls)).sort().slice(10)) renameSync(join(lib, cls, f), join(later, cls, f))
    }
    const first = spawnSync(process.execPath, ['--import', 'tsx', ...cli('index', lib, '--json')], { cwd: ROOT, encoding: 'utf8' })
    assert.equal(first.status, 0, first.stderr)
    // ...that the rest, indexed by runs killed at random moments, makes stale
    for (const cls of readdirSync(later)) for (const f of readdirSync(join(later, cls))) renameSync(join(later, cls, f), join(lib, cls, f))
    const versions = join(data, 'library.lance', 'photos.lance', '_versions')
    let committed = 100
    for (let kill = 1; kill <= 3; kill++) {
      const start = readdirSync(versions).length
      const child = spawn(process.execPath, ['--import', 'tsx', ...cli('index', lib, '--json')], { cwd: ROOT, stdio: 'ignore' })
      const exited = new Promise((r) => child.once('exit', r))
      // wait for 1 or 2 more commits, then up to 200 ms more: mid-batch, mid-commit or between
      const target = start + 1 + Math.floor(rand() * 2)
      for (let i = 0; i < 1200 && child.exitCode === null; i++) {
        if (readdirSync(versions).length >= target) break
        await sleep(25)
      }
      await sleep(Math.floor(rand() * 200))
      child.kill('SIGKILL')
      await exited
      const engine = await Engine.open({ dataDir: data })
      try {
        const rows = await assertConsistent(engine)
        assert.ok(rows >= committed, 'nothing committed is lost')
        console.log(`# kill ${kill}: ${rows} of 400 photos committed`)
        committed = rows
        assertShortlistsVerified(engine, data)
      } finally {
        await engine.close()
      }
    }
    const engine = await Engine.open({ dataDir: data })
    try {
      await engine.reindex()
      await engine.idle()
      const status = await engine.status()
      assert.equal(status.progress.total, 400 - committed, 'only what was not committed is processed again')
      assert.equal(await assertConsistent(engine), 400)
      assert.deepEqual((await engine.skipped()).files, [])
      assertShortlistsVerified(engine, data)
      // the thumbnails the killed runs wrote for batches never committed are gone: one per photo
      const thumbs = readdirSync(join(data, 'thumbs')).map((f) => Number(f.replace('.webp', ''))).sort((a, b) => a - b)
      assert.deepEqual(thumbs, [...engine.vectors.allIds()].sort((a, b) => a - b))
    } finally {
      await engine.close()
    }
  } finally {
    for (const d of [lib, later, data]) rmSync(d, { recursive: true, force: true })
  }
})

test('closing the app while a run scans the folders keeps every photo: a cut-short scan is not a deletion', async () => {
  const lib = cifarLibrary(10) // 100 photos in 10 folders
  const data = tempDir()
  try {
    let engine = await openIndexed(lib, data)
    let closing: Promise<void> | null = null
    // stopped at once, as after a model switch's flip when the CLI exits right after it
    engine.follow('indexing', (p) => {
      if (p.phase === 'scanning' && !closing) closing = engine.close()
    })
    await engine.reindex()
    await closing
    engine = await Engine.open({ dataDir: data })
    try {
      assert.equal(await assertConsistent(engine), 100)
    } finally {
      await engine.close()
    }
  } finally {
    rmSync(lib, { recursive: true, force: true })
    rmSync(data, { recursive: true, force: true })
  }
})
