// The library's public types, by what they describe: the model (model.ts), its data (data.ts),
// the training options (training.ts) and what training reports (logs.ts).
export type * from './model';
export type * from './data';
export type * from './training';
export type * from './logs';
