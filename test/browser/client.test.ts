import { expect } from '@open-wc/testing';
import { AlderoClient, AlderoError, resolveEndpoint } from '../../components/client/index.ts';
import { enrolledUser, latestCode, loginChallenge, newClient, PASSWORD, signUp, uniquePhone } from './helpers.ts';

describe('AlderoClient', () => {
  describe('endpoint', () => {
    it('uses the tenant subdomain over https, with -sandbox for the sandbox', () => {
      expect(resolveEndpoint({ domain: 'aldero.io', tenantSlug: 'acme' })).to.deep.equal({ baseUrl: 'https://acme.aldero.io' });
      expect(resolveEndpoint({ domain: 'aldero.io', tenantSlug: 'acme', sandbox: true }).baseUrl).to.equal(
        'https://acme-sandbox.aldero.io',
      );
    });

    it('uses plain http for a localhost domain with a port', () => {
      expect(resolveEndpoint({ domain: 'localhost:3000', tenantSlug: 'acme' }).baseUrl).to.equal('http://acme.localhost:3000');
      expect(resolveEndpoint({ domain: 'dev.localhost:8080', tenantSlug: 'acme', sandbox: true }).baseUrl).to.equal(
        'http://acme-sandbox.dev.localhost:8080',
      );
    });

    it('sends the tenant in X-Aldero-Tenant when given an apiBase', async () => {
      const requests: Request[] = [];
      const client = new AlderoClient({
        tenantSlug: 'acme',
        sandbox: true,
        apiBase: 'https://auth.tenant.example/',
        accessToken: 'at_123',
        fetch: async (input, init) => {
          requests.push(new Request(input, init));
          return Response.json({ result: { data: { id: 'u1' } } });
        },
      });
      await client.auth.me();
      await client.auth.mfa.sms.setup({ phone: '+15550109911' });
      expect(requests.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
        'GET https://auth.tenant.example/trpc/auth.me',
        'POST https://auth.tenant.example/trpc/auth.mfa.sms.setup',
      ]);
      expect(requests[1].headers.get('x-aldero-tenant')).to.equal('acme-sandbox');
      expect(requests[1].headers.get('authorization')).to.equal('Bearer at_123');
      expect(requests[1].credentials).to.equal('include');
      expect(await requests[1].json()).to.deep.equal({ phone: '+15550109911' });
    });

    it('needs a domain or an apiBase', () => {
      expect(() => new AlderoClient({ tenantSlug: 'acme' })).to.throw(AlderoError, /domain or an apiBase/);
    });

    it('turns an unreachable API into NETWORK_ERROR', async () => {
      const client = new AlderoClient({
        tenantSlug: 'acme',
        apiBase: '',
        fetch: () => Promise.reject(new TypeError('Failed to fetch')),
      });
      const error = await client.auth.me().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(AlderoError);
      expect((error as AlderoError).code).to.equal('NETWORK_ERROR');
      expect((error as AlderoError).status).to.equal(0);
    });
  });

  describe('against the server', () => {
    it('signs up, keeps the access token, and reads the user', async () => {
      const { client, email } = await signUp();
      expect(client.getAccessToken()).to.be.a('string');
      const me = await client.auth.me();
      expect(me.email).to.equal(email);
      expect(me.mfa).to.deep.equal({ sms: false, totp: false });
    });

    it('enrolls SMS through the guide calls and gets 10 recovery codes', async () => {
      const { client } = await signUp();
      const phone = uniquePhone();
      const sent = await client.auth.mfa.sms.setup({ phone });
      expect(sent.phone).to.equal(phone);
      expect(sent.message).to.equal('Verification code sent via SMS.');
      expect(sent.maskedPhone).to.match(/\d{2,4}$/);
      const { recoveryCodes } = await client.auth.mfa.sms.confirm({ code: await latestCode(phone) });
      expect(recoveryCodes).to.have.length(10);
      for (const code of recoveryCodes) expect(code).to.match(/^[0-9a-f]{4}-[0-9a-f]{4}$/);
      expect((await client.auth.me()).mfa.sms).to.equal(true);
    });

    it('reads the enrollment in progress with auth.mfa.sms.status(), and refuses one that is not there', async () => {
      const { client } = await signUp();
      const none = (await client.auth.mfa.sms.status().catch((e: unknown) => e)) as AlderoError;
      expect([none.code, none.status]).to.deep.equal(['MFA_SETUP_REQUIRED', 409]);
      const phone = uniquePhone();
      const sent = await client.auth.mfa.sms.setup({ phone });
      const status = await client.auth.mfa.sms.status();
      expect(status).to.deep.include({ phone, maskedPhone: sent.maskedPhone, codeSent: true, sendsRemaining: 2, attemptsRemaining: 5 });
      expect(status.delivery).to.deep.equal({ status: 'delivered', reason: null });
      // A refusal carries its delivery reason in context.reason (typed RateLimitReason | DeliveryReason).
      const stop = (await client.auth.mfa.sms.setup({ phone: '+15005550009' }).catch((e: unknown) => e)) as AlderoError;
      expect([stop.code, stop.status, stop.context.reason]).to.deep.equal(['MFA_DELIVERY_FAILED', 422, 'opted_out']);
    });

    it('throws AlderoError with the server code, status and context', async () => {
      const { client } = await signUp();
      const invalid = await client.auth.mfa.sms.setup({ phone: '555-0100' }).catch((e: unknown) => e);
      expect(invalid).to.be.instanceOf(AlderoError);
      expect((invalid as AlderoError).code).to.equal('VALIDATION_ERROR');
      expect((invalid as AlderoError).status).to.equal(400);

      const phone = uniquePhone();
      await client.auth.mfa.sms.setup({ phone });
      const wrong = (await client.auth.mfa.sms.confirm({ code: '000000' }).catch((e: unknown) => e)) as AlderoError;
      const right = await latestCode(phone);
      if (right === '000000') return; // one chance in a million: the wrong code was right
      expect(wrong.code).to.equal('MFA_INVALID_CODE');
      expect(wrong.status).to.equal(400);
      expect(wrong.context.attemptsRemaining).to.equal(4);
    });

    it('reports mfa_required at login with the token and the methods, then verifies', async () => {
      const { email, phone } = await enrolledUser();
      const client = newClient();
      const error = (await client.auth.login({ email, password: PASSWORD }).catch((e: unknown) => e)) as AlderoError;
      expect(error.code).to.equal('mfa_required');
      expect(error.context.mfa_token).to.be.a('string');
      expect(error.context.available_methods).to.include('sms');
      const mfaToken = error.context.mfa_token!;
      const status = await client.auth.mfa.status({ mfaToken });
      expect(status.codeSent).to.equal(true);
      expect(status.sendsRemaining).to.equal(2);
      const tokens = await client.auth.mfa.verify({ mfaToken, method: 'sms', code: await latestCode(phone, 2) });
      expect(tokens.expiresIn).to.equal(900);
      expect(client.getAccessToken()).to.equal(tokens.accessToken);
    });

    it('after MFA: trusted devices, fresh recovery codes, refresh and logout', async () => {
      const { email, phone } = await enrolledUser();
      const client = newClient();
      const { mfaToken } = await loginChallenge(email);
      const session = await client.auth.mfa.verify({ mfaToken, method: 'sms', code: await latestCode(phone, 2), trustDevice: true });
      expect(session.trustedDevice).to.equal(true);

      const { devices } = await client.auth.devices.list();
      expect(devices).to.have.length(1);
      expect(devices[0].current).to.equal(true);

      const { recoveryCodes } = await client.auth.mfa.recoveryCodes.regenerate();
      expect(recoveryCodes).to.have.length(10);

      const refreshed = await client.auth.refresh({ refreshToken: session.refreshToken });
      expect(client.getAccessToken()).to.equal(refreshed.accessToken);
      expect(refreshed.refreshToken).not.to.equal(session.refreshToken);

      expect(await client.auth.devices.revoke({ id: devices[0].id })).to.deep.equal({ ok: true });
      expect((await client.auth.devices.list()).devices.map((device) => device.id)).not.to.include(devices[0].id);

      await client.auth.logout({ refreshToken: refreshed.refreshToken });
      expect(client.getAccessToken()).to.equal(null);
      const ended = (await newClient(refreshed.accessToken).auth.me().catch((e: unknown) => e)) as AlderoError;
      expect(ended.code).to.equal('UNAUTHORIZED');
    });

    it('resends through auth.mfa.challenge with the guide call shape', async () => {
      const { email, phone } = await enrolledUser();
      const { mfaToken } = await loginChallenge(email);
      const sent = await newClient().auth.mfa.challenge({ mfaToken, channel: 'sms' });
      expect(sent.challenge_type).to.equal('oob');
      expect(sent.sendsRemaining).to.equal(1);
      expect(await latestCode(phone, 3)).to.match(/^\d{6}$/);
    });
  });
});
