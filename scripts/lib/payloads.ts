/** Synthetic Quarterzip payloads of an exact size, for the benchmark and the load generator. */
import { prng } from './report';

const WORDS = (
  'thanks for calling how can I help you today I would like to update my billing address sure let me ' +
  'pull up your account could you confirm the email on file yes it is the one ending in example dot com ' +
  'great I see two addresses which one should stay the new one is on main street apartment four okay ' +
  'that is done is there anything else I can help with no that is all have a nice day you too goodbye'
).split(' ');

export interface CallCompletedOptions {
  /** Exact size of the JSON body in bytes. */
  readonly bytes: number;
  readonly callId?: string;
  readonly seed?: number;
  readonly timestamp?: Date;
}

/**
 * A Quarterzip `call.completed` (the shape of fixtures/quarterzip/call-completed.json) whose transcript is
 * long enough for the compact JSON body to be exactly `bytes` long (ASCII, so bytes = characters).
 */
export function callCompletedBody(options: CallCompletedOptions): Buffer {
  const rand = prng(options.seed ?? 1);
  const at = options.timestamp ?? new Date('2026-06-19T14:32:05Z');
  const started = new Date(at.getTime() - 200_000);
  const transcript: Array<{ speaker: string; text: string }> = [];
  const body = {
    type: 'call.completed',
    timestamp: at.toISOString(),
    data: {
      call_id: options.callId ?? 'abc123',
      workspace_id: 'ws_456',
      deployment_id: 'dep_789',
      started_at: started.toISOString(),
      ended_at: new Date(at.getTime() - 17_000).toISOString(),
      is_test: false,
      is_coaching: false,
      is_phone: true,
      is_sdk: false,
      call_quality_rating: 5,
      product_experience_rating: 4,
      transcript,
    },
  };
  const sentence = () => {
    const n = 6 + Math.floor(rand() * 18);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rand() * WORDS.length)]);
    return words.join(' ') + '.';
  };
  let size = Buffer.byteLength(JSON.stringify(body));
  if (size > options.bytes) throw new Error(`a call.completed is at least ${size} bytes`);
  // Each turn adds `{"speaker":"agent","text":"…"}` and a comma after the first.
  const turnOverhead = (speaker: string) => `{"speaker":"${speaker}","text":""}`.length;
  for (let i = 0; ; i++) {
    const speaker = i % 2 === 0 ? 'agent' : 'user';
    const sep = transcript.length > 0 ? 1 : 0;
    const room = options.bytes - size - sep - turnOverhead(speaker);
    if (room < 0) break;
    let text = sentence();
    // The last turn is cut (or padded) to land exactly on the size.
    if (text.length >= room || options.bytes - size - sep - turnOverhead(speaker) - text.length < turnOverhead('agent') + 2) {
      text = text.length >= room ? text.slice(0, room) : text.padEnd(room, '.');
    }
    transcript.push({ speaker, text });
    size += sep + turnOverhead(speaker) + text.length;
    if (size >= options.bytes) break;
  }
  const out = Buffer.from(JSON.stringify(body), 'utf8');
  if (out.length !== options.bytes) throw new Error(`payload is ${out.length} bytes, wanted ${options.bytes}`);
  return out;
}
