// The data folder's disk fills up mid-run: the run stops with a message that says so, no photo is
// blamed (skipped) for it, the store stays consistent, and once there is room the run completes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { cifarLibrary, tempDir } from '../fixtures/photos.ts'

/** A small tmpfs to fill, or the reason there cannot be one here. */
function smallDisk(): { dir: string; unmount(): void } | string {
  if (process.platform !== 'linux') return 'needs Linux tmpfs'
  const dir = tempDir('mrl-small-disk-')
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'pipe' })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    return `cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir])
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

test('a full disk stops the run with a clear message, blames no photo, and leaves a consistent store', async (t) => {
  const disk = smallDisk()
  if (typeof disk === 'string') {
    t.skip(disk)
    return
  }
  const lib = cifarLibrary(30) // 300 photos
  try {
    const data = join(disk.dir, 'data')
    mkdirSync(data)
    let engine = await Engine.open({ dataDir: data })
    // leave about 400 KB: room for a few batches, not for 300 photos
    const { bavail, bsize } = statfsSync(disk.dir)
    const filler = join(disk.dir, 'filler')
    writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 400 * 1024)))
    await engine.addFolder({ path: lib })
    await engine.idle()
    const failed = await engine.status()
    console.log(`# on a full disk: ${failed.photos} photos, "${failed.progress.message}"`)
    assert.match(failed.progress.message, /^indexing failed: the disk holding the data folder .* is full/)
    assert.ok(failed.photos < 300, 'the disk filled before the end')
    const wronglySkipped = (await engine.skipped()).files.filter((f) => f.path.startsWith(lib))
    assert.deepEqual(wronglySkipped, [], 'a full disk is not the photos\' fault')
    await engine.close() // must not throw, and must release the lock

    rmSync(filler)
    engine = await Engine.open({ dataDir: data })
    try {
      const rows = await engine.store.meta()
      assert.equal(new Set(rows.map((r) => r.path)).size, rows.length, 'no duplicate rows')
      assert.equal(engine.vectors.size, rows.length, 'every row has its embedding')
      await engine.reindex()
      await engine.idle()
      const status = await engine.status()
      assert.equal(status.photos, 300, status.progress.message)
      assert.deepEqual((await engine.skipped()).files, [])
      const res = await engine.search({ query: { kind: 'text', text: 'truck' }, dial: 0.5, limit: 10 })
      assert.equal(res.hits.length, 10)
    } finally {
      await engine.close()
    }
  } finally {
    rmSync(lib, { recursive: true, force: true })
    disk.unmount()
  }
})
