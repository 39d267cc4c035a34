// `npm run bench:memory`: what browser mode holds after indexing a small library. Starts the built
// CLI's `serve` on a fresh data folder, adds the 10,000 CIFAR-10 test JPEGs through the API, and
// reads the server's memory from /proc/<pid>/status: its peak while indexing (VmHWM) and its RSS
// right after, when the per-photo signals that follow indexing are done (at most --signals-cap
// seconds), and during --idle seconds without requests after that (the embedding worker and its
// model are let go after MRL_WORKER_IDLE_MS, 30 s by default). A benchmark: it prints numbers.
//   npm run bench:memory [-- --idle 90] [--signals-cap 1200] [--folder DIR]
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ROOT, cifarSplit, tempDir } from '../fixtures/photos'
import { LAUNCH_ENV, launchEnv } from '../scripts/launchEnv.mjs'

const CLI = join(ROOT, 'out', 'main', 'cli.js')
const argv = process.argv.slice(2)
const value = (f: string) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined)
const IDLE_S = Number(value('--idle') ?? 90)
const SIGNALS_CAP_S = Number(value('--signals-cap') ?? 1200)
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ')

function memory(pid: number): { rss: number; hwm: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 }
}

/** Seconds until the signals job reports done, read from the job events; null past `capS`. */
async function signalsDone(origin: string, token: string, capS: number): Promise<number | null> {
  const t0 = performance.now()
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), capS * 1000)
  try {
    const res = await fetch(`${origin}/api/events`, { headers: { 'x-mrl-token': token }, signal: abort.signal })
    const reader = res.body!.getReader()
    const text = new TextDecoder()
    let buf = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return null
      buf += text.decode(value, { stream: true })
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const data = /^data: (.*)$/m.exec(buf.slice(0, i))?.[1]
        buf = buf.slice(i + 2)
        const e = data ? JSON.parse(data) : null
        if (e?.kind === 'signals' && e.detail.phase === 'done') return (performance.now() - t0) / 1000
      }
    }
  } catch {
    return null
  } finally {
    clearTimeout(timer)
    abort.abort()
  }
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('out/main/cli.js is missing: npx electron-vite build')
  const folder = value('--folder') ?? cifarSplit('test')
  const data = tempDir('mrl-bench-memory-')
  // started as `npm start` starts it (scripts/launchEnv.mjs)
  const child = spawn(process.execPath, [CLI, '--data', data, 'serve'], { cwd: ROOT, env: launchEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    let output = ''
    const { origin, token } = await new Promise<{ origin: string; token: string }>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const m = /running at (http:\/\/127\.0\.0\.1:\d+)\/\S*token=([\w-]+)/.exec(output)
        if (m) resolve({ origin: m[1], token: m[2] })
      }
      child.stdout!.on('data', onData)
      child.stderr!.on('data', onData)
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)))
    })
    const call = async (method: string, input: unknown) => {
      const res = await fetch(`${origin}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mrl-token': token, origin }, body: JSON.stringify(input) })
      if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`)
      return res.json()
    }
    const pid = child.pid!
    console.log(`serve (pid ${pid}) started with ${JSON.stringify(LAUNCH_ENV)}: RSS ${memory(pid).rss.toFixed(0)} MB; load ${load()}`)
    const t0 = performance.now()
    await call('addFolder', { path: folder })
    let status: any
    for (;;) {
      await sleep(500)
      status = await call('status', {})
      if (status.progress.phase === 'done' || status.progress.phase === 'idle') break
    }
    const indexed = memory(pid)
    const secs = (performance.now() - t0) / 1000
    console.log(`indexed ${status.photos} photos in ${secs.toFixed(1)} s (${status.progress.message}); load ${load()}`)
    console.log(`peak RSS while indexing (VmHWM): ${indexed.hwm.toFixed(0)} MB; RSS right after: ${indexed.rss.toFixed(0)} MB`)
    // then the per-photo signals (colours, places, duplicates, faces, text) that indexing starts
    const signalsS = await signalsDone(origin, token, SIGNALS_CAP_S)
    const after = memory(pid)
    console.log(
      signalsS === null
        ? `signals not done within ${SIGNALS_CAP_S} s: RSS ${after.rss.toFixed(0)} MB (peak ${after.hwm.toFixed(0)} MB); load ${load()}`
        : `signals done ${signalsS.toFixed(0)} s after indexing: RSS ${after.rss.toFixed(0)} MB, peak ${after.hwm.toFixed(0)} MB; load ${load()}`
    )
    for (let s = 10; s <= IDLE_S; s += 10) {
      await sleep(10_000)
      console.log(`  idle ${String(s).padStart(3)} s: RSS ${memory(pid).rss.toFixed(0)} MB`)
    }
    const idle = memory(pid)
    console.log(`idle RSS after ${IDLE_S} s: ${idle.rss.toFixed(0)} MB (anonymous ${idle.anon.toFixed(0)} MB, mapped files ${idle.file.toFixed(0)} MB; peak ${idle.hwm.toFixed(0)} MB); load ${load()}`)
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
    rmSync(data, { recursive: true, force: true })
  }
}

await main()
