// better-sqlite3, loaded when a database is first opened: an ES import of it (external to the bundle) would
// load it at start-up for every command, `validate` and `--help` too, and before the cockpit's first frame.
import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';

export type Database = BetterSqlite3.Database;

// In the bundle `require` is esbuild's (Node's, for this external package); from the sources, Node's.
declare const require: NodeJS.Require | undefined;
let driver: typeof BetterSqlite3 | undefined;

export function openDatabase(file: string, options?: BetterSqlite3.Options): Database {
  driver ??= (typeof require === 'function' ? require('better-sqlite3') : createRequire(import.meta.url)('better-sqlite3')) as typeof BetterSqlite3;
  return new driver(file, options);
}
