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
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const m = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=([\w-]+))/.exec(output)
      if (m) {
        clearTimeout(timer)
        const url = new URL(m[1])
        resolve({
          url: m[1],
          token: m[2],
          origin: url.origin,
          process: child,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done())
              child.kill('SIGTERM')
            })
        })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)))
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
