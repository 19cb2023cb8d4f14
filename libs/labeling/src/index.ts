/**
 * Pure labelling domain logic, no I/O: task data and result validation against a label configuration,
 * code-point text offsets, and the breaking-change check for config updates.
 */
export { codePointLength, codePointToUtf16Index, sliceCodePoints, utf16IndexToCodePoint } from './text';
export type { Issue } from './issues';
export { imageAssetIds, validateTaskData } from './validate-data';
export { BOX_EPSILON, validateResult, type ValidateResultOptions } from './validate-result';
export { breakingConfigChanges } from './config-changes';
export * from './metrics';
export * from './export';
