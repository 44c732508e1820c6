#!/usr/bin/env bash
# Source this file, then `need_deb PACKAGE...` installs the Debian packages
# that are missing (running apt-get update once, only when something is).
need_deb() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing: ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/gomlp-apt.log 2>&1; then
		apt-get update >/tmp/gomlp-apt.log 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/gomlp-apt.log 2>&1 ||
			{ tail -n 20 /tmp/gomlp-apt.log; return 1; }
	fi
}
