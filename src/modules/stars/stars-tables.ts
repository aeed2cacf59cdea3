// The stars module's tables as Kysely sees them (created by stars-migrations.ts).
import type { Generated } from 'kysely';
import type { CounterColumn, TimeColumn } from '../../platform/db/column-types.js';

export interface StarUsersTable {
  id: string;
  name: string;
  email: string | null;
  created_at: TimeColumn;
  updated_at: TimeColumn;
}

export interface StarsTable {
  id: string;
  user_id: string;
  name: string;
  message: string | null;
  ra: number;
  dec: number;
  color: string | null;
  likes: CounterColumn;
  active: Generated<boolean>;
  created_at: TimeColumn;
  expires_at: Date | null;
}

export interface StarLikesTable {
  star_id: string;
  user_id: string;
  created_at: TimeColumn;
}

/** The module's database: the platform hands the store `moduleDb<StarsTables>(db)`. */
export interface StarsTables {
  star_users: StarUsersTable;
  stars: StarsTable;
  star_likes: StarLikesTable;
}
