// js-yaml exports its built-in scalar types at runtime (`types.null`,
// `types.bool`, …); @types/js-yaml leaves them out. Declared here once, so
// no cast pretends about the module's shape.
import type { Type } from 'js-yaml';

declare module 'js-yaml' {
  export const types: Record<'null' | 'bool' | 'int' | 'float', Type>;
}
