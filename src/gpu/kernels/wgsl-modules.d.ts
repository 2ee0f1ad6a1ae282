// `*.wgsl?kernel` imports: the kernel file reflected at build time (see shaders/reflect.ts).
declare module '*.wgsl?kernel' {
  const kernel: import('./kernel-interface').KernelInterface;
  export default kernel;
}
