// wgsl_reflect's ES module build, typed by the package's own declarations.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
