import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

// main: the Electron shell plus the headless entry points (CLI/server and the embedding worker)
// that share the engine; preload: CommonJS, as sandboxed preloads require; renderer: Svelte 5.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          electron: resolve('src/main/shells/electron.ts'),
          cli: resolve('src/main/shells/cli/main.ts'),
          embedWorker: resolve('src/main/adapters/workers/embedWorker.ts'),
          trainWorker: resolve('src/main/adapters/workers/trainWorker.ts'),
          rerankWorker: resolve('src/main/adapters/workers/rerankWorker.ts'),
          placesWorker: resolve('src/main/adapters/workers/placesWorker.ts'),
          faceWorker: resolve('src/main/adapters/workers/faceWorker.ts'),
          textWorker: resolve('src/main/adapters/workers/textWorker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve('src/renderer'),
    build: { rollupOptions: { input: resolve('src/renderer/index.html') } },
    plugins: [svelte()]
  }
})
