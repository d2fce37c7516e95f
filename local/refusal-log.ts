import type { AuditEventRecorder } from '../src/domain/audit/trail';
import type { Directory } from '../src/domain/directory';
import { HttpError } from '../src/http/errors';
import { type GatewayRefusal, refusalEvent } from '../src/http/gateway-refusal';

/**
 * What the local gateway does with the requests it refuses itself: each becomes an access-log event,
 * written through the same audit store as the functions' (so the sealer seals it), as API Gateway's
 * access log feeds them to the audit log in AWS.
 *
 * Refusals of callers without a verified token are bounded per source address: past `max` in a window,
 * the source is answered 429 until the window ends, and only the first of those 429s is logged. So a
 * flood of bad tokens adds at most `max + 1` events per address and window (WAF's per-IP rate rule plays
 * this part in AWS).
 */
export interface RefusalLogOptions {
  recorder: AuditEventRecorder;
  directory: Directory;
  /** Anonymous refusals logged per source address and window; default 300 a minute. */
  max?: number;
  windowMs?: number;
}

interface Window {
  endsAt: number;
  count: number;
  throttledLogged: boolean;
}

export interface RefusalLog {
  /** A 429 to answer instead, if this anonymous source is over its budget. */
  overBudget(sourceIp: string, now: number): HttpError | undefined;
  record(refusal: GatewayRefusal): Promise<void>;
}

export function refusalLog(options: RefusalLogOptions): RefusalLog {
  const max = options.max ?? 300;
  const windowMs = options.windowMs ?? 60_000;
  const windows = new Map<string, Window>();
  let nextSweep = 0;
  const windowOf = (sourceIp: string, now: number): Window => {
    if (now >= nextSweep) {
      // Forget ended windows, once a window, so that the map does not grow with every address ever seen.
      for (const [ip, ended] of windows) if (ended.endsAt <= now) windows.delete(ip);
      nextSweep = now + windowMs;
    }
    let current = windows.get(sourceIp);
    if (!current || current.endsAt <= now) {
      current = { endsAt: now + windowMs, count: 0, throttledLogged: false };
      windows.set(sourceIp, current);
    }
    return current;
  };
  return {
    overBudget(sourceIp, now) {
      const current = windowOf(sourceIp, now);
      if (current.count < max) return undefined;
      const retryAfter = String(Math.max(1, Math.ceil((current.endsAt - now) / 1000)));
      return new HttpError('too-many-requests', 'Too many refused requests from this address; retry later.', {
        headers: { 'Retry-After': retryAfter },
      });
    },
    async record(refusal) {
      if (!refusal.clientId) {
        const current = windowOf(refusal.sourceIp, refusal.time.getTime());
        if (refusal.status === 429) {
          if (current.throttledLogged) return;
          current.throttledLogged = true;
        } else current.count += 1;
      }
      // Like API Gateway's access log, the log of a refusal never changes the answer.
      await options.recorder.record(refusalEvent(refusal, options.directory)).catch(() => undefined);
    },
  };
}
