import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskPhone } from './phone.ts';

test('maskPhone keeps the country calling code (1 to 3 digits) and the last four digits', () => {
  assert.equal(maskPhone('+14155552671'), '+1 ••• ••• 2671');
  assert.equal(maskPhone('+447911123456'), '+44 ••• ••• 3456');
  assert.equal(maskPhone('+353861234567'), '+353 ••• ••• 4567');
  assert.equal(maskPhone('+97150123456'), '+971 ••• ••• 3456');
  assert.equal(maskPhone('+8613812345678'), '+86 ••• ••• 5678');
  // No calling code starts +99…: the first two characters, as before.
  assert.equal(maskPhone('+999123456'), '+9 ••• ••• 3456');
});
