// A small home folder as a person would have it, for the photo-app specs: ~/Pictures holds the real
// photographs of test/realPhotos.json (a dozen carry an EXIF date and camera), CIFAR-10 JPEGs in a
// folder per class with file dates spread over 2021 (no EXIF: the timeline places them by file
// date), and two damaged JPEGs deep in long-named folders; beside it a hidden folder and a file,
// which the folder browser must not list.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cifarSplit, copyRealPhotos, tempDir } from '../fixtures/photos'
import { apiCall, startApp, type AppServer } from './server'

export interface Home {
  home: string
  pictures: string
  /** the photo without a date of its own whose file date is the newest of the library */
  newest: string
  /** a damaged JPEG with a long path */
  damaged: string
}

const day = (iso: string) => new Date(`${iso}T12:00:00`)

/** real: copy real photographs (only: those of the manifest's entries it keeps) */
/** The real photos the specs use: those with an EXIF date and camera (MATE's nature set, KDE's), and a few of scikit-image's. */
export const SOME_REAL = (p: { path: string; photo: boolean }): boolean => p.photo && /mate\/nature|wallpapers|chelsea|coins|astronaut|coffee|rocket/.test(p.path)

export function makeHome({ cifarPerClass = 20, real: withReal = true, only = SOME_REAL }: { cifarPerClass?: number; real?: boolean; only?: (p: { path: string; photo: boolean }) => boolean } = {}): Home {
  const home = tempDir('mrl-home-')
  const pictures = join(home, 'Pictures')
  const real = join(pictures, 'Real photos')
  const copied = withReal ? copyRealPhotos(real, only) : []
  // the photos without EXIF get file dates in 2019 (a copy would otherwise date them all today)
  copied.forEach((p, i) => utimesSync(p, day(`2019-06-${String(1 + (i % 20)).padStart(2, '0')}`), day(`2019-06-${String(1 + (i % 20)).padStart(2, '0')}`)))
  const newest = join(real, 'astronaut.png')
  if (withReal) utimesSync(newest, day('2024-05-01'), day('2024-05-01'))
  const cifar = cifarSplit('test')
  readdirSync(cifar)
    .sort()
    .forEach((cls, c) => {
      mkdirSync(join(pictures, 'cifar', cls), { recursive: true })
      for (const [i, f] of readdirSync(join(cifar, cls)).sort().slice(0, cifarPerClass).entries()) {
        const to = join(pictures, 'cifar', cls, f)
        cpSync(join(cifar, cls, f), to)
        const d = day(`2021-${String(1 + c).padStart(2, '0')}-${String(1 + (i % 3) * 9).padStart(2, '0')}`)
        utimesSync(to, d, d)
      }
    })
  const deep = join(pictures, 'Old phone backup from the summer holidays of 2016', 'Camera roll, unsorted and partly broken')
  mkdirSync(deep, { recursive: true })
  const jpeg = readFileSync(withReal ? join(real, 'Storm.jpg') : join(cifar, 'cat', readdirSync(join(cifar, 'cat')).sort()[0]))
  const damaged = join(deep, 'IMG_20160812_184512_HDR_the_one_that_got_cut_short.jpg')
  writeFileSync(damaged, Buffer.concat([jpeg.subarray(0, 2000), Buffer.alloc(30_000, 0x07), jpeg.subarray(2000, 4000)]))
  writeFileSync(join(deep, 'IMG_20160812_184530.jpg'), jpeg.subarray(0, 30_000))
  mkdirSync(join(home, '.cache', 'thumbnails'), { recursive: true })
  writeFileSync(join(home, 'notes.txt'), 'not a folder')
  mkdirSync(join(home, 'Documents'))
  return { home, pictures, newest, damaged }
}

export interface Indexed {
  app: AppServer
  home: Home
  data: string
  /** stops the server and removes the home and data folders */
  stop(): Promise<void>
}

/**
 * A home folder (makeHome), served in browser mode with that HOME, its Pictures indexed. With
 * MRL_REUSE_HOME (a folder), the home and its index are kept there and used again: checking a spec
 * against an older build restarts the worker after each failing test, and indexing once is enough.
 */
export async function indexedHome(opts: Parameters<typeof makeHome>[0] = {}): Promise<Indexed> {
  const keep = process.env.MRL_REUSE_HOME ? join(process.env.MRL_REUSE_HOME, String(opts.cifarPerClass ?? 20)) : null
  const saved = keep && existsSync(join(keep, 'home.json')) ? (JSON.parse(readFileSync(join(keep, 'home.json'), 'utf8')) as { home: Home; data: string }) : null
  const home = saved?.home ?? makeHome(opts)
  const data = saved?.data ?? tempDir()
  const app = await startApp(data, { HOME: home.home })
  const stop = async () => {
    await app.stop()
    if (keep) return void (mkdirSync(keep, { recursive: true }), writeFileSync(join(keep, 'home.json'), JSON.stringify({ home, data })))
    rmSync(home.home, { recursive: true, force: true })
    rmSync(data, { recursive: true, force: true })
  }
  if (saved) return { app, home, data, stop }
  try {
    const started = Date.now()
    await apiCall(app, 'addFolder', { path: home.pictures })
    const until = Date.now() + 10 * 60_000
    while ((await apiCall(app, 'status', {})).progress.phase !== 'done') {
      if (Date.now() > until) throw new Error('indexing did not finish in 10 minutes')
      await new Promise((r) => setTimeout(r, 500))
    }
    console.log(`home library indexed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } catch (err) {
    await stop()
    throw err
  }
  return { app, home, data, stop }
}
