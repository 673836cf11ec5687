/** One article as every stage after ingest sees it (also one line of `attribot extract` input). */
export interface Article {
  id: string;
  title: string | null;
  text: string;
  url?: string;
  /** ISO date or a partial one such as "2021-07". */
  published?: string;
}
