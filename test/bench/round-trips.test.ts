/**
 * Pins the database round trips of the bench's scenarios on the Aldero API (issue 19), counted
 * with the driver's command monitoring: a request that takes one more than its budget fails here,
 * so round trips cannot creep back. Each request's audit events are one insert.
 *
 *   node --import tsx test/bench/round-trips.ts     # the table, with the commands
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { countAlderoRoundTrips, ROUND_TRIP_BUDGET, ROUND_TRIP_SCENARIOS, SCENARIO_STATUS, startMonitoredServer, summariseCommands, type MonitoredServer } from './lib/round-trips.ts';

let monitored: MonitoredServer;

before(async () => {
  monitored = await startMonitoredServer();
});
after(() => monitored?.stop());

test('round trips per request: wrong verify ≤ 3, right verify ≤ 4, send ≤ 4, login ≤ 6; one audit insert each', async () => {
  const counts = await countAlderoRoundTrips(monitored);
  for (const scenario of ROUND_TRIP_SCENARIOS) {
    const { status, commands } = counts[scenario];
    const seen = `${scenario}: ${status}, ${commands.length} — ${summariseCommands(commands)}`;
    assert.equal(status, SCENARIO_STATUS[scenario], seen);
    assert.ok(commands.length <= ROUND_TRIP_BUDGET[scenario], `more than ${ROUND_TRIP_BUDGET[scenario]} round trips: ${seen}`);
    assert.equal(commands.filter((command) => command === 'insert auditEvents').length, 1, `one audit insert: ${seen}`);
  }
  // The judgement is one update that finds the challenge: no read before it.
  assert.deepEqual(counts['verify-wrong'].commands.slice(0, 2), ['findAndModify challenges', 'findAndModify rateCounters']);
});
