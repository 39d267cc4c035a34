// The Electron shell: one hardened window over the engine. Everything it shows is the renderer
// that browser mode serves too; the only Electron-specific parts are IPC and the media protocol.
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Engine } from '../app/engine'
import { defaultDataDir } from '../app/config'
import type { EventName, JobEvent } from '../../shared/events'
import { createRpc } from './rpc'
import { CONTENT_SECURITY_POLICY, WEB_PREFERENCES, hardenWebContents } from './security'

protocol.registerSchemesAsPrivileged([{ scheme: 'mrl-media', privileges: { standard: true, secure: true, supportFetchAPI: true } }])

if (!app.requestSingleInstanceLock()) app.quit()

async function main(): Promise<void> {
  await app.whenReady()
  // the same data folder as the CLI (MRL_PHOTOS_DATA still overrides it), so both shells see one library
  const engine = await Engine.open({ dataDir: defaultDataDir() })
  const rpc = createRpc(engine)

  let win: BrowserWindow | null = null
  ipcMain.handle('api', async (event, method: unknown, input: unknown) => {
    // only our own window may call; its input is validated by rpc with the shared schema
    if (!win || event.sender !== win.webContents) throw new Error('request from an unknown frame')
    const out = await rpc(String(method), input)
    if (out.status !== 200) throw new Error((out.body as { error: string }).error)
    return out.body
  })

  // the folder browser's native dialog: a folder the user picks (null: cancelled)
  ipcMain.handle('pick-folder', async (event) => {
    if (!win || event.sender !== win.webContents) throw new Error('request from an unknown frame')
    const res = await dialog.showOpenDialog(win, { properties: ['openDirectory'], title: 'Add a folder of photos' })
    return res.canceled ? null : (res.filePaths[0] ?? null)
  })

  protocol.handle('mrl-media', async (req) => {
    const url = new URL(req.url)
    const id = Number(url.pathname.replace(/^\//, ''))
    const file = Number.isInteger(id) ? await engine.mediaFile(id, url.host === 'thumb' ? 'thumb' : 'photo') : null
    if (!file) return new Response('no such photo', { status: 404 })
    return net.fetch(pathToFileURL(file).toString())
  })

  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))

  win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'MRL Photos',
    webPreferences: { ...WEB_PREFERENCES, preload: join(import.meta.dirname, '../preload/index.cjs') }
  })
  hardenWebContents(win.webContents)
  // every job's status changes go to the window on the one channel; it reads the current state itself at start
  const channel: EventName = 'job'
  const forward = (e: JobEvent) => win.webContents.send(channel, e)
  engine.on(channel, forward)

  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else await win.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  if ((await engine.status()).folders.length) await engine.reindex()

  app.on('window-all-closed', async () => {
    engine.off(channel, forward)
    await engine.close()
    app.quit()
  })
}

main().catch((err) => {
  console.error(err)
  app.exit(1)
})
