// Group `memory` (placeholder): heap and RSS the mesh-client adds to an application holding the config
// of 50 and of 1,000 services × 10 endpoints (goals: ≤ 5 MB and ≤ 15 MB). Waits for mesh-client.
import { NotRunError } from '../load/driver';
import type { ScenarioGroup } from '../harness/group';
import { meshConnectFunction } from '../load/drivers/mesh';

/** The memory group (NOT RUN until mesh-client connects, then until the scenario is written). */
export const group: ScenarioGroup = {
  name: 'memory',
  order: 50,
  title: 'mesh-client memory in the application at 50 and 1,000 services',
  async run() {
    try {
      meshConnectFunction();
    } catch (error) {
      if (error instanceof NotRunError) return { status: 'not-run', reason: error.message };
      throw error;
    }
    return { status: 'not-run', reason: 'scenario not written yet: measure heap/RSS after connect() with 50 and 1,000 services in bench/scenarios/memory.ts' };
  },
};
