// `bench`: the benchmark from a source checkout (the same as npm run bench).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { resourcesDir } from '../../adapters/models/modelCard'

export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description('the adaptive-deployment benchmark, from a source checkout (same as npm run bench); --small for the CI size')
    .allowUnknownOption()
    .argument('[options...]', 'passed on: --small, --no-1m, --no-peers, --queries N, --speed N, --out DIR, --indexing')
    .action((options: string[]) => {
      // the benchmark is TypeScript beside the sources (bench/run.ts), not part of the built app
      const root = resolve(resourcesDir(), '..')
      const script = join(root, 'bench', 'run.ts')
      if (!existsSync(script)) program.error(`no benchmark at ${script}: run it from a source checkout`)
      const res = spawnSync(process.execPath, ['--import', 'tsx', script, ...options], { cwd: root, stdio: 'inherit' })
      process.exit(res.status ?? 1)
    })
}
