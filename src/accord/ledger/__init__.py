"""The tamper-evident ledger: hash chain, daily Merkle roots, signatures."""
