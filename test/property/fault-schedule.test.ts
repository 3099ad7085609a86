/**
 * DESIGN.md §Delivery guarantees 1, 5 and 6 over random fault schedules: copies of a few deliveries arrive at
 * once while DynamoDB, EventBridge and S3 each answer, fail or hang call by call as the schedule says. Then the
 * dependencies recover and the redrive runs. Whatever the schedule:
 *   - every delivery answered 2xx is on the bus (at once, or after the redrive), under its own eventId;
 *   - nothing is published for a delivery that got no 2xx, unless a copy of it (same eventId) got one;
 *   - every answer came within the answer deadline.
 * Runs: FAULT_SCHEDULE_RUNS (CI runs 500; `npm test` 25). The answer deadline is 300 ms here, so a hang costs
 * little; the budget's shares are fractions of it, as with the shipped 6 s.
 */
import fc from 'fast-check';
import { handleDelivery } from '../../lambda/core/pipeline';
import { redrive } from '../../lambda/core/redrive';
import type { CallOptions } from '../../lambda/core/ports';
import { Headers, Delivery, Reply } from '../../lambda/core/http';
import { signStandardWebhook } from '../helpers/standard-webhooks';
import { deriveEventId } from '../../lambda/core/event';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { MemoryDeadLetters, memoryWorld } from '../helpers/memory';

const RUNS = Number(process.env.FAULT_SCHEDULE_RUNS ?? 25);
const DEADLINE_MS = 300;
/**
 * A call that is never abandoned would never answer (the ports here answer only when their signal aborts), so the
 * property's real check of the deadline is that every delivery answers at all; the bound below only catches gross
 * overruns, with room for a loaded machine (CI runs this beside other suites).
 */
const SLACK_MS = 1500;
const SECRET = 'whsec_' + Buffer.from('fault schedule secret!!!').toString('base64');
const adapter = quarterzip();

type Action = 'ok' | 'fail' | 'hang';
const OPS = ['claim', 'get', 'markPublished', 'keepForRedrive', 'publish', 'put'] as const;
type Op = (typeof OPS)[number];
type Schedule = Record<Op, Action[]>;

const action = fc.constantFrom<Action>('ok', 'ok', 'fail', 'hang');
const schedule: fc.Arbitrary<Schedule> = fc.record(Object.fromEntries(OPS.map((op) => [op, fc.array(action, { maxLength: 4 })])) as Record<Op, fc.Arbitrary<Action[]>>);
/** 1–5 copies, of deliveries drawn from 3 ids (so that copies of one delivery race each other). */
const copies = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 });

function hang(options?: CallOptions): Promise<never> {
  return new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
}

let run = 0;

describe('random fault schedules (fast-check)', () => {
  it('a 2xx is always on the bus after the redrive; nothing is published without a 2xx for its eventId; every answer within the deadline', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, copies, async (faults, picks) => {
        run++;
        const w = memoryWorld([adapter], { quarterzip: SECRET }, { answerDeadlineMs: DEADLINE_MS, inFlightWaitMs: 100 });
        let healed = false;
        const inject = <A extends unknown[], R>(op: Op, real: (...args: A) => Promise<R>, optionsAt: number) =>
          async (...args: A): Promise<R> => {
            const next = healed ? 'ok' : faults[op].shift() ?? 'ok';
            if (next === 'fail') throw Object.assign(new Error('injected'), { name: 'InternalServerError', $fault: 'server' });
            if (next === 'hang') return hang(args[optionsAt] as CallOptions | undefined);
            return real(...args);
          };
        w.store.claim = inject('claim', w.store.claim.bind(w.store), 2);
        w.store.get = inject('get', w.store.get.bind(w.store), 1);
        w.store.markPublished = inject('markPublished', w.store.markPublished.bind(w.store), 1);
        w.store.keepForRedrive = inject('keepForRedrive', w.store.keepForRedrive.bind(w.store), 2);
        w.publisher.publish = inject('publish', w.publisher.publish.bind(w.publisher), 1);
        w.blobs.put = inject('put', w.blobs.put.bind(w.blobs), 3);

        const now = new Date();
        const ids = picks.map((p) => `msg_schedule_${run}_${p}`);
        const deliveries: Delivery[] = ids.map((id) => {
          const body = Buffer.from(JSON.stringify({ type: 'call.completed', data: { call_id: `c_${id}` } }));
          return { vendor: 'quarterzip', method: 'POST', headers: new Headers(Object.entries(signStandardWebhook(body, SECRET, now, id))), query: {}, body, receivedAt: now };
        });
        const answers: Array<{ id: string; reply: Reply; ms: number }> = await Promise.all(deliveries.map(async (d, i) => {
          const started = performance.now();
          const reply = await handleDelivery(d, w.deps);
          return { id: ids[i], reply, ms: performance.now() - started };
        }));

        healed = true;
        await redrive({ store: w.store, publisher: w.publisher, deadLetters: new MemoryDeadLetters(), log: w.log, blobs: w.blobs }, new Date(now.getTime() + 3_600_000));

        const published = new Set(w.publisher.published.map((e) => e.detail.eventId));
        const accepted = new Set(answers.filter((a) => a.reply.statusCode >= 200 && a.reply.statusCode < 300).map((a) => deriveEventId('quarterzip', a.id)));
        for (const a of answers) {
          expect(a.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
          expect([200, 202, 409, 503]).toContain(a.reply.statusCode);
          if (a.reply.statusCode < 300) {
            expect(a.reply.body.eventId).toBe(deriveEventId('quarterzip', a.id));
            expect(published.has(String(a.reply.body.eventId))).toBe(true);
          }
        }
        for (const eventId of published) expect(accepted.has(eventId as string)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  }, 30_000 + RUNS * 500);
});
