package torchpt

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
)

// Limits of the pickle reader, checked as it goes.
const (
	MaxPickleBytes = 64 << 20 // data.pkl
	MaxStack       = 1 << 20  // values on the stack (including marks)
	MaxMemo        = 1 << 20  // memo entries
	MaxContainer   = 1 << 20  // items in one tuple, list or dict
	maxPickleDepth = 64       // marks open at once
)

// The values a state_dict pickle builds. Anything else is refused.
type (
	tuple  []any
	list   struct{ items []any }
	global struct{ module, name string }
	dict   struct {
		keys []any
		vals map[any]any
	}
	// storageRef is a storage named by a persistent id.
	storageRef struct {
		dtype string // "float32", ...
		key   string // file name under data/
		numel int64
	}
	// tensorRef is a view of a storage.
	tensorRef struct {
		storage *storageRef
		offset  int64
		size    []int64
		stride  []int64
	}
	mark struct{}
)

func newDict() *dict { return &dict{vals: map[any]any{}} }

func (d *dict) set(k, v any) error {
	switch k.(type) {
	case string, int64, bool, nil, float64:
	default:
		return fmt.Errorf("dict key of type %s", typeName(k))
	}
	if _, ok := d.vals[k]; !ok {
		if len(d.keys) >= MaxContainer {
			return fmt.Errorf("a dict of more than %d items", MaxContainer)
		}
		d.keys = append(d.keys, k)
	}
	d.vals[k] = v
	return nil
}

// storageTypes are the storage classes whose elements can be read, by
// their pickled name, and the dtype and element size they stand for.
var storageTypes = map[string]struct {
	dtype string
	size  int
}{
	"FloatStorage":    {"float32", 4},
	"HalfStorage":     {"float16", 2},
	"BFloat16Storage": {"bfloat16", 2},
	"DoubleStorage":   {"float64", 8},
	"LongStorage":     {"int64", 8},
	"IntStorage":      {"int32", 4},
	"ShortStorage":    {"int16", 2},
	"CharStorage":     {"int8", 1},
	"ByteStorage":     {"uint8", 1},
	"BoolStorage":     {"bool", 1},
}

// allowed says which globals a state_dict may name. Storage classes are
// allowed as persistent-id arguments only; the functions may be called.
func allowed(g global) bool {
	switch g.module + "." + g.name {
	case "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
		"torch._utils._rebuild_parameter", "torch.device":
		return true
	}
	_, ok := storageTypes[g.name]
	return g.module == "torch" && ok
}

// unpickler runs the opcodes of one pickle. It has no way to call anything
// but the allow-listed constructors above.
type unpickler struct {
	b     []byte
	pos   int
	stack []any
	marks []int
	memo  map[int64]any
}

func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case string:
		return "str"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case []byte:
		return "bytes"
	case tuple:
		return "tuple"
	case *list:
		return "list"
	case *dict:
		return "dict"
	case global:
		return v.module + "." + v.name
	case *storageRef:
		return "storage"
	case *tensorRef:
		return "tensor"
	}
	return fmt.Sprintf("%T", v)
}

func (u *unpickler) errorf(format string, args ...any) error {
	return fmt.Errorf("data.pkl at byte %d: %s", u.pos, fmt.Sprintf(format, args...))
}

func (u *unpickler) take(n int) ([]byte, error) {
	if n < 0 || n > len(u.b)-u.pos {
		return nil, u.errorf("%d bytes wanted but only %d left", n, len(u.b)-u.pos)
	}
	s := u.b[u.pos : u.pos+n]
	u.pos += n
	return s, nil
}

func (u *unpickler) uint(n int) (uint64, error) {
	s, err := u.take(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(s[i])
	}
	return v, nil
}

// line reads up to a newline, for the text forms GLOBAL uses.
func (u *unpickler) line() (string, error) {
	for i := u.pos; i < len(u.b) && i-u.pos < 256; i++ {
		if u.b[i] == '\n' {
			s := string(u.b[u.pos:i])
			u.pos = i + 1
			return s, nil
		}
	}
	return "", u.errorf("unterminated or overlong text argument")
}

func (u *unpickler) push(v any) error {
	if len(u.stack) >= MaxStack {
		return u.errorf("more than %d values on the stack", MaxStack)
	}
	u.stack = append(u.stack, v)
	return nil
}

func (u *unpickler) pop() (any, error) {
	if len(u.stack) == 0 || (len(u.marks) > 0 && len(u.stack) == u.marks[len(u.marks)-1]) {
		return nil, u.errorf("pop from an empty stack")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) == 0 || (len(u.marks) > 0 && len(u.stack) == u.marks[len(u.marks)-1]) {
		return nil, u.errorf("empty stack")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark pops the values above the last mark.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, u.errorf("no mark on the stack")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	if len(items) > MaxContainer {
		return nil, u.errorf("more than %d items in one container", MaxContainer)
	}
	return items, nil
}

func (u *unpickler) memoPut(k int64) error {
	v, err := u.top()
	if err != nil {
		return err
	}
	if _, ok := u.memo[k]; !ok && len(u.memo) >= MaxMemo {
		return u.errorf("more than %d memo entries", MaxMemo)
	}
	u.memo[k] = v
	return nil
}

func (u *unpickler) memoGet(k int64) error {
	v, ok := u.memo[k]
	if !ok {
		return u.errorf("memo entry %d was never stored", k)
	}
	return u.push(v)
}

// unpickle runs the pickle in b and returns the value it builds.
func unpickle(b []byte) (any, error) {
	u := &unpickler{b: b, memo: map[int64]any{}}
	for {
		if u.pos >= len(u.b) {
			return nil, u.errorf("the pickle ends without STOP")
		}
		op := u.b[u.pos]
		u.pos++
		if op == '.' { // STOP
			v, err := u.pop()
			if err != nil {
				return nil, err
			}
			return v, nil
		}
		if err := u.step(op); err != nil {
			return nil, err
		}
	}
}

func (u *unpickler) step(op byte) error {
	switch op {
	case 0x80: // PROTO
		v, err := u.uint(1)
		if err != nil {
			return err
		}
		if v > 5 {
			return u.errorf("pickle protocol %d is newer than 5", v)
		}
		return nil
	case 0x95: // FRAME: framing only
		_, err := u.uint(8)
		return err
	case '(': // MARK
		if len(u.marks) >= maxPickleDepth {
			return u.errorf("marks nested deeper than %d", maxPickleDepth)
		}
		u.marks = append(u.marks, len(u.stack))
		return nil
	case 'N':
		return u.push(nil)
	case 0x88: // NEWTRUE
		return u.push(true)
	case 0x89: // NEWFALSE
		return u.push(false)
	case 'K': // BININT1
		v, err := u.uint(1)
		if err != nil {
			return err
		}
		return u.push(int64(v))
	case 'M': // BININT2
		v, err := u.uint(2)
		if err != nil {
			return err
		}
		return u.push(int64(v))
	case 'J': // BININT
		v, err := u.uint(4)
		if err != nil {
			return err
		}
		return u.push(int64(int32(v)))
	case 0x8a: // LONG1
		n, err := u.uint(1)
		if err != nil {
			return err
		}
		s, err := u.take(int(n))
		if err != nil {
			return err
		}
		if n > 8 {
			return u.errorf("an integer of %d bytes", n)
		}
		var v int64
		for i := len(s) - 1; i >= 0; i-- {
			v = v<<8 | int64(s[i])
		}
		if n > 0 && n < 8 && s[n-1]&0x80 != 0 { // sign-extend
			v -= 1 << (8 * n)
		}
		return u.push(v)
	case 'G': // BINFLOAT, big-endian
		s, err := u.take(8)
		if err != nil {
			return err
		}
		return u.push(math.Float64frombits(binary.BigEndian.Uint64(s)))
	case 'X', 0x8c, 0x8d, 'B', 'C', 0x8e, 'T', 'U': // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, BINBYTES, SHORT_BINBYTES, BINBYTES8, BINSTRING, SHORT_BINSTRING
		width := 4
		switch op {
		case 0x8c, 'C', 'U':
			width = 1
		case 0x8d, 0x8e:
			width = 8
		}
		n, err := u.uint(width)
		if err != nil {
			return err
		}
		if n > uint64(len(u.b)-u.pos) {
			return u.errorf("a string of %d bytes but only %d left", n, len(u.b)-u.pos)
		}
		s, _ := u.take(int(n))
		if op == 'B' || op == 'C' || op == 0x8e {
			return u.push(append([]byte(nil), s...))
		}
		return u.push(string(s))
	case ')': // EMPTY_TUPLE
		return u.push(tuple{})
	case 0x85, 0x86, 0x87: // TUPLE1..3
		n := int(op - 0x84)
		if len(u.stack) < n || (len(u.marks) > 0 && len(u.stack)-n < u.marks[len(u.marks)-1]) {
			return u.errorf("TUPLE%d with fewer values on the stack", n)
		}
		t := append(tuple(nil), u.stack[len(u.stack)-n:]...)
		u.stack = u.stack[:len(u.stack)-n]
		return u.push(t)
	case 't': // TUPLE
		items, err := u.popMark()
		if err != nil {
			return err
		}
		return u.push(tuple(items))
	case ']': // EMPTY_LIST
		return u.push(&list{})
	case 'l': // LIST
		items, err := u.popMark()
		if err != nil {
			return err
		}
		return u.push(&list{items: items})
	case 'a', 'e': // APPEND, APPENDS
		var items []any
		var err error
		if op == 'a' {
			var v any
			v, err = u.pop()
			items = []any{v}
		} else {
			items, err = u.popMark()
		}
		if err != nil {
			return err
		}
		top, err := u.top()
		if err != nil {
			return err
		}
		l, ok := top.(*list)
		if !ok {
			return u.errorf("append to a %s", typeName(top))
		}
		if len(l.items)+len(items) > MaxContainer {
			return u.errorf("a list of more than %d items", MaxContainer)
		}
		l.items = append(l.items, items...)
		return nil
	case '}': // EMPTY_DICT
		return u.push(newDict())
	case 'd': // DICT
		items, err := u.popMark()
		if err != nil {
			return err
		}
		d := newDict()
		if err := setItems(d, items); err != nil {
			return u.errorf("%v", err)
		}
		return u.push(d)
	case 's', 'u': // SETITEM, SETITEMS
		var items []any
		var err error
		if op == 's' {
			v, err1 := u.pop()
			k, err2 := u.pop()
			items, err = []any{k, v}, firstErr(err1, err2)
		} else {
			items, err = u.popMark()
		}
		if err != nil {
			return err
		}
		top, err := u.top()
		if err != nil {
			return err
		}
		d, ok := top.(*dict)
		if !ok {
			return u.errorf("setitem on a %s", typeName(top))
		}
		if err := setItems(d, items); err != nil {
			return u.errorf("%v", err)
		}
		return nil
	case 'q': // BINPUT
		k, err := u.uint(1)
		if err != nil {
			return err
		}
		return u.memoPut(int64(k))
	case 'r': // LONG_BINPUT
		k, err := u.uint(4)
		if err != nil {
			return err
		}
		return u.memoPut(int64(k))
	case 0x94: // MEMOIZE
		return u.memoPut(int64(len(u.memo)))
	case 'h': // BINGET
		k, err := u.uint(1)
		if err != nil {
			return err
		}
		return u.memoGet(int64(k))
	case 'j': // LONG_BINGET
		k, err := u.uint(4)
		if err != nil {
			return err
		}
		return u.memoGet(int64(k))
	case 'c': // GLOBAL
		mod, err := u.line()
		if err != nil {
			return err
		}
		name, err := u.line()
		if err != nil {
			return err
		}
		return u.global(global{mod, name})
	case 0x93: // STACK_GLOBAL
		n, err1 := u.pop()
		m, err2 := u.pop()
		if err := firstErr(err1, err2); err != nil {
			return err
		}
		mod, ok1 := m.(string)
		name, ok2 := n.(string)
		if !ok1 || !ok2 {
			return u.errorf("STACK_GLOBAL of a %s and a %s", typeName(m), typeName(n))
		}
		return u.global(global{mod, name})
	case 'Q': // BINPERSID
		pid, err := u.pop()
		if err != nil {
			return err
		}
		s, err := persistentStorage(pid)
		if err != nil {
			return u.errorf("%v", err)
		}
		return u.push(s)
	case 'R': // REDUCE
		args, err1 := u.pop()
		fn, err2 := u.pop()
		if err := firstErr(err1, err2); err != nil {
			return err
		}
		t, ok := args.(tuple)
		if !ok {
			return u.errorf("REDUCE with %s arguments", typeName(args))
		}
		v, err := call(fn, t)
		if err != nil {
			return u.errorf("%v", err)
		}
		return u.push(v)
	case 'b': // BUILD
		// A state_dict's OrderedDict carries its _metadata (module versions)
		// as state, and a rebuilt parameter may carry Python attributes:
		// neither matters for the values, so the state is dropped.
		if _, err := u.pop(); err != nil {
			return err
		}
		obj, err := u.top()
		if err != nil {
			return err
		}
		switch obj.(type) {
		case *dict, *tensorRef:
			return nil
		}
		return u.errorf("BUILD on a %s", typeName(obj))
	}
	return u.errorf("pickle opcode %#x is not one that files of tensors use; refused", op)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func setItems(d *dict, items []any) error {
	if len(items)%2 != 0 {
		return fmt.Errorf("SETITEMS with an odd number of values")
	}
	for i := 0; i < len(items); i += 2 {
		if err := d.set(items[i], items[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (u *unpickler) global(g global) error {
	if !allowed(g) {
		return fmt.Errorf("%w: the file names the Python global %s.%s, which a file of tensors does not need; it was not run (save the model's state_dict() instead of the model)", ErrRefused, g.module, g.name)
	}
	return u.push(g)
}

// persistentStorage reads the persistent id torch.save writes for a
// storage: ('storage', torch.FloatStorage, key, location, numel).
func persistentStorage(pid any) (*storageRef, error) {
	t, ok := pid.(tuple)
	if !ok || len(t) != 5 {
		return nil, fmt.Errorf("a persistent id that is not a 5-tuple ('storage', type, key, location, numel)")
	}
	if s, _ := t[0].(string); s != "storage" {
		return nil, fmt.Errorf("a persistent id of kind %v, not 'storage'", t[0])
	}
	g, ok := t[1].(global)
	st, known := storageTypes[g.name]
	if !ok || !known {
		return nil, fmt.Errorf("storage of type %s is not read", typeName(t[1]))
	}
	key, ok1 := t[2].(string)
	numel, ok2 := t[4].(int64)
	if !ok1 || !ok2 || numel < 0 {
		return nil, fmt.Errorf("a storage with key %v and %v elements", t[2], t[4])
	}
	return &storageRef{dtype: st.dtype, key: key, numel: numel}, nil
}

// call applies an allow-listed global.
func call(fn any, args tuple) (any, error) {
	g, ok := fn.(global)
	if !ok {
		return nil, fmt.Errorf("REDUCE on a %s", typeName(fn))
	}
	switch g.module + "." + g.name {
	case "collections.OrderedDict":
		if len(args) != 0 {
			return nil, fmt.Errorf("OrderedDict called with %d arguments", len(args))
		}
		return newDict(), nil
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
		// (storage, storage_offset, size, stride, [requires_grad, backward_hooks, [metadata]])
		if len(args) < 4 {
			return nil, fmt.Errorf("%s called with %d arguments", g.name, len(args))
		}
		s, ok := args[0].(*storageRef)
		if !ok {
			return nil, fmt.Errorf("%s of a %s, not a storage", g.name, typeName(args[0]))
		}
		off, ok := args[1].(int64)
		if !ok || off < 0 {
			return nil, fmt.Errorf("storage offset %v", args[1])
		}
		size, err := ints(args[2])
		if err != nil {
			return nil, fmt.Errorf("size: %v", err)
		}
		stride, err := ints(args[3])
		if err != nil {
			return nil, fmt.Errorf("stride: %v", err)
		}
		if len(size) != len(stride) {
			return nil, fmt.Errorf("size %v with stride %v", size, stride)
		}
		return &tensorRef{storage: s, offset: off, size: size, stride: stride}, nil
	case "torch._utils._rebuild_parameter":
		// (data, requires_grad, backward_hooks)
		if len(args) < 1 {
			return nil, fmt.Errorf("_rebuild_parameter with no arguments")
		}
		t, ok := args[0].(*tensorRef)
		if !ok {
			return nil, fmt.Errorf("_rebuild_parameter of a %s", typeName(args[0]))
		}
		return t, nil
	case "torch.device":
		return "device", nil
	}
	return nil, fmt.Errorf("%s.%s cannot be called", g.module, g.name)
}

func ints(v any) ([]int64, error) {
	t, ok := v.(tuple)
	if !ok {
		return nil, fmt.Errorf("a %s, not a tuple", typeName(v))
	}
	if len(t) > MaxRank {
		return nil, fmt.Errorf("rank %d, over the limit of %d", len(t), MaxRank)
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok || n < 0 || n > math.MaxInt32 {
			return nil, fmt.Errorf("element %v (want 0..2^31-1)", x)
		}
		out[i] = n
	}
	return out, nil
}
