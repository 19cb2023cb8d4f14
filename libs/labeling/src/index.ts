/**
 * Pure labelling domain logic, no I/O: result validation against a label configuration, agreement
 * metrics and export formatters. It arrives with the projects and labelling-engine issues; the package
 * exists now so that the module boundaries (labeling may import contracts, never an app) hold from the
 * start.
 */
export const LABELING_LIBRARY = '@enclave/labeling';
