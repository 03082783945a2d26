import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { PublishFn } from './delivery.js';

/** The broker did not acknowledge a publish in time (disconnected, or overloaded). */
export class PublishTimeoutError extends Error {
  override readonly name = 'PublishTimeoutError';
}

/**
 * A {@link PublishFn} over JetStream: publishes with the envelope's headers and its `Nats-Msg-Id`
 * (so a re-send within the duplicate window is not stored twice) and waits for the stream's ack.
 * The wait is bounded here, not only by the client: while the client reconnects it may hold a
 * publish without answering, and the sender must move on to its spool.
 */
export function jetStreamPublisher(js: JetStreamClient, timeoutMs = 5_000): PublishFn {
  return async (entry) => {
    const h = natsHeaders();
    for (const [key, value] of Object.entries(entry.headers)) h.set(key, value);
    const msgID = entry.headers['Nats-Msg-Id'];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PublishTimeoutError(`no acknowledgement within ${timeoutMs} ms`)),
        timeoutMs + 500,
      );
    });
    try {
      await Promise.race([js.publish(entry.subject, entry.data, { headers: h, timeout: timeoutMs, ...(msgID ? { msgID } : {}) }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
