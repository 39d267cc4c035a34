// The engine's side of the embedding worker. The worker (its thread, the onnxruntime session and
// libvips' memory) is started on first use and let go after a while without work, so an idle app
// holds none of it; the next batch starts it again (about a second).
import { realpath } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { FileJob, WorkerReply, WorkerRequest } from './embedProtocol'
import type { EncodeResult, FolderBounds, ImageEncoder } from '../../ports/encoder'
import { workerUrl } from './workerUrl'

/** How long the worker stays without work before it is let go (MRL_WORKER_IDLE_MS). */
const IDLE_MS = Number(process.env.MRL_WORKER_IDLE_MS ?? 30_000)

/** The real folders of files the app wrote itself (a query photo): each is opened inside its own. */
async function ownFolders(files: FileJob[]): Promise<string[]> {
  return [...new Set(await Promise.all(files.map((f) => realpath(dirname(f.path)).catch(() => dirname(f.path)))))]
}

type Pending = { resolve: (r: Extract<WorkerReply, { type: 'result' }>) => void; reject: (e: Error) => void }

export class EmbedClient implements ImageEncoder {
  private worker: Worker | null = null
  private ready: Promise<string> | null = null
  private idleTimer: NodeJS.Timeout | null = null
  private nextId = 1
  /** false once the worker has died (a crash, not a rest); the engine then starts a new client */
  alive = true
  private readonly pending = new Map<number, Pending>()

  constructor(
    private readonly onnxPath: string,
    private readonly threads?: number
  ) {}

  /** Starts the worker and loads the model; resolves with its execution provider. */
  private start(): Promise<string> {
    const worker = new Worker(workerUrl('embedWorker', import.meta.url))
    this.worker = worker
    const ready = new Promise<string>((resolve, reject) => {
      worker.on('message', (msg: WorkerReply) => {
        if (msg.type === 'ready') return resolve(msg.provider)
        if (msg.type === 'error' && msg.id === -1) return reject(new Error(msg.message))
        const p = this.pending.get(msg.id)
        if (!p) return
        this.pending.delete(msg.id)
        if (msg.type === 'result') p.resolve(msg)
        else p.reject(new Error(msg.message))
        this.restLater()
      })
      worker.once('error', reject)
    })
    const fail = (err: Error) => {
      if (this.worker !== worker) return // let go on purpose
      this.alive = false
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`the embedding worker exited (${code})`)))
    ready.catch(() => {}) // reported to whoever awaits it, never as an unhandled rejection
    worker.postMessage({ type: 'init', onnxPath: this.onnxPath, threads: this.threads } satisfies WorkerRequest)
    return ready
  }

  /** Lets the worker go once nothing has been asked of it for IDLE_MS. */
  private restLater(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    if (this.pending.size || !this.worker) return
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      if (!this.pending.size) void this.close()
    }, IDLE_MS)
    this.idleTimer.unref()
  }

  provider(): Promise<string> {
    this.ready ??= this.start()
    return this.ready
  }

  async embed(files: FileJob[], within?: FolderBounds): Promise<EncodeResult> {
    if (!this.alive) throw new Error('the embedding worker has died')
    const roots = within ? [...within.roots] : await ownFolders(files)
    const exclude = within ? [...within.exclude] : []
    const id = this.nextId++
    const reply = new Promise<EncodeResult>((resolve, reject) => this.pending.set(id, { resolve, reject }))
    if (this.idleTimer) clearTimeout(this.idleTimer)
    try {
      await this.provider()
    } catch (err) {
      this.pending.delete(id)
      throw err
    }
    this.worker!.postMessage({ type: 'batch', id, files, roots, exclude } satisfies WorkerRequest)
    return reply
  }

  /** Stops the worker now (a later embed starts it again); what was still asked of it fails. */
  async close(): Promise<void> {
    const worker = this.worker
    this.worker = null
    this.ready = null
    if (this.idleTimer) clearTimeout(this.idleTimer)
    for (const p of this.pending.values()) p.reject(new Error('the embedding worker was stopped'))
    this.pending.clear()
    await worker?.terminate()
  }
}
