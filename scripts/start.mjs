// `npm start`: the Electron window where Electron can start; browser mode on 127.0.0.1 otherwise.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { launchEnv } from './launchEnv.mjs'

const require = createRequire(import.meta.url)

function electronBinary() {
  try {
    const path = require('electron') // throws when the binary was never downloaded
    return existsSync(path) ? path : null
  } catch {
    return null
  }
}

const binary = electronBinary()
const display = process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY
const args = process.argv.slice(2)
if (binary && display && !args.includes('--browser')) {
  spawn(binary, ['.'], { stdio: 'inherit', env: launchEnv() }).on('exit', (code) => process.exit(code ?? 0))
} else {
  const why = !binary ? 'the Electron binary is not installed' : !display ? 'there is no display' : '--browser was given'
  console.log(`Starting in browser mode (${why}).`)
  spawn(process.execPath, ['out/main/cli.js', 'serve', ...args.filter((a) => a !== '--browser')], { stdio: 'inherit', env: launchEnv() }).on('exit', (code) =>
    process.exit(code ?? 0)
  )
}
