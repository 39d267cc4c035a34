// Browser mode's media routes: /media/thumb/<id> and /media/photo/<id>, opened and typed by the
// engine (services/media.ts), streamed from the one descriptor that passed the checks.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { Engine } from '../app/engine'
import { UserError } from '../../shared/errors'
import { mediaHeaders, mediaRoute, notModified } from './routes'
import type { Send } from './httpApi'

export async function serveMedia(req: IncomingMessage, res: ServerResponse, engine: Engine, path: string, send: Send): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'use GET' })
  const route = mediaRoute(path)
  if (!route) return send(res, 404, { error: 'no such media' })
  let media
  try {
    media = await engine.media(route.id, route.kind)
  } catch (err) {
    if (err instanceof UserError) return send(res, err.status, { error: err.message })
    throw err
  }
  const headers = mediaHeaders(media)
  if (notModified(req.headers['if-none-match'], media.etag) || req.method === 'HEAD') {
    await media.close()
    const { 'content-length': _length, ...rest } = headers
    res.writeHead(req.method === 'HEAD' ? 200 : 304, req.method === 'HEAD' ? headers : rest)
    return void res.end()
  }
  res.writeHead(200, headers)
  // a file that shrinks mid-way ends the response with an error: never a body shorter than its length
  await pipeline(media.body(), res).catch(() => res.destroy())
}
