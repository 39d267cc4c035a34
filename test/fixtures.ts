// Real photos for tests and benchmarks: CIFAR-10 JPEGs from the shared tar (class = folder name).
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const SHARED_CIFAR = process.env.MRL_CIFAR_DIR ?? resolve(ROOT, '..', 'shared', 'datasets', 'cifar10')
const CACHE = join(ROOT, '.cache', 'cifar10')

/** The extracted split (`train` or `test`), extracted once into .cache/. */
export function cifarSplit(split: 'train' | 'test'): string {
  const dir = join(CACHE, split)
  if (!existsSync(join(dir, 'truck'))) {
    mkdirSync(CACHE, { recursive: true })
    execFileSync('tar', ['-xzf', join(SHARED_CIFAR, `${split}.tar.gz`), '-C', CACHE])
  }
  return dir
}

/** A fresh folder with `perClass` test photos of each class, as class/NNNN.jpg. */
export function cifarLibrary(perClass: number, split: 'train' | 'test' = 'test'): string {
  const src = cifarSplit(split)
  const dest = mkdtempSync(join(tmpdir(), 'mrl-lib-'))
  for (const cls of readdirSync(src).sort()) {
    mkdirSync(join(dest, cls))
    for (const f of readdirSync(join(src, cls)).sort().slice(0, perClass)) cpSync(join(src, cls, f), join(dest, cls, f))
  }
  return dest
}

export function tempDir(prefix = 'mrl-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function removeDirs(...dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
}

