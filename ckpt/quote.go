package ckpt

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// QuoteName returns name in double quotes with every rune a reader could
// not see or tell apart escaped, as strconv.Quote does and more: control
// and format characters (zero-width space U+200B, byte order mark U+FEFF),
// every space other than ASCII space (no-break space U+00A0), blank fillers
// (U+3164) and invalid UTF-8. Two names that differ print differently.
// Error messages from this package quote tensor names with it.
func QuoteName(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 2)
	b.WriteByte('"')
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(name[i])|0x100, 16)[1:])
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case hidden(r):
			q := strconv.QuoteRuneToASCII(r) // '\u200b', '\n', …
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// DisplayName returns name as it is when it can be printed bare without
// ambiguity (printable runes only, no space, quote or backslash), and
// QuoteName(name) otherwise: the form for listings such as mlp inspect.
func DisplayName(name string) string {
	if name == "" {
		return `""`
	}
	for _, r := range name {
		if r == ' ' || r == '"' || r == '\\' || r == utf8.RuneError || hidden(r) {
			return QuoteName(name)
		}
	}
	return name
}

// hidden reports whether r would print as nothing, as blank, or as
// something other than itself.
func hidden(r rune) bool {
	switch {
	case r == ' ':
		return false
	case !strconv.IsPrint(r), unicode.Is(unicode.Zs, r), unicode.Is(unicode.Cf, r):
		return true
	case r == 0x115f || r == 0x1160 || r == 0x3164 || r == 0xffa0 || r == 0x2800 || r == 0x17b4 || r == 0x17b5:
		return true // fillers and blanks that Unicode calls letters or symbols
	}
	return false
}
