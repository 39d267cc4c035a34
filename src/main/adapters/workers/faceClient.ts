// The engine's side of the faces worker: find faces in a photo's bytes, cluster faces into people.
// Started for a run and closed after it, so an idle app holds no face model.
import { Worker } from 'node:worker_threads'
import type { ClusterJob, ClusterOutcome, FaceReply, FaceRequest, FoundFace } from './faceProtocol'
import { workerUrl } from './workerUrl'

export type { ClusterJob, ClusterOutcome, FoundFace }

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type Pending = { resolve: (r: FaceReply) => void; reject: (e: Error) => void }

export class FaceClient {
  private readonly worker: Worker
  private nextId = 1
  alive = true
  private readonly pending = new Map<number, Pending>()

  constructor() {
    this.worker = new Worker(workerUrl('faceWorker', import.meta.url))
    this.worker.on('message', (msg: FaceReply) => {
      if (msg.type === 'ready') return
      const p = this.pending.get(msg.id)
      if (!p) return
      this.pending.delete(msg.id)
      if (msg.type === 'error') p.reject(new Error(msg.message))
      else p.resolve(msg)
    })
    const fail = (err: Error) => {
      this.alive = false
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => fail(new Error(`the faces worker exited (${code})`)))
  }

  private request(msg: DistributiveOmit<Exclude<FaceRequest, { type: 'init' }>, 'id'>, transfer: ArrayBuffer[] = []): Promise<FaceReply> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ ...msg, id }, transfer)
    })
  }

  /** The faces in an image file's bytes (the buffer is handed over to the worker). */
  async detect(bytes: Uint8Array): Promise<{ faces: FoundFace[]; width: number; height: number }> {
    const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
    const r = await this.request({ type: 'detect', bytes: copy }, [copy.buffer as ArrayBuffer])
    return r as Extract<FaceReply, { type: 'detected' }>
  }

  async cluster(job: ClusterJob): Promise<ClusterOutcome> {
    return (await this.request({ type: 'cluster', ...job })) as Extract<FaceReply, { type: 'clustered' }>
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}
