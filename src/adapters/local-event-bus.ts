import { EventEmitter } from 'node:events';
import type { DomainEvent } from '../domain/exchange/events';
import type { EventPublisher } from '../domain/exchange/ports';

/**
 * The local stand-in for the EventBridge bus: an in-process emitter shared by everything loaded in the
 * process (the local stack runs the functions in its own process, so its console can show notifications).
 * Nothing here is reachable over HTTP.
 */
const BUS = Symbol.for('himaya.local-event-bus');

export function localEventBus(): EventEmitter {
  const holder = globalThis as typeof globalThis & { [BUS]?: EventEmitter };
  holder[BUS] ??= new EventEmitter();
  return holder[BUS];
}

export function onLocalEvent(listener: (event: DomainEvent) => void): () => void {
  const bus = localEventBus();
  bus.on('event', listener);
  return () => bus.off('event', listener);
}

export const localEventPublisher: EventPublisher = {
  async publish(events) {
    const bus = localEventBus();
    for (const event of events) bus.emit('event', event);
  },
};
