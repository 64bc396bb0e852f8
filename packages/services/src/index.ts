// @aios/services: privileged agents and the libraries they are built from
// (policy lives here). Each service has its own subpath export.
export const SERVICES = ['semantic-ipcd', 'memoryd', 'planner'] as const;
