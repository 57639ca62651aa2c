/**
 * Proves the MONGODB_URI path: starts the engine through its CLI in a child process (as several
 * server processes would share it) and runs the store-contract suite against that URI only.
 * The same command works against a real MongoDB:
 *   MONGODB_URI=mongodb://host:27017 node test/run-node-tests.mjs store-contract
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

const root = fileURLToPath(new URL('../..', import.meta.url));

console.log('store contract against: embedded engine via its CLI (MONGODB_URI)');

/** Starts the CLI and resolves with the URI it prints as its first line. */
async function startCli(): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/embedded-mongo/cli.ts', '--port', '0', '--ttl-sweep-ms', '50'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const uri = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve(stdout.slice(0, newline).trim());
    });
    child.once('exit', (code) => reject(new Error(`the CLI exited with ${code} before printing its URI: ${stderr}`)));
    setTimeout(() => reject(new Error(`the CLI printed no URI within 10 s: ${stderr}`)), 10_000).unref();
  });
  return { child, uri };
}

it('runs the store-contract suite against the engine started by its CLI', async () => {
  const { child: engine, uri } = await startCli();
  try {
    assert.match(uri, /^mongodb:\/\/127\.0\.0\.1:\d+\//);
    const client = new MongoClient(uri);
    assert.deepEqual(await client.db('admin').command({ ping: 1 }), { ok: 1 });
    await client.close();

    const env: NodeJS.ProcessEnv = { ...process.env, MONGODB_URI: uri, STORE_CONTRACT_ONLY_URI: '1', STORE_CONTRACT_FAST_TTL: '1' };
    delete env.NODE_TEST_CONTEXT; // run as a top-level test process, not as a child of this runner
    // All contract files in one process (test/store-contract/contracts.ts imports them).
    const suite = spawn(process.execPath, ['--import', 'tsx', '--test-reporter=spec', 'test/store-contract/contracts.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    suite.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    suite.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(suite, 'exit')) as [number | null];
    assert.equal(code, 0, `the suite against ${uri} failed:\n${output}`);
    assert.match(output, /store contract against: MONGODB_URI mongodb:\/\/127\.0\.0\.1/);
    assert.doesNotMatch(output, /store contract against: embedded engine\b(?! via)/);
    assert.match(output, /concurrency \[MONGODB_URI/);
  } finally {
    engine.kill('SIGTERM');
    const [code] = (await once(engine, 'exit')) as [number | null];
    assert.equal(code, 0, 'the CLI stops cleanly on SIGTERM');
  }
});
