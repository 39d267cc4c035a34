// Browser mode's /api/<method> route: the method name, the content type, the body (bounded, and a
// cap on how many large ones are read and worked on at once), then the one dispatcher (rpc.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RpcResult } from './rpc'

/** The largest body: a 30 MB photo or model, base64 (api.ts caps those fields at 40,000,000 characters). */
export const MAX_BODY = 48 * 1024 * 1024
/** A body past this is a large upload (a photo to search by, a model): decoding it costs memory and CPU. */
export const LARGE_BODY = 1024 * 1024
/** Large uploads read and worked on at once; more answer 429 at once instead of piling up in memory. */
export const MAX_LARGE_UPLOADS = 2
/** Past MAX_BODY the rest is read and dropped, so the client gets to read the 413; past this too, the connection is cut. */
const MAX_DISCARD = 4 * MAX_BODY

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

export type Send = (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => void

/** Only `application/json`, with at most a UTF-8 charset: a lookalike (application/json-evil) is not JSON. */
export function isJsonType(header: string | undefined): boolean {
  const [type, ...params] = (header ?? '').split(';').map((p) => p.trim().toLowerCase())
  if (type !== 'application/json') return false
  return params.every((p) => p === 'charset=utf-8' || p === 'charset="utf-8"')
}

/** Slots for large uploads, released when their request is answered. */
export class UploadGate {
  private inFlight = 0
  constructor(private readonly max = MAX_LARGE_UPLOADS) {}
  take(): (() => void) | null {
    if (this.inFlight >= this.max) return null
    this.inFlight++
    let released = false
    return () => {
      if (!released) (released = true), this.inFlight--
    }
  }
}

const tooMany = () => new HttpError(429, `too many large uploads at once (at most ${MAX_LARGE_UPLOADS}): try again when one has finished`)
const tooLarge = () => new HttpError(413, `request body over ${MAX_BODY} bytes`)

/**
 * The body as text. A body over MAX_BODY (declared or counted) rejects with 413 at once; the rest
 * is drained, not buffered, so the client reads the answer instead of a reset. A large one takes a
 * slot of `gate` (`hold` receives its release) or rejects with 429.
 */
function readBody(req: IncomingMessage, gate: UploadGate, hold: (release: () => void) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN)
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    const fail = (err: HttpError) => {
      failed = true
      chunks.length = 0
      reject(err)
    }
    const large = () => {
      const release = gate.take()
      if (release) hold(release)
      else fail(tooMany())
    }
    if (declared > MAX_BODY) fail(tooLarge())
    else if (declared > LARGE_BODY) large()
    req.on('data', (c: Buffer) => {
      const before = size
      size += c.length
      if (failed) {
        if (size > MAX_DISCARD) req.destroy()
        return
      }
      if (size > MAX_BODY) return fail(tooLarge())
      if (before <= LARGE_BODY && size > LARGE_BODY && !(declared > LARGE_BODY)) large()
      if (!failed) chunks.push(c)
    })
    let ended = false
    req.on('end', () => {
      ended = true
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'))
    })
    // a client that goes away mid-body frees its slot (whether 'error' comes or not)
    req.on('error', (err) => !failed && fail(new HttpError(400, `the request failed: ${err.message}`)))
    req.on('close', () => !ended && !failed && fail(new HttpError(400, 'the request was cut off')))
  })
}

export async function serveApi(req: IncomingMessage, res: ServerResponse, path: string, rpc: (method: string, input: unknown) => Promise<RpcResult>, gate: UploadGate, send: Send): Promise<void> {
  if (req.method !== 'POST') return send(res, 405, { error: 'use POST with a JSON body' })
  let method: string
  try {
    method = decodeURIComponent(path.slice('/api/'.length))
  } catch {
    return send(res, 400, { error: 'malformed percent-encoding in the method name' })
  }
  if (!isJsonType(req.headers['content-type'])) return send(res, 415, { error: 'content-type must be application/json' })
  let release = () => {}
  try {
    let input: unknown
    try {
      const raw = await readBody(req, gate, (r) => (release = r))
      input = raw ? JSON.parse(raw) : {}
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.status, { error: err.message }, err.status === 429 ? { 'retry-after': '1' } : {})
      return send(res, 400, { error: 'body is not valid JSON' })
    }
    const out = await rpc(method, input)
    send(res, out.status, out.body)
  } finally {
    release()
  }
}
