// `npm run bench:load`: browser mode under load. Starts `serve` on the 50,000-photo data folder
// that `npm run bench:safety` leaves, then 50 concurrent clients search (by words and by photo,
// across the dial) for 60 seconds over loopback; reports p50/p99 latency, throughput and errors.
// A benchmark, not a test. Bounded: --seconds (default 60) and --max-requests (default 500,000).
//   npm run bench:load -- --clients 50 --seconds 60 [--data DIR]
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../fixtures/photos'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const CLIENTS = arg('--clients', 50)
const SECONDS = arg('--seconds', 60)
const MAX_REQUESTS = arg('--max-requests', 500_000)
const REQUEST_TIMEOUT_MS = 30_000
const dataIndex = process.argv.indexOf('--data')
const DATA = dataIndex >= 0 ? process.argv[dataIndex + 1] : join(ROOT, '.cache', 'bench-50k-data')
const WORDS = ['truck', 'cat', 'dog', 'animal', 'vehicle', 'bird', 'ship', 'airplane', 'horse', 'frog', 'deer', 'automobile', 'pet', 'boat']
const DIALS = [0, 0.25, 0.5, 0.75, 1]

interface Server {
  origin: string
  token: string
  pid: number
  stop(): Promise<void>
}

function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/shells/cli/main.ts'), '--data', DATA, 'serve'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(output)
      if (m) {
        child.stdout!.off('data', onData)
        resolve({
          origin: m[1],
          token: m[2],
          pid: child.pid!,
          stop: () => new Promise((done) => (child.once('exit', () => done()), child.kill('SIGTERM')))
        })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)))
  })
}

async function call(server: Server, method: string, input: unknown): Promise<any> {
  const res = await fetch(`${server.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mrl-token': server.token },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  })
  const body = await res.json()
  if (!res.ok) throw new Error(`${res.status} ${body.error}`)
  return body
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN)

function serverPeakRssMB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : null
  } catch {
    return null
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(DATA, 'library.lance'))) throw new Error(`no library in ${DATA}: run \`npm run bench:safety\` first (or pass --data)`)
  const server = await startServer()
  try {
    // serve re-scans the folders on start; load starts once that is done
    for (;;) {
      const s = await call(server, 'status', {})
      if (s.progress.phase === 'done' || s.progress.phase === 'idle') break
      await new Promise((r) => setTimeout(r, 500))
    }
    const { photos: total } = await call(server, 'status', {})
    const ids: number[] = (await call(server, 'listPhotos', { offset: 0, limit: 1000 })).photos.map((p: { id: number }) => p.id)
    console.log(`${total} photos; ${CLIENTS} clients for ${SECONDS} s against ${server.origin} (loopback)…`)
    const latencies: number[] = []
    const errors = new Map<string, number>()
    let issued = 0
    const deadline = performance.now() + SECONDS * 1000
    const client = async (c: number) => {
      for (let n = 0; performance.now() < deadline && issued < MAX_REQUESTS; n++) {
        issued++
        const dial = DIALS[(c + n) % DIALS.length]
        const query = n % 2 ? { kind: 'text', text: WORDS[(c * 7 + n) % WORDS.length] } : { kind: 'photo', id: ids[(c * 31 + n * 17) % ids.length] }
        const t = performance.now()
        try {
          const res = await call(server, 'search', { query, dial, limit: 60 })
          if (!Array.isArray(res.hits) || !res.hits.length) throw new Error('empty answer')
          latencies.push(performance.now() - t)
        } catch (err) {
          const key = (err as Error).message.slice(0, 120)
          errors.set(key, (errors.get(key) ?? 0) + 1)
        }
      }
    }
    const t0 = performance.now()
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)))
    const seconds = (performance.now() - t0) / 1000
    latencies.sort((a, b) => a - b)
    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0)
    const result = {
      name: 'browser-mode-load',
      photos: total,
      clients: CLIENTS,
      seconds: Number(seconds.toFixed(1)),
      requests: latencies.length + errorCount,
      requests_per_s: Number(((latencies.length + errorCount) / seconds).toFixed(1)),
      p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      p90_ms: Number(percentile(latencies, 90).toFixed(1)),
      p99_ms: Number(percentile(latencies, 99).toFixed(1)),
      max_ms: Number((latencies.at(-1) ?? NaN).toFixed(1)),
      errors: errorCount,
      error_kinds: Object.fromEntries(errors),
      server_peak_rss_mb: serverPeakRssMB(server.pid),
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`
    }
    console.log(JSON.stringify(result, null, 1))
  } finally {
    await server.stop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
