// The Electron shell: one hardened window over the engine. Everything it shows is the renderer
// that browser mode serves too, loaded from the privileged app:// scheme (never file://), which
// also serves the media; the only other Electron-specific part is IPC.
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron'
import { join } from 'node:path'
import { Engine } from '../app/engine'
import { defaultDataDir } from '../app/config'
import { keepNewFilesPrivate } from '../adapters/fs/dataLayout'
import type { EventName, JobEvent } from '../../shared/events'
import { createRpc } from './rpc'
import { appProtocolHandler } from './appProtocol'
import { closeWithin } from './quit'
import { APP_ORIGIN, APP_SCHEME, PRIVILEGED_SCHEMES, hardenSession, hardenWebContents, isTrustedSender, trustedOrigins, webPreferences, withPageCsp } from './security'

keepNewFilesPrivate() // the data folder's files: this user's only
protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES)

if (!app.requestSingleInstanceLock()) app.quit()

// every web contents (the window, and any a bug would let in) gets the same blockers
app.on('web-contents-created', (_event, contents) => hardenWebContents(contents))

async function main(): Promise<void> {
  await app.whenReady()
  // the same data folder as the CLI (MRL_PHOTOS_DATA still overrides it), so both shells see one library
  const engine = await Engine.open({ dataDir: defaultDataDir() })
  const rpc = createRpc(engine)
  // vite's development server only in a development build; a packaged app loads app:// alone
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
  const origins = trustedOrigins(app.isPackaged, devUrl)

  let win: BrowserWindow | null = null
  ipcMain.handle('api', async (event, method: unknown, input: unknown) => {
    // only the top frame of our own page may call (checked by its origin, not by which window sent
    // it); its input is validated by rpc with the shared schema
    if (!win || event.sender !== win.webContents || !isTrustedSender(event.senderFrame, origins)) throw new Error('request from an unknown frame')
    const out = await rpc(String(method), input)
    if (out.status !== 200) throw new Error((out.body as { error: string }).error)
    return out.body
  })

  // the folder browser's native dialog: a folder the user picks (null: cancelled)
  ipcMain.handle('pick-folder', async (event) => {
    if (!win || event.sender !== win.webContents || !isTrustedSender(event.senderFrame, origins)) throw new Error('request from an unknown frame')
    const res = await dialog.showOpenDialog(win, { properties: ['openDirectory'], title: 'Add a folder of photos' })
    return res.canceled ? null : (res.filePaths[0] ?? null)
  })

  protocol.handle(APP_SCHEME, appProtocolHandler({ engine, rendererDir: join(import.meta.dirname, '../renderer'), mediaCrossOrigin: devUrl ? 'cross-origin' : 'same-origin' }))
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withPageCsp(details.responseHeaders) }))
  hardenSession(session.defaultSession)

  win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'MRL Photos',
    webPreferences: webPreferences(join(import.meta.dirname, '../preload/index.cjs'), app.isPackaged)
  })
  // every job's status changes go to the window on the one channel; it reads the current state itself at start
  const channel: EventName = 'job'
  const forward = (e: JobEvent) => win.webContents.send(channel, e)
  engine.on(channel, forward)

  await win.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`)
  if ((await engine.status()).folders.length) await engine.reindex()

  app.on('window-all-closed', async () => {
    engine.off(channel, forward)
    await closeWithin(engine)
    app.quit()
  })
}

main().catch((err) => {
  console.error(err)
  app.exit(1)
})
