// Ids the stores accept: lower-case UUIDs. Anything else names nothing, so reads miss
// instead of erroring in PostgreSQL's uuid parser or making odd Table Storage keys.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isStoreId(id: string): boolean {
  return UUID.test(id);
}
