// Bad input never stops a run: every photo-named file ends up either indexed or listed as skipped
// with a reason, whatever it is (empty, truncated, corrupt, not an image, a decompression bomb,
// broken EXIF, a pipe, a symlink loop, an odd name, deleted or changed while the run is going).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { accessSync, chmodSync, chownSync, constants, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { Engine } from '../src/main/app/engine.ts'
import type { Progress } from '../src/shared/api.ts'
import { ROOT, cifarLibrary, tempDir } from '../fixtures/photos.ts'

let lib: string
let data: string
let engine: Engine
let good: Buffer
let other: Buffer

const ODD_NAMES = ['fotó 日本 🐱.jpg', 'with  two spaces .jpg', 'line\nbreak.jpg', "it's 100% _fine_.jpg", 'back\\slash.JPG']

/** A real JPEG whose SOF0 header claims 30,000 x 30,000 pixels: a decompression bomb in 900 bytes. */
function jpegClaiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg)
  const sof = out.indexOf(Buffer.from([0xff, 0xc0]))
  assert.ok(sof > 0, 'fixture JPEG has a baseline SOF0 marker')
  out.writeUInt16BE(height, sof + 5)
  out.writeUInt16BE(width, sof + 7)
  return out
}

/** A PNG with a valid IHDR (CRCs included) claiming `width` x `height`, and only 4 rows of pixel data. */
function pngClaiming(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (b: Buffer) => {
    let c = 0xffffffff
    for (const byte of b) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const body = Buffer.alloc(17)
  body.write('IHDR', 0, 'ascii')
  body.writeUInt32BE(width, 4)
  body.writeUInt32BE(height, 8)
  body.set([8, 2, 0, 0, 0], 12) // 8-bit RGB
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(typed.length + 8)
    out.writeUInt32BE(data.length, 0)
    typed.copy(out, 4)
    out.writeUInt32BE(crc(typed), typed.length + 4)
    return out
  }
  const ihdr = body.subarray(4)
  // a few rows of pixel data, then the end: the header is what sharp reads first
  const rows = deflateSync(Buffer.alloc(4 * (1 + width * 3)))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))])
}

/** A JPEG with an APP1 "Exif" segment of garbage: bogus byte order, offsets pointing past the end. */
function jpegWithGarbageExif(jpeg: Buffer): Buffer {
  const payload = Buffer.concat([Buffer.from('Exif\0\0MM\0\x2a\xff\xff\xff\xf0', 'latin1'), Buffer.alloc(400, 0xa5)])
  const segment = Buffer.alloc(4)
  segment.writeUInt16BE(0xffe1, 0)
  segment.writeUInt16BE(payload.length + 2, 2)
  return Buffer.concat([jpeg.subarray(0, 2), segment, payload, jpeg.subarray(2)])
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex')
const reasons = async () => new Map((await engine.skipped()).files.map((s) => [s.path, s.reason]))
const indexedPaths = async () => new Set((await engine.listPhotos({ offset: 0, limit: 1000 })).photos.map((p) => p.path))

before(async () => {
  lib = cifarLibrary(3) // 30 real photos
  data = tempDir()
  const cat = join(lib, 'cat')
  good = readFileSync(join(cat, readdirSync(cat)[0]))
  other = readFileSync(join(lib, 'dog', readdirSync(join(lib, 'dog'))[0]))
  const bad = join(lib, 'bad')
  mkdirSync(bad)
  writeFileSync(join(bad, 'empty.jpg'), '')
  writeFileSync(join(bad, 'text.jpg'), 'this is not a photo\n')
  writeFileSync(join(bad, 'truncated.jpg'), good.subarray(0, Math.floor(good.length / 3)))
  const corrupt = Buffer.from(good)
  for (let i = 100; i < 400; i++) corrupt[i] = (i * 37) & 0xff // header tables overwritten
  writeFileSync(join(bad, 'corrupt.jpg'), corrupt)
  writeFileSync(join(bad, 'bomb-30000x30000.jpg'), jpegClaiming(good, 30_000, 30_000))
  writeFileSync(join(bad, 'bomb-30000x30000.png'), pngClaiming(30_000, 30_000))
  execFileSync('mkfifo', [join(bad, 'pipe.jpg')])
  symlinkSync('self-loop.jpg', join(bad, 'self-loop.jpg'))
  symlinkSync('..', join(bad, 'up')) // a folder loop back to the library root
  symlinkSync('does-not-exist.jpg', join(bad, 'dangling.jpg'))

  const odd = join(lib, 'odd')
  mkdirSync(odd)
  writeFileSync(join(odd, 'exif-garbage.jpg'), jpegWithGarbageExif(good))
  const hugeExif = { IFD0: { Make: 'M'.repeat(60_000), Model: 'ctl\u0001\u0002chars', DateTime: 'not a date at all' } }
  writeFileSync(join(odd, 'exif-huge.jpg'), await sharp(good).withExif(hugeExif).jpeg().toBuffer())
  for (const name of ODD_NAMES) writeFileSync(join(odd, name), good)
  writeFileSync(join(odd, 'vanishes.jpg'), good)
  writeFileSync(join(odd, 'changes.jpg'), good)

  engine = await Engine.open({ dataDir: data })
  // the first 'indexing' report comes after the scan and before any file is read: change the disk then
  const meddle = (p: Progress) => {
    if (p.phase !== 'indexing') return
    unfollow()
    unlinkSync(join(odd, 'vanishes.jpg'))
    writeFileSync(join(odd, 'changes.jpg'), other)
  }
  const unfollow = engine.follow('indexing', meddle)
  await engine.addFolder({ path: lib })
  await engine.idle()
})

after(async () => {
  await engine?.close()
  rmSync(lib, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

test('each bad file is skipped with a reason that says what is wrong, and the run indexes the rest', async () => {
  const why = await reasons()
  const bad = (name: string) => why.get(join(lib, 'bad', name)) ?? '(not listed)'
  assert.equal(bad('empty.jpg'), 'empty file')
  assert.match(bad('text.jpg'), /not a readable image/)
  assert.match(bad('truncated.jpg'), /not a readable image|cannot decode/)
  assert.match(bad('corrupt.jpg'), /not a readable image|cannot decode/)
  assert.match(bad('bomb-30000x30000.jpg'), /image too large/)
  assert.match(bad('bomb-30000x30000.png'), /image too large/)
  assert.equal(bad('pipe.jpg'), 'not a regular file')
  assert.equal(bad('self-loop.jpg'), 'symlink loop')
  assert.equal(bad('dangling.jpg'), 'broken symlink')
  assert.match(bad('up'), /symlink loop/)
  assert.match(why.get(join(lib, 'odd', 'vanishes.jpg')) ?? '', /deleted or moved/)
  const status = await engine.status()
  assert.equal(status.progress.phase, 'done', status.progress.message)
  // 30 CIFAR photos, 2 EXIF oddities, the odd names, and the file changed mid-run
  assert.equal(status.photos, 30 + 2 + ODD_NAMES.length + 1)
})

test('every photo-named file is accounted for exactly once: indexed or skipped', async () => {
  const indexed = await indexedPaths()
  const skipped = await reasons()
  const onDisk = readdirSync(lib, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(jpe?g|png)$/i.test(f) && !f.startsWith('bad/up/')) // up/ is the loop, not new files
    .map((f) => join(lib, f))
  for (const path of onDisk) {
    assert.ok(indexed.has(path) !== skipped.has(path), `${JSON.stringify(path)}: indexed ${indexed.has(path)}, skipped ${skipped.has(path)}`)
  }
})

test('EXIF with garbage or huge fields loses those fields, never the photo', async () => {
  const { photos } = await engine.listPhotos({ offset: 0, limit: 10, filter: { name: 'exif-' } })
  assert.equal(photos.length, 2)
  for (const p of photos) {
    const d = await engine.getPhoto({ id: p.id })
    assert.equal(d.width, 32)
    assert.ok((d.camera ?? '').length <= 120, `camera field kept short: ${d.camera?.length}`)
    assert.ok(!/[\u0000-\u001f]/.test(d.camera ?? ''), 'no control characters')
    assert.equal(d.takenAt, null)
  }
})

test('names with unicode, spaces, quotes, percent signs, backslashes and newlines work end to end', async () => {
  const indexed = await indexedPaths()
  for (const name of ODD_NAMES) {
    assert.ok(indexed.has(join(lib, 'odd', name)), JSON.stringify(name))
    const found = await engine.listPhotos({ offset: 0, limit: 10, filter: { name } })
    assert.equal(found.total, 1, `name filter finds ${JSON.stringify(name)}`)
    const res = await engine.search({ query: { kind: 'photo', id: found.photos[0].id }, dial: 1, limit: 5 })
    assert.equal(res.hits.length, 5)
  }
})

test('a file changed mid-run is indexed as it is now; one deleted mid-run is forgotten on the next run', async () => {
  await engine.reindex()
  await engine.idle()
  const changed = (await engine.listPhotos({ offset: 0, limit: 5, filter: { name: 'changes.jpg' } })).photos[0]
  assert.equal((await engine.getPhoto({ id: changed.id })).hash, sha1(other))
  assert.equal((await reasons()).has(join(lib, 'odd', 'vanishes.jpg')), false)
  // and nothing else is processed again: bad files are not retried while they stay the same
  await engine.reindex()
  await engine.idle()
  assert.equal((await engine.status()).progress.total, 0, (await engine.status()).progress.message)
})

test('an indexed photo that becomes unreadable leaves the index and is listed as skipped', async () => {
  const victim = (await engine.listPhotos({ offset: 0, limit: 1, filter: { folder: 'truck' } })).photos[0]
  writeFileSync(victim.path, 'overwritten with text')
  utimesSync(victim.path, new Date(), new Date(Date.now() + 10_000))
  await engine.reindex()
  await engine.idle()
  await assert.rejects(engine.getPhoto({ id: victim.id }), /no photo/)
  assert.match((await reasons()).get(victim.path) ?? '', /not a readable image/)
  // a good photo again: indexed again, no longer skipped
  writeFileSync(victim.path, good)
  utimesSync(victim.path, new Date(), new Date(Date.now() + 20_000))
  await engine.reindex()
  await engine.idle()
  assert.ok((await indexedPaths()).has(victim.path))
  assert.equal((await reasons()).has(victim.path), false)
})

test('a file without read permission is skipped with the reason', (t) => {
  // root reads through chmod 000, so the CLI runs as the unprivileged user "nobody" there
  const asRoot = process.getuid?.() === 0
  const NOBODY = 65534
  const root = tempDir('mrl-perm-')
  try {
    const photos = join(root, 'photos')
    const dataDir = join(root, 'data')
    mkdirSync(photos)
    mkdirSync(dataDir)
    copyFileSync(join(lib, 'cat', readdirSync(join(lib, 'cat'))[0]), join(photos, 'readable.jpg'))
    copyFileSync(join(lib, 'cat', readdirSync(join(lib, 'cat'))[0]), join(photos, 'locked.jpg'))
    chmodSync(join(photos, 'locked.jpg'), 0o000)
    if (asRoot) {
      try {
        chmodSync(root, 0o755)
        for (const p of [photos, dataDir, join(photos, 'readable.jpg'), join(photos, 'locked.jpg')]) chownSync(p, NOBODY, NOBODY)
        accessSync(ROOT, constants.R_OK) // the checkout must be readable to the other user too
        const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(ROOT, 'node_modules'))})`], { uid: NOBODY, gid: NOBODY })
        if (probe.status !== 0) throw new Error(`the checkout is not readable as uid ${NOBODY}`)
      } catch (err) {
        t.skip(`running as root and cannot run the CLI as "nobody": ${(err as Error).message}`)
        return
      }
    }
    const out = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/shells/cli/main.ts'), '--data', dataDir, 'index', photos, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, HOME: dataDir },
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {})
    })
    assert.equal(out.status, 0, out.stderr)
    const summary = JSON.parse(out.stdout.trim().split('\n').pop()!)
    assert.equal(summary.photos, 1)
    assert.deepEqual(summary.skipped.map((s: { path: string }) => s.path), [join(photos, 'locked.jpg')])
    assert.match(summary.skipped[0].reason, /no permission to read the file \(EACCES\)/)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
