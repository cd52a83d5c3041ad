import type { Destination } from '../../src/destinations/destination.ts';

/**
 * Every destination the shared conformance suite runs against. Each entry makes a fresh,
 * empty destination in `dir` (a new temporary directory per test) and says whether it can
 * run here (PostgreSQL needs PG_URL).
 */
export interface DestinationFactory {
  name: string;
  /** A reason to skip, or null when the destination can run. */
  skipReason(): string | null;
  /** A fresh, empty destination. Calling it twice with the same dir reopens the same data. */
  create(dir: string): Destination;
}

export const destinationFactories: DestinationFactory[] = [];
