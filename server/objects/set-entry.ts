/**
 * Sets `record[key] = value` as an own, enumerable property, whatever the key: ids such as
 * `__proto__` are valid object and area ids, and a plain assignment would set the prototype
 * instead (and the entry would vanish from the JSON).
 *
 * @example
 * const added: Record<string, RealmObject> = {};
 * setEntry(added, '__proto__', object); // JSON.stringify(added) === '{"__proto__":{...}}'
 */
export function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
