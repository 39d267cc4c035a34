// A library of 160,000 photo-named files indexes, and indexes again: the scan streams its files in
// chunks (no call with one argument per file, no list of every file held twice), and the skip
// reasons of many bad files are written in a few commits. The files are empty, so each is read,
// refused as an empty file and listed with its reason: the scan and the plan at full size, quickly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { linkSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'

const FILES = 160_000

test('a library of 160,000 photo-named files indexes without overflowing the call stack, twice', { timeout: 10 * 60_000 }, async () => {
  const lib = cifarLibrary(1) // 10 real photos among them
  const data = tempDir()
  const t0 = performance.now()
  for (let d = 0; d < 16; d++) {
    const dir = join(lib, 'many', `d${d}`)
    mkdirSync(dir, { recursive: true })
    const empty = join(dir, '.empty') // hidden: not scanned; its hard links are (one call a file)
    writeFileSync(empty, '')
    for (let i = 0; i < FILES / 16; i++) linkSync(empty, join(dir, `IMG_${i}.jpg`))
  }
  writeFileSync(join(lib, 'many', 'one-byte.jpg'), 'x')
  console.log(`# ${FILES} files made in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  const engine = await Engine.open({ dataDir: data })
  try {
    for (const run of ['first', 'second']) {
      const t1 = performance.now()
      if (run === 'first') await engine.addFolder({ path: lib })
      else await engine.reindex()
      await engine.idle()
      const { progress, photos } = await engine.status()
      console.log(`# ${run} run: ${((performance.now() - t1) / 1000).toFixed(1)} s, ${progress.message}`)
      assert.doesNotMatch(progress.message, /failed|Maximum call stack/, `${run} run`)
      assert.equal(progress.phase, 'done')
      assert.equal(photos, 10)
    }
    const skipped = (await engine.skipped()).files
    assert.equal(skipped.length, FILES + 1, 'every bad file listed once, with its reason')
    assert.ok(skipped.every((s) => /empty file|not a readable image/.test(s.reason)))
  } finally {
    await engine.close()
    removeDirs(lib, data)
  }
})
