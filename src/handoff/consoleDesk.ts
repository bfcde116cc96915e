import type { AgentDesk } from './types.ts';

/**
 * The built-in desk (no Slack configured): the `/agent` console reads the stores directly, so
 * there is nothing to push — hand-overs "land" by being in the desk index.
 */
export class ConsoleDesk implements AgentDesk {
  async publish(): Promise<void> {}
  async customerSaid(): Promise<void> {}
}
