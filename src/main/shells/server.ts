// Browser mode: the engine behind a local HTTP server that serves the same renderer.
// Loopback only, Host and Origin checks against DNS rebinding and cross-site requests, and a random
// token per launch: in the x-mrl-token header on every API call; the page that opens with it in its
// URL also gets an HttpOnly, SameSite=Strict cookie (another random value, this launch only) that
// authenticates media and the event stream, so no media URL carries the token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createReadStream } from 'node:fs'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { resolve } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Engine } from '../app/engine'
import { createRpc } from './rpc'
import type { EventName, JobEvent } from '../../shared/events'
import { CONTENT_SECURITY_POLICY } from './security'
import { rendererFile, staticType } from './routes'
import { serveApi, UploadGate, type Send } from './httpApi'
import { serveMedia } from './httpMedia'

export interface ServerOptions {
  engine: Engine
  rendererDir: string
  port?: number
  token?: string
}

export interface RunningServer {
  url: string
  origin: string
  token: string
  /** the media cookie's name (it carries the port: cookies are shared by every port of a host) */
  cookieName: string
  close(): Promise<void>
}

const send: Send = (res, status, body, headers = {}) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers })
  res.end(text)
}

/** Constant-time comparison of a given secret with the expected one. */
function same(given: string | null | undefined, expected: Buffer): boolean {
  const b = Buffer.from(given ?? '')
  return b.length === expected.length && timingSafeEqual(b, expected)
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return null
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { engine } = opts
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const tokenBuf = Buffer.from(token)
  // the media cookie is not the token: a leaked cookie cannot call the API
  const session = randomBytes(32).toString('base64url')
  const sessionBuf = Buffer.from(session)
  const rpc = createRpc(engine)
  const gate = new UploadGate()
  const rendererDir = resolve(opts.rendererDir)
  let port = 0
  let cookieName = ''
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`])

  const server = createServer(async (req, res) => {
    try {
      const host = req.headers.host ?? ''
      if (!allowedHosts().has(host)) return send(res, 403, { error: `host "${host}" not allowed` })
      const origin = req.headers.origin
      if (origin && origin !== `http://${host}`) return send(res, 403, { error: 'cross-origin request refused' })
      const url = new URL(req.url ?? '/', `http://${host}`)
      const path = url.pathname
      const byHeader = same(req.headers['x-mrl-token'] as string | undefined, tokenBuf)

      if (path === '/api/events') {
        if (!byHeader && !same(cookie(req, cookieName), sessionBuf)) return send(res, 401, { error: 'missing or wrong token' })
        if (req.method !== 'GET') return send(res, 405, { error: 'use GET' })
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
        const name: EventName = 'job'
        const push = (e: JobEvent) => res.write(`event: ${name}\ndata: ${JSON.stringify(e)}\n\n`)
        // the latest status of every job first, then each change; both in this tick, so none slips between
        for (const e of engine.jobSnapshot()) push(e)
        engine.on(name, push)
        req.on('close', () => engine.off(name, push))
        return
      }
      if (path.startsWith('/api/')) {
        // the API takes the header only: a cookie rides along with requests other pages make
        if (!byHeader) return send(res, 401, { error: 'missing or wrong token' })
        return await serveApi(req, res, path, rpc, gate, send)
      }
      if (path.startsWith('/media/')) {
        if (!byHeader && !same(cookie(req, cookieName), sessionBuf)) return send(res, 401, { error: 'missing or wrong token' })
        return await serveMedia(req, res, engine, path, send)
      }
      const setCookie = same(url.searchParams.get('token'), tokenBuf) ? `${cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/` : null
      return serveStatic(res, rendererDir, path, setCookie)
    } catch (err) {
      if (!res.headersSent) send(res, 500, { error: `internal error: ${(err as Error).message}` })
      else res.destroy()
    }
  })

  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok())
  })
  port = (server.address() as AddressInfo).port
  cookieName = `mrl-media-${port}`
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    token,
    cookieName,
    url: `${origin}/?token=${token}`,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}

function serveStatic(res: ServerResponse, root: string, path: string, setCookie: string | null): void {
  const file = rendererFile(root, path)
  if (!file) return send(res, 404, { error: 'not found' })
  res.writeHead(200, {
    'content-type': staticType(file),
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    ...(setCookie ? { 'set-cookie': setCookie, 'cache-control': 'no-store' } : {})
  })
  // a file deleted between the check and the read ends the response; unhandled, it would end the server
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res)
}
