import { createUser } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import {
  AuthorizationConfigError,
  agentPermissions,
  renderAuthorization,
  servicePermissions,
} from '../src/index.js';

const userKey = (): string => createUser().getPublicKey();

describe('renderAuthorization', () => {
  it('refuses, all at once, a key shared by two principals, a key that is not a user key, and a host listed twice', () => {
    const shared = userKey();
    const render = (): string =>
      renderAuthorization({
        services: [{ role: 'ingest', nkey: shared }],
        hosts: [
          { hostId: 'web-01', nkey: shared },
          { hostId: 'web-02', nkey: 'SUAFAKESEED' },
          { hostId: 'web-02', nkey: userKey() },
        ],
      });
    expect(render).toThrow(AuthorizationConfigError);
    expect(render).toThrow(/host web-01 uses the nkey of service ingest/);
    expect(render).toThrow(/host web-02: "SUAFAKESEED" is not a NATS user public key/);
    expect(render).toThrow(/host web-02 is listed twice/);
  });

  it('writes hosts sorted by id, so the same enrollment gives the same file', () => {
    const a = { hostId: 'a-host', nkey: userKey() };
    const b = { hostId: 'b-host', nkey: userKey() };
    const one = renderAuthorization({ services: [], hosts: [b, a] });
    expect(one).toBe(renderAuthorization({ services: [], hosts: [a, b] }));
    expect(one.indexOf('# host a-host')).toBeLessThan(one.indexOf('# host b-host'));
  });
});

describe('permissions', () => {
  it("an agent publishes only its host's subjects and subscribes only to its inbox", () => {
    const key = userKey();
    expect(agentPermissions('web-01', key)).toEqual({
      publish: { allow: ['hostwatch.web-01.>'] },
      subscribe: { allow: [`_INBOX_${key}.>`] },
    });
  });

  it('ingest pulls and acknowledges only its own durable; the operator is denied every durable', () => {
    const ingest = servicePermissions('ingest', userKey());
    expect(ingest.publish.allow).toContain('$JS.API.CONSUMER.MSG.NEXT.HOSTWATCH.ingest');
    expect(ingest.publish.allow).not.toContain('$JS.API.CONSUMER.MSG.NEXT.HOSTWATCH.alerter');
    expect(ingest.publish.allow.some((s) => s.startsWith('hostwatch.'))).toBe(false);
    const operator = servicePermissions('operator', userKey());
    for (const durable of ['ingest', 'alerter']) {
      expect(operator.publish.deny).toContain(`$JS.API.CONSUMER.MSG.NEXT.HOSTWATCH.${durable}`);
      expect(operator.publish.deny).toContain(`$JS.ACK.HOSTWATCH.${durable}.>`);
    }
  });
});
