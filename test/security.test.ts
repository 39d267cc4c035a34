// Electron hardening, checked without starting Electron: the window's web preferences, the CSP,
// the navigation / new-window / webview blockers that electron.ts installs, the app:// scheme
// instead of file://, permissions refused, IPC only from our own top frame, and that IPC goes
// through the same schema validation as HTTP.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  PRIVILEGED_SCHEMES,
  WEB_PREFERENCES,
  hardenSession,
  hardenWebContents,
  isTrustedSender,
  trustedOrigins,
  webPreferences,
  withPageCsp
} from '../src/main/shells/security.ts'
import { createRpc } from '../src/main/shells/rpc.ts'
import { Engine } from '../src/main/app/engine.ts'
import { ROOT, tempDir } from '../fixtures/photos.ts'

test('the window runs sandboxed, context-isolated, without Node, webviews or insecure content', () => {
  assert.equal(WEB_PREFERENCES.contextIsolation, true)
  assert.equal(WEB_PREFERENCES.sandbox, true)
  assert.equal(WEB_PREFERENCES.nodeIntegration, false)
  assert.equal(WEB_PREFERENCES.nodeIntegrationInWorker, false)
  assert.equal(WEB_PREFERENCES.webSecurity, true)
  assert.equal(WEB_PREFERENCES.allowRunningInsecureContent, false)
  assert.equal(WEB_PREFERENCES.webviewTag, false)
  // and electron.ts builds its window from exactly these, plus the preload
  const shell = readFileSync(join(ROOT, 'src/main/shells/electron.ts'), 'utf8')
  assert.match(shell, /webPreferences: webPreferences\(join\([^)]*\), app\.isPackaged\)/, 'nothing overrides the hardened preferences')
  assert.deepEqual(webPreferences('/p.cjs', true), { ...WEB_PREFERENCES, devTools: false, preload: '/p.cjs' })
  assert.match(shell, /app\.on\('web-contents-created', \(_event, contents\) => hardenWebContents\(contents\)\)/)
})

test('the Content-Security-Policy allows only the app itself: no inline or eval script, no plugins, no framing', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]))
  assert.deepEqual(directives.get('default-src'), ["'self'"])
  assert.deepEqual(directives.get('script-src'), ["'self'"])
  assert.deepEqual(directives.get('object-src'), ["'none'"])
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"])
  assert.deepEqual(directives.get('base-uri'), ["'none'"])
  assert.deepEqual(directives.get('form-action'), ["'none'"])
  assert.deepEqual(directives.get('connect-src'), ["'self'"])
  assert.ok(!CONTENT_SECURITY_POLICY.includes('unsafe-eval'))
  assert.ok(!/script-src[^;]*unsafe-inline/.test(CONTENT_SECURITY_POLICY))
  assert.ok(!/(^|\s)\*(\s|;|$)/.test(CONTENT_SECURITY_POLICY), 'no wildcard source')
  assert.ok(!/https?:/.test(CONTENT_SECURITY_POLICY), 'no remote origin')
})

/** Electron's WebContents as far as hardening touches it: its events and its window-open handler. */
class Contents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | null = null
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler
  }
  /** Emits like Electron does and says whether a listener prevented the default. */
  attempt(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect' | 'will-attach-webview', url: string): boolean {
    let prevented = false
    this.emit(event, { preventDefault: () => (prevented = true), url }, url)
    return prevented
  }
}

test('navigation, redirects, webviews and new windows are all refused', () => {
  const contents = new Contents()
  hardenWebContents(contents)
  for (const url of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', `${APP_ORIGIN}/media/photo/1`]) {
    assert.equal(contents.attempt('will-navigate', url), true, `navigate to ${url}`)
    assert.equal(contents.attempt('will-frame-navigate', url), true, `a frame navigating to ${url}`)
    assert.equal(contents.attempt('will-redirect', url), true, `redirect to ${url}`)
    assert.equal(contents.attempt('will-attach-webview', url), true, `webview of ${url}`)
    assert.deepEqual(contents.openHandler?.({ url }), { action: 'deny' }, `window.open(${url})`)
  }
})

test('IPC payloads go through the same schema as HTTP: bad ones are refused before the engine', async () => {
  const data = tempDir()
  const engine = await Engine.open({ dataDir: data })
  try {
    const rpc = createRpc(engine)
    const cases: [string, unknown, number][] = [
      ['addFolder', { path: 42 }, 400],
      ['addFolder', { path: '/x', extra: true }, 400],
      ['search', { query: { kind: 'sql', text: 'DROP TABLE' } }, 400],
      ['listPhotos', { limit: 10_000 }, 400],
      ['__proto__', {}, 404],
      ['constructor', {}, 404],
      ['status', [], 400]
    ]
    for (const [method, input, status] of cases) assert.equal((await rpc(method, input)).status, status, `${method} ${JSON.stringify(input)}`)
    assert.equal((await rpc('status', {})).status, 200)
    // the preload exposes one call over this dispatcher, never ipcRenderer itself
    const preload = readFileSync(join(ROOT, 'src/preload/index.ts'), 'utf8')
    assert.match(preload, /exposeInMainWorld\('mrl', bridge\)/)
    assert.ok(!/exposeInMainWorld\([^)]*ipcRenderer/.test(preload))
  } finally {
    await engine.close()
    rmSync(data, { recursive: true, force: true })
  }
})

test('DevTools are off in a packaged app, on only in a development build', () => {
  assert.equal(webPreferences('/p.cjs', true).devTools, false)
  assert.equal(webPreferences('/p.cjs', false).devTools, true)
})

test('the window loads the privileged app:// scheme (standard, secure), never file://; the CSP is also a response header', () => {
  assert.deepEqual(PRIVILEGED_SCHEMES, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }])
  const shell = readFileSync(join(ROOT, 'src/main/shells/electron.ts'), 'utf8')
  assert.ok(!/loadFile\(|['"`]file:|pathToFileURL|net\.fetch/.test(shell), 'nothing loads or serves file:// URLs')
  assert.match(shell, /protocol\.registerSchemesAsPrivileged\(PRIVILEGED_SCHEMES\)/)
  assert.match(shell, /protocol\.handle\(APP_SCHEME, appProtocolHandler\(/)
  assert.match(shell, /win\.loadURL\(devUrl \?\? `\$\{APP_ORIGIN\}\/index\.html`\)/)
  // vite's development server only when not packaged
  assert.match(shell, /const devUrl = app\.isPackaged \? undefined : process\.env\.ELECTRON_RENDERER_URL/)
  // the header goes on responses without a CSP of their own; a media response keeps its stricter one
  assert.deepEqual(withPageCsp({ 'content-type': ['text/html'] }), { 'content-type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
  assert.deepEqual(withPageCsp({ 'content-security-policy': ["default-src 'none'; sandbox"] }), { 'content-security-policy': ["default-src 'none'; sandbox"] })
  // the page's own meta CSP says the same as the header (frame-ancestors works only as a header)
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(readFileSync(join(ROOT, 'src/renderer/index.html'), 'utf8'))?.[1] ?? ''
  for (const d of ["object-src 'none'", "base-uri 'none'", "form-action 'none'", "script-src 'self'", "default-src 'self'"]) assert.ok(meta.includes(d), `index.html CSP lacks ${d}`)
  // the preload's media URLs are on the app's own origin
  assert.match(readFileSync(join(ROOT, 'src/preload/index.ts'), 'utf8'), new RegExp(`\`${APP_ORIGIN}/media/\\$\\{kind\\}/\\$\\{id\\}\``))
})

test('every permission is refused: requests, checks and devices (camera, microphone, HID, USB, serial…)', () => {
  const handlers: Record<string, (...args: any[]) => unknown> = {}
  hardenSession({
    setPermissionRequestHandler: (h) => (handlers.request = h),
    setPermissionCheckHandler: (h) => (handlers.check = h),
    setDevicePermissionHandler: (h) => (handlers.device = h)
  })
  for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'usb', 'serial', 'fileSystem', 'openExternal']) {
    let granted: boolean | null = null
    handlers.request({}, permission, (g: boolean) => (granted = g))
    assert.equal(granted, false, permission)
    assert.equal(handlers.check({}, permission), false, permission)
  }
  assert.equal(handlers.device({ deviceType: 'usb', origin: APP_ORIGIN }), false)
  const shell = readFileSync(join(ROOT, 'src/main/shells/electron.ts'), 'utf8')
  assert.match(shell, /hardenSession\(session\.defaultSession\)/)
})

test("IPC is answered only for our own page's top frame, judged by its origin", () => {
  const packaged = trustedOrigins(true, 'http://localhost:5173')
  assert.deepEqual(packaged, [APP_ORIGIN], 'a packaged app trusts no development server')
  assert.equal(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, parent: null }, packaged), true)
  assert.equal(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, parent: {} }, packaged), false, 'an iframe')
  for (const url of ['https://evil.example/', 'file:///index.html', 'app://evil/index.html', 'app://mrl.evil/x', 'about:blank', 'data:text/html,x', 'not a url']) {
    assert.equal(isTrustedSender({ url, parent: null }, packaged), false, url)
  }
  assert.equal(isTrustedSender(null, packaged), false, 'a frame already gone')
  const dev = trustedOrigins(false, 'http://localhost:5173/')
  assert.equal(isTrustedSender({ url: 'http://localhost:5173/#/search', parent: null }, dev), true)
  assert.equal(isTrustedSender({ url: 'http://localhost:5174/', parent: null }, dev), false)
  const shell = readFileSync(join(ROOT, 'src/main/shells/electron.ts'), 'utf8')
  assert.match(shell, /isTrustedSender\(event\.senderFrame, origins\)/)
})

test('the Electron main process makes the data folder private before anything is written', () => {
  const shell = readFileSync(join(ROOT, 'src/main/shells/electron.ts'), 'utf8')
  const umask = shell.indexOf('keepNewFilesPrivate()')
  assert.ok(umask > 0 && umask < shell.indexOf('Engine.open('), 'keepNewFilesPrivate() first')
})
