// Image loader device (esbuild bundler).
export { createImageLoader } from './loader.ts';
export type { ImageLoader, LoadedImage, LoaderOptions } from './loader.ts';
