// A star map user. Deleting a user cascades: their stars (with the likes those stars received)
// and the likes they gave go too, and the counters of stars they liked drop accordingly.

export const USER_NAME_MAX = 100;

export interface User {
  /** UUID (version 7: ids sort by creation time, which is the list order). */
  id: string;
  /** 1–100 characters. */
  name: string;
  email: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  /**
   * A chosen id (lower-case UUID), for users whose id comes from their sign-in (see
   * principal-user-id.ts); generated (UUIDv7) when absent. A taken id is a conflict.
   */
  id?: string;
  name: string;
  email?: string | null;
}

/** Fields left out are unchanged; `email: null` clears the email. */
export interface UserChanges {
  name?: string;
  email?: string | null;
}
