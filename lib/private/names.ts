/** `quarterzip` → `Quarterzip`, `my-vendor` → `MyVendor`: vendor names as parts of construct ids and output names. */
export function pascal(name: string): string {
  return name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}
