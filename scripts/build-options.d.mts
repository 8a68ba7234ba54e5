import type { BuildOptions } from 'esbuild';
export function buildOptions(repoDir: string): BuildOptions;
