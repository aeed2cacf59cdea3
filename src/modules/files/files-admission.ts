// Who may touch which blob on the files routes that take a name: a valid signed link for the
// permission the request needs (to whichever container and blob the link names, and no other),
// or else a signed-in caller, who reaches their own namespace (an admin: anyone's, with `owner`).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/app-types.js';
import { access, ownerFor } from '../../http/caller.js';
import type { BlobRef } from '../../platform/blob/blob-store.js';
import type { LinkPermission, SignedLinkVerifier } from '../../platform/blob/signed-link-verifier.js';
import { errors } from '../../platform/errors/app-error.js';
import type { FilesService } from './files-service.js';

export interface FilesRoutesDeps {
  service: FilesService;
  /** Checks the signed links this API serves (disk driver); Azure Storage checks its own. */
  verifyLink?: SignedLinkVerifier;
}

/** What a request may touch: the blob, the name it addressed it by, and a link's content-disposition. */
export interface Admitted {
  ref: BlobRef;
  name: string;
  contentDisposition?: string;
}

export interface AdmissionRequest {
  /** The name from the path. */
  name: string;
  /** The query: a signed link's parameters, or an admin's `owner`. */
  query: Record<string, string | undefined>;
  permission: LinkPermission;
}

export type Admit = (
  request: FastifyRequest,
  reply: FastifyReply,
  asked: AdmissionRequest,
) => Promise<Admitted>;

export function admitter(app: App, deps: FilesRoutesDeps): Admit {
  const [mustSignIn] = access(app, 'signed-in').preHandler;
  return async (request, reply, asked) => {
    if (asked.query.sig === undefined) {
      await mustSignIn?.call(app, request, reply);
      const owner = ownerFor(request, asked.query.owner);
      return { ref: deps.service.ref(owner, asked.name), name: asked.name };
    }
    if (deps.verifyLink === undefined)
      throw errors.forbidden('Signed links are issued by Azure Storage for this driver.');
    // The signature covers the container and the whole blob name: the link opens that blob only.
    const verdict = deps.verifyLink(asked);
    if (!verdict.ok) throw errors.forbidden(`Signed link refused: ${verdict.reason}.`);
    return {
      ref: verdict.ref,
      name: verdict.ref.name,
      ...(verdict.contentDisposition === undefined ? {} : { contentDisposition: verdict.contentDisposition }),
    };
  };
}
