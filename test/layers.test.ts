// The layering rules (ARCHITECTURE.md, .dependency-cruiser.cjs): the tree keeps them, and each kind
// of break is caught, shown on a scratch tree that commits one of each.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ROOT, removeDirs, tempDir } from '../fixtures/photos.ts'

const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise')
const cruise = (cwd: string, ...paths: string[]) => spawnSync(DEPCRUISE, ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...paths], { cwd, encoding: 'utf8' })

test('the source tree keeps every dependency rule', () => {
  const r = cruise(ROOT, 'src', 'bench', 'test', 'e2e', 'fixtures')
  assert.equal(r.status, 0, r.stdout + r.stderr)
})

test('a pure core that imports node, a cycle, a layer importing upwards and a bench importing a test each fail the check', () => {
  const dir = tempDir('mrl-layers-')
  try {
    copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'))
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', allowImportingTsExtensions: true, noEmit: true } }))
    const files: Record<string, string> = {
      'src/core/prefix.ts': "import { readFileSync } from 'node:fs'\nexport const p = readFileSync",
      'src/core/a.ts': "import { b } from './b'\nexport const a = () => b",
      'src/core/b.ts': "import { a } from './a'\nexport const b = () => a",
      'src/main/services/library.ts': 'export const library = 1',
      'src/main/jobs/indexing.ts': "import { library } from '../services/library'\nexport const indexing = library",
      'test/helper.ts': 'export const helper = 1',
      'bench/run.ts': "import { helper } from '../test/helper'\nexport const run = helper"
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), text)
    }
    const r = cruise(dir, 'src', 'bench', 'test')
    assert.notEqual(r.status, 0)
    for (const rule of ['core-is-pure', 'no-circular', 'main-jobs-imports-only-below', 'bench-does-not-import-test']) assert.match(r.stdout, new RegExp(rule), `${rule} not reported:\n${r.stdout}`)
  } finally {
    removeDirs(dir)
  }
})

test('no source file in src/main is over 300 lines, and the composition root is under 200', () => {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []))
  const long = walk(join(ROOT, 'src', 'main'))
    .map((f) => ({ f, n: readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter(({ n }) => n > 300)
  assert.deepEqual(long, [])
  assert.ok(readFileSync(join(ROOT, 'src/main/app/compose.ts'), 'utf8').split('\n').length - 1 < 200)
})
