// The order in which one round measures a load group's rows. A row that is the only one compared
// with its baseline (each mesh front end and the raw client it wraps) is measured right next to that
// baseline, so their per-round ratio compares two adjacent windows rather than two a minute apart
// on a machine whose speed drifts; which of the two goes first alternates round by round. The units
// (pairs and single rows) rotate by one place per round, as every row does without pairs.

import { rotate } from './aggregate';

/** What the order needs of a row. */
export interface OrderedRow {
  readonly id: string;
  readonly baseline?: string;
}

/** The rows in the order round `round` (0-based) measures them. */
export function roundOrder<T extends OrderedRow>(rows: readonly T[], round: number): T[] {
  const dependants = new Map<string, T[]>();
  for (const row of rows) if (row.baseline !== undefined) dependants.set(row.baseline, [...(dependants.get(row.baseline) ?? []), row]);
  const partnerOf = new Map<string, T>();
  for (const row of rows) {
    const only = dependants.get(row.id);
    if (only?.length === 1 && !partnerOf.has(row.id) && !partnerOf.has(only[0]!.id)) {
      partnerOf.set(row.id, only[0]!);
      partnerOf.set(only[0]!.id, row);
    }
  }
  const units: T[][] = [];
  const placed = new Set<string>();
  for (const row of rows) {
    if (placed.has(row.id)) continue;
    const partner = partnerOf.get(row.id);
    const unit = partner === undefined || placed.has(partner.id) ? [row] : [row, partner];
    for (const member of unit) placed.add(member.id);
    units.push(round % 2 === 0 ? unit : unit.reverse());
  }
  return rotate(units, round).flat();
}
