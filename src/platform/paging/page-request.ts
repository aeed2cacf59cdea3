// A list's page request from its query string: the page size (the list's default when absent)
// and the cursor, when one was given.
export interface PageRequest {
  limit: number;
  cursor?: string;
}

export const pageRequestOf = (
  query: { limit?: number; cursor?: string },
  defaultLimit: number,
): PageRequest => ({
  limit: query.limit ?? defaultLimit,
  ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
});
