export * from './roles';
export * from './ability';
export * from './schemas';
export * from './errors';
export * from './projects';
export * from './label-config';
export * from './templates';
export * from './labelling';
