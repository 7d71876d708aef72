"""The tamper-evident ledger: hash chain, daily Merkle roots, signatures and proofs.

Everything the mission records (verdicts, transitions, condition decisions)
is an entry in one append-only chain, so a party can check on its own that
nothing was rewritten. This package is the chain alone, with no database:
`chain` makes and checks entries over `canonical` JSON bytes, `merkle` gives
RFC 6962 day roots and proofs, `keys` and `signing` hold the sources' and the
mission's Ed25519 keys, `proofs` and `export` are the documents a party checks
offline, `trust` checks them against a checkpoint the party already holds, and
`versions` moves old entries to RFC 8785 without rewriting what was signed.
The store appends entries (`accord.store.ledger`); `accord.book` keeps them.
"""

from accord.ledger.canonical import canonical_bytes, canonical_json
from accord.ledger.chain import GENESIS, ChainFault, Entry, make_entries, make_entry, verify_chain
from accord.ledger.export import build_export, check_export
from accord.ledger.keys import KeyRecord, KeyRegistry, Refusal, SignatureRefused
from accord.ledger.merkle import InclusionProof, inclusion_proof, merkle_root, verify_inclusion
from accord.ledger.proofs import DaySeal, ProofCheck, build_proof, check_proof
from accord.ledger.signing import Signed, sign_record, split_signature
from accord.ledger.trust import (
    MissionKeys,
    check_against_checkpoint,
    check_consistency,
    make_checkpoint,
)

__all__ = [
    "GENESIS",
    "ChainFault",
    "DaySeal",
    "Entry",
    "InclusionProof",
    "KeyRecord",
    "KeyRegistry",
    "MissionKeys",
    "ProofCheck",
    "Refusal",
    "SignatureRefused",
    "Signed",
    "build_export",
    "build_proof",
    "canonical_bytes",
    "canonical_json",
    "check_against_checkpoint",
    "check_consistency",
    "check_export",
    "check_proof",
    "inclusion_proof",
    "make_checkpoint",
    "make_entries",
    "make_entry",
    "merkle_root",
    "sign_record",
    "split_signature",
    "verify_chain",
    "verify_inclusion",
]
