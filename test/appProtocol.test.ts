// Electron's app:// protocol, driven without Electron (it answers fetch Requests): the renderer's
// files only from under its folder with the CSP as a header, and media exactly as browser mode
// serves it: the type from the bytes (an SVG .jpg is refused), the sandboxing headers, the ETag.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { appProtocolHandler } from '../src/main/shells/appProtocol.ts'
import { APP_ORIGIN } from '../src/main/shells/security.ts'
import { serveCifar, type Served } from './served.ts'

let served: Served
let handle: (req: Request) => Promise<Response>

before(async () => {
  served = await serveCifar(1)
  handle = appProtocolHandler({ engine: served.engine, rendererDir: served.renderer })
})

after(() => served?.close())

const get = (path: string, headers: Record<string, string> = {}) => handle(new Request(`${APP_ORIGIN}${path}`, { headers }))

test('app:// serves the renderer from its folder only, with the CSP header', async () => {
  const index = await get('/index.html')
  assert.equal(index.status, 200)
  assert.match(index.headers.get('content-type') ?? '', /text\/html/)
  assert.match(index.headers.get('content-security-policy') ?? '', /object-src 'none'.*base-uri 'none'.*form-action 'none'/)
  assert.equal((await get('/assets/app.js')).status, 200)
  for (const path of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/%E0%A4%A', '/nope.js']) {
    const res = await get(path)
    assert.equal(res.status, 404, path)
    assert.ok(!(await res.text()).includes('root:'), path)
  }
  assert.equal((await handle(new Request('app://elsewhere/index.html'))).status, 404, 'another host of the scheme')
})

test('app:// media: the type from the bytes, an SVG .jpg refused, sandboxing headers and revalidation', async () => {
  const { photos } = await served.engine.listPhotos({ offset: 0, limit: 100 })
  const [a, b] = photos
  const photo = await get(`/media/photo/${a.id}`)
  assert.equal(photo.status, 200)
  assert.equal(photo.headers.get('content-type'), 'image/jpeg')
  assert.match(photo.headers.get('content-security-policy') ?? '', /^default-src 'none';.*sandbox$/)
  assert.equal(photo.headers.get('x-content-type-options'), 'nosniff')
  assert.equal(photo.headers.get('cross-origin-resource-policy'), 'same-origin')
  assert.equal(photo.headers.get('cache-control'), 'private, no-cache')
  const body = Buffer.from(await photo.arrayBuffer())
  assert.equal(body.length, Number(photo.headers.get('content-length')))
  const thumb = await get(`/media/thumb/${a.id}`)
  assert.equal(thumb.headers.get('content-type'), 'image/webp')
  const etag = thumb.headers.get('etag')!
  assert.equal((await get(`/media/thumb/${a.id}`, { 'if-none-match': etag })).status, 304)
  writeFileSync(b.path, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
  const svg = await get(`/media/photo/${b.id}`)
  assert.equal(svg.status, 415)
  assert.ok(!/svg|html|xml/.test(svg.headers.get('content-type') ?? ''))
  for (const path of ['/media/photo/999999', '/media/file/1', `/media/photo/${a.id}/x`]) assert.equal((await get(path)).status, 404, path)
})
