/**
 * Prints the database round trips of one request of each bench scenario on the Aldero API
 * (the driver's command monitoring; see lib/round-trips.ts).
 *
 *   node --import tsx test/bench/round-trips.ts
 */
import { countAlderoRoundTrips, ROUND_TRIP_BUDGET, ROUND_TRIP_SCENARIOS, startMonitoredServer, summariseCommands } from './lib/round-trips.ts';

const monitored = await startMonitoredServer();
try {
  const counts = await countAlderoRoundTrips(monitored);
  console.log('| scenario | status | round trips | budget | commands |');
  console.log('| --- | --- | ---: | ---: | --- |');
  for (const scenario of ROUND_TRIP_SCENARIOS) {
    const { status, commands } = counts[scenario];
    console.log(`| ${scenario} | ${status} | ${commands.length} | ${ROUND_TRIP_BUDGET[scenario]} | ${summariseCommands(commands)} |`);
  }
  console.log(`\nLeft out (sent by the process on its own when idle): ${monitored.background.join(', ') || 'nothing'}`);
} finally {
  await monitored.stop();
}
