// Browser mode's HTTP server: token, Host and Origin checks, validation with 4xx and a message,
// media for indexed photos only.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { rmSync } from 'node:fs'
import type { Engine } from '../src/main/app/engine.ts'
import type { RunningServer } from '../src/main/shells/server.ts'
import { cifarLibrary } from '../fixtures/photos.ts'
import { serveLibrary, type Served } from './served.ts'

let lib: string
let data: string
let served: Served
let engine: Engine
let server: RunningServer

interface Reply {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

/** A raw request, so tests control every header (fetch would fix Host and Origin). */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  const { port } = new URL(server.origin)
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const api = (method: string, input: unknown, headers: Record<string, string> = {}) =>
  raw('POST', `/api/${method}`, { 'content-type': 'application/json', 'x-mrl-token': server.token, ...headers }, JSON.stringify(input))

before(async () => {
  lib = cifarLibrary(2)
  served = await serveLibrary(lib)
  ;({ engine, server, data } = served)
})

after(async () => {
  await served?.close()
  rmSync(lib, { recursive: true, force: true })
})

test('binds loopback only and prints a URL with a random token', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/)
})

test('the API answers with the right token', async () => {
  const res = await api('status', {})
  assert.equal(res.status, 200)
  assert.equal(JSON.parse(res.body).photos, 20)
})

test('no token, a wrong token or a token in the wrong place: 401', async () => {
  assert.equal((await api('status', {}, { 'x-mrl-token': '' })).status, 401)
  assert.equal((await api('status', {}, { 'x-mrl-token': 'x'.repeat(server.token.length) })).status, 401)
  assert.equal((await raw('GET', '/media/thumb/0')).status, 401)
  // media takes the header or the page's cookie, never the token in its URL
  assert.equal((await raw('GET', `/media/thumb/0?token=${server.token}`)).status, 401)
  assert.equal((await raw('GET', '/media/thumb/0', { 'x-mrl-token': server.token })).status, 200)
})

test('DNS rebinding (foreign Host) and cross-site requests (foreign Origin): 403', async () => {
  assert.equal((await api('status', {}, { host: 'evil.example:80' })).status, 403)
  assert.equal((await api('status', {}, { origin: 'http://evil.example' })).status, 403)
  assert.equal((await api('status', {}, { origin: server.origin })).status, 200)
})

test('malformed requests get a 4xx with a message', async () => {
  const cases: [Promise<Reply>, number, RegExp][] = [
    [api('nope', {}), 404, /unknown method/],
    [api('search', { query: { kind: 'photo' } }), 400, /query/],
    [api('search', { query: { kind: 'text', text: 'truck' }, dial: 7 }), 400, /dial/],
    [api('search', { query: { kind: 'text', text: 'zzqxw' } }), 400, /the model cannot see “zzqxw”/],
    [api('listPhotos', { limit: -1 }), 400, /limit/],
    [api('getPhoto', { id: 123456 }), 404, /no photo/],
    [api('addFolder', { path: '/definitely/not/here' }), 404, /not found/],
    [api('status', { extra: 1 }), 400, /invalid input/],
    [raw('POST', '/api/status', { 'content-type': 'application/json', 'x-mrl-token': server.token }, '{not json'), 400, /JSON/],
    [raw('POST', '/api/status', { 'content-type': 'text/plain', 'x-mrl-token': server.token }, '{}'), 415, /content-type/],
    [raw('GET', '/api/status', { 'x-mrl-token': server.token }), 405, /POST/]
  ]
  for (const [pending, status, message] of cases) {
    const res = await pending
    assert.equal(res.status, status, res.body)
    assert.match(JSON.parse(res.body).error, message)
  }
})

test('media only for indexed photos: traversal, absolute paths and unknown ids get 404', async () => {
  const t = { 'x-mrl-token': server.token }
  for (const path of ['/media/photo/../../../../etc/passwd', '/media/photo/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/media/photo//etc/passwd', '/media/photo/99999', '/media/thumb/-1', '/media/file/0']) {
    const res = await raw('GET', path, t)
    assert.ok([400, 404].includes(res.status), `${path}: ${res.status}`)
    assert.ok(!res.body.includes('root:'), path)
  }
  const photo = await raw('GET', '/media/photo/0', t)
  assert.equal(photo.status, 200)
  assert.equal(photo.headers['content-type'], 'image/jpeg')
})

test('static files stay inside the renderer folder and carry a CSP', async () => {
  const index = await raw('GET', '/')
  assert.equal(index.status, 200)
  assert.match(String(index.headers['content-security-policy']), /default-src 'self'/)
  for (const path of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd']) {
    const res = await raw('GET', path)
    assert.equal(res.status, 404, path)
  }
})

test('search over HTTP: by photo, by words, with a filter', async () => {
  const byPhoto = JSON.parse((await api('search', { query: { kind: 'photo', id: 0 }, dial: 1, limit: 5 })).body)
  assert.equal(byPhoto.hits.length, 5)
  const byWords = JSON.parse((await api('search', { query: { kind: 'text', text: 'vehicle' }, dial: 0.5, limit: 5 })).body)
  // WordNet expands "vehicle" onto the model's vehicle concepts (CIFAR's automobile is the concept "car"), no animal
  const vehicles: string[] = byWords.matched.classes
  for (const c of ['airplane', 'car', 'ship', 'truck']) assert.ok(vehicles.includes(c), `${c} in ${vehicles.join(', ')}`)
  for (const c of ['bird', 'cat', 'deer', 'dog', 'frog', 'horse']) assert.ok(!vehicles.includes(c), c)
  const filtered = JSON.parse((await api('search', { query: { kind: 'photo', id: 0 }, filter: { folder: 'cat' }, limit: 5 })).body)
  assert.ok(filtered.hits.every((h: { folder: string }) => h.folder.endsWith('/cat')))
})
