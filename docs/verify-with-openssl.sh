#!/usr/bin/env bash
# Verify a Kiln bundle with unzip, sha256sum (or shasum) and openssl alone, no Kiln needed.
# Usage: verify-with-openssl.sh BUNDLE.kiln.zip STATION.pub
# Prints each step; exits non-zero at the first check that fails. docs/bundle-format.md explains it.
set -euo pipefail
bundle=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pub=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }

# 1. Unpack. The bundle holds no directories entries, no absolute or '..' names.
unzip -q "$bundle" -d files

# 2. Take the envelope apart: it is written one field per line.
env=files/attestation/bundle.dsse.json
type=$(sed -n 's/^  "payloadType": "\(.*\)",$/\1/p' "$env")
[ "$type" = "application/vnd.in-toto+json" ] || { echo "unexpected payload type: $type"; exit 1; }
sed -n 's/^  "payload": "\(.*\)",$/\1/p' "$env" | openssl base64 -d -A > statement.json
sed -n 's/^    {"keyid": "[0-9a-f]*", "sig": "\(.*\)"}$/\1/p' "$env" | openssl base64 -d -A > sig.bin
keyid=$(sed -n 's/^    {"keyid": "\([0-9a-f]*\)", .*/\1/p' "$env")

# 3. The key id is the SHA-256 of the public key's DER encoding.
mine=$(openssl pkey -pubin -in "$pub" -outform DER | sha256 | cut -d' ' -f1)
[ "$mine" = "$keyid" ] || { echo "signed by key $keyid, not by $pub ($mine)"; exit 1; }

# 4. The signature covers the DSSE pre-authentication encoding: "DSSEv1 <len> <type> <len> <payload>".
printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(wc -c < statement.json | tr -d ' ')" > pae.bin
cat statement.json >> pae.bin
openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in pae.bin -sigfile sig.bin

# 5. Every file's SHA-256 is in the signed statement, one subject per line.
sed -n 's/^    {"name": "\(.*\)", "digest": {"sha256": "\([0-9a-f]*\)"}},\{0,1\}$/\2  \1/p' statement.json > SHA256SUMS
(cd files && sha256 -c ../SHA256SUMS)

# 6. And there is no file the statement does not cover.
(cd files && find . -type f | sed 's|^\./||' | grep -v '^attestation/bundle.dsse.json$' | LC_ALL=C sort) > present
cut -c67- SHA256SUMS | LC_ALL=C sort > listed
diff listed present || { echo "the bundle holds files the signature does not cover (or lacks some)"; exit 1; }

echo "bundle verified: signed by $keyid"
sed -n 's/.*"predicate": \(.*\)$/\1/p' statement.json
