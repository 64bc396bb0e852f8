// Demo service reached by meaning: it declares a 'translate' intent; nobody needs its id.
// (A tiny phrasebook stands in for a real translator.)
import { defineAgent } from '@aios/runtime';

const PHRASES: Record<string, string> = { 'good morning': 'buongiorno', 'thank you': 'grazie', 'good night': 'buonanotte' };

export default defineAgent({
  name: 'translator',
  description: 'Translates short English phrases into Italian',
  intents: [
    {
      name: 'translate',
      description: 'translate a phrase or sentence into another language',
      examples: [
        'translate this into Italian', 'how do you say thank you in Italian', 'what is good night in Italian',
        'can you translate a sentence for me', 'say this in another language', 'give me the Italian for good morning',
      ],
      handle(payload, ctx) {
        // Asked by meaning, the text is the request; as a plan step, the payload carries it (the text is the intent name).
        const text = (typeof payload === 'string' ? payload : ctx.text ?? '').toLowerCase();
        const hit = Object.keys(PHRASES).find((p) => text.includes(p));
        return hit ? `${hit} -> ${PHRASES[hit]}` : 'no phrase I know';
      },
    },
  ],
});
