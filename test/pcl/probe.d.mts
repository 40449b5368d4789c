export const PCL_TOOLS: string[];
export function pclMissing(): string | undefined;
export function buildProbe(): string;
export interface PclField {
  name: string;
  /** pcl::PCLPointField::PointFieldTypes: INT8 1 ... FLOAT64 8, INT64 9, UINT64 10. */
  datatype: number;
  size: number;
  offset: number;
  count: number;
}
export interface PclCloud {
  width: number;
  height: number;
  pointStep: number;
  fields: PclField[];
  data: Uint8Array;
}
export function pclRead(probe: string, path: string): PclCloud | undefined;
export function pclWriteCorpus(probe: string, dir: string): void;
export function pclLoader(probe: string): { load(path: string): Promise<number>; close(): Promise<unknown> };
export function cStrto(probe: string, decimals: string[]): { single: number; double: bigint }[];
