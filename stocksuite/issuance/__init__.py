"""Primary issuance: minting a ticker's shares against the custodian's attested reserve."""
