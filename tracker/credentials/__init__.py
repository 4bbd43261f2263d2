"""Verifiable credentials: the JSON-LD contexts shipped with the app, a document loader that never
fetches, RDF Dataset Canonicalization (pyld), Data Integrity proofs with the `eddsa-rdfc-2022`
cryptosuite (Ed25519, `cryptography`), did:key and did:web identifiers, and the Bitstring Status
List encoding. Plain library code: nothing here knows about certificates or the database."""
