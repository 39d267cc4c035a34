// Starts browser mode (the built CLI's `serve`) on a fresh data folder and returns its URL.
import { spawn, type ChildProcess } from 'node:child_process'
import { ROOT } from '../fixtures/photos'

export interface AppServer {
  url: string
  token: string
  origin: string
  process: ChildProcess
  stop(): Promise<void>
}

/** env: added to the server's environment (HOME for the folder browser, say); root: the checkout whose build runs (MRL_APP_ROOT: an older one, to see a spec fail there) */
export function startApp(dataDir: string, env: Record<string, string> = {}, root = process.env.MRL_APP_ROOT ?? ROOT): Promise<AppServer> {
  const child = spawn(process.execPath, ['out/main/cli.js', '--data', dataDir, 'serve'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000)
    let started = false
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000) // the server's last words, for a stop that hangs
      if (started) return
      const m = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=([\w-]+))/.exec(output)
      if (m) {
        started = true
        clearTimeout(timer)
        const url = new URL(m[1])
        resolve({
          url: m[1],
          token: m[2],
          origin: url.origin,
          process: child,
          stop: () => stopServer(child, () => output)
        })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)))
  })
}

/**
 * SIGTERM, as the app is quit; the server gives a close that hangs 30 s (shells/quit.ts). One that
 * is still there 60 s on is killed, and its last output printed: a stuck stop costs a minute and
 * says why, not the hook's 15-minute timeout.
 */
function stopServer(child: ChildProcess, output: () => string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  const started = Date.now()
  return new Promise((done) => {
    const timer = setTimeout(() => {
      console.error(`the server did not stop within 60 s of SIGTERM; killed. Its last output:\n${output()}`)
      child.kill('SIGKILL')
    }, 60_000)
    child.once('exit', () => {
      clearTimeout(timer)
      const took = (Date.now() - started) / 1000
      if (took > 10) console.log(`the server took ${took.toFixed(1)} s to stop`)
      done()
    })
    child.kill('SIGTERM')
  })
}

/** A direct API call, for ground truth the UI does not show (file paths, hence true classes). */
export async function apiCall(app: AppServer, method: string, input: unknown): Promise<any> {
  const res = await fetch(`${app.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mrl-token': app.token },
    body: JSON.stringify(input)
  })
  if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`)
  return res.json()
}
