// Equirectangular sky projection: right ascension along x (increasing to the left, as on a sky
// chart seen from Earth), declination along y, two chart units per degree.
export const chartWidth = 720;
export const chartHeight = 360;

export function project(ra: number, dec: number): { x: number; y: number } {
  return { x: (360 - ra) * 2, y: (90 - dec) * 2 };
}

export function unproject(x: number, y: number): { ra: number; dec: number } {
  const ra = 360 - x / 2;
  const dec = 90 - y / 2;
  return {
    ra: Math.round(Math.min(Math.max(ra, 0), 359.99) * 100) / 100,
    dec: Math.round(Math.min(Math.max(dec, -90), 90) * 100) / 100,
  };
}

/** Hours of right ascension, as sky charts label it. */
export const raHours = (ra: number): string => `${Math.round(ra / 15)}h`;
