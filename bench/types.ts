export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target?: string;
  note?: string;
}
