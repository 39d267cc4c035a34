// Where a photo was taken, as people name it: the city (the nearest town, unless a much larger city
// is close enough to count as "there"), the region (admin level 1) and the country. Pure: the
// gazetteer and the borders are in src/main/adapters/geo/, which hands the candidates in.
import { foldWords } from './terms'

/** A photo's place (every name null: at sea, or nowhere the gazetteer knows). */
export interface Place {
  city: string | null
  region: string | null
  country: string | null
  /** ISO 3166-1 alpha-2 of the country or territory ("FR", "PR", "HK") */
  countryCode: string | null
  /** ISO 3166-1 numeric of the country ("250"): what world maps key their shapes by */
  countryN3: string | null
  /** the country's other names ("United Kingdom", "UK"), searched too */
  also: string[]
  /** the city's own point (so a map can gather its photos), else the photo's */
  lat: number
  lon: number
}

/** A populated place near the photo, from the gazetteer. */
export interface CityCandidate {
  name: string
  country: string
  population: number
  lat: number
  lon: number
  km: number
}

/**
 * How far a city reaches, by population: about 8 km for Paris (2.1 M), 20 km for Mumbai (12.7 M),
 * 1.6 km for a town of 85,000, never less than a kilometre. A photo at the Eiffel Tower is nearer
 * the centre of Neuilly-sur-Seine (3.4 km) than that of Paris (4.0 km) but well inside Paris's reach.
 */
export function reachKm(population: number): number {
  return Math.max(1, 0.0055 * Math.sqrt(Math.max(0, population)))
}

/** Beyond this, and beyond 2.5 reaches, a photo is in the countryside: region and country, no city. */
export const COUNTRYSIDE_KM = 12

/**
 * The city a photo counts as taken in: the candidate it lies deepest inside the reach of (distance
 * over reach, smallest first), preferring the photo's own country when borders are near; null when
 * every candidate is too far.
 */
export function chooseCity(candidates: CityCandidate[], country: string | null): CityCandidate | null {
  const near = candidates.filter((c) => c.km <= Math.max(COUNTRYSIDE_KM, 2.5 * reachKm(c.population)))
  const own = country ? near.filter((c) => c.country === country) : []
  const pool = own.length ? own : near
  let best: CityCandidate | null = null
  let bestScore = Infinity
  for (const c of pool) {
    const score = c.km / reachKm(c.population)
    if (score < bestScore) {
      best = c
      bestScore = score
    }
  }
  return best
}

export const hasPlace = (p: Place | null | undefined): p is Place => !!p && (p.city !== null || p.region !== null || p.country !== null)

/** "Paris, Île-de-France, France"; the parts that are known. */
export function placeLabel(p: Place): string {
  return [p.city, p.region, p.country].filter((x, i, all) => x && all.indexOf(x) === i).join(', ')
}

export type PlaceLevel = 'country' | 'region' | 'city'

/** A place's key at each level ("FR", "FR/Île-de-France", "FR/Île-de-France/Paris"): what the place filter and the map use. */
export function placeKeys(p: Place): { level: PlaceLevel; key: string; name: string }[] {
  const cc = p.countryCode ?? '?'
  const out: { level: PlaceLevel; key: string; name: string }[] = []
  if (p.country) out.push({ level: 'country', key: cc, name: p.country })
  if (p.region) out.push({ level: 'region', key: `${cc}/${p.region}`, name: p.region })
  if (p.city) out.push({ level: 'city', key: `${cc}/${p.region ?? ''}/${p.city}`, name: p.city })
  return out
}

const fold = (s: string) => foldWords(s).join(' ')

/** Whether a place filter's value names this place: one of its keys, or one of its names (case and accents aside). */
export function placeMatches(p: Place, value: string): boolean {
  const v = fold(value)
  if (!v) return false
  for (const k of placeKeys(p)) if (k.key === value || fold(k.name) === v) return true
  return p.also.some((a) => fold(a) === v)
}
