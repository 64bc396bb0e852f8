// Demo service for the planner step: a 'remember' intent that keeps a note in the memory fabric (memoryd) and says
// what it kept. A plan step passes the note as its input (e.g. the output of the step before).
import { defineAgent } from '@aios/runtime';
import { remember } from '@aios/runtime/memory';

export default defineAgent({
  name: 'notebook',
  description: 'Keeps notes for later in the memory fabric',
  intents: [
    {
      name: 'remember',
      description: 'remember a note or a result for later',
      examples: ['remember it', 'remember this for later', 'keep a note of that', 'save the result', 'do not forget this', 'make a note of it'],
      input: { type: 'string', minLength: 1, maxLength: 1000 },
      async handle(payload) {
        const note = payload as string;
        await remember(note);
        return `remembered "${note}"`;
      },
    },
  ],
});
