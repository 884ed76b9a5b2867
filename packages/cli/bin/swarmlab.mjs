#!/usr/bin/env node
// The `swarmlab` bin: registers tsx (the CLI is TypeScript, run without a build step), then runs it.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
