// A thumbnail rewritten by a re-index while a signal decodes it: libvips maps a WebP it decodes, and
// a file truncated under the mapping killed the process with SIGBUS (seen once in the full suite).
// Thumbnails are written whole and renamed (writeFileAtomic): the reader keeps the old file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT, removeDirs, tempDir } from '../fixtures/photos.ts'

/** Decodes one thumbnail for `seconds` while rewriting it, in a child process; returns its exit. */
function race(write: 'atomic' | 'in-place', dir: string, seconds = 4): { status: number | null; signal: NodeJS.Signals | null; out: string } {
  const script = `
import sharp from 'sharp'
import { writeFileSync } from 'node:fs'
import { writeFileAtomic } from ${JSON.stringify(join(ROOT, 'src/main/adapters/fs/atomicWrite.ts'))}
const buf = await sharp({ create: { width: 320, height: 320, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).webp({ quality: 82 }).toBuffer()
const f = ${JSON.stringify(join(dir, '1.webp'))}
writeFileSync(f, buf)
const end = Date.now() + ${seconds * 1000}
let reads = 0
const reader = (async () => { while (Date.now() < end) { await sharp(f).resize(32, 32).raw().toBuffer(); reads++ } })()
const writer = (async () => { while (Date.now() < end) { ${write === 'atomic' ? 'await writeFileAtomic(f, buf)' : 'writeFileSync(f, buf)'}; await new Promise((r) => setImmediate(r)) } })()
await Promise.all([reader, writer])
console.log(reads)
`
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
  return { status: res.status, signal: res.signal, out: res.stdout + res.stderr }
}

test('a thumbnail rewritten while it is decoded never kills the process (written whole, then renamed)', (t) => {
  const dir = tempDir('mrl-thumbs-')
  try {
    const atomic = race('atomic', dir)
    assert.equal(atomic.status, 0, atomic.out)
    assert.ok(Number(atomic.out.trim()) > 100, `decoded ${atomic.out.trim()} times`)
    // what the check guards against: the same race with a rewrite in place (it died of SIGBUS here)
    const inPlace = race('in-place', dir)
    t.diagnostic(`rewritten in place: exit ${inPlace.status}, signal ${inPlace.signal}`)
  } finally {
    removeDirs(dir)
  }
})
