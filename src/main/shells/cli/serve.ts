// `serve`: browser mode, the app on a loopback port over the same engine, until SIGINT or SIGTERM.
import type { Command } from 'commander'
import { Engine } from '../../app/engine'
import { rendererDir } from '../../app/config'
import { startServer } from '../server'
import { closeWithin } from '../quit'
import { keepNewFilesPrivate } from '../../adapters/fs/dataLayout'
import { call, dataDir, number } from './call'

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('browser mode: the app on http://127.0.0.1 (loopback only)')
    .option('--port <port>', 'port (default: any free)', number)
    .action(async (opts: { port?: number }) => {
      // held open until a signal, so not withEngine; the long-running writer keeps its files private (main.ts does too)
      keepNewFilesPrivate()
      const engine = await Engine.open({ dataDir: dataDir(program) })
      const server = await startServer({ engine, rendererDir: rendererDir(), port: opts.port })
      const status = await call(engine, 'status', {})
      console.log(`MRL Photos is running at ${server.url}`)
      console.log(`data folder: ${status.dataDir}`)
      const stop = async () => {
        await server.close()
        process.exit((await closeWithin(engine)) ? 0 : 1)
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
      if (status.folders.length) await call(engine, 'reindex', {}) // pick up what changed while the app was closed
    })
}
