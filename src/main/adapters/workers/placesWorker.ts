// Worker thread: the offline geocoder (adapters/geo/geocoder.ts), loaded for the length of a places
// run so its second of loading and 150 MB never touch the main thread and leave with the worker.
import { parentPort } from 'node:worker_threads'
import { Geocoder } from '../geo/geocoder'
import type { PlacesReply, PlacesRequest } from './placesProtocol'

let geocoder: Geocoder | null = null

parentPort!.on('message', (msg: PlacesRequest) => {
  try {
    geocoder ??= Geocoder.load()
    const places = []
    for (let i = 0; i + 1 < msg.points.length; i += 2) places.push(geocoder.lookup(msg.points[i], msg.points[i + 1]))
    parentPort!.postMessage({ type: 'places', id: msg.id, places } satisfies PlacesReply)
  } catch (err) {
    parentPort!.postMessage({ type: 'error', id: msg.id, message: (err as Error).message ?? String(err) } satisfies PlacesReply)
  }
})
