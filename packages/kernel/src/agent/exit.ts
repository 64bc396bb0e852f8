// Thrown through an agent's stack by Exit (and by any syscall after exit) to unwind it.
export class AgentExit extends Error {
  constructor(readonly agent: number) {
    super('agent exited');
    this.name = 'AgentExit';
  }
}
