// Where the photos were taken, for the map: counts by country, region and city over the photos of
// the current library (the places signal's index may still hold a photo just removed).
import type { Output, PhotoDetail, PlaceCount } from '../../shared/api'
import { hasPlace, placeKeys, placeLabel } from '../../core/places'
import { PLACES, type PlaceIndex, type PlaceValue } from '../jobs/signals/places'
import type { PhotoMeta } from '../ports/photos'
import type { EngineContext } from './context'

/** A photo's place as the viewer shows it (null: no GPS, at sea, or not placed yet). */
export function photoPlace(ctx: EngineContext, m: PhotoMeta): PhotoDetail['place'] {
  const p = ctx.signals.value<PlaceValue>(PLACES, m)
  return hasPlace(p) ? { city: p.city, region: p.region, country: p.country, label: placeLabel(p) } : null
}

export class PlacesService {
  constructor(private readonly ctx: EngineContext, private readonly index: PlaceIndex) {}

  places(): Output<'places'> {
    const space = this.ctx.slot.current
    const byKey = new Map<string, PlaceCount & { sumLat: number; sumLon: number }>()
    let located = 0
    let withGps = 0
    for (const m of space.meta.values()) {
      if (m.latitude !== null && m.longitude !== null) withGps++
      const p = this.index.byPhoto.get(m.id)
      if (!p) continue
      located++
      for (const k of placeKeys(p)) {
        let e = byKey.get(k.key)
        if (!e) {
          const label = k.level === 'city' ? placeLabel(p) : k.level === 'region' ? placeLabel({ ...p, city: null }) : k.name
          e = { key: k.key, level: k.level, name: k.name, label, count: 0, lat: p.lat, lon: p.lon, countryCode: p.countryCode, countryN3: p.countryN3, sumLat: 0, sumLon: 0 }
          byKey.set(k.key, e)
        }
        e.count++
        e.sumLat += p.lat
        e.sumLon += p.lon
      }
    }
    const all = [...byKey.values()].map(({ sumLat, sumLon, ...e }) => (e.level === 'city' ? e : { ...e, lat: sumLat / e.count, lon: sumLon / e.count }))
    all.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
    return {
      located,
      withGps,
      photos: space.meta.size,
      countries: all.filter((e) => e.level === 'country'),
      regions: all.filter((e) => e.level === 'region'),
      cities: all.filter((e) => e.level === 'city')
    }
  }
}
