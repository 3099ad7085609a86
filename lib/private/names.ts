/** `quarterzip` → `Quarterzip`, `my-vendor` → `MyVendor`: vendor names as parts of construct ids and output names. */
export function pascal(name: string): string {
  return name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

/**
 * A built-in vendor's field in `BuiltInVendors` → its name in the file: `zzExample` → `zz-example` (jsii wants
 * camelCase properties; a vendor's name is kebab-case). A name without capitals is its own field.
 */
export function vendorNameOfField(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A vendor's name → its field in `BuiltInVendors`: `zz-example` → `zzExample`. */
export function vendorFieldOf(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
