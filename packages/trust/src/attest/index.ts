// Public surface of attestation: extend-only measurement registers, signed quotes, offline verification.
export { MeasurementRegisters, measure, replayEventLog, REGISTER_COUNT } from './registers.ts';
export type { MeasurementEvent } from './registers.ts';
export { quote, verifyQuote, quoteMessage } from './quote.ts';
export type { Quote, QuoteVerification } from './quote.ts';
