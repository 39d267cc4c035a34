// The renderer's single transport. In Electron the preload bridge (window.mrl) carries calls over IPC;
// in browser mode the same calls go to the local HTTP server, authenticated by the per-launch token.
import type { Input, Method, Output } from '../../../shared/api'
import type { EventName, JobEvent } from '../../../shared/events'

export type MediaKind = 'thumb' | 'photo'

/** Shape of the preload bridge (src/preload/index.ts); declared here so the renderer needs no Electron types. */
export interface Bridge {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>
  onJob(listener: (e: JobEvent) => void): () => void
  mediaUrl(kind: MediaKind, id: number): string
  /** the system's folder picker (Electron); null when cancelled */
  pickFolder?(): Promise<string | null>
}

declare global {
  interface Window {
    mrl?: Bridge
  }
}

const TOKEN_KEY = 'mrl-token'

/**
 * The token comes in the launch URL; sessionStorage keeps it across reloads. It leaves the address
 * bar (and so the history) at once: API calls carry it in a header, and media and the event stream
 * go by the HttpOnly cookie the server set when it served this page with the token.
 */
function readToken(): string {
  const params = new URLSearchParams(location.search)
  const fromUrl = params.get('token')
  if (fromUrl !== null) {
    params.delete('token')
    const query = params.toString()
    history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`)
  }
  try {
    if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl)
    return fromUrl ?? sessionStorage.getItem(TOKEN_KEY) ?? ''
  } catch {
    return fromUrl ?? '' // storage can be disabled; the URL was enough for this load
  }
}

const bridge: Bridge | undefined = typeof window !== 'undefined' ? window.mrl : undefined
const token = bridge ? '' : readToken()

export const isElectron = bridge !== undefined

/** The native folder picker where there is one (Electron), else undefined: the in-page browser is used. */
export const pickFolder: (() => Promise<string | null>) | undefined = bridge?.pickFolder ? () => bridge.pickFolder!() : undefined

async function httpCall<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  let res: Response
  try {
    res = await fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mrl-token': token },
      body: JSON.stringify(input)
    })
  } catch {
    throw new Error('Cannot reach the photo engine. Is the app still running?')
  }
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const message =
      body && typeof body === 'object' && 'error' in body && typeof body.error === 'string'
        ? body.error
        : `${method} failed: ${res.status} ${res.statusText}`
    throw new Error(message)
  }
  return body as Output<M>
}

export function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  return bridge ? bridge.call(method, input) : httpCall(method, input)
}

// One EventSource shared by every subscriber; opened on first use, closed when the last one leaves.
const JOB: EventName = 'job'
const listeners = new Set<(e: JobEvent) => void>()
let source: EventSource | null = null

/**
 * Every job's status changes (src/shared/events.ts). In browser mode the server starts each connection
 * (and each reconnect) with the latest event of every job, then sends each change. In Electron only
 * changes come: the stores read the current state with their API calls (status, models, training,
 * backbone) once they are subscribed.
 */
export function onJob(listener: (e: JobEvent) => void): () => void {
  if (bridge) return bridge.onJob(listener)
  listeners.add(listener)
  if (!source) {
    source = new EventSource('/api/events') // authenticated by the cookie
    source.addEventListener(JOB, (m) => {
      let e: JobEvent
      try {
        e = JSON.parse((m as MessageEvent<string>).data) as JobEvent
      } catch {
        return // a malformed event is not worth breaking the page for
      }
      for (const l of listeners) l(e)
    })
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0 && source) {
      source.close()
      source = null
    }
  }
}

export function mediaUrl(kind: MediaKind, id: number): string {
  if (bridge) return bridge.mediaUrl(kind, id)
  return `/media/${kind}/${id}` // authenticated by the cookie: no URL carries the token
}
