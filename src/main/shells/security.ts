// Window and page hardening, kept free of Electron imports so tests can assert it.

/** The app's own origin in Electron: the renderer and its media come from a privileged scheme, never file://. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'mrl'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/** Registered before the app is ready: standard (an origin, relative URLs), secure (like https), fetch allowed. */
export const PRIVILEGED_SCHEMES = [{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // app://mrl is 'self' in the window; named so a development page (vite's server) can show media too
  `img-src 'self' data: blob: ${APP_ORIGIN}`,
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'"
].join('; ')

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  spellcheck: false
} as const

/** The window's preferences: the hardened set, the preload, and DevTools only in a development build. */
export function webPreferences(preload: string, packaged: boolean) {
  return { ...WEB_PREFERENCES, devTools: !packaged, preload }
}

/** The origins whose top frame may call the API over IPC: the app's own, and vite's server in development. */
export function trustedOrigins(packaged: boolean, devUrl: string | undefined): string[] {
  return [APP_ORIGIN, ...(!packaged && devUrl ? [originOf(devUrl)] : [])].filter((o): o is string => o !== null)
}

/** scheme://host[:port] (URL.origin is "null" for a scheme Node does not know, such as app:). */
function originOf(url: string): string | null {
  try {
    const u = new URL(url)
    return u.host ? `${u.protocol}//${u.host}` : null
  } catch {
    return null
  }
}

/** An IPC call is ours when it comes from a top frame (no parent) showing one of `origins`; not from an iframe, nor a page navigated elsewhere. */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined, origins: readonly string[]): boolean {
  if (!frame || frame.parent) return false
  const origin = originOf(frame.url)
  return origin !== null && origins.includes(origin)
}

/** The page's CSP on a response that has none of its own (a media response keeps its stricter one). */
export function withPageCsp(headers: Record<string, string[] | string> | undefined): Record<string, string[] | string> {
  const all = { ...(headers ?? {}) }
  if (!Object.keys(all).some((k) => k.toLowerCase() === 'content-security-policy')) all['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY]
  return all
}

/** The parts of Electron's WebContents that hardening touches (structural, so tests need no Electron). */
export interface HardenableContents {
  on(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
}

/** The window never leaves the app: no navigation (of the page or any frame), no redirects, no new windows, no webviews. */
export function hardenWebContents(contents: HardenableContents): void {
  const block = (event: { preventDefault(): void }) => event.preventDefault()
  contents.on('will-navigate', block)
  contents.on('will-frame-navigate', block)
  contents.on('will-redirect', block)
  contents.on('will-attach-webview', block)
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

/** The parts of Electron's Session that hardening touches. */
export interface HardenableSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void
}

/** The app needs no permission at all: camera, microphone, notifications, geolocation, HID, USB, serial… all refused, asked or checked. */
export function hardenSession(session: HardenableSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
}
