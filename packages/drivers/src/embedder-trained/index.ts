// Public surface of the project's trained encoder (subpath "@aios/drivers/embedder-trained").
export { createTrainedEmbedder, weightsDir } from './embedder.ts';
export type { TrainedEmbedder, TrainedEmbedderOptions, TrainedOn } from './embedder.ts';
