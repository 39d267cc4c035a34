// Electron hardening, checked without starting Electron: the window's web preferences, the CSP,
// the navigation / new-window / webview blockers that electron.ts installs, and that IPC goes
// through the same schema validation as HTTP.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { CONTENT_SECURITY_POLICY, WEB_PREFERENCES, hardenWebContents } from '../src/main/shells/security.ts'
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
  assert.match(shell, /webPreferences: \{ \.\.\.WEB_PREFERENCES, preload: join\([^)]*\) \}/, 'nothing overrides the hardened preferences')
  assert.match(shell, /hardenWebContents\(win\.webContents\)/)
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
  attempt(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url: string): boolean {
    let prevented = false
    this.emit(event, { preventDefault: () => (prevented = true), url }, url)
    return prevented
  }
}

test('navigation, redirects, webviews and new windows are all refused', () => {
  const contents = new Contents()
  hardenWebContents(contents)
  for (const url of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'mrl-media://photo/1']) {
    assert.equal(contents.attempt('will-navigate', url), true, `navigate to ${url}`)
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
