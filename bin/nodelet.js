#!/usr/bin/env node
// Entry point: the CLI is TypeScript, run by Node 24's type stripping (the project pins Node 24 through npm).
const [major] = process.versions.node.split('.').map(Number);
if ((major ?? 0) < 24) {
  process.stderr.write(
    `nodelet needs Node.js 24 or newer (this is ${process.version}); run it through npx or npm scripts after npm install.\n`,
  );
  process.exit(2);
}
await import('../src/cli/main.ts');
