// Command arm is a static performance model of gomlp's arm64 kernels, for
// want of ARM hardware: it builds package mat for arm64, takes each NEON
// loop out of the binary (go tool objdump for the source lines,
// llvm-objdump for the instructions), runs llvm-mca on it for several ARM
// cores, and combines the cycles with the loop counts and the Go-side time
// of each matrix product, both measured on this machine by running the
// arm64 dispatch policy with counting kernels (mat's TestARMModelData).
// The same method applied to this machine's own kernels, against their
// measured speed, gives the calibration. See README.md.
//
//	go run ./bench/arm            # from the repository root
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	ghz      = flag.Float64("ghz", 2.5, "clock of the modelled ARM cores, GHz")
	l2bytes  = flag.Float64("l2", 19.3, "sustained single-thread L2 read bandwidth of the modelled cores, bytes per cycle (19.3: measured on Neoverse N1, see README.md)")
	mcaIters = flag.Int("iterations", 300, "llvm-mca iterations per loop")
	hostCPU  = flag.String("host", "znver4", "llvm-mca model of this machine, for the calibration")
	keep     = flag.String("work", "", "keep the binaries and loop listings in this directory")
)

// cores are the modelled ARM cores: llvm-mca's -mcpu and what it stands for.
var cores = []struct{ mcpu, what string }{
	{"neoverse-n1", "Neoverse N1 (also for Cortex-A76, Raspberry Pi 5)"},
	{"neoverse-n2", "Neoverse N2"},
	{"neoverse-v1", "Neoverse V1"},
	{"cortex-a72", "Cortex-A72 (Raspberry Pi 4)"},
}

// region is a piece of one assembly function, given as ranges of its
// source lines [from label, to label); the loop counts of mat's
// TestARMModelData use the same names.
type region struct {
	sym   string
	parts [][2]string
}

var regions = map[string]region{
	"gemm.loop4":      {"gemmRow8x12NEON", [][2]string{{"gemmloop4", "gemmtail"}}},
	"gemm.loop1":      {"gemmRow8x12NEON", [][2]string{{"gemmloop1", "gemmstore"}}},
	"gemm.tile":       {"gemmRow8x12NEON", [][2]string{{"gemmtile", "gemmloop4"}, {"gemmoverwrite", "gemmdone"}}},
	"pack8.copy":      {"packCopy8NEON", [][2]string{{"copy8loop", "copy8done"}}},
	"pack12.copy":     {"packCopy12NEON", [][2]string{{"copy12loop", "copy12done"}}},
	"pack8.trans4":    {"packTrans8NEON", [][2]string{{"trans8loop", "trans8tail"}}},
	"pack8.trans1":    {"packTrans8NEON", [][2]string{{"trans8step", "trans8done"}}},
	"pack12.trans4":   {"packTrans12NEON", [][2]string{{"trans12loop", "trans12tail"}}},
	"pack12.trans1":   {"packTrans12NEON", [][2]string{{"trans12step", "trans12done"}}},
	"gemv.loop32":     {"gemvNEON", [][2]string{{"gv32loop", "gv32tail"}}},
	"gemv.step32":     {"gemvNEON", [][2]string{{"gv32step", "gv32store"}}},
	"gemv.block32":    {"gemvNEON", [][2]string{{"gv32", "gv32loop"}, {"gv32store", "gv4"}}},
	"gemv.loop4":      {"gemvNEON", [][2]string{{"gv4loop", "gv4tail"}}},
	"gemv.step4":      {"gemvNEON", [][2]string{{"gv4step", "gv4sum"}}},
	"gemv.block4":     {"gemvNEON", [][2]string{{"gv4", "gv4loop"}, {"gv4sum", "gv4part"}}},
	"gemv.merge":      {"gemvNEON", [][2]string{{"gv4part", "gvdone"}}},
	"dot.loop":        {"dotNEON", [][2]string{{"dotloop", "dot4"}}},
	"dot.loop4":       {"dotNEON", [][2]string{{"dot4", "dottail"}}},
	"dot.step":        {"dotNEON", [][2]string{{"dotstep", "dotreduce"}}},
	"dot.tile":        {"dotNEON", [][2]string{{"dotcol", "dotloop"}, {"dotreduce", "dotpart"}}},
	"dot.merge":       {"dotNEON", [][2]string{{"dotpart", "dotnext"}}},
	"dot5.loop":       {"dot5NEON", [][2]string{{"d5loop", "d54"}}},
	"dot5.loop4":      {"dot5NEON", [][2]string{{"d54", "d5tail"}}},
	"dot5.step":       {"dot5NEON", [][2]string{{"d5step", "d5reduce"}}},
	"dot5.tile":       {"dot5NEON", [][2]string{{"d5col", "d5loop"}, {"d5reduce", "d5part"}}},
	"dot5.merge":      {"dot5NEON", [][2]string{{"d5part", "d5next"}}},
	"col.loop":        {"colNEON", [][2]string{{"colloop", "colreduce"}}},
	"col.tile":        {"colNEON", [][2]string{{"colcol", "colloop"}, {"colreduce", "colpart"}}},
	"col.merge":       {"colNEON", [][2]string{{"colpart", "colnext"}}},
	"col5.loop":       {"col5NEON", [][2]string{{"c5loop", "c5reduce"}}},
	"col5.tile":       {"col5NEON", [][2]string{{"c5col", "c5loop"}, {"c5reduce", "c5part"}, {"c5col4", "c5next"}}},
	"col5.merge":      {"col5NEON", [][2]string{{"c5part", "c5col4"}}},
	"transpose.block": {"transposeNEON", [][2]string{{"trloop", "trnext"}}},
	"relu.loop16":     {"reluNEON", [][2]string{{"relu16", "relu4"}}},
	"relu.loop4":      {"reluNEON", [][2]string{{"relu4loop", "reludone"}}},
	"add.loop16":      {"addNEON", [][2]string{{"add16", "add4"}}},
	"add.loop4":       {"addNEON", [][2]string{{"add4loop", "adddone"}}},
	"peak":            {"peakNEON", [][2]string{{"peakloop", "peakdone"}}},
}

// The steady loops reported per kernel (the rest are overheads).
var steady = []struct{ name, what string }{
	{"gemm.loop4", "8×12 micro-kernel, 4 steps"},
	{"gemv.loop32", "GEMV, 32 columns × 4 steps"},
	{"gemv.loop4", "GEMV, 4 columns × 4 steps"},
	{"dot.loop", "dot, 4×4 tile × 8 steps"},
	{"dot5.loop", "dot, 3×5 tile × 8 steps"},
	{"col.loop", "column, 16×4 tile × 1 step"},
	{"col5.loop", "column, 16×5 tile × 1 step"},
	{"pack12.copy", "pack B (12 wide), 1 step"},
	{"pack8.trans4", "pack A (8 rows), 4 steps"},
	{"relu.loop16", "ReLU, 16 floats"},
	{"peak", "FMA peak loop"},
}

// loopStats is llvm-mca's verdict on one loop for one core.
type loopStats struct {
	cycles     float64 // per iteration
	flops      float64 // per iteration
	bottleneck string
}

func main() {
	flag.Parse()
	log := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "arm: "+format+"\n", args...) }
	die := func(err error) { fmt.Fprintln(os.Stderr, "arm:", err); os.Exit(1) }

	mca, err := llvmTool("llvm-mca")
	if err != nil {
		die(err)
	}
	objdump, err := llvmTool("llvm-objdump")
	if err != nil {
		die(err)
	}
	work := *keep
	if work == "" {
		if work, err = os.MkdirTemp("", "gomlp-arm-model"); err != nil {
			die(err)
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		die(err)
	}
	armBin, hostBin := filepath.Join(work, "mat.arm64.test"), filepath.Join(work, "mat.host.test")
	log("building package mat for arm64 and for this machine")
	if err := run([]string{"GOARCH=arm64"}, "go", "test", "-c", "-o", armBin, "./mat"); err != nil {
		die(err)
	}
	if err := run(nil, "go", "test", "-c", "-o", hostBin, "./mat"); err != nil {
		die(err)
	}

	log("measuring loop counts, Go-side times and the calibration kernels (mat TestARMModelData)")
	dataFile := filepath.Join(work, "model.json")
	if err := run([]string{"GOMLP_ARM_MODEL_OUT=" + dataFile}, hostBin, "-test.run", "^TestARMModelData$", "-test.count", "1"); err != nil {
		die(err)
	}
	var data modelData
	if buf, err := os.ReadFile(dataFile); err != nil {
		die(err)
	} else if err := json.Unmarshal(buf, &data); err != nil {
		die(err)
	}

	// The NEON loops, per core.
	armLines, err := labelLines("mat/asm_arm64.s")
	if err != nil {
		die(err)
	}
	listings := map[string][]string{}
	for name, r := range regions {
		insts, err := extract(objdump, armBin, "aarch64", r.sym, armLines, r.parts)
		if err != nil {
			die(fmt.Errorf("%s: %w", name, err))
		}
		listings[name] = insts
		if *keep != "" {
			os.WriteFile(filepath.Join(work, name+".s"), []byte(strings.Join(insts, "\n")+"\n"), 0o644)
		}
	}
	stats := map[string]map[string]loopStats{} // core -> region
	for _, c := range cores {
		stats[c.mcpu] = map[string]loopStats{}
		for name, insts := range listings {
			st, err := runMCA(mca, "aarch64", c.mcpu, insts)
			if err != nil {
				die(fmt.Errorf("%s on %s: %w", name, c.mcpu, err))
			}
			stats[c.mcpu][name] = st
		}
	}

	// Calibration: this machine's kernels, their innermost FMA loop through
	// llvm-mca, against their measured speed; the clock comes from the
	// measured peak loop against its model.
	cal, err := calibrate(mca, objdump, hostBin, data)
	if err != nil {
		die(err)
	}

	report(data, stats, cal)
}

type modelShape struct {
	M, N, K        int
	TransA, TransB bool
	Policy         string
	Counts         map[string]float64
	GoNanos        float64
}

type modelData struct {
	GOARCH  string
	Impl    string
	Shapes  []modelShape
	Kernels []struct {
		Role, Symbol string
		Flops, Nanos float64
	}
	Predict modelShape
}

// llvmTool finds an LLVM 22 tool: name-22 on PATH, or llvm-22's bin directory.
func llvmTool(name string) (string, error) {
	if p, err := exec.LookPath(name + "-22"); err == nil {
		return p, nil
	}
	p := "/usr/lib/llvm-22/bin/" + name
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s-22 not found: install the Debian package llvm-22 (older llvm-mca models the Neoverse cores as a Cortex-A57)", name)
}

func run(env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return nil
}

// labelLines returns the source line of every label in an assembly file.
func labelLines(file string) (map[string]int, error) {
	buf, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	lines := map[string]int{}
	re := regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*):`)
	for i, l := range strings.Split(string(buf), "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			lines[m[1]] = i + 1
		}
	}
	return lines, nil
}

// inst is one instruction of go tool objdump's listing.
type inst struct {
	line       int
	addr, size uint64
	text       string
}

var objLine = regexp.MustCompile(`^\s+\S+\.s:(\d+)\s+0x([0-9a-f]+)\s+([0-9a-f]+)\s+(.*?)\s*$`)

// goListing returns the instructions of the assembly function sym (without
// package path) in bin.
func goListing(bin, sym string) ([]inst, error) {
	out, err := exec.Command("go", "tool", "objdump", "-s", `mat\.`+regexp.QuoteMeta(sym)+`\.abi0$`, bin).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool objdump %s: %v", sym, err)
	}
	var insts []inst
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := objLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[1])
		addr, _ := strconv.ParseUint(m[2], 16, 64)
		insts = append(insts, inst{line, addr, uint64(len(m[3]) / 2), m[4]})
	}
	if len(insts) == 0 {
		return nil, fmt.Errorf("no assembly function %s in %s", sym, bin)
	}
	return insts, nil
}

// extract returns, in llvm-mca's syntax, the instructions of sym that come
// from the source lines of parts (label ranges; go tool objdump maps the
// arm64 listing to lines). Branch targets become the label L0 at the start.
func extract(objdump, bin, triple, sym string, labels map[string]int, parts [][2]string) ([]string, error) {
	insts, err := goListing(bin, sym)
	if err != nil {
		return nil, err
	}
	var ranges [][2]uint64
	for _, p := range parts {
		from, ok1 := labels[p[0]]
		to, ok2 := labels[p[1]]
		if !ok1 || !ok2 || to <= from {
			return nil, fmt.Errorf("labels %s..%s not found in order in the assembly", p[0], p[1])
		}
		lo, hi := uint64(math.MaxUint64), uint64(0)
		for _, in := range insts {
			if in.line >= from && in.line < to {
				lo, hi = min(lo, in.addr), max(hi, in.addr+in.size)
			}
		}
		if hi == 0 {
			return nil, fmt.Errorf("no instructions between %s and %s", p[0], p[1])
		}
		ranges = append(ranges, [2]uint64{lo, hi})
	}
	out := []string{"L0:"}
	for _, r := range ranges {
		lines, err := llvmListing(objdump, bin, triple, r)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			out = append(out, l.text)
		}
	}
	return out, nil
}

// llvmLine is one instruction of llvm-objdump's listing; a branch's target
// is replaced by L0 in text and kept in target.
type llvmLine struct {
	addr, target uint64
	text         string
}

var llvmInst = regexp.MustCompile(`^\s*([0-9a-f]+):\s+(.*?)\s*$`)
var llvmTarget = regexp.MustCompile(`\s+(?:0x)?([0-9a-f]+)(?:\s+<[^>]*>)?$`)

// llvmListing disassembles the address range r of bin.
func llvmListing(objdump, bin, triple string, r [2]uint64) ([]llvmLine, error) {
	buf, err := exec.Command(objdump, "-d", "--no-show-raw-insn",
		fmt.Sprintf("--start-address=0x%x", r[0]), fmt.Sprintf("--stop-address=0x%x", r[1]), bin).Output()
	if err != nil {
		return nil, fmt.Errorf("llvm-objdump: %v", err)
	}
	var out []llvmLine
	for _, l := range strings.Split(string(buf), "\n") {
		m := llvmInst.FindStringSubmatch(l)
		if m == nil || m[2] == "" || strings.HasPrefix(m[2], "...") {
			continue
		}
		addr, _ := strconv.ParseUint(m[1], 16, 64)
		text := m[2]
		if i := strings.Index(text, "#"); i > 0 && triple != "aarch64" {
			text = strings.TrimSpace(text[:i]) // x86 comments
		}
		ll := llvmLine{addr: addr, text: text}
		if isBranch(triple, strings.Fields(text)[0]) {
			if t := llvmTarget.FindStringSubmatch(text); t != nil {
				ll.target, _ = strconv.ParseUint(t[1], 16, 64)
				ll.text = llvmTarget.ReplaceAllString(text, " L0")
			}
		}
		out = append(out, ll)
	}
	return out, nil
}

// innermostLoop returns, in llvm-mca's syntax, the loop of the assembly
// function sym that contains no other loop and the most fused
// multiply-adds (for this machine's kernels, whose labels this program
// does not know).
func innermostLoop(objdump, bin, triple, sym string) ([]string, error) {
	nm, err := exec.Command("go", "tool", "nm", "-size", bin).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool nm: %v", err)
	}
	var r [2]uint64
	for _, l := range strings.Split(string(nm), "\n") {
		f := strings.Fields(l)
		if len(f) == 4 && strings.HasSuffix(f[3], "mat."+sym+".abi0") {
			addr, _ := strconv.ParseUint(f[0], 16, 64)
			size, _ := strconv.ParseUint(f[1], 10, 64)
			r = [2]uint64{addr, addr + size}
		}
	}
	if r[1] == 0 {
		return nil, fmt.Errorf("no assembly function %s in %s", sym, bin)
	}
	lines, err := llvmListing(objdump, bin, triple, r)
	if err != nil {
		return nil, err
	}
	type loop struct{ from, to int } // indices into lines, inclusive
	var loops []loop
	for i, l := range lines {
		if l.target == 0 || l.target > l.addr {
			continue
		}
		for j := range lines {
			if lines[j].addr == l.target {
				loops = append(loops, loop{j, i})
			}
		}
	}
	best, bestFMA := -1, 0
	for i, lp := range loops {
		inner := true
		for j, o := range loops {
			if j != i && o.from >= lp.from && o.to <= lp.to {
				inner = false
			}
		}
		fma := 0
		for _, l := range lines[lp.from : lp.to+1] {
			if strings.HasPrefix(l.text, "vfmadd") || strings.HasPrefix(l.text, "fmla") {
				fma++
			}
		}
		if inner && fma > bestFMA {
			best, bestFMA = i, fma
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("%s: no loop with fused multiply-adds", sym)
	}
	out := []string{"L0:"}
	for _, l := range lines[loops[best].from : loops[best].to+1] {
		out = append(out, l.text)
	}
	return out, nil
}

func isBranch(triple, op string) bool {
	if triple == "aarch64" {
		return op == "b" || strings.HasPrefix(op, "b.") || strings.HasPrefix(op, "cb") || strings.HasPrefix(op, "tb")
	}
	return strings.HasPrefix(op, "j")
}

// flops counts the single-precision FLOP of one pass through a listing:
// two per lane of each fused multiply-add.
func flops(insts []string) float64 {
	var f float64
	for _, l := range insts {
		switch {
		case strings.HasPrefix(l, "fmla") && strings.Contains(l, ".4s"):
			f += 8
		case strings.HasPrefix(l, "vfmadd") && strings.Contains(l, "%zmm"):
			f += 32
		case strings.HasPrefix(l, "vfmadd") && strings.Contains(l, "%ymm"):
			f += 16
		case strings.HasPrefix(l, "vfmadd") && strings.Contains(l, "%xmm"):
			f += 8
		}
	}
	return f
}

var (
	reTotal    = regexp.MustCompile(`Total Cycles:\s+(\d+)`)
	reUops     = regexp.MustCompile(`Total uOps:\s+(\d+)`)
	reDispatch = regexp.MustCompile(`Dispatch Width:\s+(\d+)`)
)

// runMCA runs llvm-mca on a loop and returns its cycles per iteration and
// what limits it: the busiest resource, dispatch, or (when neither comes
// near the cycle count) dependencies.
func runMCA(mca, triple, cpu string, insts []string) (loopStats, error) {
	cmd := exec.Command(mca, "-mtriple="+triple, "-mcpu="+cpu, fmt.Sprintf("-iterations=%d", *mcaIters))
	cmd.Stdin = strings.NewReader(strings.Join(insts, "\n") + "\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return loopStats{}, fmt.Errorf("llvm-mca: %v\n%s", err, errb.String())
	}
	s := out.String()
	num := func(re *regexp.Regexp) float64 {
		m := re.FindStringSubmatch(s)
		if m == nil {
			return 0
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	it := float64(*mcaIters)
	st := loopStats{cycles: num(reTotal) / it, flops: flops(insts)}
	dispatch := num(reUops) / it / max(num(reDispatch), 1)
	// Resource pressure per iteration: a header row of [n] indices, then values.
	names := resourceNames(s)
	res, resP := "", 0.0
	if i := strings.Index(s, "Resource pressure per iteration:"); i >= 0 {
		rows := strings.Split(s[i:], "\n")
		if len(rows) > 2 {
			hdr, vals := strings.Fields(rows[1]), strings.Fields(rows[2])
			for j := range min(len(hdr), len(vals)) {
				v, err := strconv.ParseFloat(vals[j], 64)
				if err == nil && v > resP {
					resP, res = v, names[strings.Trim(hdr[j], "[]")]
				}
			}
		}
	}
	switch {
	case dispatch >= resP && dispatch > 0.8*st.cycles:
		st.bottleneck = fmt.Sprintf("dispatch (%.0f µops/iter)", dispatch*max(num(reDispatch), 1))
	case resP > 0.8*st.cycles:
		st.bottleneck = res
	default:
		st.bottleneck = "dependencies"
	}
	return st, nil
}

// resourceNames maps llvm-mca's resource indices ("2.0") to names.
func resourceNames(s string) map[string]string {
	names := map[string]string{}
	re := regexp.MustCompile(`(?m)^\[([0-9.]+)\]\s+- (\S+)`)
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		names[m[1]] = m[2]
	}
	return names
}

// calibration is the measured/modelled ratio of this machine's kernels.
type calibration struct {
	hostGHz float64 // the clock the measured peak loop implies
	rows    []calRow
	ratio   float64 // mean measured/modelled time over the kernels (peak excluded)
}

type calRow struct {
	role, sym                  string
	modelFPC, measFPC, measure float64 // FLOP per cycle: llvm-mca's steady loop, measured whole call
}

func calibrate(mca, objdump, bin string, data modelData) (calibration, error) {
	var cal calibration
	triple := "x86_64"
	if data.GOARCH == "arm64" {
		triple = "aarch64"
	}
	model := map[string]float64{}
	for _, k := range data.Kernels {
		sym := k.Symbol[strings.LastIndex(k.Symbol, ".")+1:]
		insts, err := innermostLoop(objdump, bin, triple, sym)
		if err != nil {
			return cal, err
		}
		st, err := runMCA(mca, triple, *hostCPU, insts)
		if err != nil {
			return cal, err
		}
		model[k.Role] = st.flops / st.cycles
		cal.rows = append(cal.rows, calRow{role: k.Role, sym: sym, modelFPC: st.flops / st.cycles, measure: k.Flops / k.Nanos})
	}
	peak, ok := model["peak"]
	if !ok {
		return cal, fmt.Errorf("no peak loop measured on this machine (kernels %q)", data.Impl)
	}
	for _, r := range cal.rows {
		if r.role == "peak" {
			cal.hostGHz = r.measure / peak // FLOP/ns over FLOP/cycle
		}
	}
	n := 0.0
	for i := range cal.rows {
		r := &cal.rows[i]
		r.measFPC = r.measure / cal.hostGHz
		if r.role != "peak" {
			cal.ratio += r.modelFPC / r.measFPC
			n++
		}
	}
	cal.ratio /= n
	return cal, nil
}

// shapeTime is the modelled time of one product on one core, in ns, and
// its parts.
type shapeTime struct {
	asm, goSide, total float64
	bound              string
}

func modelShapeTime(s modelShape, st map[string]loopStats, cal calibration, goNanos float64) shapeTime {
	var cyc float64
	for name, n := range s.Counts {
		if strings.HasPrefix(name, "go.") {
			cyc += n // the Go twin's multiply-adds, one cycle each
			continue
		}
		cyc += n * st[name].cycles
	}
	cyc *= cal.ratio
	t := shapeTime{asm: cyc / *ghz, bound: "kernels"}
	if s.M == 1 && !s.TransA && s.Counts["gemv.loop32"]+s.Counts["gemv.loop4"] > 0 {
		// Batch 1 streams B once: no faster than the L2 delivers it.
		if bw := float64(s.K*s.N*4) / *l2bytes / *ghz; bw > t.asm {
			t.asm, t.bound = bw, "L2 bandwidth"
		}
	}
	// Go code runs the same cycles here as on this machine (an assumption).
	t.goSide = goNanos * cal.hostGHz / *ghz
	t.total = t.asm + t.goSide
	return t
}

func report(data modelData, stats map[string]map[string]loopStats, cal calibration) {
	fmt.Printf("# gomlp arm64 performance model (llvm-mca, not measured on ARM hardware)\n\n")
	fmt.Printf("Modelled at %.1f GHz, L2 read bandwidth %.0f B/cycle; calibration factor %.3f (see below); Go-side costs measured on this machine (%s) with the arm64 dispatch policy.\n\n",
		*ghz, *l2bytes, cal.ratio, data.Impl)

	fmt.Printf("## Steady loops (llvm-mca, per iteration)\n\n")
	fmt.Printf("| loop | core | cycles | FLOP/cycle | %% of FMLA peak | bottleneck |\n|---|---|---:|---:|---:|---|\n")
	for _, l := range steady {
		for _, c := range cores {
			st := stats[c.mcpu][l.name]
			pk := stats[c.mcpu]["peak"]
			peak := pk.flops / pk.cycles
			fpc, pct := "–", "–"
			if st.flops > 0 {
				fpc = fmt.Sprintf("%.1f", st.flops/st.cycles)
				pct = fmt.Sprintf("%.0f%%", 100*st.flops/st.cycles/peak)
			}
			fmt.Printf("| %s | %s | %.1f | %s | %s | %s |\n", l.what, c.mcpu, st.cycles, fpc, pct, st.bottleneck)
		}
	}

	fmt.Printf("\n## Calibration on this machine (-mcpu=%s)\n\n", *hostCPU)
	fmt.Printf("Clock implied by the measured peak loop: %.2f GHz.\n\n", cal.hostGHz)
	fmt.Printf("| kernel | modelled FLOP/cycle (steady loop) | measured FLOP/cycle (whole call, L1-resident) | modelled/measured |\n|---|---:|---:|---:|\n")
	for _, r := range cal.rows {
		fmt.Printf("| %s (%s) | %.1f | %.1f | %.2f |\n", r.role, r.sym, r.modelFPC, r.measFPC, r.modelFPC/r.measFPC)
	}
	fmt.Printf("\nThe ARM kernel cycles below are multiplied by the mean of the ratios, %.3f.\n", cal.ratio)
	if cal.ratio > 1.3 {
		fmt.Printf("\n**Warning: a ratio this high usually means this machine was busy while the kernels were timed; run again on a quiet machine.**\n")
	}

	// Shapes: pair before and after.
	type key struct {
		m, n, k int
		ta, tb  bool
	}
	byKey := map[key]map[string]modelShape{}
	var order []key
	for _, s := range data.Shapes {
		k := key{s.M, s.N, s.K, s.TransA, s.TransB}
		if byKey[k] == nil {
			byKey[k] = map[string]modelShape{}
			order = append(order, k)
		}
		byKey[k][s.Policy] = s
	}
	tr := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	for _, c := range cores {
		st := stats[c.mcpu]
		pk := st["peak"]
		peakFPC := pk.flops / pk.cycles
		fmt.Printf("\n## %s, one thread, %.1f GHz\n\n", c.what, *ghz)
		fmt.Printf("| shape M×N×K | before µs | before GFLOP/s | after µs | after GFLOP/s | after: %% of FMA peak | speed-up | after: Go-side µs | after: limit |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
		times := map[key][2]shapeTime{}
		for _, k := range order {
			b, a := byKey[k]["before"], byKey[k]["after"]
			gb, ga := b.GoNanos, a.GoNanos
			if sameCounts(a.Counts, b.Counts) {
				// The same path: the better of two timings of the same code.
				gb = min(gb, ga)
				ga = gb
			}
			tb, ta := modelShapeTime(b, st, cal, gb), modelShapeTime(a, st, cal, ga)
			times[k] = [2]shapeTime{tb, ta}
			fl := 2 * float64(k.m*k.n*k.k)
			fmt.Printf("| %d×%d×%d %s%s | %.1f | %.1f | %.1f | %.1f | %.0f%% | %.2f× | %.1f | %s |\n", k.m, k.n, k.k, tr(k.ta), tr(k.tb),
				tb.total/1000, fl/tb.total, ta.total/1000, fl/ta.total, 100*fl/ta.total/(peakFPC**ghz), tb.total/ta.total, ta.goSide/1000, ta.bound)
		}
		// One prediction at batch 1: the two products and the element work.
		elem := modelShapeTime(data.Predict, st, cal, data.Predict.GoNanos)
		l1, l2 := key{1, 256, 784, false, false}, key{1, 10, 256, false, false}
		before := times[l1][0].total + times[l2][0].total + elem.total
		after := times[l1][1].total + times[l2][1].total + elem.total
		fmt.Printf("\nBatch-1 prediction of the 784-256-10 network (two products, bias adds, ReLU): %.1f µs before, %.1f µs after: %.1f× faster.\n",
			before/1000, after/1000, before/after)
		g := times[l1][1]
		boundCyc := max(2*256*784/peakFPC, 256*784*4 / *l2bytes)
		fmt.Printf("1×256×784: bound %.1f µs (FMA peak %.0f FLOP/cycle, or the weights from L2 at %.0f B/cycle); modelled %.1f µs = %.0f%% of the bound.\n",
			boundCyc / *ghz / 1000, peakFPC, *l2bytes, g.total/1000, 100*boundCyc / *ghz / g.total)
	}
}

func sameCounts(a, b map[string]float64) bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	ks := make([]string, 0, len(keys))
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
