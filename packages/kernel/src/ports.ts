// The kernel's ports are defined in the abi (hosts and drivers implement them).
export type { KernelPorts, ClockPort, TimerPort, ImageLoaderPort, LoadedImage, OffloadPort } from '@aios/abi';
