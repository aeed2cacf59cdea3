// Scan and share rows → the API's response shapes.
import type { Scan } from './scan.js';
import type { Share } from './scan-shares-store.js';
import type { ScanLinks } from './scans-service.js';

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export const scanSummaryView = (s: Scan) => ({
  id: s.id,
  status: s.status,
  stage: s.stage,
  productName: s.analysis?.productName ?? s.productName,
  barcode: s.barcode,
  contentType: s.contentType,
  sizeBytes: s.sizeBytes,
  riskLevel: s.risk?.level ?? null,
  likelyDuplicateOf: s.image?.duplicateOf ?? null,
  error: s.error,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
  completedAt: iso(s.completedAt),
});

export const scanDetailView = (s: Scan, links: ScanLinks) => ({
  ...scanSummaryView(s),
  typedIngredients: s.typedIngredients,
  blobUrl: s.blobUrl,
  stages: s.stages,
  image: s.image,
  analysis: s.analysis,
  risk: s.risk,
  retries: s.retries,
  links,
});

export const acceptedView = (s: Scan) => ({ id: s.id, status: s.status, location: `/api/scans/${s.id}` });

export const shareView = (share: Share, now: Date) => ({
  id: share.id,
  createdAt: share.createdAt.toISOString(),
  expiresAt: share.expiresAt.toISOString(),
  revokedAt: iso(share.revokedAt),
  views: share.views,
  lastViewedAt: iso(share.lastViewedAt),
  active: share.revokedAt === null && share.expiresAt > now,
});
