// Shared by the semantic IPC tests: polling until a node reaches a state.
/** Calls `f` every 25 ms until `ok` holds for its value (errors count as "not yet"): the testkit's until. */
export { until } from '@aios/testkit';
