export * from './preflight';
export * from './events';
export * from './run-record';
export * from './codes';
