// Tests of the close-call judge with a scripted model (no LLM): when it asks, what it does with the answer, the
// budget and the cache.
import { describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import { RouteJudge, parseVerdict, readJudgeConfig, type JudgeComplete } from './judge.ts';

const CANDS = [
  { intent: 'card_lost', description: 'report a lost card', score: 0.52 },
  { intent: 'card_stolen', description: 'report a stolen card', score: 0.5 },
  { intent: 'balance', description: 'account balance', score: 0.2 },
];

/** A scripted model: answers from a table by request text, counts calls and what it was shown. */
function scripted(answers: Record<string, string>): JudgeComplete & { calls: string[] } {
  const calls: string[] = [];
  const f = Object.assign(async (messages: Parameters<JudgeComplete>[0]) => {
    const user = messages[1]!.content;
    calls.push(user);
    const text = JSON.parse(user.split('\n')[0]!.slice('Request: '.length)) as string;
    if (!(text in answers)) throw new Error('model down');
    return { text: answers[text]!, tokens: 50 };
  }, { calls });
  return f;
}

describe('semantic-ipcd judge', () => {
  it('judge - asks only on close calls: top two within the margin, or the best near the threshold', async () => {
    const model = scripted({ 'my card was taken': 'card_stolen' });
    const j = new RouteJudge({ margin: 0.05 }, model, () => 0);
    expect(j.isClose([0.52, 0.5], 0.3)).toBe(true);
    expect(j.isClose([0.6, 0.3], 0.3)).toBe(false);
    expect(j.isClose([0.32, 0.1], 0.3)).toBe(true);
    expect(await j.judge('clear case', [{ ...CANDS[0]!, score: 0.9 }, CANDS[2]!], 0.3)).toBeUndefined();
    expect(model.calls).toHaveLength(0);
    expect(await j.judge('my card was taken', CANDS, 0.3)).toEqual({ pick: 'card_stolen' });
    // The model was shown the top k (3) by name and description.
    expect(model.calls[0]).toContain('- card_stolen: report a stolen card');
    expect(model.calls[0]).toContain('- balance: account balance');
    expect(j.stats).toMatchObject({ consulted: 1, calls: 1, tokens: 50, picks: 1 });
  });

  it('judge - "none" is a refusal; an unusable answer or a failing model leaves the decision to the threshold', async () => {
    const j = new RouteJudge({}, scripted({ 'order pizza': 'none', babble: 'I think maybe both' }), () => 0);
    expect(await j.judge('order pizza', CANDS, 0.3)).toEqual({ refuse: true });
    expect(await j.judge('babble', CANDS, 0.3)).toBeUndefined();
    expect(await j.judge('unknown', CANDS, 0.3)).toBeUndefined();
    expect(j.stats).toMatchObject({ calls: 3, refusals: 1, errors: 2 });
  });

  it('judge - verdicts are cached per request text; the budget caps calls per rolling minute', async () => {
    let now = 0;
    const model = scripted({ a: 'card_lost', b: 'card_lost', c: 'card_lost' });
    const j = new RouteJudge({ maxCallsPerMinute: 2 }, model, () => now);
    await j.judge('a', CANDS, 0.3);
    await j.judge('a', CANDS, 0.3);
    expect(model.calls).toHaveLength(1);
    expect(j.stats.cached).toBe(1);
    await j.judge('b', CANDS, 0.3);
    expect(await j.judge('c', CANDS, 0.3)).toBeUndefined();
    expect(j.stats.overBudget).toBe(1);
    now = 60_001;
    expect(await j.judge('c', CANDS, 0.3)).toEqual({ pick: 'card_lost' });
    expect(model.calls).toHaveLength(3);
  });

  it('judge - the token budget counts the prompt estimate before calling', async () => {
    const model = scripted({ a: 'card_lost' });
    const j = new RouteJudge({ maxTokensPerMinute: 10 }, model, () => 0);
    expect(await j.judge('a', CANDS, 0.3)).toBeUndefined();
    expect(model.calls).toHaveLength(0);
  });

  it('judge - answers are parsed strictly: a listed name, "none", or the one listed name quoted in the text', () => {
    const names = ['card_lost', 'card_stolen'];
    expect(parseVerdict(' card_lost\n', names)).toEqual({ pick: 'card_lost' });
    expect(parseVerdict('"card_stolen".', names)).toEqual({ pick: 'card_stolen' });
    expect(parseVerdict('None of them', names)).toEqual({ refuse: true });
    expect(parseVerdict('The intent is card_stolen', names)).toEqual({ pick: 'card_stolen' });
    expect(parseVerdict('card_lost or card_stolen', names)).toBeUndefined();
    expect(parseVerdict('transfer_money', names)).toBeUndefined();
  });

  it('judge - a bad config is EINVAL naming the field', () => {
    expect(readJudgeConfig(true).k).toBe(3);
    for (const bad of [{ k: 1 }, { margin: -1 }, { maxCallsPerMinute: 1.5 }, 'yes']) {
      try {
        readJudgeConfig(bad);
        throw new Error('expected EINVAL');
      } catch (e) {
        expect(e).toBeInstanceOf(AiosError);
        expect((e as AiosError).code).toBe('EINVAL');
      }
    }
  });
});
