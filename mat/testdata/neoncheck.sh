#!/usr/bin/env bash
# Checks the WORD macros of mat/neon_arm64.h against an independent
# assembler: each case below is assembled once through the macro (by Go's
# arm64 assembler) and once from its Arm syntax (by llvm-mc), and the two
# 32-bit encodings must agree. Needs Go and llvm-mc (Debian package llvm-22
# or llvm; the newest found is used).
#
#	mat/testdata/neoncheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# macro use | the instruction it must encode
cases=(
	'FMLA_ELEM_S4(0, 1, 2, 0)|fmla v0.4s, v1.4s, v2.s[0]'
	'FMLA_ELEM_S4(8, 4, 0, 1)|fmla v8.4s, v4.4s, v0.s[1]'
	'FMLA_ELEM_S4(14, 7, 3, 2)|fmla v14.4s, v7.4s, v3.s[2]'
	'FMLA_ELEM_S4(31, 30, 17, 3)|fmla v31.4s, v30.4s, v17.s[3]'
	'FMLA_ELEM_S4(29+(2), 5, 31, 3)|fmla v31.4s, v5.4s, v31.s[3]'
	'FADD_S4(0, 0, 4)|fadd v0.4s, v0.4s, v4.4s'
	'FADD_S4(31, 17, 9)|fadd v31.4s, v17.4s, v9.4s'
	'FMUL_S4(0, 31, 0)|fmul v0.4s, v31.4s, v0.4s'
	'FMUL_S4(21, 3, 30)|fmul v21.4s, v3.4s, v30.4s'
	'FCMLTZ_S4(4, 0)|fcmlt v4.4s, v0.4s, #0.0'
	'FCMLTZ_S4(30, 19)|fcmlt v30.4s, v19.4s, #0.0'
	'FCMGTZ_S4(0, 0)|fcmgt v0.4s, v0.4s, #0.0'
	'FCMGTZ_S4(25, 11)|fcmgt v25.4s, v11.4s, #0.0'
	'BIC_B16(0, 0, 4)|bic v0.16b, v0.16b, v4.16b'
	'BIC_B16(29, 13, 31)|bic v29.16b, v13.16b, v31.16b'
	'FADDP_S4(16, 24, 25)|faddp v16.4s, v24.4s, v25.4s'
	'FADDP_S4(1, 30, 2)|faddp v1.4s, v30.4s, v2.4s'
)

mc=$(command -v llvm-mc-22 || command -v /usr/lib/llvm-22/bin/llvm-mc || command -v llvm-mc) ||
	{ echo "neoncheck: llvm-mc not found (apt-get install llvm-22)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	printf '#include "textflag.h"\n#include "neon_arm64.h"\nTEXT ·check(SB), NOSPLIT, $0-0\n'
	for c in "${cases[@]}"; do printf '\t%s\n' "${c%%|*}"; done
	printf '\tRET\n'
} >"$tmp/check.s"
for c in "${cases[@]}"; do printf '%s\n' "${c#*|}"; done >"$tmp/want.s"

# Go: the listing shows each WORD's value as "WORD $decimal".
GOARCH=arm64 go tool asm -I "$(go env GOROOT)/pkg/include" -I . -p check -S \
	-o "$tmp/check.o" "$tmp/check.s" |
	sed -n 's/.*WORD[[:space:]]*\$\([0-9]*\).*/\1/p' |
	while read -r w; do printf '0x%08x\n' "$w"; done >"$tmp/go.txt"
# llvm-mc: "encoding: [0x20,0x10,0x82,0x4f]" is little-endian bytes.
"$mc" -triple=aarch64 -mattr=+neon -show-encoding <"$tmp/want.s" |
	sed -n 's/.*encoding: \[0x\(..\),0x\(..\),0x\(..\),0x\(..\)\].*/0x\4\3\2\1/p' >"$tmp/llvm.txt"

fail=0
i=0
for c in "${cases[@]}"; do
	i=$((i + 1))
	got=$(sed -n "${i}p" "$tmp/go.txt")
	want=$(sed -n "${i}p" "$tmp/llvm.txt")
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		echo "ok   $got  ${c%%|*}  = ${c#*|}"
	else
		echo "FAIL ${c%%|*}: Go encodes '${got}', llvm-mc '${want}' for ${c#*|}"
		fail=1
	fi
done
exit $fail
