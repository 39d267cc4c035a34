// The engine's side of the training worker: one job at a time, epoch reports as they come, cancel.
import { Worker } from 'node:worker_threads'
import type { SavedAdaptor } from '../../../training/adaptor'
import type { EpochReport } from '../../../training/progress'
import { Cancelled } from '../../../training/progress'
import type { SupervisedJob, TrainOutcome, TrainReply, TrainRequest, UnsupervisedJob } from './trainProtocol'
import { workerUrl } from './workerUrl'

export class TrainClient {
  private worker: Worker | null = null
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (r: TrainReply) => void; reject: (e: Error) => void; onEpoch?: (r: EpochReport) => void; cancel: Int32Array }>()

  private ensure(): Worker {
    if (this.worker) return this.worker
    const w = new Worker(workerUrl('trainWorker', import.meta.url))
    w.on('message', (msg: TrainReply) => {
      const p = this.pending.get(msg.id)
      if (!p) return
      if (msg.type === 'epoch') return p.onEpoch?.(msg.report)
      this.pending.delete(msg.id)
      if (msg.type === 'error') p.reject(new Error(msg.message))
      else if (msg.type === 'cancelled') p.reject(new Cancelled())
      else p.resolve(msg)
    })
    const fail = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
      this.worker = null
    }
    w.on('error', fail)
    w.on('exit', (code) => fail(new Error(`the training worker exited (${code})`)))
    this.worker = w
    return w
  }

  private send(job: SupervisedJob | UnsupervisedJob | { type: 'adapt'; adaptor: SavedAdaptor; x: Float32Array }, onEpoch?: (r: EpochReport) => void): { reply: Promise<TrainReply>; cancel: () => void } {
    const id = this.nextId++
    const cancelBuffer = new SharedArrayBuffer(4)
    const cancel = new Int32Array(cancelBuffer)
    const reply = new Promise<TrainReply>((resolve, reject) => this.pending.set(id, { resolve, reject, onEpoch, cancel }))
    const request: TrainRequest = { ...job, id, cancel: cancelBuffer }
    this.ensure().postMessage(request)
    return { reply, cancel: () => Atomics.store(cancel, 0, 1) }
  }

  /** Starts a training run; `cancel` stops it at the next batch (the promise then rejects with Cancelled). */
  train(job: SupervisedJob | UnsupervisedJob, onEpoch: (r: EpochReport) => void): { outcome: Promise<TrainOutcome>; cancel: () => void } {
    const { reply, cancel } = this.send(job, onEpoch)
    return { outcome: reply.then((r) => (r as Extract<TrainReply, { type: 'trained' }>).outcome), cancel }
  }

  /** n x dOut adapted embeddings, computed off this thread. */
  async adapt(adaptor: SavedAdaptor, x: Float32Array): Promise<Float32Array> {
    const r = await this.send({ type: 'adapt', adaptor, x }).reply
    return (r as Extract<TrainReply, { type: 'adapted' }>).y
  }

  async close(): Promise<void> {
    await this.worker?.terminate()
    this.worker = null
  }
}
