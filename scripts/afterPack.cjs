// electron-builder's afterPack hook: flips the packaged Electron binary's fuses before it is signed.
// A fuse is a switch compiled into the binary; flipped off, no environment variable or flag can turn
// the feature back on: the installed app runs only its own code from its own app.asar.
const { join } = require('node:path')
const { flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses')

/** The fuses of the installed app, by name (FuseV1Options). */
const FUSES = {
  // ELECTRON_RUN_AS_NODE=1 would turn the app into a plain Node that runs any script
  RunAsNode: false,
  // NODE_OPTIONS (--require a script) and --inspect / SIGUSR1 (a debugger) would inject code
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  // app.asar checked against the hash embedded at build time (macOS, Windows), and loaded from app.asar only
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  // the window loads app://, never file://: no extra privileges for file pages
  GrantFileProtocolExtraPrivileges: false,
  // Chromium's cookie store encrypted with the OS keychain (the app keeps no cookies, but its session storage is in that profile)
  EnableCookieEncryption: true
}

/** The Electron executable electron-builder just packed, per platform. */
function executable(context) {
  const { appOutDir, electronPlatformName, packager } = context
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return join(appOutDir, `${packager.appInfo.productFilename}.app`)
  if (electronPlatformName === 'win32') return join(appOutDir, `${packager.appInfo.productFilename}.exe`)
  return join(appOutDir, packager.executableName)
}

/** The @electron/fuses configuration for FUSES. */
function fuseConfig(darwinArm64) {
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature: darwinArm64 }
  for (const [name, on] of Object.entries(FUSES)) config[FuseV1Options[name]] = on
  return config
}

async function afterPack(context) {
  // arm64 macOS refuses to run a binary whose ad-hoc signature no longer matches; signing comes after
  const darwinArm64 = context.electronPlatformName === 'darwin' && context.arch === 3 /* Arch.arm64 */
  await flipFuses(executable(context), fuseConfig(darwinArm64))
}

module.exports = afterPack
module.exports.default = afterPack
module.exports.FUSES = FUSES
module.exports.executable = executable
module.exports.fuseConfig = fuseConfig
