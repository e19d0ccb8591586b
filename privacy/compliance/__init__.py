"""The data policy in code: audit trail, consent, erasure, retention, disclosures, copies and rights."""
