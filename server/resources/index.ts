// Public API of the Resources algebra.
export { SCALAR_SCALE, fromMilli, toFixed3, toMilli } from "./fixed";
export {
  isAllocatableTo, isDynamicallyReserved, isPersistentVolume, isReserved, isRevocable, isShared, isUnreserved,
  normalizeResource, reservationRole, toLegacyFormat, toRefinedFormat,
} from "./format";
export { ResourcesParseError, parseAttributes, parseResourceList, parseResources } from "./parse";
export { Resources, findSubset, type ResourcesLike } from "./resources";
export { isStrictSubroleOf, isSubroleOrSelf, validateRole } from "./roles";
export { validateReservationStack, validateResource, validateResources } from "./validate";
export {
  applyCheckpointed, applyConversion, checkpointedPart, createConversion, destroyConversion, needsCheckpointing,
  reserveConversion, unreserveConversion, type Conversion,
} from "./checkpointed";
