// Where initd's source lives on the node's host, for spawning it by path.
// Host-side only (an agent bundle has no meaningful import.meta.url).

/** Absolute path of agent.ts (the image to spawn as { path }). */
export const INITD_IMAGE_PATH: string = decodeURIComponent(new URL('./agent.ts', import.meta.url).pathname);
