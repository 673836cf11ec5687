/** The extraction contract of DESIGN.md: one of these per article, serialised as one JSON line. */
export interface AttributedActor {
  /** Canonical name first. */
  name: string;
  /** Names the text uses plus known aliases. */
  aliases: string[];
  country: string | null;
  /** True when the text itself ties the actor to `country`. */
  stated: boolean;
}

export interface CveDetail {
  cve: string;
  vendor: string;
  product: string;
  knownExploited: boolean;
  ransomware: boolean;
}

export interface Attribution {
  id: string;
  is_attribution: boolean;
  actors: AttributedActor[];
  attributed_countries: string[];
  attributing_parties: string[];
  products: string[];
  cves: string[];
  confidence: number;
  confidence_reason: string;
  evidence: string[];
  cve_details?: CveDetail[];
  /** Denials by the accused, reported beside the claim. */
  denials?: string[];
}
