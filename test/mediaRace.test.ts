// The serve-time race (check the path, then open it): a folder of an indexed photo swapped with a
// symlink to a folder outside the library, thousands of times a second, while the photo is asked
// for again and again. Whatever the timing, not one byte from outside is served, a 200 is the
// inside photo whole, and content-length always matches the body.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { join } from 'node:path'
import { cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'
import { serveLibrary, type Served } from './served.ts'

const SECONDS = 10

let lib: string
let outside: string
let served: Served
let inside: Buffer
let secret: Buffer
let marker: Buffer
let id: number

/** Swaps `a` and `b` (one a folder, one a symlink) with renameat2(RENAME_EXCHANGE) every ~0.3 ms, for `seconds`. */
const SWAPPER = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b, seconds = sys.argv[1].encode(), sys.argv[2].encode(), float(sys.argv[3])
end, n = time.time() + seconds, 0
while time.time() < end:
    if libc.renameat2(-100, a, -100, b, 2) != 0:
        raise OSError(ctypes.get_errno(), 'renameat2')
    n += 1
    time.sleep(0.0003)
if n % 2:
    libc.renameat2(-100, a, -100, b, 2)
print(n)
`

before(async () => {
  lib = cifarLibrary(1)
  outside = tempDir('mrl-outside-')
  // the photo in a folder of its own; outside, a file of the same name with other bytes and size
  mkdirSync(join(lib, 'album'))
  const cats = readdirSync(join(lib, 'cat'))
  const dogs = readdirSync(join(lib, 'dog'))
  copyFileSync(join(lib, 'cat', cats[0]), join(lib, 'album', 'photo.jpg'))
  mkdirSync(join(outside, 'album'))
  // a JPEG (so it would pass for a photo) that ends with a marker found in no other file
  marker = randomBytes(32)
  writeFileSync(join(outside, 'album', 'photo.jpg'), Buffer.concat([readFileSync(join(lib, 'dog', dogs[0])), marker]))
  inside = readFileSync(join(lib, 'album', 'photo.jpg'))
  secret = readFileSync(join(outside, 'album', 'photo.jpg'))
  assert.notEqual(inside.length, secret.length)
  served = await serveLibrary(lib)
  const { photos } = await served.engine.listPhotos({ offset: 0, limit: 100, filter: { folder: 'album' } })
  id = photos.find((p) => p.path === join(lib, 'album', 'photo.jpg'))!.id
  symlinkSync(join(outside, 'album'), join(lib, 'album.swap'))
})

after(async () => {
  await served?.close()
  removeDirs(lib, outside)
})

function get(path: string): Promise<{ status: number; length: number | null; body: Buffer; error: string | null }> {
  const { port } = new URL(served.server.origin)
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { 'x-mrl-token': served.server.token } }, (res) => {
      const chunks: Buffer[] = []
      const length = res.headers['content-length'] === undefined ? null : Number(res.headers['content-length'])
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, length, body: Buffer.concat(chunks), error: null }))
      res.on('error', (err) => resolve({ status: res.statusCode!, length, body: Buffer.concat(chunks), error: err.message }))
    })
    req.on('error', (err) => resolve({ status: 0, length: null, body: Buffer.alloc(0), error: err.message }))
    req.end()
  })
}

test(`a folder swapped with a link to outside for ${SECONDS} s while its photo is served: no byte from outside, no short body`, async () => {
  const swapper = spawn('python3', ['-c', SWAPPER, join(lib, 'album'), join(lib, 'album.swap'), String(SECONDS)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  swapper.stdout.on('data', (c) => (out += c))
  swapper.stderr.on('data', (c) => (out += c))
  const exited = new Promise<number | null>((done) => swapper.once('exit', (code) => done(code)))
  let running = true
  void exited.then(() => (running = false))

  const counts = { whole: 0, refused: 0, cut: 0 }
  const client = async () => {
    while (running) {
      const res = await get(`/media/photo/${id}`)
      assert.ok(!res.body.equals(secret) && !res.body.includes(marker), 'served bytes of the file outside the library')
      if (res.status === 200 && !res.error) {
        assert.equal(res.length, res.body.length, 'content-length differs from the body')
        assert.ok(res.body.equals(inside), 'a 200 that is not the inside photo whole')
        counts.whole++
      } else if (res.status === 200 || res.status === 0) counts.cut++ // a broken response (never a short one that looks whole)
      else {
        assert.ok([404, 415].includes(res.status), `status ${res.status}`)
        counts.refused++
      }
    }
  }
  try {
    await Promise.all([client(), client(), client()])
  } finally {
    if (running) swapper.kill()
  }
  assert.equal(await exited, 0, `the swapper failed: ${out}`)
  const swaps = Number(out.trim())
  console.log(`${swaps} swaps in ${SECONDS} s; ${counts.whole} whole photos served, ${counts.refused} refused, ${counts.cut} cut off`)
  // the race ran: both states were seen by the server
  assert.ok(swaps > 1000, `only ${swaps} swaps`)
  assert.ok(counts.whole > 0 && counts.refused > 0, JSON.stringify(counts))
  // and once it stops, the photo is served again
  const after = await get(`/media/photo/${id}`)
  assert.equal(after.status, 200)
  assert.ok(after.body.equals(inside))
})
