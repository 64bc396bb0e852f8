// A language model's judgement for close routing calls: when the router's top candidates are within a margin of
// each other (or the best one is within the margin of the refusal threshold), the model is shown the request and
// the top k intents (name and description) and asked to pick one or to refuse. Bounded by a budget (calls and
// tokens per minute), cached per request text. Policy only: the completion function and the clock are injected;
// the model's answer is untrusted text (anything but a listed name or "none" is ignored).
import { AiosError } from '@aios/abi';

export interface JudgeConfig {
  /** Ask when top1 − top2 < margin, or |top1 − threshold| < margin. */
  margin: number;
  /** Candidates shown to the model. */
  k: number;
  /** Budget per rolling minute; a request over budget is decided by the threshold alone. */
  maxCallsPerMinute: number;
  maxTokensPerMinute: number;
  /** Verdicts remembered (per exact request text), oldest forgotten first. */
  cacheSize: number;
}
export const DEFAULT_JUDGE_CONFIG: JudgeConfig = { margin: 0.04, k: 3, maxCallsPerMinute: 30, maxTokensPerMinute: 30_000, cacheSize: 1024 };
/** Longest answer asked of the model (a name or "none"). */
export const JUDGE_MAX_TOKENS = 24;

export interface JudgeCandidate {
  intent: string;
  description: string;
  score: number;
}

export type Verdict = { pick: string } | { refuse: true };

/** The model call: messages in, answer text and tokens spent out. */
export type JudgeComplete = (messages: Array<{ role: 'system' | 'user'; content: string }>, maxTokens: number) => Promise<{ text: string; tokens: number }>;

export interface JudgeStats {
  /** Requests the judge was consulted on (close calls), model calls made, answered from cache, over budget, failed. */
  consulted: number;
  calls: number;
  cached: number;
  overBudget: number;
  errors: number;
  tokens: number;
  picks: number;
  refusals: number;
}

/** Checks a config (EINVAL naming the field); missing fields take the defaults. */
export function readJudgeConfig(raw: unknown): JudgeConfig {
  if (raw === true || raw === undefined) return { ...DEFAULT_JUDGE_CONFIG };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AiosError('EINVAL', 'config.judge must be true or an object', { arg: 'config.judge' });
  const c = { ...DEFAULT_JUDGE_CONFIG, ...(raw as Partial<JudgeConfig>) };
  const pos = (k: keyof JudgeConfig, int: boolean) => {
    const v = c[k];
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v) || (int && !Number.isInteger(v))) throw new AiosError('EINVAL', `config.judge.${k} must be a non-negative ${int ? 'integer' : 'number'}`, { arg: `config.judge.${k}` });
  };
  pos('margin', false);
  pos('k', true);
  pos('maxCallsPerMinute', true);
  pos('maxTokensPerMinute', true);
  pos('cacheSize', true);
  if (c.k < 2 || c.k > 10) throw new AiosError('EINVAL', 'config.judge.k must be from 2 to 10', { arg: 'config.judge.k' });
  return c;
}

/** The prompt: the request and the candidates by name and description; the answer is one name or "none". */
export function judgePrompt(text: string, cands: readonly JudgeCandidate[]): Array<{ role: 'system' | 'user'; content: string }> {
  const list = cands.map((c) => `- ${c.intent}: ${c.description || c.intent.replace(/[_\-.]+/g, ' ')}`).join('\n');
  return [
    { role: 'system', content: 'You route a user request to the one service intent that serves it. Answer with the intent name only, exactly as listed, or with "none" if no listed intent serves the request.' },
    { role: 'user', content: `Request: ${JSON.stringify(text)}\nIntents:\n${list}` },
  ];
}

/** Reads the model's answer: a listed name (exact, or the only listed name it contains), "none", else undefined. */
export function parseVerdict(answer: string, names: readonly string[]): Verdict | undefined {
  const a = answer.trim().replace(/^["'`]|["'`.]$/g, '').trim();
  if (names.includes(a)) return { pick: a };
  if (/^none\b/i.test(a)) return { refuse: true };
  const found = names.filter((n) => answer.includes(n));
  return found.length === 1 ? { pick: found[0]! } : undefined;
}

export class RouteJudge {
  readonly config: JudgeConfig;
  readonly stats: JudgeStats = { consulted: 0, calls: 0, cached: 0, overBudget: 0, errors: 0, tokens: 0, picks: 0, refusals: 0 };
  private readonly cache = new Map<string, Verdict>();
  private readonly spent: Array<{ at: number; tokens: number }> = [];

  constructor(config: Partial<JudgeConfig>, private readonly complete: JudgeComplete, private readonly now: () => number) {
    this.config = readJudgeConfig({ ...DEFAULT_JUDGE_CONFIG, ...config });
  }

  /** True when the call is close: the best two within the margin, or the best within the margin of the threshold. */
  isClose(scores: readonly number[], threshold: number): boolean {
    if (scores.length === 0) return false;
    const m = this.config.margin;
    return Math.abs(scores[0]! - threshold) < m || (scores.length > 1 && scores[0]! - scores[1]! < m);
  }

  /**
   * The model's verdict on a close call, or undefined when it was not asked (not close, over budget) or gave no
   * usable answer (then the threshold decides, as without a judge). Candidates best first; only the top k are shown.
   */
  async judge(text: string, cands: readonly JudgeCandidate[], threshold: number): Promise<Verdict | undefined> {
    if (!this.isClose(cands.map((c) => c.score), threshold)) return undefined;
    this.stats.consulted++;
    const shown = cands.slice(0, this.config.k);
    const key = `${text}\u0000${shown.map((c) => c.intent).join('\u0000')}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.stats.cached++;
      return this.count(hit);
    }
    const messages = judgePrompt(text, shown);
    const estimate = Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / 4) + JUDGE_MAX_TOKENS;
    if (!this.withinBudget(estimate)) {
      this.stats.overBudget++;
      return undefined;
    }
    this.stats.calls++;
    let answer: { text: string; tokens: number };
    try {
      answer = await this.complete(messages, JUDGE_MAX_TOKENS);
    } catch {
      this.stats.errors++;
      this.charge(estimate);
      return undefined;
    }
    const tokens = Number.isFinite(answer.tokens) && answer.tokens > 0 ? answer.tokens : estimate;
    this.charge(tokens);
    this.stats.tokens += tokens;
    const v = parseVerdict(answer.text, shown.map((c) => c.intent));
    if (v === undefined) {
      this.stats.errors++;
      return undefined;
    }
    this.cache.set(key, v);
    if (this.cache.size > this.config.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return this.count(v);
  }

  private count(v: Verdict): Verdict {
    if ('pick' in v) this.stats.picks++;
    else this.stats.refusals++;
    return v;
  }

  private withinBudget(tokens: number): boolean {
    const since = this.now() - 60_000;
    while (this.spent.length > 0 && this.spent[0]!.at <= since) this.spent.shift();
    const used = this.spent.reduce((n, s) => n + s.tokens, 0);
    return this.spent.length < this.config.maxCallsPerMinute && used + tokens <= this.config.maxTokensPerMinute;
  }

  private charge(tokens: number): void {
    this.spent.push({ at: this.now(), tokens });
  }
}
