// Messages between the engine and its places worker.
import type { Place } from '../../../core/places'

/** points: latitude, longitude pairs */
export type PlacesRequest = { id: number; points: number[] }

export type PlacesReply = { type: 'places'; id: number; places: Place[] } | { type: 'error'; id: number; message: string }
