// kill -9 in the middle of indexing: the next start resumes, with no duplicate or torn rows.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Engine } from '../src/main/engine/engine.ts'
import { ROOT, cifarLibrary, tempDir } from './fixtures.ts'

test('an indexer killed with SIGKILL resumes where its last commit ended', async () => {
  const lib = cifarLibrary(30) // 300 photos
  const data = tempDir()
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), '--data', data, 'index', lib, '--json'], {
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
