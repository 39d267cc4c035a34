// The engine's side of the places worker: a point in, its place out.
import { Worker } from 'node:worker_threads'
import type { Place } from '../../../core/places'
import type { PlacesReply, PlacesRequest } from './placesProtocol'
import { workerUrl } from './workerUrl'

export class PlacesClient {
  private readonly worker = new Worker(workerUrl('placesWorker', import.meta.url))
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (p: Place[]) => void; reject: (e: Error) => void }>()

  constructor() {
    this.worker.on('message', (msg: PlacesReply) => {
      const p = this.pending.get(msg.id)
      if (!p) return
      this.pending.delete(msg.id)
      if (msg.type === 'places') p.resolve(msg.places)
      else p.reject(new Error(msg.message))
    })
    const fail = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => fail(new Error(`the places worker exited (${code})`)))
  }

  /** The places of points given as [latitude, longitude] pairs. */
  lookup(points: [number, number][]): Promise<Place[]> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ id, points: points.flat() } satisfies PlacesRequest)
    })
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}
