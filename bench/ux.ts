// `npm run bench:ux`: the photo app at 50,000 photos in browser mode, in Debian's Chromium.
//   - time to first thumbnails: from navigation to every thumbnail of the first screen decoded;
//   - a scripted fast scroll of the timeline (requestAnimationFrame timing): frames, frames dropped
//     (a frame later than one refresh interval counts the intervals it missed), the slowest frames,
//     and how many tiles were still blank per frame;
//   - search by photo with a 16 MB JPEG: through the page (pick the file, results on screen) against
//     the same API call with the whole file as curl would send it, interleaved.
// A benchmark: it prints numbers and sets no targets. The library (the 50,000 CIFAR-10 train JPEGs)
// is indexed once into .cache/bench-ux-50k (reused while its photo count is right).
//   npm run bench:ux [-- --photos 50000] [--data DIR] [--runs 3]
import { chromium, type Page } from '@playwright/test'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { ROOT, cifarSplit, copyRealPhotos } from '../fixtures/photos'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const PHOTOS = Number(arg('--photos', '50000'))
const RUNS = Number(arg('--runs', '3'))
const DATA = arg('--data', join(ROOT, '.cache', `bench-ux-${PHOTOS / 1000}k`))
const CLI = join(ROOT, 'out', 'main', 'cli.js')

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const uptime = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`

interface Server {
  url: string
  origin: string
  token: string
  stop(): Promise<void>
}

function serve(): Promise<Server> {
  const child = spawn(process.execPath, [CLI, '--data', DATA, 'serve'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  return new Promise((resolve, reject) => {
    const on = (c: Buffer) => {
      out += c.toString()
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(out)
      if (m) resolve({ url: `${m[1]}/?token=${m[2]}`, origin: m[1], token: m[2], stop: () => new Promise((done) => (child.once('exit', () => done()), child.kill('SIGTERM'))) })
    }
    child.stdout!.on('data', on)
    child.stderr!.on('data', on)
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)))
  })
}

async function api(s: Server, method: string, input: unknown): Promise<any> {
  const res = await fetch(`${s.origin}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mrl-token': s.token }, body: JSON.stringify(input) })
  if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`)
  return res.json()
}

/** The library: the CIFAR-10 train split (50,000 JPEGs), indexed once by the CLI. */
function ensureLibrary(): void {
  const photos = (() => {
    if (!existsSync(DATA)) return 0
    try {
      return JSON.parse(execFileSync(process.execPath, [CLI, '--data', DATA, 'status', '--json'], { encoding: 'utf8' })).photos as number
    } catch {
      return 0
    }
  })()
  if (photos >= PHOTOS) return
  mkdirSync(DATA, { recursive: true })
  const src = cifarSplit('train')
  // file dates spread over four years, so the timeline has its months and days (CIFAR has no EXIF)
  let i = 0
  for (const cls of readdirSync(src).sort())
    for (const f of readdirSync(join(src, cls)).sort()) {
      const t = new Date(Date.UTC(2020, 0, 1) + ((i++ * 7919) % 1461) * 86_400_000 + 12 * 3_600_000)
      utimesSync(join(src, cls, f), t, t)
    }
  console.log(`indexing ${PHOTOS} photos from ${src} into ${DATA} (once)…`)
  const t0 = performance.now()
  execFileSync(process.execPath, [CLI, '--data', DATA, 'index', src], { stdio: 'inherit' })
  console.log(`indexed in ${((performance.now() - t0) / 1000).toFixed(0)} s (${uptime()})`)
}

/** From navigation to every thumbnail of the first screen decoded, ms. */
async function firstThumbnails(page: Page, url: string): Promise<{ ms: number; thumbs: number }> {
  await page.goto(url)
  return page.evaluate(
    () =>
      new Promise<{ ms: number; thumbs: number }>((done) => {
        const check = () => {
          const imgs = [...document.querySelectorAll<HTMLImageElement>('[data-testid=thumb] img')].filter((i) => {
            const r = i.getBoundingClientRect()
            return r.bottom > 0 && r.top < innerHeight
          })
          if (imgs.length >= 20 && imgs.every((i) => i.complete && i.naturalWidth > 0)) done({ ms: performance.now(), thumbs: imgs.length })
          else requestAnimationFrame(check)
        }
        check()
      })
  )
}

/** A fast scroll down the timeline for `seconds`, `step` px a frame; frame times from requestAnimationFrame. */
async function fastScroll(page: Page, seconds: number, step: number) {
  return page.evaluate(
    ({ seconds, step }) =>
      new Promise<{ frames: number; dropped: number; p50: number; p99: number; worst: number; blankPerFrame: number; distance: number; interval: number }>((done) => {
        const grid = document.querySelector<HTMLElement>('[data-testid=grid]')!
        const deltas: number[] = []
        let blank = 0
        let last = performance.now()
        const end = last + seconds * 1000
        const tick = (now: number) => {
          deltas.push(now - last)
          last = now
          blank += document.querySelectorAll('[data-testid=thumb-placeholder]').length
          grid.scrollTop += step
          if (now < end) requestAnimationFrame(tick)
          else {
            const sorted = [...deltas.slice(1)].sort((a, b) => a - b)
            const interval = sorted[Math.floor(sorted.length * 0.1)] // the refresh interval: the fast frames
            const dropped = deltas.slice(1).reduce((a, d) => a + Math.max(0, Math.round(d / interval) - 1), 0)
            done({
              frames: deltas.length - 1,
              dropped,
              p50: sorted[Math.floor(sorted.length / 2)],
              p99: sorted[Math.floor(sorted.length * 0.99)],
              worst: sorted[sorted.length - 1],
              blankPerFrame: blank / deltas.length,
              distance: grid.scrollTop,
              interval
            })
          }
        }
        requestAnimationFrame((t) => {
          last = t
          requestAnimationFrame(tick)
        })
      }),
    { seconds, step }
  )
}

/** Picks the file in the page and times, in the page, from the pick to the results on screen. */
async function pageSearch(page: Page, file: string): Promise<number> {
  await page.evaluate(() => {
    performance.clearMarks('mrl:image-query')
    ;(window as unknown as { __done: Promise<number> }).__done = new Promise<number>((done) => {
      const obs = new MutationObserver(() => {
        if (document.querySelector('[data-testid=result-count]')) {
          obs.disconnect()
          done(performance.now())
        }
      })
      obs.observe(document.body, { childList: true, subtree: true })
    })
  })
  await page.getByTestId('image-input').setInputFiles(file)
  const end = await page.evaluate(() => (window as unknown as { __done: Promise<number> }).__done)
  const start = await page.evaluate(() => performance.getEntriesByName('mrl:image-query')[0]?.startTime ?? NaN)
  await page.getByTestId('search-clear').click()
  await page.getByTestId('result-count').waitFor({ state: 'detached' })
  return end - start
}

async function main(): Promise<void> {
  console.log(`bench:ux on ${PHOTOS} photos; ${uptime()}`)
  ensureLibrary()
  const server = await serve()
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
  const big = join(DATA, '..', 'bench-ux-16mb.jpg')
  try {
    const status = await api(server, 'status', {})
    console.log(`library: ${status.photos} photos`)
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    // tsx keeps function names with an __name helper that the page does not have; page.evaluate's callbacks use it
    await page.addInitScript({ content: 'globalThis.__name = (f) => f' })

    // 1. time to first thumbnails (a cold first load, then warm reloads)
    const loads: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const r = await firstThumbnails(page, server.url)
      loads.push(r.ms)
      console.log(`first thumbnails: ${r.thumbs} on screen in ${r.ms.toFixed(0)} ms (run ${i + 1}) — ${uptime()}`)
    }
    console.log(`time to first thumbnails: median ${median(loads).toFixed(0)} ms over ${RUNS} loads`)

    // 2. a fast scripted scroll: 5 s at 60 px and at 400 px a frame (3,600 and 24,000 px/s)
    for (const step of [60, 400]) {
      await page.goto(server.url)
      await page.getByTestId('thumb').first().waitFor()
      const r = await fastScroll(page, 5, step)
      console.log(
        `fast scroll ${step} px/frame for 5 s: ${r.frames} frames, ${r.dropped} dropped (${((100 * r.dropped) / (r.frames + r.dropped)).toFixed(1)}%), frame p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, worst ${r.worst.toFixed(0)} ms, refresh ${r.interval.toFixed(1)} ms; ${r.blankPerFrame.toFixed(1)} blank tiles per frame; ${(r.distance / 1000).toFixed(0)}k px scrolled — ${uptime()}`
      )
    }

    // 3. search by a 16 MB JPEG: the page against the same API call with the whole file, interleaved
    const real = join(DATA, '..', 'bench-ux-real')
    // KDE's "Path" wallpaper (a photograph) as a 27-megapixel camera JPEG of about 16 MB
    copyRealPhotos(real, (p) => p.path.includes('/Path/'))
    await sharp(join(real, 'Path.jpg')).resize(6400, 4300).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toFile(big)
    rmSync(real, { recursive: true, force: true })
    const mb = statSync(big).size / 2 ** 20
    const b64 = readFileSync(big).toString('base64')
    await page.goto(server.url)
    await page.getByTestId('thumb').first().waitFor()
    const viaPage: number[] = []
    const viaApi: number[] = []
    for (let i = 0; i < RUNS + 1; i++) {
      const t0 = performance.now()
      const full = await api(server, 'search', { query: { kind: 'image', data: b64 }, dial: 0.5, relevance: 'calibrated' })
      const apiMs = performance.now() - t0
      const pageMs = await pageSearch(page, big)
      // the first pair warms both paths up
      if (i > 0) {
        viaApi.push(apiMs)
        viaPage.push(pageMs)
      }
      console.log(`search by a ${mb.toFixed(1)} MB JPEG: API ${apiMs.toFixed(0)} ms (${full.hits.length} hits), page ${pageMs.toFixed(0)} ms${i ? '' : ' (warm-up)'} — ${uptime()}`)
    }
    const ratio = median(viaPage) / median(viaApi)
    console.log(`search by a ${mb.toFixed(1)} MB JPEG: page median ${median(viaPage).toFixed(0)} ms, API median ${median(viaApi).toFixed(0)} ms: page/API ${ratio.toFixed(2)}x`)
  } finally {
    rmSync(big, { force: true })
    await browser.close()
    await server.stop()
  }
  console.log(uptime())
}

await main()
