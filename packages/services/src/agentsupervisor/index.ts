// agentsupervisor: the supervisor agent image and its config/control shapes.
// The supervision logic itself is the runtime library (@aios/runtime/orchestration).
export { readSupervisorConfig, readSupervisorRequest } from './config.ts';
export type { SupervisorConfig, SupervisorRequest } from './config.ts';
export { SUPERVISOR_IMAGE_PATH } from './image.ts';
