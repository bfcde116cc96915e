#!/usr/bin/env node
// The `refundbot` command. The code is TypeScript run directly by Node's type stripping, which
// needs Node >= 22.18; `npm start` and `npx refundbot` use the project's own Node 24 (the `node`
// devDependency), so this only trips when the file is run with an older system Node.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`refundbot needs Node.js 24 (found ${process.version}). Run it through npm: "npm start" or "npx refundbot …", which use the project's own Node.`);
  process.exit(1);
}
// A .env file in the working directory fills in variables the environment does not set.
try {
  process.loadEnvFile('.env');
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
