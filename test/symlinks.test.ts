// Symlinks cannot carry files from outside the library into the index or out of browser mode:
// a link whose real target is outside every library folder is skipped with a reason, and a photo
// swapped for such a link after indexing is no longer served.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import type { Engine } from '../src/main/app/engine.ts'
import type { RunningServer } from '../src/main/shells/server.ts'
import { cifarLibrary, tempDir } from '../fixtures/photos.ts'
import { serveLibrary, type Served } from './served.ts'

let lib: string
let outside: string
let served: Served
let engine: Engine
let server: RunningServer
let secret: Buffer
let someCatPath: string

const media = async (kind: string, id: number) => {
  const res = await fetch(`${server.origin}/media/${kind}/${id}`, { headers: { 'x-mrl-token': server.token } })
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) }
}

before(async () => {
  lib = cifarLibrary(2)
  outside = tempDir('mrl-outside-')
  // a real photo outside the library, standing in for any private file
  const someCat = join(lib, 'cat', readdirSync(join(lib, 'cat'))[0])
  someCatPath = someCat
  copyFileSync(someCat, join(outside, 'private.jpg'))
  secret = readFileSync(join(outside, 'private.jpg'))
  mkdirSync(join(outside, 'more'))
  copyFileSync(someCat, join(outside, 'more', 'also-private.jpg'))
  const links = join(lib, 'links')
  mkdirSync(links)
  symlinkSync('/etc/passwd', join(links, 'passwd.jpg'))
  symlinkSync(join(outside, 'private.jpg'), join(links, 'private.jpg'))
  symlinkSync(join(outside, 'more'), join(links, 'more'))
  symlinkSync('../cat', join(links, 'cats')) // inside: followed
  symlinkSync(someCat, join(links, 'inside.jpg')) // inside: indexed
  served = await serveLibrary(lib)
  ;({ engine, server } = served)
})

after(async () => {
  await served?.close()
  for (const d of [lib, outside]) rmSync(d, { recursive: true, force: true })
})

test('links out of the library are skipped with a reason; a file reachable through links inside it is one photo', async () => {
  const { photos } = await engine.listPhotos({ offset: 0, limit: 500 })
  const paths = new Set(photos.map((p) => p.path))
  const links = join(lib, 'links')
  for (const name of ['passwd.jpg', 'private.jpg', 'more']) assert.equal(paths.has(join(links, name)), false, name)
  assert.ok(![...paths].some((p) => p.includes('also-private')))
  const why = new Map((await engine.skipped()).files.map((s) => [s.path, s.reason]))
  for (const name of ['passwd.jpg', 'private.jpg', 'more']) assert.match(why.get(join(links, name)) ?? '', /outside the library/, name)
  // the 20 photos once each, at their own paths: cat/ and links/cats/ are one real folder, and
  // links/inside.jpg one real file with a photo of cat/
  assert.equal(photos.length, 20)
  assert.ok(!paths.has(join(links, 'inside.jpg')) && ![...paths].some((p) => p.startsWith(join(links, 'cats'))))
  assert.ok(paths.has(someCatPath))
})

test('no media request returns the bytes of a file outside the library', async () => {
  const { photos } = await engine.listPhotos({ offset: 0, limit: 500 })
  for (const p of photos) {
    const res = await media('photo', p.id)
    assert.equal(res.status, 200)
    assert.ok(!res.body.toString('latin1').includes('root:x:0:0'))
  }
})

test('a photo swapped for a link to outside after indexing is not served', async () => {
  const { photos } = await engine.listPhotos({ offset: 0, limit: 500, filter: { folder: 'truck' } })
  const [a, b] = photos
  assert.equal((await media('photo', a.id)).status, 200)
  renameSync(a.path, `${a.path}.moved`)
  symlinkSync('/etc/passwd', a.path)
  renameSync(b.path, `${b.path}.moved`)
  symlinkSync(join(outside, 'private.jpg'), b.path)
  for (const p of [a, b]) {
    const res = await media('photo', p.id)
    assert.equal(res.status, 404, p.path)
    assert.ok(!res.body.includes(secret) && !res.body.toString('latin1').includes('root:x:0:0'))
    assert.equal((await media('thumb', p.id)).status, 200, 'its own thumbnail is still ours to show')
  }
  // and the next run drops them from the index with the reason
  await engine.reindex()
  await engine.idle()
  for (const p of [a, b]) await assert.rejects(engine.getPhoto({ id: p.id }), /no photo/)
  const why = new Map((await engine.skipped()).files.map((s) => [s.path, s.reason]))
  assert.match(why.get(a.path) ?? '', /outside the library/)
})
