// kill -9 while the app trains an adaptor, applies it (re-embedding from the stored embeddings) or
// switches between versions: the next start searches with the version that was in use before, or
// with the new one whole, never a mix; the photo table is untouched; shortlists are verified.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Engine } from '../src/main/app/engine.ts'
import { adapt } from '../src/training/adaptor.ts'
import { AdaptorVersions } from '../src/main/adapters/fs/adaptorVersions.ts'
import { assertConsistent, assertShortlistsVerified, random, seedFromEnv } from './crashChecks.ts'
import { ROOT, cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'

const LABELLED = ['cat', 'dog', 'ship']
const PHOTOS = 200

interface App {
  child: ChildProcess
  exited: Promise<unknown>
  call: (method: string, input: unknown) => Promise<any>
}

/** The app in browser mode in a child process, as a user runs it. */
async function startApp(data: string): Promise<App> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/shells/cli/main.ts'), '--data', data, 'serve'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise((r) => child.once('exit', r))
  let output = ''
  const m = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start:\n${output}`)), 120_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const found = /running at (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(output)
      if (found) {
        clearTimeout(timer)
        resolve(found)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`the app exited (${code}):\n${output}`)))
  })
  const [, origin, token] = m
  const call = async (method: string, input: unknown) => {
    const res = await fetch(`${origin}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mrl-token': token }, body: JSON.stringify(input) })
    if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`)
    return res.json()
  }
  return { child, exited, call }
}

const versionsOnDisk = (data: string) =>
  readdirSync(join(data, 'adaptors'))
    .flatMap((f) => /^v(\d+)\.json$/.exec(f)?.[1] ?? [])
    .map(Number)
    .sort((a, b) => a - b)

/**
 * After a crash: the table is whole, every version file is whole, the active version is one of
 * `allowed`, search ranks exactly that version's map of the stored embeddings, shortlists are
 * verified against it, and searches answer. Returns the active version.
 */
async function assertRecovered(data: string, allowed: (number | null)[], known: number[]): Promise<number | null> {
  const engine = await Engine.open({ dataDir: data })
  try {
    assert.equal(await assertConsistent(engine), PHOTOS)
    const onDisk = versionsOnDisk(data)
    for (const v of known) assert.ok(onDisk.includes(v), `version ${v} is kept`)
    assert.ok(onDisk.length <= known.length + 1, `at most one new version: ${onDisk}`)
    assert.deepEqual(readdirSync(join(data, 'adaptors')).filter((f) => f.endsWith('.tmp')), [], 'no half-written version files are left')
    const versions = new AdaptorVersions(join(data, 'adaptors'))
    for (const v of onDisk) assert.equal(versions.load(v).info.version, v, `version ${v} reads back whole`)

    const { active } = await engine.adaptors()
    assert.ok(allowed.includes(active), `active ${active}, expected one of ${allowed}`)
    assert.equal((await engine.training()).phase, 'idle', 'no run is half-going after a restart')
    const { ids, vectors } = await engine.store.embeddings()
    const want = active === null ? vectors : adapt(versions.load(active).adaptor, vectors, ids.length)
    const d = engine.store.dims
    ids.forEach((id, i) => {
      // the table keeps a byte a dim: each value to within one step of the row's largest / 127
      const got = engine.vectors.vector(id)
      let max = 0
      for (let j = 0; j < d; j++) max = Math.max(max, Math.abs(want[i * d + j]))
      for (let j = 0; j < d; j++) assert.ok(Math.abs(got[j] - want[i * d + j]) <= max / 127 + 1e-6, `photo ${id} is searched in version ${active}'s space`)
    })
    assert.ok(engine.spaceId.endsWith(active === null ? engine.modelId : `+adaptor-${active}`))
    assertShortlistsVerified(engine, data)

    const photo = engine.vectors.idAt(0)
    for (const dial of [0, 0.5, 1]) {
      const res = await engine.search({ query: { kind: 'photo', id: photo }, dial, limit: 10 })
      assert.equal(res.hits.length, 10, `dial ${dial} answers`)
      assert.ok(!res.hits.some((h) => h.id === photo))
    }
    if (active !== null) {
      const byLabel = await engine.search({ query: { kind: 'text', text: 'dog' }, dial: 1, limit: 10 })
      assert.deepEqual(byLabel.matched?.via, ['your label'])
    }
    return active
  } finally {
    await engine.close()
  }
}

test('SIGKILL while training, applying or switching adaptors: the old version or the new one whole, shortlists verified, search works', async () => {
  const rand = random(seedFromEnv())
  const lib = cifarLibrary(PHOTOS / 10)
  const data = tempDir()
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/shells/cli/main.ts'), '--data', data, ...args], { cwd: ROOT, encoding: 'utf8' })
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
  }
  try {
    cli('index', lib, '--json')
    for (const cls of LABELLED) cli('label', cls, join(lib, cls))
    cli('train', '--json') // a finished run: version 1 in use, its shortlists saved
    let active = await assertRecovered(data, [1], [1])

    // how long a switch takes in a running app, so kills can land anywhere inside one
    let app = await startApp(data)
    let t0 = performance.now()
    await app.call('useAdaptor', { version: null })
    await app.call('useAdaptor', { version: 1 })
    const switchMs = (performance.now() - t0) / 2
    app.child.kill('SIGKILL')
    await app.exited

    for (let kill = 1; kill <= 4; kill++) {
      const known = versionsOnDisk(data)
      app = await startApp(data)
      let allowed: (number | null)[]
      let what: string
      if (rand() < 0.6) {
        // train: kill while it trains, while it applies, or just after
        const next = Math.max(0, ...known) + 1
        allowed = [active, next]
        const anchor = (['training', 'applying', 'done'] as const)[Math.floor(rand() * 3)]
        const delay = Math.floor(rand() * (anchor === 'training' ? 1500 : 150))
        await app.call('train', { kind: 'supervised' })
        const order = ['preparing', 'training', 'applying', 'done']
        let phase = 'preparing'
        for (let i = 0; i < 3000 && order.indexOf(phase) < order.indexOf(anchor); i++) {
          phase = (await app.call('training', {})).phase
          assert.ok(order.includes(phase), `phase ${phase}`)
          await sleep(5)
        }
        await sleep(delay)
        what = `training v${next}, ${delay} ms after ${anchor}`
      } else {
        // switch to another version (or none) and kill part-way through the re-embedding
        const choices = [null, ...known].filter((v) => v !== active)
        const target = choices[Math.floor(rand() * choices.length)]
        allowed = [active, target]
        const delay = Math.floor(rand() * switchMs * 1.2)
        t0 = performance.now()
        app.call('useAdaptor', { version: target }).catch(() => {}) // the app dies under it
        await sleep(delay)
        what = `switching ${active} -> ${target}, ${delay} of ~${switchMs.toFixed(0)} ms in`
      }
      app.child.kill('SIGKILL')
      await app.exited
      active = await assertRecovered(data, allowed, known)
      console.log(`# kill ${kill}: ${what}; after restart version ${active} is in use`)
    }

    // the app carries on: a full run after all that gives the next version, in use
    cli('train', '--json')
    const last = Math.max(...versionsOnDisk(data))
    assert.equal(await assertRecovered(data, [last], versionsOnDisk(data)), last)
  } finally {
    removeDirs(lib, data)
  }
})
