/**
 * Sets a key that comes from user data. Plain assignment of "__proto__" would change the
 * object's prototype and lose the key; kustomize keeps it as an ordinary key. List items
 * are assigned as usual.
 */
export function setOwn(target: object, key: string | number, value: unknown): void {
  if (Array.isArray(target)) {
    target[key as number] = value;
    return;
  }
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
