// Loaded first into every test process (through no-network.ts): Node's on-disk compile cache, so the
// source each test process and each `moatless` child loads is not stripped of its types and compiled
// again in every one of them (about a third of a test process's start-up CPU here). Node checks each
// entry against the source's hash, so an edited file is compiled afresh. Children inherit it through
// NODE_COMPILE_CACHE. The cache lives in node_modules/.cache/ (ignored by git, one per checkout).
import { enableCompileCache } from 'node:module';
import { resolve } from 'node:path';

const dir = process.env['NODE_COMPILE_CACHE'] || resolve(import.meta.dirname, '../../node_modules/.cache/node-compile');
process.env['NODE_COMPILE_CACHE'] = dir;
enableCompileCache(dir);
