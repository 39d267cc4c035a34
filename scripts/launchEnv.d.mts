export declare const LAUNCH_ENV: Record<string, string>
export declare function launchEnv(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv
