// FAISS HNSW kept running beside the benchmark (bench/faiss_peer.py --serve), so its query
// batches can alternate with ours under the same load.
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { LAUNCH_ENV } from '../scripts/launchEnv.mjs'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { ROOT } from '../fixtures/photos'
import { log } from './results'

/** this process's environment less the app's launch settings (scripts/launchEnv.mjs) */
const peerEnv = () => Object.fromEntries(Object.entries(process.env).filter(([key]) => !(key in LAUNCH_ENV)))

export interface FaissReady {
  faiss: string
  threads: number
  build_s: number
  index_bytes: number
  peak_rss_mb: number
}

export class FaissServer {
  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    readonly ready: FaissReady
  ) {}

  /** Writes the database and queries for the peer and waits for its index (built, or loaded from `cache`). */
  static async start(vectors: Float32Array, dims: number, queries: Float32Array[], work: string, cache: string | null, m = 16): Promise<FaissServer> {
    mkdirSync(work, { recursive: true })
    const dbFile = join(work, 'db.f32')
    const qFile = join(work, 'queries.f32')
    if (!cache || !existsSync(cache)) writeFileSync(dbFile, vectors)
    else writeFileSync(dbFile, vectors.subarray(0, dims)) // the index comes from the cache: one row keeps the reader happy
    const q = new Float32Array(queries.length * dims)
    queries.forEach((v, i) => q.set(v.subarray(0, dims), i * dims))
    writeFileSync(qFile, q)
    const args = [join(ROOT, 'bench', 'faiss_peer.py'), dbFile, qFile, String(dims), work, '--serve', '--hnsw-m', String(m), ...(cache ? ['--index-cache', cache] : [])]
    // FAISS runs with glibc's defaults even where this process has the app's launch settings
    const child = spawn('/usr/bin/python3', args, { env: peerEnv(), stdio: ['pipe', 'pipe', 'inherit'] })
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    const first = await lines.next()
    if (first.done) throw new Error('the FAISS peer exited before its index was ready')
    const ready = JSON.parse(first.value) as FaissReady
    log(`faiss serving: HNSW M=${m}, ${ready.faiss}, ${ready.threads} threads, built in ${ready.build_s.toFixed(0)} s`)
    return new FaissServer(child, lines, ready)
  }

  async request<T>(cmd: Record<string, unknown>): Promise<T & { peak_rss_mb: number }> {
    this.child.stdin.write(JSON.stringify(cmd) + '\n')
    const line = await this.lines.next()
    if (line.done) throw new Error(`the FAISS peer exited during ${JSON.stringify(cmd)}`)
    const out = JSON.parse(line.value) as T & { peak_rss_mb: number; error?: string }
    if (out.error) throw new Error(out.error)
    return out
  }

  /** Per-query latencies (ms), one thread, each query alone. */
  async latency(ef: number): Promise<number[]> {
    return (await this.request<{ ms: number[] }>({ op: 'latency', ef })).ms
  }

  /** Seconds for every query in one call on `threads` threads. */
  async batch(ef: number, threads: number): Promise<number> {
    return (await this.request<{ s: number }>({ op: 'batch', ef, threads })).s
  }

  async ids(ef: number, queries: number): Promise<number[][]> {
    const file = (await this.request<{ ids_file: string }>({ op: 'ids', ef })).ids_file
    const b = readFileSync(file)
    const ids = new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4)
    return Array.from({ length: queries }, (_, i) => Array.from(ids.subarray(i * 10, i * 10 + 10)))
  }

  async close(): Promise<number> {
    const last = await this.request<Record<string, never>>({ op: 'peak' })
    this.child.stdin.end()
    await new Promise((r) => this.child.once('exit', r))
    return last.peak_rss_mb
  }
}
