// Browser mode over a real engine, for the HTTP tests: the library indexed, a stand-in renderer
// build (the tests are about the server, not the UI) and the server on a random loopback port.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { startServer, type RunningServer } from '../src/main/shells/server.ts'
import { cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'

export interface Served {
  engine: Engine
  server: RunningServer
  data: string
  /** the stand-in renderer build */
  renderer: string
  close(): Promise<void>
}

export async function serveLibrary(lib: string): Promise<Served> {
  const data = tempDir()
  const renderer = tempDir('mrl-renderer-')
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>MRL Photos</title>')
  mkdirSync(join(renderer, 'assets'))
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)')
  const engine = await Engine.open({ dataDir: data })
  await engine.addFolder({ path: lib })
  await engine.idle()
  const server = await startServer({ engine, rendererDir: renderer })
  return {
    engine,
    server,
    data,
    renderer,
    async close() {
      await server.close()
      await engine.close()
      removeDirs(data, renderer)
    }
  }
}

/** `perClass` CIFAR-10 test photos of each class, indexed and served; close() removes the library too. */
export async function serveCifar(perClass: number): Promise<Served & { lib: string }> {
  const lib = cifarLibrary(perClass)
  const served = await serveLibrary(lib)
  return {
    ...served,
    lib,
    async close() {
      await served.close()
      removeDirs(lib)
    }
  }
}
