// What both shells serve besides the API, kept free of Electron so tests can assert it: the media
// routes (/media/thumb|photo/<id>), the renderer's own files (only under its folder), and the
// headers every media response carries.
import { existsSync, statSync } from 'node:fs'
import { extname, join, resolve } from 'node:path'
import { isInside } from '../adapters/fs/paths'
import type { MediaKind } from '../services/media'

/**
 * A photo can hold anything its owner put in it; served as an image it must never run: no script,
 * no plugin, no form, no frame, no request of its own (sandbox, default-src 'none'). An <img> is
 * not affected, and Chromium's viewer still shows the photo opened in a tab (e2e/security.spec.ts).
 * nosniff: the type sent is the one read from the bytes (mediaType.ts).
 * CORP: no other site may embed it. no-cache + ETag: a cached copy is used only when the server
 * says it is still these bytes (an id that now names another photo never shows the old one).
 */
export const MEDIA_CSP = "default-src 'none'; sandbox"

export function mediaHeaders(media: { type: string; size: number; etag: string }, crossOrigin: 'same-origin' | 'cross-origin' = 'same-origin'): Record<string, string> {
  return {
    'content-type': media.type,
    'content-length': String(media.size),
    etag: media.etag,
    'cache-control': 'private, no-cache',
    'content-security-policy': MEDIA_CSP,
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': crossOrigin,
    'referrer-policy': 'no-referrer'
  }
}

/** `/media/<kind>/<id>` → what it names, or null. */
export function mediaRoute(pathname: string): { kind: MediaKind; id: number } | null {
  const m = /^\/media\/(thumb|photo)\/(\d{1,9})$/.exec(pathname)
  return m ? { kind: m[1] as MediaKind, id: Number(m[2]) } : null
}

/** Whether an If-None-Match header names this ETag (a list, or *). */
export const notModified = (ifNoneMatch: string | null | undefined, etag: string): boolean =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*' || t.trim() === `W/${etag}`)

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2'
}

/** The renderer's build is ours: its files keep the type their extension names. */
export const staticType = (file: string): string => TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'

/** The renderer file a URL path names (`/` is index.html), or null: outside the folder, not a file, or a malformed path. */
export function rendererFile(root: string, pathname: string): string | null {
  let rel: string
  try {
    rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname)
  } catch {
    return null
  }
  const base = resolve(root)
  const file = resolve(join(base, rel))
  if (file === base || !isInside(file, base) || !existsSync(file) || !statSync(file).isFile()) return null
  return file
}
