// The places signal: a photo's GPS (read from its EXIF at indexing, in the photo row) turned into
// city, region and country offline. No image is decoded; the geocoder runs in the places worker,
// started only when a run has a photo with GPS to place, and closed after it.
import { hasPlace, placeKeys, placeLabel, type Place, type PlaceLevel } from '../../../core/places'
import { foldWords } from '../../../core/terms'
import { PlacesClient } from '../../adapters/workers/placesClient'
import type { SignalDefinition } from '../signals'

export const PLACES = 'places'

/** A photo's place (null: no GPS, or somewhere no country claims, such as the open sea). */
export type PlaceValue = Place | null

/** A name photos can be searched by ("Paris", "France", "UK"), and the photos it keeps. */
export interface PlaceName {
  name: string
  label: string
  photos: Set<number>
}

/** Every photo's place, and the names they can be searched by, rebuilt when the signal changes. */
export class PlaceIndex {
  readonly byPhoto = new Map<number, Place>()
  private names: PlaceName[] | null = null

  rebuild(values: ReadonlyMap<number, PlaceValue>): void {
    this.byPhoto.clear()
    for (const [id, p] of values) if (hasPlace(p)) this.byPhoto.set(id, p)
    this.names = null
  }

  /** One entry per name (accents and case aside); a name shared by several places keeps them all. */
  searchNames(): PlaceName[] {
    if (this.names) return this.names
    const byName = new Map<string, { name: string; photos: Set<number>; labels: Map<string, number> }>()
    const add = (name: string, label: string, id: number) => {
      const key = foldWords(name).join(' ')
      if (!key) return
      const e = byName.get(key) ?? { name, photos: new Set<number>(), labels: new Map<string, number>() }
      byName.set(key, e)
      e.photos.add(id)
      e.labels.set(label, (e.labels.get(label) ?? 0) + 1)
    }
    for (const [id, p] of this.byPhoto) {
      for (const k of placeKeys(p)) add(k.name, levelLabel(p, k.level), id)
      for (const a of p.also) add(a, p.country ?? a, id)
    }
    this.names = [...byName.values()].map((e) => {
      const labels = [...e.labels.entries()].sort((a, b) => b[1] - a[1])
      const more = labels.length - 1
      return { name: e.name, photos: e.photos, label: labels[0][0] + (more ? ` (and ${more} more place${more > 1 ? 's' : ''} of that name)` : '') }
    })
    return this.names
  }
}

/** "Paris, Île-de-France, France" for the city, "Île-de-France, France" for the region, "France". */
function levelLabel(p: Place, level: PlaceLevel): string {
  if (level === 'city') return placeLabel(p)
  if (level === 'region') return placeLabel({ ...p, city: null })
  return p.country ?? ''
}

export function placesSignal(index: PlaceIndex): SignalDefinition<PlaceValue> {
  let client: PlacesClient | null = null
  return {
    name: PLACES,
    version: 'places-1',
    // a photo takes ~0.14 ms: commits of 32 would cost 30 times the lookups (bench/places.ts)
    batch: 1000,
    async compute({ photo }) {
      const { latitude: lat, longitude: lon } = photo
      if (lat === null || lon === null || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null
      // (0, 0) is what many cameras write when they have no fix: the sea off Africa, not a place
      if (lat === 0 && lon === 0) return null
      client ??= new PlacesClient()
      const [place] = await client.lookup([[lat, lon]])
      return hasPlace(place) ? place : null
    },
    async stop() {
      const c = client
      client = null
      await c?.close()
    },
    changed(values) {
      index.rebuild(values)
    }
  }
}
