// The engine's side of the text-reading worker: one photo at a time, the file's bytes handed over.
import { Worker } from 'node:worker_threads'
import type { TextRead, TextReply, TextRequest } from './textProtocol'
import { workerUrl } from './workerUrl'

export class TextClient {
  private readonly worker: Worker
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (r: TextRead) => void; reject: (e: Error) => void }>()
  private readonly ready: Promise<void>
  /** false once the worker has died; the signal then starts a new one */
  alive = true

  constructor(threads?: number) {
    this.worker = new Worker(workerUrl('textWorker', import.meta.url))
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (msg: TextReply) => {
        if (msg.type === 'ready') return resolve()
        if (msg.type === 'error' && msg.id === -1) return reject(new Error(msg.message))
        const p = this.pending.get(msg.id)
        if (!p) return
        this.pending.delete(msg.id)
        if (msg.type === 'result') p.resolve({ lines: msg.lines, probeArea: msg.probeArea, read: msg.read })
        else p.reject(new Error(msg.message))
      })
      const fail = (err: Error) => {
        this.alive = false
        reject(err)
        for (const p of this.pending.values()) p.reject(err)
        this.pending.clear()
      }
      this.worker.once('error', fail)
      this.worker.on('exit', (code) => fail(new Error(`the text worker exited (${code})`)))
    })
    this.ready.catch(() => {}) // reported to whoever awaits it, never as an unhandled rejection
    this.post({ type: 'init', threads })
  }

  private post(msg: TextRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer)
  }

  /** Reads the text in a photo file's bytes (the buffer is handed to the worker). */
  async read(file: Buffer): Promise<TextRead> {
    await this.ready
    const id = this.nextId++
    // a Buffer may be a view of Node's shared pool: send its own copy when it is
    const bytes = file.byteOffset === 0 && file.byteLength === file.buffer.byteLength ? (file.buffer as ArrayBuffer) : file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.post({ type: 'read', id, file: bytes }, [bytes])
    })
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}
