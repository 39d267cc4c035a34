// Property-based fuzzing of browser mode (fast-check): every API route, unknown routes and media
// paths get arbitrary JSON, schema-shaped nonsense and non-JSON bodies. The server answers every
// one below 500, stays up, and the stored library (photos, folders, skipped files) is unchanged.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { rmSync } from 'node:fs'
import fc from 'fast-check'
import { isMethod, methods } from '../src/shared/api.ts'
import { createRpc } from '../src/main/shells/rpc.ts'
import type { Engine } from '../src/main/app/engine.ts'
import type { RunningServer } from '../src/main/shells/server.ts'
import { cifarLibrary } from '../fixtures/photos.ts'
import { serveLibrary, type Served } from './served.ts'

const RUNS = Number(process.env.MRL_FUZZ_RUNS ?? 200)

let lib: string
let data: string
let served: Served
let engine: Engine
let server: RunningServer

function post(path: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.origin)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: path.startsWith('/media/') ? 'GET' : 'POST', path, headers: { host: `127.0.0.1:${port}`, 'content-type': contentType, 'x-mrl-token': server.token } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }))
      }
    )
    req.on('error', reject)
    req.end(path.startsWith('/media/') ? undefined : body)
  })
}

/** The stored library, as the API shows it (read through the same dispatcher, whatever routes exist). */
async function library(): Promise<string> {
  const rpc = createRpc(engine)
  const read = async (method: string) => (isMethod(method) ? (await rpc(method, {})).body : null)
  const status = (await read('status')) as { photos: number; folders: unknown }
  const labels = (await read('labels')) as { labels: { name: string }[]; labelled: number } | null
  return JSON.stringify({
    photos: status.photos,
    folders: status.folders,
    list: await engine.listPhotos({ offset: 0, limit: 1000 }),
    skipped: await read('skipped'),
    // labels the fuzz itself may create are named fuzz-…; every other label must be as it was
    labels: labels && { labelled: labels.labelled, labels: labels.labels.filter((l) => !l.name.startsWith(FUZZ)) },
    adaptors: await read('adaptors')
  })
}

// Values that look like the API's own: its keys, kinds, nesting dims, edge numbers and strings.
const KEYS = ['query', 'kind', 'id', 'ids', 'text', 'data', 'filter', 'from', 'to', 'camera', 'folder', 'name', 'label', 'dial', 'config', 'ds', 'k', 'dr', 'limit', 'offset', 'path', 'version']
const edgeNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 8, 16, 64, 512, 1024, 0.5, 1e9, -1e9, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, -0),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true })
)
const edgeString = fc.oneof(
  fc.constantFrom('photo', 'text', 'image', 'truck', 'animal', '', ' ', "' OR 1=1 --", '%', '_', '\\', '2020-01-01', '2020-13-45', '../../etc/passwd', '\u0000', 'é日本🐱', 'AAAA', '/'),
  fc.string({ maxLength: 40 }),
  fc.base64String({ maxLength: 200 })
)
const { shaped } = fc.letrec((tie) => ({
  shaped: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    edgeNumber,
    edgeString,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('shaped'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('shaped'), { maxKeys: 5 })
  )
}))
const anyBody = fc.oneof(fc.jsonValue({ maxDepth: 3 }), shaped, fc.dictionary(fc.constantFrom(...KEYS), shaped, { maxKeys: 5 }))

// Inputs of the right shape with edge values, so the fuzz gets past validation into the engine.
/** Mostly a valid value, sometimes an edge case. */
const mostly = <T>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: edge, weight: 1 })
const dims = mostly(fc.constantFrom(8, 16, 32, 64, 128, 256, 512), edgeNumber)
const day = fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
const text = fc.oneof(edgeString, fc.constantFrom('cat', 'truck', 'dog', 'airplane'))
const filter = fc.record(
  { from: mostly(day, edgeString), to: mostly(day, edgeString), camera: text, folder: text, name: text, label: text },
  { requiredKeys: [] }
)
const query = fc.oneof(
  fc.record({ kind: fc.constant('photo'), id: mostly(fc.nat(40), edgeNumber) }),
  fc.record({ kind: fc.constant('text'), text }),
  fc.record({ kind: fc.constant('image'), data: fc.oneof(fc.base64String({ maxLength: 400 }), edgeString) })
)
const nearValid: Record<string, fc.Arbitrary<unknown>> = {
  search: fc.record(
    {
      query,
      filter,
      dial: mostly(fc.double({ min: 0, max: 1, noNaN: true }), edgeNumber),
      config: fc.record({ ds: dims, k: mostly(fc.integer({ min: 1, max: 1_000_000 }), edgeNumber), dr: dims }),
      limit: mostly(fc.integer({ min: 1, max: 500 }), edgeNumber)
    },
    { requiredKeys: ['query'] }
  ),
  listPhotos: fc.record({ offset: edgeNumber, limit: edgeNumber, filter }, { requiredKeys: [] }),
  getPhoto: fc.record({ id: fc.oneof(fc.nat(40), edgeNumber) }),
  addFolder: fc.record({ path: edgeString }),
  removeFolder: fc.record({ path: edgeString }),
  createLabel: fc.record({ name: text }),
  deleteLabel: fc.record({ name: text }),
  renameLabel: fc.record({ from: text, to: text }),
  assignLabel: fc.record({ ids: fc.array(mostly(fc.nat(40), edgeNumber), { maxLength: 5 }), label: fc.oneof(text, fc.constant(null)) }),
  useAdaptor: fc.record({ version: fc.oneof(edgeNumber, fc.constant(null)) })
}
const bodyFor = (method: string) => (nearValid[method] ? fc.oneof(anyBody, nearValid[method]) : anyBody)

const FUZZ = 'fuzz-'

/**
 * Mutating routes keep their random shapes but can never name something real: folders lie under a
 * root that does not exist (indexing "/" would test the disk, not the API), labels are named fuzz-…,
 * photo ids and adaptor versions do not exist, and no training kind is valid (a run is CPU-minutes).
 */
function harmless(method: string, input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input
  const out: Record<string, unknown> = { ...input }
  const prefix = (key: string, p: string) => {
    if (typeof out[key] === 'string') out[key] = p + (out[key] as string)
  }
  if (method === 'addFolder' || method === 'removeFolder') prefix('path', '/nonexistent-fuzz-root/')
  if (['createLabel', 'deleteLabel', 'renameLabel', 'assignLabel'].includes(method)) for (const k of ['name', 'from', 'to', 'label']) prefix(k, FUZZ)
  if (method === 'assignLabel' && Array.isArray(out.ids)) out.ids = out.ids.map((id) => (typeof id === 'number' ? 1e9 + Math.abs(id) : id))
  if (method === 'train') prefix('kind', FUZZ)
  if (method === 'useAdaptor' && typeof out.version === 'number') out.version = 1e9 + Math.abs(out.version)
  return out
}

before(async () => {
  lib = cifarLibrary(2)
  served = await serveLibrary(lib)
  ;({ engine, server, data } = served)
})

after(async () => {
  await served?.close()
  rmSync(lib, { recursive: true, force: true })
})

for (const method of methods) {
  test(`/api/${method}: ${RUNS} fuzzed inputs, no 5xx, library unchanged`, async () => {
    const stored = await library()
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(bodyFor(method), async (input) => {
        const res = await post(`/api/${method}`, JSON.stringify(harmless(method, input)))
        assert.ok(res.status < 500, `${res.status} ${res.body}`)
        assert.doesNotThrow(() => JSON.parse(res.body))
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      }),
      { numRuns: RUNS }
    )
    console.log(`# ${method}: ${JSON.stringify(Object.fromEntries(statuses))}`)
    // the near-valid inputs reach the engine: some are answered, not only refused by validation
    if (['search', 'listPhotos', 'getPhoto', 'status', 'skipped', 'reindex'].includes(method)) assert.ok(statuses.get(200), 'some inputs answered')
    await engine.idle() // reindex runs started by the fuzz end before comparing
    if (isMethod('cancelTraining')) await createRpc(engine)('cancelTraining', {})
    assert.equal(await library(), stored)
  })
}

test(`non-JSON bodies, unknown methods and media paths: ${RUNS} each, no 5xx`, async () => {
  const stored = await library()
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...methods), fc.string({ maxLength: 200 }), fc.constantFrom('application/json', 'text/plain', ''), async (method, raw, type) => {
      const res = await post(`/api/${method}`, raw, type)
      assert.ok(res.status < 500, `${res.status} ${res.body}`)
    }),
    { numRuns: RUNS }
  )
  await fc.assert(
    fc.asyncProperty(fc.string({ minLength: 1, maxLength: 60 }), async (name) => {
      const res = await post(`/api/${encodeURIComponent(name)}`, '{}')
      assert.ok(res.status < 500 && (methods as string[]).includes(name) === (res.status !== 404 || /no photo|not found|not a library/.test(res.body)), `${name}: ${res.status} ${res.body}`)
    }),
    { numRuns: RUNS }
  )
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('thumb', 'photo', 'file', ''), fc.oneof(fc.nat().map(String), fc.string({ maxLength: 30 }).map(encodeURIComponent)), async (kind, id) => {
      const res = await post(`/media/${kind}/${id}`, '')
      assert.ok(res.status < 500, `${kind}/${id}: ${res.status}`)
      if (res.status === 200) assert.ok(/^\d+$/.test(id) && ['thumb', 'photo'].includes(kind), `${kind}/${id} served`)
    }),
    { numRuns: RUNS }
  )
  await engine.idle()
  assert.equal(await library(), stored)
  assert.equal((await post('/api/status', '{}')).status, 200, 'still up')
})
