// The real Electron app under Playwright: the window's hardening as Electron reports it, and that
// the page can neither navigate away, open windows nor reach Node. Where the Electron binary is
// absent (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1) the test is skipped with the reason;
// test/security.test.ts checks the same settings without Electron.
import { test, expect, _electron as electron, type ElectronApplication } from '@playwright/test'
import { createRequire } from 'node:module'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, tempDir } from '../fixtures/photos'

/** The Electron binary's path, or why there is none. */
function electronBinary(): { path: string } | { reason: string } {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown
    if (typeof path !== 'string' || !existsSync(path)) return { reason: `electron resolved to ${String(path)}, which does not exist` }
    return { path }
  } catch (err) {
    return { reason: `the Electron binary is not installed (${(err as Error).message.split('\n')[0]})` }
  }
}

const binary = electronBinary()
const reason = 'reason' in binary ? binary.reason : ''
if (reason) console.log(`electron.spec.ts skipped: ${reason}`)

test.describe('Electron window', () => {
  test.skip(Boolean(reason), reason)
  let app: ElectronApplication
  let data: string

  test.beforeAll(async () => {
    test.skip(!existsSync(join(ROOT, 'out/main/electron.js')), 'run `npx electron-vite build` first')
    data = tempDir()
    app = await electron.launch({
      executablePath: (binary as { path: string }).path,
      args: [join(ROOT, 'out/main/electron.js'), '--no-sandbox'],
      env: { ...process.env, MRL_PHOTOS_DATA: data }
    })
  })

  test.afterAll(async () => {
    await app?.close()
    if (data) rmSync(data, { recursive: true, force: true })
  })

  test('the page has no Node, a CSP, one validated bridge, and cannot navigate or open windows', async () => {
    const page = await app.firstWindow()
    await page.waitForLoadState('domcontentloaded')
    // Electron no longer reports a window's preferences, so they show in what the page can reach
    expect(await app.evaluate(({ webContents }) => webContents.getAllWebContents().length)).toBe(1)
    const startUrl = page.url()
    const inPage = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>
      const opened = window.open('https://example.com/')
      return { require: typeof w.require, process: typeof w.process, opened: opened === null, bridge: typeof w.mrl }
    })
    expect(inPage).toEqual({ require: 'undefined', process: 'undefined', opened: true, bridge: 'object' })
    await page.evaluate(() => {
      window.location.href = 'https://example.com/'
    })
    await page.waitForTimeout(500)
    expect(page.url()).toBe(startUrl)
    expect(app.windows()).toHaveLength(1)

    // the CSP refuses inline script
    const inlineRan = await page.evaluate(() => {
      const s = document.createElement('script')
      s.textContent = 'window.__inline = 1'
      document.body.appendChild(s)
      return (window as unknown as { __inline?: number }).__inline === 1
    })
    expect(inlineRan).toBe(false)
    // the API answers through the bridge
    const status = await page.evaluate(() => (window as unknown as { mrl: { call(m: string, i: unknown): Promise<{ photos: number }> } }).mrl.call('status', {}))
    expect(status.photos).toBe(0)
    await expect(page.evaluate(() => (window as unknown as { mrl: { call(m: string, i: unknown): Promise<unknown> } }).mrl.call('addFolder', { path: 7 }))).rejects.toThrow(/invalid input/)
  })
})
