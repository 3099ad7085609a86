import { readFileSync } from 'node:fs';
import { currentExamples, EVENTS_DOC, renderExamples } from '../../scripts/events-doc';

describe('docs/EVENTS.md', () => {
  it('shows exactly the events the code publishes for the fixtures (run `npm run docs:events` when this fails)', () => {
    expect(currentExamples(readFileSync(EVENTS_DOC, 'utf8'))).toBe(renderExamples());
  });
});
