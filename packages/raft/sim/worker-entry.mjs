// Worker threads do not inherit tsx's TypeScript loader, so the worker starts here, in plain
// JavaScript, and loads the TypeScript worker through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
