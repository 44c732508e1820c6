package serve

import "strconv"

// parseInputs reads the common form of a request, {"inputs": [[n, ...], ...]}
// with any JSON whitespace, about five times faster than encoding/json,
// which spends most of a small request's time on reflection. It accepts
// only a subset of what encoding/json accepts and gives the same values;
// for anything else (other keys, null, strings, a number float32 cannot
// hold, bad syntax) it reports false and the caller decodes with
// encoding/json, which also names the problem.
func parseInputs(b []byte) ([][]float32, bool) {
	p := parser{b: b}
	if !p.byte('{') || !p.literal(`"inputs"`) || !p.byte(':') || !p.byte('[') {
		return nil, false
	}
	var rows [][]float32
	var width int // rows are usually all as wide as the first
	if !p.peek(']') {
		for {
			if !p.byte('[') {
				return nil, false
			}
			row := make([]float32, 0, width)
			if !p.peek(']') {
				for {
					v, ok := p.number()
					if !ok {
						return nil, false
					}
					row = append(row, v)
					if p.peek(']') {
						break
					}
					if !p.byte(',') {
						return nil, false
					}
				}
			}
			p.byte(']')
			rows = append(rows, row)
			width = len(row)
			if p.peek(']') {
				break
			}
			if !p.byte(',') {
				return nil, false
			}
		}
	}
	p.byte(']')
	if !p.byte('}') {
		return nil, false
	}
	p.space()
	return rows, p.i == len(p.b)
}

type parser struct {
	b []byte
	i int
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte consumes c after any whitespace.
func (p *parser) byte(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// peek reports whether c comes next (after whitespace) without taking it.
func (p *parser) peek(c byte) bool {
	p.space()
	return p.i < len(p.b) && p.b[p.i] == c
}

func (p *parser) literal(s string) bool {
	p.space()
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// number reads a JSON number (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
// as a float32.
func (p *parser) number() (float32, bool) {
	p.space()
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	intStart := p.i
	if n := digits(); n == 0 || n > 1 && p.b[intStart] == '0' {
		return 0, false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return 0, false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	if p.i-start == 1 && p.b[start] == '0' { // most pixels of a digit
		return 0, true
	}
	v, err := strconv.ParseFloat(string(p.b[start:p.i]), 32)
	if err != nil {
		return 0, false // out of range: encoding/json says so
	}
	return float32(v), true
}
