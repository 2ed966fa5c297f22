/**
 * Sets a key that comes from user data. Plain assignment of "__proto__" would change the
 * object's prototype and lose the key; kustomize keeps it as an ordinary key.
 */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
