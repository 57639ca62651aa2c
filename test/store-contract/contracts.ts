/**
 * Every store-contract file in one process (what cli.test.ts runs against the CLI engine: one
 * process start instead of one per file). Not a *.test.ts file, so the runner skips it.
 *   MONGODB_URI=mongodb://... STORE_CONTRACT_ONLY_URI=1 node --import tsx test/store-contract/contracts.ts
 */
import './crud.test.ts';
import './query.test.ts';
import './update.test.ts';
import './indexes.test.ts';
import './concurrency.test.ts';
import './errors.test.ts';
