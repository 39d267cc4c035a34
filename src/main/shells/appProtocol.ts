// Electron's app:// protocol, kept free of Electron (it takes a fetch Request and answers a fetch
// Response) so tests can drive it: the renderer's files, only from under its folder, with the CSP
// as a header; and the media routes, served like browser mode's (services/media.ts, routes.ts).
import { readFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { Engine } from '../app/engine'
import { UserError } from '../../shared/errors'
import { mediaHeaders, mediaRoute, notModified, rendererFile, staticType } from './routes'
import { APP_HOST, CONTENT_SECURITY_POLICY } from './security'

export interface AppProtocolOptions {
  engine: Pick<Engine, 'media'>
  rendererDir: string
  /** 'cross-origin' only for a development page served by vite from another origin */
  mediaCrossOrigin?: 'same-origin' | 'cross-origin'
}

const text = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } })

export function appProtocolHandler(opts: AppProtocolOptions): (req: Request) => Promise<Response> {
  return async (req) => {
    const url = new URL(req.url)
    if (url.host !== APP_HOST) return text(404, 'not found')
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'use GET')
    if (url.pathname.startsWith('/media/')) {
      const route = mediaRoute(url.pathname)
      if (!route) return text(404, 'no such media')
      let media
      try {
        media = await opts.engine.media(route.id, route.kind)
      } catch (err) {
        if (err instanceof UserError) return text(err.status, err.message)
        throw err
      }
      const headers = mediaHeaders(media, opts.mediaCrossOrigin)
      if (notModified(req.headers.get('if-none-match'), media.etag)) {
        await media.close()
        return new Response(null, { status: 304, headers: { etag: media.etag, 'cache-control': headers['cache-control'] } })
      }
      return new Response(Readable.toWeb(media.body()) as ReadableStream<Uint8Array>, { status: 200, headers })
    }
    const file = rendererFile(opts.rendererDir, url.pathname)
    if (!file) return text(404, 'not found')
    return new Response(new Uint8Array(await readFile(file)), {
      status: 200,
      headers: { 'content-type': staticType(file), 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' }
    })
  }
}
