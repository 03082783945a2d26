import { describe, expect, it } from 'vitest';
import { redactUrl } from '../src/index.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://hostwatch:pgpass@db:5432/hostwatch', 'postgres://hostwatch:***@db:5432/hostwatch'],
    ['postgresql://u:p%40ss@localhost/db?sslmode=require', 'postgresql://u:***@localhost/db?sslmode=require'],
    ['postgres://u:p@ss@db/x', 'postgres://u:***@db/x'],
    ['redis://:only-pass@cache:6379', 'redis://:***@cache:6379'],
    ['nats://a:one@n1:4222,nats://b:two@n2:4222', 'nats://a:***@n1:4222,nats://b:***@n2:4222'],
    ['connect to smtp://alerts:pw@mail:587 failed', 'connect to smtp://alerts:***@mail:587 failed'],
    ['postgres://user@db/x', 'postgres://user@db/x'],
    ['https://example.com/a:b@c', 'https://example.com/a:b@c'],
    ['not a url', 'not a url'],
  ])('turns %j into %j', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
