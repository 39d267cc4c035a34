// The installers' configuration (electron-builder.config.cjs) and the fuses its afterPack hook
// flips. The Electron binary cannot be downloaded here, so electron-builder packs the built app
// around a stand-in binary that carries a real fuse wire: the schema check, the asar layout and
// the hook all run as in a real build, and the wire is read back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { ROOT, removeDirs, tempDir } from '../fixtures/photos.ts'

const require = createRequire(import.meta.url)
const CONFIG = join(ROOT, 'electron-builder.config.cjs')
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: unknown): Promise<Record<string, any>>
  validateConfiguration(config: unknown, logger: unknown): Promise<void>
}
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown }
const fuses = require('@electron/fuses') as typeof import('@electron/fuses')
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const ON = 49
const OFF = 48

test("the installer configuration passes electron-builder's own schema: AppImage and deb, NSIS, dmg, from the built app", async () => {
  const config = await getConfig(ROOT, CONFIG, null)
  await validateConfiguration(config, new DebugLogger(false))
  // and the check is real: a misplaced option fails it
  await assert.rejects(validateConfiguration({ ...config, linux: { ...config.linux, runAsNode: false } }, new DebugLogger(false)), /Invalid configuration object/)
  assert.deepEqual(config.linux.target, ['AppImage', 'deb'])
  assert.deepEqual(config.win.target, ['nsis'])
  assert.deepEqual(config.mac.target, ['dmg'])
  assert.equal(config.asar, true)
  assert.ok(config.files.flatMap((f: string | { filter: string[] }) => (typeof f === 'string' ? [f] : f.filter)).includes('out/**'))
  assert.ok(config.asarUnpack.includes('resources/models/**'), 'onnxruntime reads the model from a real file')
  assert.ok(existsSync(join(ROOT, config.afterPack)), config.afterPack)
  // the fuses, by name
  const hook = require(join(ROOT, config.afterPack))
  assert.deepEqual(hook.FUSES, {
    RunAsNode: false,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: false,
    EnableEmbeddedAsarIntegrityValidation: true,
    OnlyLoadAppFromAsar: true,
    GrantFileProtocolExtraPrivileges: false,
    EnableCookieEncryption: true
  })
})

test('a packed app has RunAsNode, NODE_OPTIONS and --inspect off, ASAR integrity and asar-only loading on, and its model outside the asar', async (t) => {
  if (!existsSync(join(ROOT, 'out/main/electron.js'))) return t.skip('run `npx electron-vite build` first (npm test does)')
  const dir = tempDir('mrl-pack-')
  try {
    // a stand-in Electron: any bytes, with a fuse wire set to the opposite of what the app wants
    const dist = join(dir, 'electron')
    mkdirSync(dist)
    const wire = [ON, OFF, ON, ON, OFF, OFF, OFF, ON, ON] // RunAsNode … WasmTrapHandlers
    writeFileSync(join(dist, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.alloc(256), Buffer.from(SENTINEL), Buffer.from([1, wire.length, ...wire]), Buffer.alloc(256)]))
    chmodSync(join(dist, 'electron'), 0o755)
    writeFileSync(join(dist, 'version'), require('electron/package.json').version)
    const out = join(dir, 'out')
    execFileSync(join(ROOT, 'node_modules/.bin/electron-builder'), ['--linux', 'dir', '--config', CONFIG, `-c.electronDist=${dist}`, `-c.directories.output=${out}`], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } })
    const app = join(out, 'linux-unpacked')
    const read = await fuses.getCurrentFuseWire(join(app, 'mrl-photos'))
    const { FuseV1Options: F } = fuses
    assert.equal(read[F.RunAsNode], OFF)
    assert.equal(read[F.EnableNodeOptionsEnvironmentVariable], OFF)
    assert.equal(read[F.EnableNodeCliInspectArguments], OFF)
    assert.equal(read[F.EnableEmbeddedAsarIntegrityValidation], ON)
    assert.equal(read[F.OnlyLoadAppFromAsar], ON)
    assert.equal(read[F.GrantFileProtocolExtraPrivileges], OFF)
    assert.equal(read[F.EnableCookieEncryption], ON)
    assert.equal(read[F.LoadBrowserProcessSpecificV8Snapshot], OFF, 'a fuse not configured stays as it was')
    const asar = require('@electron/asar') as { listPackage(path: string): string[] }
    const inside = new Set(asar.listPackage(join(app, 'resources', 'app.asar')).map((p) => p.replaceAll('\\', '/')))
    for (const f of ['/out/main/electron.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json']) assert.ok(inside.has(f), f)
    assert.ok(![...inside].some((p) => p.startsWith('/src/') || p.startsWith('/test/')), 'no sources or tests in the app')
    assert.ok(existsSync(join(app, 'resources', 'app.asar.unpacked', 'resources', 'models', 'mrl-photo.onnx')))
  } finally {
    removeDirs(dir)
  }
})
