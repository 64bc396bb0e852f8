// memoryd library: the memory fabric the memoryd agent serves (namespaces, items, hybrid search).
export { createFabric } from './fabric.ts';
export type {
  Fabric, FabricOptions, FabricHit, NamespaceInfo, Quota, CreateNamespaceOptions, PutRequest, UpdateRequest, SearchMode,
  SearchRequest, Subscription, ReembedProgress,
} from './fabric.ts';
export { authorize, defaultAllows } from './access.ts';
export type { Caller, MemRight, MemOp, NamespacePolicy, AclHook } from './access.ts';
export { reciprocalRankFusion, RRF_K } from './rrf.ts';
export type { Ranked, Fused } from './rrf.ts';
export { EXPORT_FORMAT, EXPORT_VERSION } from './jsonl.ts';
export type { ExportOptions, ImportResult, ImportRequest } from './jsonl.ts';
