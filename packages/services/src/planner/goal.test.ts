import { describe, expect, it } from 'vitest';
import { clauses, fillInput, linkInput, planOffline, planWithModel, type IntentInfo } from './goal.ts';

const INTENTS: IntentInfo[] = [
  { intent: 'weather', description: 'the weather in a city', input: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } } },
  { intent: 'translate', description: 'translate text', input: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } } },
];

/** A scripted model: answers each call with the next scripted text, and keeps what it was asked. */
function scripted(answers: string[]) {
  const asked: Array<{ system: string; user: string }> = [];
  return { asked, complete: async (system: string, user: string) => (asked.push({ system, user }), answers.shift() ?? '') };
}

describe('planner - plans from goals', () => {
  it('planner - the model is asked with a JSON schema of the live intents and its valid plan is taken', async () => {
    const m = scripted([JSON.stringify({ goal: 'trip', steps: [{ id: 'w', intent: 'weather', input: { city: 'Paris' } }, { id: 't', intent: 'translate', input: { text: { $step: 'w' } }, after: ['w'] }] })]);
    const made = await planWithModel('weather in Paris, in French', INTENTS, m.complete);
    expect(made.planner).toBe('model');
    expect(made.plan.steps.map((s) => s.intent)).toEqual(['weather', 'translate']);
    expect(m.asked[0]!.system).toContain('"const":"weather"');
    expect(m.asked[0]!.system).toContain('"required":["city"]');
  });

  it('planner - an invalid model plan is sent back with the reasons and repaired, or refused with EINVAL', async () => {
    const m = scripted([
      JSON.stringify({ goal: 'g', steps: [{ id: 'w', intent: 'book a flight' }] }),
      JSON.stringify({ goal: 'g', steps: [{ id: 'w', intent: 'weather', input: { city: 'Rome' } }] }),
    ]);
    const made = await planWithModel('weather in Rome', INTENTS, m.complete);
    expect(made.plan.steps[0]!.input).toEqual({ city: 'Rome' });
    expect(made.notes.join(' ')).toMatch(/repaired in 1 round/);
    expect(m.asked[1]!.user).toMatch(/book a flight is not a registered intent/);
    const bad = scripted(['no idea', '{"goal":"g","steps":[{"id":"a","intent":"weather"}]}', 'still nothing']);
    await expect(planWithModel('weather', INTENTS, bad.complete)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(bad.asked).toHaveLength(3);
  });

  it('planner - the offline planner splits the goal into clauses, matches each by meaning and fills inputs', async () => {
    expect(clauses('Check the weather in Paris, then translate the forecast. Finally relax')).toEqual(['Check the weather in Paris', 'translate the forecast', 'relax']);
    expect(fillInput({ type: 'object', required: ['n'], properties: { n: { type: 'integer' } } }, 'add 42 things')).toEqual({ input: { n: 42 }, filled: true });
    const made = await planOffline('check the weather in Paris then translate it and dance', INTENTS, async (t) =>
      /weather/.test(t) ? { intent: 'weather', score: 0.9 } : /translate/.test(t) ? { intent: 'translate', score: 0.8 } : null);
    expect(made.planner).toBe('offline');
    expect(made.notes[0]).toMatch(/offline planner: no model/);
    expect(made.notes.join(' ')).toMatch(/no intent matches "dance"/);
    expect(made.plan.steps).toEqual([
      { id: 's1', intent: 'weather', input: { city: 'check the weather in Paris' }, after: [] },
      { id: 's2', intent: 'translate', input: { text: { $step: 's1' } }, after: ['s1'] },
    ]);
    expect(made.notes.join(' ')).toMatch(/"translate it" refers to the step before/);
    await expect(planOffline('dance', INTENTS, async () => null)).rejects.toMatchObject({ code: 'ENOROUTE' });
  });

  it('planner - offline, an intent with no input schema gets the clause, and "it" takes the step before as a string input', async () => {
    const free: IntentInfo[] = [{ intent: 'translate' }, { intent: 'remember', input: { type: 'string' } }];
    const made = await planOffline('say good morning in Italian, then remember it', free, async (t) =>
      /Italian/.test(t) ? { intent: 'translate', score: 0.9 } : /remember/.test(t) ? { intent: 'remember', score: 0.9 } : null);
    expect(made.plan.steps).toEqual([
      { id: 's1', intent: 'translate', input: 'say good morning in Italian', after: [] },
      { id: 's2', intent: 'remember', input: { $step: 's1' }, after: ['s1'] },
    ]);
    expect(linkInput({ type: 'integer' }, 's1')).toBeUndefined();
  });
});
