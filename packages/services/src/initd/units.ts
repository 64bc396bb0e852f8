// Unit definitions: their shape, validation, and how built-in defaults, config
// units and data-folder unit files combine. Pure; trusts nothing in the config
// (it comes from files an operator edits): every field is checked, errors are EINVAL.

import { AiosError, type AgentImage, type SpawnOptions, type UnitRestart } from '@aios/abi';
import { normalizeFlags, type RestartType, type Shutdown } from '@aios/runtime/orchestration';

export type { UnitRestart };
/** A unit's restart policy in the supervisor's words (runtime orchestration/childspec.ts). */
export const RESTART_TYPE: Readonly<Record<UnitRestart, RestartType>> = { always: 'permanent', 'on-failure': 'transient', no: 'temporary' };

/** A unit as written (defaults, unit files). */
export interface UnitDef {
  name: string;
  /** An image, or the name of one in config.images (the node's built-in service images). */
  image?: string | AgentImage;
  description?: string;
  /** Units that must run first; each is routed into this unit's namespace under its name (SEND only). */
  requires?: string[];
  /** Units that start first when both are started (ordering only). */
  after?: string[];
  /** Default 'on-failure'. */
  restart?: UnitRestart;
  /** Privileges granted at spawn ('spawn', 'supervise', ...). */
  capabilities?: string[];
  /** Devices from initd's own namespace (e.g. 'storage', 'embedder') placed in the unit's, USE only. */
  devices?: string[];
  /** Other spawn options (config, quotas, domain, nice, ...). */
  opts?: SpawnOptions;
  /** How it is stopped (see the shutdown convention); default 5000 ms. */
  shutdown?: Shutdown;
  /** false removes a unit (a unit file can turn a default off). */
  enabled?: boolean;
  /** Restart intensity of this unit (OTP MaxR): more restarts than this within `period` s leave it failed. */
  intensity?: number;
  /** Seconds of the intensity window (OTP MaxT). */
  period?: number;
}

/** A unit ready to run (image resolved; null when the node has no such image). */
export interface Unit {
  name: string;
  image: AgentImage | null;
  imageRef: string;
  description: string;
  requires: string[];
  after: string[];
  restart: UnitRestart;
  capabilities: string[];
  devices: string[];
  opts: SpawnOptions;
  shutdown: Shutdown;
  enabled: boolean;
  /** Set only when the unit's definition sets it; otherwise initd's flags apply (unitFlags). */
  intensity?: number;
  period?: number;
}

/** initd's ctx.config. */
export interface InitdConfig {
  /** Built-in service images by name, supplied by the node (units name them as `image: 'memoryd'`). */
  images?: Record<string, AgentImage>;
  /** Start from the built-in default units (default true). */
  defaults?: boolean;
  /** Units given directly (embedders, tests); applied after the defaults. */
  units?: UnitDef[];
  /** The data folder's unit files as the node read them (e.g. units/*.json), applied last, in order. */
  unitFiles?: Array<{ file: string; text: string }>;
  /** Restart intensity per unit, in the supervisor's words (OTP MaxR in MaxT s); default INITD_FLAGS. */
  intensity?: number;
  period?: number;
  /** The older name of the same limit: `burst` is intensity, `intervalS` period (intensity/period win). */
  startLimit?: { burst?: number; intervalS?: number };
}

/**
 * initd's default restart intensity: OTP's 1 restart per 5 s, scaled to the start limit initd always had
 * (5 restarts in 10 s), since a service unit is a long-lived server that may crash-loop briefly at boot.
 */
export const INITD_FLAGS: Readonly<{ intensity: number; period: number }> = { intensity: 5, period: 10 };

/**
 * The intensity and period that apply to one unit: the unit's own, else the config's (intensity/period, else
 * startLimit), else INITD_FLAGS. Checked as supervisor flags (normalizeFlags): EINVAL when not valid.
 */
export function unitFlags(unit: Pick<Unit, 'intensity' | 'period'>, config: Pick<InitdConfig, 'intensity' | 'period' | 'startLimit'> = {}): { intensity: number; period: number } {
  const intensity = unit.intensity ?? config.intensity ?? config.startLimit?.burst ?? INITD_FLAGS.intensity;
  const period = unit.period ?? config.period ?? config.startLimit?.intervalS ?? INITD_FLAGS.period;
  const f = normalizeFlags({ strategy: 'rest_for_one', intensity, period });
  return { intensity: f.intensity, period: f.period };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RESTARTS: readonly UnitRestart[] = ['always', 'on-failure', 'no'];
const FIELDS = new Set(['name', 'image', 'description', 'requires', 'after', 'restart', 'capabilities', 'devices', 'opts', 'shutdown', 'enabled', 'intensity', 'period']);

function bad(message: string, detail: Record<string, unknown>): never {
  throw new AiosError('EINVAL', message, detail);
}

function names(v: unknown, field: string, where: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !NAME.test(x))) bad(`${where}: ${field} must be a list of unit names`, { field, where });
  return [...new Set(v as string[])];
}

/** Checks one unit definition (a partial one when it overrides an existing unit). */
export function checkUnitDef(v: unknown, where: string, partial: boolean): UnitDef {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${where}: a unit must be a JSON object`, { where });
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) bad(`${where}: unknown field '${k}'`, { where, field: k });
  if (typeof o.name !== 'string' || !NAME.test(o.name)) bad(`${where}: name must match ${NAME}`, { where, field: 'name', value: o.name });
  const w = `${where} (unit ${o.name})`;
  if (o.image === undefined && !partial && o.enabled !== false) bad(`${w}: image is required`, { where, unit: o.name, field: 'image' });
  if (o.image !== undefined && typeof o.image !== 'string') {
    const img = o.image as Record<string, unknown>;
    if (typeof img !== 'object' || img === null || (typeof img.path !== 'string' && typeof img.source !== 'string')) bad(`${w}: image must be a name or { path } or { source }`, { where, unit: o.name, field: 'image' });
  }
  if (o.description !== undefined && typeof o.description !== 'string') bad(`${w}: description must be a string`, { where, field: 'description' });
  if (o.restart !== undefined && !RESTARTS.includes(o.restart as UnitRestart)) bad(`${w}: restart must be one of ${RESTARTS.join(', ')}`, { where, field: 'restart', value: o.restart });
  if (o.capabilities !== undefined && (!Array.isArray(o.capabilities) || o.capabilities.some((c) => typeof c !== 'string'))) bad(`${w}: capabilities must be a list of strings`, { where, field: 'capabilities' });
  if (o.devices !== undefined && (!Array.isArray(o.devices) || o.devices.some((d) => typeof d !== 'string' || !NAME.test(d)))) bad(`${w}: devices must be a list of device names`, { where, field: 'devices' });
  if (o.opts !== undefined && (typeof o.opts !== 'object' || o.opts === null || Array.isArray(o.opts))) bad(`${w}: opts must be an object`, { where, field: 'opts' });
  const sd = o.shutdown;
  if (sd !== undefined && sd !== 'brutal_kill' && sd !== 'infinity' && !(Number.isInteger(sd) && (sd as number) >= 0)) bad(`${w}: shutdown must be 'brutal_kill', 'infinity' or ms >= 0`, { where, field: 'shutdown', value: sd });
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') bad(`${w}: enabled must be true or false`, { where, field: 'enabled' });
  if (o.intensity !== undefined && !(Number.isInteger(o.intensity) && (o.intensity as number) >= 0)) bad(`${w}: intensity must be an integer >= 0`, { where, field: 'intensity', value: o.intensity });
  if (o.period !== undefined && !(typeof o.period === 'number' && Number.isFinite(o.period) && o.period > 0)) bad(`${w}: period must be a number of seconds > 0`, { where, field: 'period', value: o.period });
  const out: UnitDef = { ...(o as unknown as UnitDef) };
  const req = names(o.requires, 'requires', w);
  const aft = names(o.after, 'after', w);
  if (req) out.requires = req;
  if (aft) out.after = aft;
  if (req?.includes(out.name) || aft?.includes(out.name)) bad(`${w}: a unit cannot depend on itself`, { where, unit: out.name, cycle: [out.name, out.name] });
  return out;
}

/** Parses a unit file: one unit object or a list of them, as JSON. */
export function parseUnitFile(file: string, text: string): UnitDef[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    bad(`${file}: not valid JSON (${(e as Error).message})`, { file });
  }
  const list = Array.isArray(v) ? v : [v];
  return list.map((u, i) => checkUnitDef(u, list.length > 1 ? `${file}[${i}]` : file, true));
}

/**
 * Combines defaults, config units and unit files: a definition with a known name
 * overrides the fields it sets; a new name adds a unit (it must have an image).
 * Returns every unit (including disabled ones) in name order.
 */
export function resolveUnits(config: InitdConfig, defaults: UnitDef[]): Unit[] {
  const defs = new Map<string, UnitDef>();
  const apply = (d: UnitDef, where: string) => {
    const prev = defs.get(d.name);
    if (prev === undefined) checkUnitDef(d, where, false);
    defs.set(d.name, prev === undefined ? d : { ...prev, ...d });
  };
  if (config.defaults !== false) defaults.forEach((d, i) => apply(checkUnitDef(d, `defaults[${i}]`, false), `defaults[${i}]`));
  (config.units ?? []).forEach((d, i) => apply(checkUnitDef(d, `config.units[${i}]`, true), `config.units[${i}]`));
  for (const f of config.unitFiles ?? []) {
    if (typeof f?.file !== 'string' || typeof f.text !== 'string') bad('config.unitFiles entries must be { file, text }', { field: 'unitFiles' });
    for (const d of parseUnitFile(f.file, f.text)) apply(d, f.file);
  }
  const images = config.images ?? {};
  return [...defs.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((d) => {
    const ref = typeof d.image === 'string' ? d.image : d.image ? ('path' in d.image ? d.image.path : '(source)') : '';
    const image = typeof d.image === 'string' ? (Object.hasOwn(images, d.image) ? images[d.image]! : null) : (d.image ?? null);
    return {
      name: d.name,
      image,
      imageRef: ref,
      description: d.description ?? '',
      requires: d.requires ?? [],
      after: d.after ?? [],
      restart: d.restart ?? 'on-failure',
      capabilities: d.capabilities ?? [],
      devices: [...new Set(d.devices ?? [])],
      opts: d.opts ?? {},
      shutdown: d.shutdown ?? 5_000,
      enabled: d.enabled !== false,
      ...(d.intensity !== undefined ? { intensity: d.intensity } : {}),
      ...(d.period !== undefined ? { period: d.period } : {}),
    };
  });
}

/**
 * Which units can run: enabled, with an image, and whose requirements can run
 * (transitively). Returns the runnable names and, for the others, why not.
 */
export function runnable(units: Unit[]): { ok: Set<string>; why: Map<string, string> } {
  const byName = new Map(units.map((u) => [u.name, u]));
  const why = new Map<string, string>();
  const ok = new Set<string>();
  const visit = (u: Unit, stack: Set<string>): boolean => {
    if (ok.has(u.name)) return true;
    if (why.has(u.name)) return false;
    if (stack.has(u.name)) return true; // a cycle: buildGraph names it
    if (!u.enabled) return (why.set(u.name, 'disabled'), false);
    if (u.image === null) return (why.set(u.name, `no image '${u.imageRef}' on this node`), false);
    stack.add(u.name);
    for (const r of u.requires) {
      const dep = byName.get(r);
      if (dep === undefined) continue; // buildGraph reports the missing unit
      if (!visit(dep, stack)) {
        stack.delete(u.name);
        return (why.set(u.name, `requires '${r}', which cannot run (${why.get(r)})`), false);
      }
    }
    stack.delete(u.name);
    ok.add(u.name);
    return true;
  };
  for (const u of units) visit(u, new Set());
  return { ok, why };
}
