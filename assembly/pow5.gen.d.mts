export const SMALLEST_POWER: number;
export const LARGEST_POWER: number;
export function significand(q: number): bigint;
export function tableSource(): string;
