// The index-time race: a photo's folder swapped, again and again, with a link to a folder outside the
// library (renameat2 RENAME_EXCHANGE from a child process) while runs index it. Whatever moment the
// swap lands on, no stored hash, EXIF field or thumbnail comes from the outside file: each file is
// read from the one descriptor whose real location was checked.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { Engine } from '../src/main/app/engine.ts'
import { cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'

const SWAP_SECONDS = 10

/** Exchanges two paths atomically, as fast as it can, until killed or `seconds` have passed. */
const SWAPPER = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b, seconds = sys.argv[1].encode(), sys.argv[2].encode(), float(sys.argv[3])
AT_FDCWD, RENAME_EXCHANGE = -100, 2
end, n = time.time() + seconds, 0
while time.time() < end:
    if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
        sys.exit('renameat2: ' + os.strerror(ctypes.get_errno()))
    n += 1
print(n)
`

test('a folder swapped for a link to outside while it is indexed never stores an outside hash, EXIF field or thumbnail', async () => {
  const lib = cifarLibrary(4) // 40 photos to copy from
  const outside = tempDir('mrl-outside-')
  const data = tempDir()
  const swap = join(lib, 'swap')
  const swapLink = join(lib, 'swap-link')
  mkdirSync(swap)
  mkdirSync(join(outside, 'swap'))
  // the same names inside and outside: inside CIFAR photos, outside a solid red image with its own EXIF
  const red = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'OUTSIDE', Model: 'SECRET' } })
    .toBuffer()
  const outsideHash = createHash('sha1').update(red).digest('hex')
  const sources = readdirSync(lib).filter((d) => d !== 'swap').flatMap((d) => readdirSync(join(lib, d)).map((f) => join(lib, d, f)))
  const names = sources.slice(0, 30).map((_, i) => `p${i}.jpg`)
  names.forEach((n, i) => {
    writeFileSync(join(swap, n), readFileSync(sources[i]))
    writeFileSync(join(outside, 'swap', n), red)
  })
  symlinkSync(join(outside, 'swap'), swapLink)
  const engine = await Engine.open({ dataDir: data })
  await engine.addFolder({ path: lib })
  await engine.idle()
  // the swaps start once the library is indexed, and every run below races them
  const swapper = spawn('python3', ['-c', SWAPPER, swap, swapLink, String(SWAP_SECONDS)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let swaps = ''
  swapper.stdout.on('data', (c) => (swaps += c))
  swapper.stderr.on('data', (c) => (swaps += c))
  const swapped = new Promise((r) => swapper.once('exit', r))
  let runs = 0
  try {
    // every run reads the swapped folder's photos again (their mtime moves on)
    for (let t = 1; swapper.exitCode === null; t++) {
      for (const dir of [swap, swapLink]) {
        for (const n of names) {
          try {
            utimesSync(join(dir, n), new Date(), new Date(Date.now() + t * 1000))
          } catch {
            // mid-swap, or the outside copy: either is fine
          }
        }
      }
      await engine.reindex()
      await engine.idle()
      runs++
    }
    await swapped
    console.log(`# ${runs} runs against ${swaps.trim()} swaps`)
    assert.ok(runs >= 3, 'the race was tried')
    const rows = await engine.store.meta()
    assert.ok(rows.length >= 40, 'the library is indexed')
    for (const r of rows) {
      assert.notEqual(r.hash, outsideHash, `${r.path}: the outside file's hash`)
      assert.ok(!/OUTSIDE|SECRET/.test(r.camera ?? ''), `${r.path}: the outside file's EXIF (${r.camera})`)
      const thumb = engine.thumbPath(r.id)
      if (!existsSync(thumb)) continue
      const { channels } = await sharp(thumb).stats()
      const solidRed = channels[0].mean > 200 && channels[1].mean < 40 && channels[2].mean < 40
      assert.ok(!solidRed, `${r.path}: a thumbnail of the outside file`)
    }
  } finally {
    swapper.kill('SIGKILL')
    await engine.close()
    removeDirs(lib, outside, data)
  }
})

test('photos replaced by links to an outside image after the scan found them are refused, never stored', async () => {
  // finding 4 as it was reported: the scan sees regular files, and by the time each is read it is a
  // symlink to a file outside the library; deterministic, unlike the swap loop above
  const lib = cifarLibrary(1)
  const late = join(lib, 'late')
  mkdirSync(late)
  const sources = readdirSync(lib).filter((d) => d !== 'late').flatMap((d) => readdirSync(join(lib, d)).map((f) => join(lib, d, f)))
  const names = Array.from({ length: 200 }, (_, i) => `q${String(i).padStart(3, '0')}.jpg`)
  names.forEach((n, i) => writeFileSync(join(late, n), readFileSync(sources[i % sources.length])))
  const outside = tempDir('mrl-outside-')
  const secret = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 0, b: 255 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'OUTSIDE', Model: 'SECRET' } })
    .toBuffer()
  writeFileSync(join(outside, 'secret.jpg'), secret)
  const secretHash = createHash('sha1').update(secret).digest('hex')
  const data = tempDir()
  const engine = await Engine.open({ dataDir: data })
  let replaced = 0
  const unfollow = engine.follow('indexing', (p) => {
    // the first report of the reading phase: the files have been found; now they become links
    if (p.phase !== 'indexing' || replaced) return
    for (const n of names) {
      rmSync(join(late, n))
      symlinkSync(join(outside, 'secret.jpg'), join(late, n))
      replaced++
    }
  })
  try {
    await engine.addFolder({ path: lib })
    await engine.idle()
    assert.equal(replaced, names.length, 'the files were replaced while the run read them')
    const rows = await engine.store.meta()
    for (const r of rows) {
      assert.notEqual(r.hash, secretHash, `${r.path}: the outside file's hash`)
      assert.ok(!/OUTSIDE|SECRET/.test(r.camera ?? ''), `${r.path}: the outside file's EXIF (${r.camera})`)
    }
  } finally {
    unfollow()
    await engine.close()
    removeDirs(lib, outside, data)
  }
})
