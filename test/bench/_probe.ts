import { startTarget } from './lib/ipc.ts';
const t = await startTarget(new URL('./targets/aldero.ts', import.meta.url), ['probe']);
console.log(JSON.stringify(await t.call('probe'), null, 1));
await t.stop();
