// The token leaves URLs: the page opened with it gets an HttpOnly, SameSite=Strict cookie (another
// random value, this launch only) that media and the event stream accept, so no media URL carries
// the token; the API still takes the header alone, and a URL token no longer opens media.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { startServer, type RunningServer } from '../src/main/shells/server.ts'
import { serveCifar, type Served } from './served.ts'

let served: Served
let server: RunningServer

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
}

/** Headers only (the event stream never ends). */
function head(origin: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const { port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      resolve({ status: res.statusCode!, headers: res.headers })
      res.destroy()
    })
    req.on('error', reject)
    req.end(method === 'POST' ? '{}' : undefined)
  })
}

/** The cookie the page gets when it opens with the token (name=value), or null. */
async function pageCookie(s: RunningServer, query: string): Promise<{ pair: string; attributes: string[] } | null> {
  const res = await head(s.origin, 'GET', `/${query}`)
  assert.equal(res.status, 200)
  const set = res.headers['set-cookie']
  if (!set) return null
  assert.equal(set.length, 1)
  const [pair, ...attributes] = set[0].split(';').map((p) => p.trim())
  return { pair, attributes }
}

before(async () => {
  served = await serveCifar(1)
  server = served.server
})

after(() => served?.close())

test('the page opened with the token gets an HttpOnly, SameSite=Strict cookie that is not the token', async () => {
  const got = await pageCookie(server, `?token=${server.token}`)
  assert.ok(got, 'no cookie set')
  const [name, value] = got.pair.split('=')
  assert.equal(name, server.cookieName)
  assert.notEqual(value, server.token)
  assert.ok(!value.includes(server.token) && value.length >= 40, 'unguessable, and not derived visibly from the token')
  assert.deepEqual(got.attributes.map((a) => a.toLowerCase()).sort(), ['httponly', 'path=/', 'samesite=strict'])
  // no token, or a wrong one: no cookie
  assert.equal(await pageCookie(server, ''), null)
  assert.equal(await pageCookie(server, `?token=${'x'.repeat(server.token.length)}`), null)
})

test('media and the event stream open with the cookie; the API does not; a token in a media URL opens nothing', async () => {
  const { pair } = (await pageCookie(server, `?token=${server.token}`))!
  const [name] = pair.split('=')
  assert.equal((await head(server.origin, 'GET', '/media/thumb/0', { cookie: pair })).status, 200)
  assert.equal((await head(server.origin, 'GET', '/media/photo/0', { cookie: `other=1; ${pair}` })).status, 200)
  const events = await head(server.origin, 'GET', '/api/events', { cookie: pair })
  assert.equal(events.status, 200)
  assert.match(String(events.headers['content-type']), /text\/event-stream/)
  // the API needs the header: the cookie rides along with requests other pages make
  assert.equal((await head(server.origin, 'POST', '/api/status', { cookie: pair, 'content-type': 'application/json' })).status, 401)
  assert.equal((await head(server.origin, 'POST', '/api/status', { 'x-mrl-token': server.token, 'content-type': 'application/json' })).status, 200)
  // a wrong cookie, the token as the cookie, the token in the URL: 401
  for (const [path, headers] of [
    ['/media/thumb/0', { cookie: `${name}=${'A'.repeat(43)}` }],
    ['/media/thumb/0', { cookie: `${name}=${server.token}` }],
    [`/media/thumb/0?token=${server.token}`, {}],
    [`/api/events?token=${server.token}`, {}]
  ] as const) assert.equal((await head(server.origin, 'GET', path, headers)).status, 401, `${path} ${JSON.stringify(headers)}`)
})

test("a launch's cookie opens nothing in another launch", async () => {
  const other = await startServer({ engine: served.engine, rendererDir: served.renderer, token: server.token })
  try {
    const mine = (await pageCookie(server, `?token=${server.token}`))!.pair.split('=')[1]
    const theirs = (await pageCookie(other, `?token=${other.token}`))!.pair.split('=')[1]
    assert.notEqual(mine, theirs, 'the cookie is per launch, even with the same token')
    assert.equal((await head(other.origin, 'GET', '/media/thumb/0', { cookie: `${other.cookieName}=${mine}` })).status, 401)
    assert.equal((await head(other.origin, 'GET', '/media/thumb/0', { cookie: `${other.cookieName}=${theirs}` })).status, 200)
  } finally {
    await other.close()
  }
})
