export * from './roles';
export * from './ability';
export * from './schemas';
export * from './errors';
