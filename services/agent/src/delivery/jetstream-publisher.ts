import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { PublishFn } from './delivery.js';

/**
 * A {@link PublishFn} over JetStream: publishes with the envelope's headers and its `Nats-Msg-Id`
 * (so a re-send within the duplicate window is not stored twice) and waits for the stream's ack.
 */
export function jetStreamPublisher(js: JetStreamClient, timeoutMs = 5_000): PublishFn {
  return async (entry) => {
    const h = natsHeaders();
    for (const [key, value] of Object.entries(entry.headers)) h.set(key, value);
    const msgID = entry.headers['Nats-Msg-Id'];
    await js.publish(entry.subject, entry.data, { headers: h, timeout: timeoutMs, ...(msgID ? { msgID } : {}) });
  };
}
