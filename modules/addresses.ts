/**
 * Stable Terraform addresses. A resource's address comes from its construct
 * path unless it is pinned; a pinned name survives construct refactors and
 * moves, so a change of code can never plan the replacement of a log bucket,
 * a key or a trail (which would lose audit evidence). Every resource of the
 * project is pinned, with names derived from config values (trail names,
 * account ids), never from list positions.
 */
import type { TerraformResource } from 'cdktf';

/** Fixes a resource's Terraform name so construct refactors cannot change it. */
export function pinAddress<T extends TerraformResource>(resource: T, name: string): T {
  resource.overrideLogicalId(name);
  return resource;
}
