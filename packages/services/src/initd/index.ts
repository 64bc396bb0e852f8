// initd: the service dependency manager (pure graph and unit modules, the manager,
// the control protocol) and the initd agent image (agent.ts).
export { buildGraph, requiredClosure, dependentsClosure, groupByLevel, stopLevels, toDot, toTree } from './graph.ts';
export type { GraphNode, UnitGraph } from './graph.ts';
export { checkUnitDef, parseUnitFile, resolveUnits, runnable } from './units.ts';
export type { UnitDef, Unit, UnitRestart, InitdConfig } from './units.ts';
export { DEFAULT_UNITS } from './defaults.ts';
export { createManager } from './manager.ts';
export type { Manager, ManagerOptions, UnitState, UnitStatus, BootReport } from './manager.ts';
export { readControlRequest } from './control.ts';
export type { ControlOp, ControlRequest } from './control.ts';
export { INITD_IMAGE_PATH } from './image.ts';
