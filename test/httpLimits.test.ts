// Browser mode's edges: a malformed method name, a body over the limit, a lookalike content type,
// large uploads piling up, names that display as something else, and a model too large to import.
// Each answers a 4xx with a message the client can read, and the server goes on.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { closeSync, openSync, ftruncateSync } from 'node:fs'
import { join } from 'node:path'
import type { RunningServer } from '../src/main/shells/server.ts'
import { removeDirs, tempDir } from '../fixtures/photos.ts'
import { serveCifar, type Served } from './served.ts'

// the documented limits (src/main/shells/httpApi.ts, src/main/adapters/models/registry.ts)
const MAX_BODY = 48 * 1024 * 1024
const MAX_LARGE_UPLOADS = 2
const MAX_MODEL_BYTES = 512 * 1024 * 1024

let served: Served
let server: RunningServer

interface Reply {
  status: number
  body: string
}

/** A raw request; `body` as chunks written one by one (no content-length: chunked), or whole. */
function raw(path: string, headers: Record<string, string>, body: string | Buffer | Buffer[] = ''): Promise<Reply> {
  const { port } = new URL(server.origin)
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { host: `127.0.0.1:${port}`, 'x-mrl-token': server.token, ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }))
    })
    // the server may answer before the body is all sent; what counts is that the answer is read
    req.on('error', reject)
    if (Array.isArray(body)) {
      for (const c of body) req.write(c)
      req.end()
    } else req.end(body)
  })
}

const api = (method: string, input: unknown, type = 'application/json') => raw(`/api/${method}`, { 'content-type': type }, JSON.stringify(input))
const error = (r: Reply) => JSON.parse(r.body).error as string

before(async () => {
  served = await serveCifar(1)
  server = served.server
})

after(() => served?.close())

test('malformed percent-encoding in an /api path is a 400, not a 500', async () => {
  for (const path of ['/api/%E0%A4%A', '/api/%', '/api/st%ZZatus']) {
    const res = await raw(path, { 'content-type': 'application/json' }, '{}')
    assert.equal(res.status, 400, `${path}: ${res.body}`)
    assert.match(error(res), /percent-encoding/)
  }
})

test('a body over the limit is answered 413 that the client reads, declared or chunked, and the server goes on', async () => {
  const big = Buffer.alloc(MAX_BODY + 4 * 1024 * 1024, 0x20) // 52 MB of spaces
  const declared = await fetch(`${server.origin}/api/status`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mrl-token': server.token }, body: big })
  assert.equal(declared.status, 413)
  assert.match((await declared.json()).error, /over \d+ bytes/)
  const chunks = Array.from({ length: 13 }, () => Buffer.alloc(4 * 1024 * 1024, 0x20))
  const chunked = await raw('/api/status', { 'content-type': 'application/json' }, chunks)
  assert.equal(chunked.status, 413)
  assert.equal((await api('status', {})).status, 200)
})

test('only application/json (with at most a UTF-8 charset) is JSON: a lookalike type is a 415', async () => {
  for (const type of ['application/json-evil', 'application/jsonp', 'text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', '']) {
    const res = await api('status', {}, type)
    assert.equal(res.status, 415, `${type}: ${res.status}`)
    assert.match(error(res), /content-type must be application\/json/)
  }
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) assert.equal((await api('status', {}, type)).status, 200, type)
})

test(`at most ${MAX_LARGE_UPLOADS} large uploads at once: one more is a 429 with a message, and a slot frees when one ends`, async () => {
  const { port } = new URL(server.origin)
  const size = 8 * 1024 * 1024
  // uploads that stay in flight: declared large, half sent, held open
  const held = Array.from({ length: MAX_LARGE_UPLOADS }, () => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/search', headers: { 'content-type': 'application/json', 'x-mrl-token': server.token, 'content-length': String(size) } })
    req.on('error', () => {})
    req.write(Buffer.alloc(size / 2, 0x20))
    return req
  })
  await new Promise((r) => setTimeout(r, 500))
  const extra = await raw('/api/search', { 'content-type': 'application/json' }, Buffer.alloc(size, 0x20))
  assert.equal(extra.status, 429, extra.body)
  assert.match(error(extra), /too many large uploads at once/)
  // small calls are not held up
  assert.equal((await api('status', {})).status, 200)
  for (const req of held) req.destroy()
  await new Promise((r) => setTimeout(r, 500))
  const next = await raw('/api/search', { 'content-type': 'application/json' }, `{"query":{"kind":"text","text":"cat"},"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`)
  assert.equal(next.status, 400, 'read and validated (an unknown field), not refused for want of a slot')
  assert.match(error(next), /invalid input/)
})

test('label names with NUL, control characters or bidirectional overrides are refused with a message', async () => {
  const bad = ['cat\u0000', 'a\nb', 'esc\u001b[31m', 'invoice\u202Egpj.exe', 'x\u2066y\u2069', 'left\u202Aright', 'c1\u0085']
  for (const name of bad) {
    for (const [method, input] of [
      ['createLabel', { name }],
      ['renameLabel', { from: 'fine', to: name }],
      ['assignLabel', { ids: [0], label: name }]
    ] as const) {
      const res = await api(method, input)
      assert.equal(res.status, 400, `${method} ${JSON.stringify(name)}: ${res.body}`)
      assert.match(error(res), /control characters or bidirectional overrides/)
    }
  }
  for (const name of ['café', 'חתול', '猫', 'cats & dogs']) assert.equal((await api('createLabel', { name })).status, 200, name)
  assert.deepEqual((await served.engine.labels()).labels.map((l) => l.name).sort(), ['café', 'cats & dogs', 'חתול', '猫'].sort())
})

test('a model file over the import cap is refused before it is read or copied', async () => {
  const dir = tempDir('mrl-bigmodel-')
  try {
    const path = join(dir, 'huge.onnx')
    const fd = openSync(path, 'w')
    ftruncateSync(fd, MAX_MODEL_BYTES + 1) // sparse: no disk, no memory
    closeSync(fd)
    const res = await api('importModel', { path, settings: { size: 32, mean: [0, 0, 0], std: [1, 1, 1], output: 'embedding' }, use: false })
    assert.equal(res.status, 413, res.body)
    assert.match(error(res), /over 512 MiB/)
  } finally {
    removeDirs(dir)
  }
})
