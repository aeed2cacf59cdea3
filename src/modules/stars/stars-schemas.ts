// TypeBox schemas of the stars API (seed 003): request bodies, params, queries and responses.
// They validate input at the edge, so stores receive values already within the model's limits.
import Type, { type Static, type TSchema } from 'typebox';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './page-cursor.js';
import { STAR_MESSAGE_MAX, STAR_NAME_MAX } from './star.js';
import { USER_NAME_MAX } from './user.js';

const Uuid = Type.String({
  format: 'uuid',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
});
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

// PostgreSQL refuses NUL in text, so names, messages and emails refuse it here (400, not 500);
// names hold no control character at all.
const NoControl = '^[^\\u0000-\\u001f\\u007f]*$';
export const StarName = Type.String({ minLength: 1, maxLength: STAR_NAME_MAX, pattern: NoControl });
const StarMessage = Type.String({ maxLength: STAR_MESSAGE_MAX, pattern: '^[^\\u0000]*$' });
const Ra = Type.Number({ minimum: 0, exclusiveMaximum: 360, description: 'Right ascension, degrees' });
const Dec = Type.Number({ minimum: -90, maximum: 90, description: 'Declination, degrees' });
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: '#rrggbb' });
const UserName = Type.String({ minLength: 1, maxLength: USER_NAME_MAX, pattern: NoControl });
// A pattern as well as the format, so the check holds whichever validator runs the schema.
const Email = Type.String({
  format: 'email',
  maxLength: 254,
  pattern: '^[^\\s@\\u0000]+@[^\\s@\\u0000]+\\.[^\\s@\\u0000]+$',
});
/** Ten years: a Date far past this overflows, and no star needs longer. */
export const MAX_TTL_SECONDS = 315_360_000;
export const TtlSeconds = Type.Integer({
  minimum: 1,
  maximum: MAX_TTL_SECONDS,
  description: 'Seconds until the star expires (at most ten years)',
});

export const StarIdParams = Type.Object({ star_id: Uuid });
export const UserIdParams = Type.Object({ user_id: Uuid });

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor of the previous page' })),
});

export const CreateStarBody = Type.Object(
  {
    userId: Uuid,
    name: StarName,
    message: Type.Optional(StarMessage),
    ra: Ra,
    dec: Dec,
    color: Type.Optional(Color),
    ttlSeconds: Type.Optional(TtlSeconds),
  },
  { additionalProperties: false },
);

export const LikeBody = Type.Object({ userId: Uuid }, { additionalProperties: false });

export const CreateUserBody = Type.Object(
  { name: UserName, email: Type.Optional(Email) },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  { name: Type.Optional(UserName), email: Type.Optional(Nullable(Email)) },
  { additionalProperties: false, minProperties: 1 },
);

export const StarResponse = Type.Object({
  id: Uuid,
  userId: Uuid,
  name: Type.String(),
  message: Nullable(Type.String()),
  ra: Type.Number(),
  dec: Type.Number(),
  color: Nullable(Type.String()),
  likes: Type.Integer({ minimum: 0 }),
  /** Effective: false once expired, whatever the stored flag says. */
  active: Type.Boolean(),
  createdAt: DateTime,
  expiresAt: Nullable(DateTime),
});

export const PopularStarResponse = Type.Object({
  ...StarResponse.properties,
  windowLikes: Type.Integer({ minimum: 1, description: 'Likes within the popularity window' }),
});

export const UserResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  email: Type.Optional(
    Nullable(Type.String({ description: 'Shown only to that user and to admins (absent for others)' })),
  ),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const LikeResponse = Type.Object({
  liked: Type.Boolean({ description: 'False when this user had already liked the star' }),
  star: StarResponse,
});

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const StarPage = pageOf(StarResponse);
export const PopularStarPage = pageOf(PopularStarResponse);
export const UserPage = pageOf(UserResponse);

export const StatsResponse = Type.Object({
  driver: Type.String(),
  users: Type.Integer(),
  stars: Type.Integer(),
  likes: Type.Integer(),
  activeStars: Type.Integer(),
  expiredStars: Type.Integer(),
  inactiveStars: Type.Integer(),
  tables: Type.Array(Type.Object({ name: Type.String(), rows: Type.Integer() })),
});

export const RecomputeResponse = Type.Object({
  starsChecked: Type.Integer(),
  corrected: Type.Integer(),
});

export type CreateStarBody = Static<typeof CreateStarBody>;
export type LikeBody = Static<typeof LikeBody>;
export type CreateUserBody = Static<typeof CreateUserBody>;
export type UpdateUserBody = Static<typeof UpdateUserBody>;
export type ListQuery = Static<typeof ListQuery>;
export type StarResponse = Static<typeof StarResponse>;
export type PopularStarResponse = Static<typeof PopularStarResponse>;
export type UserResponse = Static<typeof UserResponse>;
