// Browser mode: the engine behind a local HTTP server that serves the same renderer.
// Loopback only, a random token per launch on every API and media request, Host and Origin checks
// against DNS rebinding and cross-site requests, and media only for indexed photos.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { extname, join, resolve } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Engine } from '../app/engine'
import { createRpc } from './rpc'
import type { EventName, JobEvent } from '../../shared/events'
import { CONTENT_SECURITY_POLICY } from './security'
import { isInside } from '../adapters/fs/paths'

const MAX_BODY = 48 * 1024 * 1024
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.avif': 'image/avif', '.gif': 'image/gif',
  '.tif': 'image/tiff', '.tiff': 'image/tiff', '.heic': 'image/heic', '.heif': 'image/heif'
}

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
  close(): Promise<void>
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(text)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(Object.assign(new Error(`request body over ${MAX_BODY} bytes`), { status: 413 }))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { engine } = opts
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const tokenBuf = Buffer.from(token)
  const rpc = createRpc(engine)
  const rendererDir = resolve(opts.rendererDir)
  let port = 0
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`])

  const tokenOk = (given: string | null | undefined) => {
    const b = Buffer.from(given ?? '')
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf)
  }

  const server = createServer(async (req, res) => {
    try {
      const host = req.headers.host ?? ''
      if (!allowedHosts().has(host)) return send(res, 403, { error: `host "${host}" not allowed` })
      const origin = req.headers.origin
      if (origin && origin !== `http://${host}`) return send(res, 403, { error: 'cross-origin request refused' })
      const url = new URL(req.url ?? '/', `http://${host}`)
      const path = url.pathname

      if (path.startsWith('/api/') || path.startsWith('/media/')) {
        const given = (req.headers['x-mrl-token'] as string | undefined) ?? url.searchParams.get('token')
        if (!tokenOk(given)) return send(res, 401, { error: 'missing or wrong token' })
      }
      if (path === '/api/events') {
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
        if (req.method !== 'POST') return send(res, 405, { error: 'use POST with a JSON body' })
        const type = req.headers['content-type'] ?? ''
        if (!type.startsWith('application/json')) return send(res, 415, { error: 'content-type must be application/json' })
        let input: unknown
        try {
          const raw = await readBody(req)
          input = raw ? JSON.parse(raw) : {}
        } catch (err) {
          const status = (err as { status?: number }).status ?? 400
          return send(res, status, { error: status === 413 ? (err as Error).message : 'body is not valid JSON' })
        }
        const out = await rpc(decodeURIComponent(path.slice(5)), input)
        return send(res, out.status, out.body)
      }
      if (path.startsWith('/media/')) return await serveMedia(res, engine, path)
      return serveStatic(res, rendererDir, path)
    } catch (err) {
      if (!res.headersSent) send(res, 500, { error: `internal error: ${(err as Error).message}` })
      else res.end()
    }
  })

  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok())
  })
  port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    token,
    url: `${origin}/?token=${token}`,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}

async function serveMedia(res: ServerResponse, engine: Engine, path: string): Promise<void> {
  const m = /^\/media\/(thumb|photo)\/(\d{1,9})$/.exec(path)
  if (!m) return send(res, 404, { error: 'no such media' })
  const id = Number(m[2])
  if (!engine.photoFile(id)) return send(res, 404, { error: `no photo ${id}` })
  const file = await engine.mediaFile(id, m[1] as 'thumb' | 'photo')
  const size = file ? statSync(file, { throwIfNoEntry: false })?.size : undefined
  if (!file || size === undefined) return send(res, 404, { error: 'file is gone or no longer inside the library' })
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': 'private, max-age=3600',
    'x-content-type-options': 'nosniff'
  })
  pipeFile(file, res)
}

/** A file deleted between the check and the read ends the response; unhandled, it would end the server. */
function pipeFile(file: string, res: ServerResponse): void {
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res)
}

function serveStatic(res: ServerResponse, root: string, path: string): void {
  let rel: string
  try {
    rel = decodeURIComponent(path === '/' ? '/index.html' : path)
  } catch {
    return send(res, 400, { error: 'bad path' })
  }
  const file = resolve(join(root, rel))
  if (file === root || !isInside(file, root) || !existsSync(file) || !statSync(file).isFile()) return send(res, 404, { error: 'not found' })
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer'
  })
  pipeFile(file, res)
}
