// Indexing benchmark: the CLI indexes a CIFAR split's JPEGs into a fresh data folder; prints
// throughput (photos/s, wall clock including the dial measurement) and peak RSS.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { ROOT, cifarSplit, tempDir } from '../test/fixtures'

export interface IndexingResult {
  name: string
  photos: number
  seconds: number
  photos_per_s: number
  peak_rss_mb: number
  machine: string
}

export function benchIndexing(split: 'test' | 'train'): IndexingResult {
  const folder = cifarSplit(split)
  const data = tempDir('mrl-bench-index-')
  try {
    console.log(`indexing the CIFAR-10 ${split} JPEGs with the CLI (progress on stderr)…`)
    const out = execFileSync(process.execPath, [join(ROOT, 'out/main/cli.js'), '--data', data, 'index', folder, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024
    })
    const s = JSON.parse(out.trim().split('\n').pop()!)
    const result = {
      name: `index-cifar10-${split}`,
      photos: s.photos,
      seconds: s.seconds,
      photos_per_s: s.photosPerSecond,
      peak_rss_mb: s.peakRssMB,
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`
    }
    console.log(`${result.name}: ${result.photos} photos in ${result.seconds.toFixed(1)} s = ${result.photos_per_s.toFixed(1)} photos/s, peak RSS ${result.peak_rss_mb.toFixed(0)} MB`)
    return result
  } finally {
    rmSync(data, { recursive: true, force: true })
  }
}
