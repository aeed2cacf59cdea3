// A star as the API sends it (seed 003), and how the chart reads one.
export interface Star {
  id: string;
  userId: string;
  name: string;
  message: string | null;
  ra: number;
  dec: number;
  color: string | null;
  likes: number;
  active: boolean;
  createdAt: string;
  expiresAt: string | null;
}

export const isExpired = (star: Star, now = Date.now()): boolean =>
  !star.active || (star.expiresAt !== null && Date.parse(star.expiresAt) <= now);

/** Radius on the chart: grows with likes, slowly, and stops at a size that still reads as a star. */
export const starRadius = (likes: number): number => Math.min(3 + 1.6 * Math.sqrt(likes), 14);
