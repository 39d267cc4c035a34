// The engine's side of the embedding worker.
import { realpath } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Embedded, FileJob, WorkerReply, WorkerRequest } from './embedProtocol'
import type { EncodeResult, FolderBounds, ImageEncoder } from '../../ports/encoder'
import { workerUrl } from './workerUrl'

/** The real folders of files the app wrote itself (a query photo): each is opened inside its own. */
async function ownFolders(files: FileJob[]): Promise<string[]> {
  return [...new Set(await Promise.all(files.map((f) => realpath(dirname(f.path)).catch(() => dirname(f.path)))))]
}

export class EmbedClient implements ImageEncoder {
  private readonly worker: Worker
  private nextId = 1
  /** false once the worker has died; the engine then starts a new client */
  alive = true
  private readonly pending = new Map<number, { resolve: (r: Extract<WorkerReply, { type: 'result' }>) => void; reject: (e: Error) => void }>()
  private ready: Promise<string>

  constructor(onnxPath: string, threads?: number) {
    this.worker = new Worker(workerUrl('embedWorker', import.meta.url))
    this.ready = new Promise((resolve, reject) => {
      const onReady = (msg: WorkerReply) => {
        if (msg.type === 'ready') resolve(msg.provider)
        else if (msg.type === 'error' && msg.id === -1) reject(new Error(msg.message))
      }
      this.worker.on('message', onReady)
      this.worker.once('error', reject)
    })
    this.worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'ready') return
      const p = this.pending.get(msg.id)
      if (!p) return
      this.pending.delete(msg.id)
      if (msg.type === 'result') p.resolve(msg)
      else p.reject(new Error(msg.message))
    })
    const fail = (err: Error) => {
      this.alive = false
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => fail(new Error(`the embedding worker exited (${code})`)))
    this.ready.catch(() => {}) // reported to whoever awaits it, never as an unhandled rejection
    this.post({ type: 'init', onnxPath, threads })
  }

  private post(msg: WorkerRequest): void {
    this.worker.postMessage(msg)
  }

  provider(): Promise<string> {
    return this.ready
  }

  async embed(files: FileJob[], within?: FolderBounds): Promise<EncodeResult> {
    await this.ready
    const id = this.nextId++
    const roots = within ? [...within.roots] : await ownFolders(files)
    const exclude = within ? [...within.exclude] : []
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.post({ type: 'batch', id, files, roots, exclude })
    })
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}
