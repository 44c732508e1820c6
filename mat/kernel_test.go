package mat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refTile computes the microKernel contract in float64: beta·c + Σ a·b.
func refTile(k, mr, nr int, a, b, c []float32, ldc int, beta float32) (want, mag []float64) {
	want = make([]float64, mr*nr)
	mag = make([]float64, mr*nr)
	for i := range mr {
		for j := range nr {
			var s, sa float64
			for p := range k {
				x := float64(a[p*mr+i]) * float64(b[p*nr+j])
				s += x
				sa += math.Abs(x)
			}
			if beta != 0 {
				cv := float64(beta) * float64(c[i*ldc+j])
				s += cv
				sa += math.Abs(cv)
			}
			want[i*nr+j], mag[i*nr+j] = s, sa
		}
	}
	return want, mag
}

// TestMicroKernels runs every implementation's micro-kernel alone, and its
// row kernels, for k from 0 to 40 on unaligned panels, with C inside a
// guarded buffer (ldc > nr) that holds NaN when beta is 0.
func TestMicroKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	nan := float32(math.NaN())
	for _, ks := range kernelSets {
		type variant struct {
			name string
			mr   int
			run  func(k int, a, b, c *float32, ldc int, beta float32)
		}
		var variants []variant
		if ks.gemm.fn != nil {
			variants = append(variants, variant{"gemm.fn", ks.gemm.mr, ks.gemm.fn})
		}
		if ks.gemmRow != nil {
			variants = append(variants, variant{"gemmRow", ks.gemm.mr,
				func(k int, a, b, c *float32, ldc int, beta float32) { ks.gemmRow(k, 1, a, b, c, ldc, beta) }})
		}
		for _, rk := range stridedKernels(ks) {
			variants = append(variants, variant{fmt.Sprintf("strided%d", rk.mr), rk.mr,
				func(k int, a, b, c *float32, ldc int, beta float32) {
					rk.row(k, 1, a, b, ks.gemm.nr, ks.gemm.nr*k, c, ldc, beta)
				}})
		}
		for _, v := range variants {
			mr, nr := v.mr, ks.gemm.nr
			for k := 0; k <= 40; k++ {
				for _, beta := range []float32{0, 1, -0.5} {
					off := 1 + k%3
					a := make([]float32, off+k*mr)[off:]
					b := make([]float32, off+k*nr)[off:]
					for i := range a {
						a[i] = rng.Float32()*2 - 1
					}
					for i := range b {
						b[i] = rng.Float32()*2 - 1
					}
					ldc := nr + 3
					cbuf := make([]float32, off+mr*ldc+5)
					for i := range cbuf {
						cbuf[i] = guard
					}
					c := cbuf[off:]
					for i := range mr {
						for j := range nr {
							c[i*ldc+j] = rng.Float32()
							if beta == 0 {
								c[i*ldc+j] = nan
							}
						}
					}
					want, mag := refTile(k, mr, nr, a, b, c, ldc, beta)
					if k == 0 {
						// No pointer into an empty panel: give the kernel
						// valid ones it must not read.
						a, b = make([]float32, 1), make([]float32, 1)
					}
					v.run(k, &a[0], &b[0], &c[0], ldc, beta)
					for i := range mr {
						for j := range nr {
							got := float64(c[i*ldc+j])
							if w := want[i*nr+j]; !(math.Abs(got-w) <= float64(k+2)*1.2e-7*mag[i*nr+j]) {
								t.Fatalf("%s %s k=%d beta=%v: C[%d,%d] = %v, want %v", ks.name, v.name, k, beta, i, j, got, w)
							}
						}
					}
					for idx, x := range cbuf {
						rel := idx - off
						if (rel < 0 || rel%ldc >= nr || rel/ldc >= mr) && x != guard {
							t.Fatalf("%s %s k=%d: wrote outside the tile at %d", ks.name, v.name, k, rel)
						}
					}
				}
			}
		}
	}
}

// stridedKernels lists the set's strided row kernels with their heights.
func stridedKernels(ks *kernelSet) []edgeKernel {
	var rks []edgeKernel
	if ks.gemmRowStrided != nil {
		rks = append(rks, edgeKernel{mr: ks.gemm.mr, row: ks.gemmRowStrided})
	}
	if ks.edgeRows != nil {
		rks = append(rks, *ks.edgeRows)
	}
	return rks
}

// TestRowKernelStrides checks the row kernels over several tiles with B in
// place (a row stride) against the micro-kernel on packed panels.
func TestRowKernelStrides(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, ks := range kernelSets {
		for _, rk := range stridedKernels(ks) {
			mr, nr := rk.mr, ks.gemm.nr
			for _, k := range []int{1, 3, 4, 5, 17, 64} {
				const tiles = 3
				ldb := tiles*nr + 5
				b := make([]float32, k*ldb)
				a := make([]float32, k*mr)
				for i := range b {
					b[i] = rng.Float32() - 0.5
				}
				for i := range a {
					a[i] = rng.Float32() - 0.5
				}
				ldc := tiles*nr + 2
				c := make([]float32, mr*ldc)
				rk.row(k, tiles, &a[0], &b[0], ldb, nr, &c[0], ldc, 0)
				for tile := range tiles {
					packed := make([]float32, k*nr)
					for p := range k {
						copy(packed[p*nr:(p+1)*nr], b[p*ldb+tile*nr:])
					}
					want, mag := refTile(k, mr, nr, a, packed, nil, 0, 0)
					for i := range mr {
						for j := range nr {
							got := float64(c[i*ldc+tile*nr+j])
							if math.Abs(got-want[i*nr+j]) > float64(k+2)*1.2e-7*mag[i*nr+j] {
								t.Fatalf("%s row%d k=%d tile %d: C[%d,%d] = %v, want %v", ks.name, mr, k, tile, i, j, got, want[i*nr+j])
							}
						}
					}
				}
			}
		}
	}
}

// TestPanelPackers checks every packer against the Go packing loops, bit
// for bit, on odd depths and unaligned sources with a stride.
func TestPanelPackers(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, ks := range kernelSets {
		type packer struct {
			name string
			w    int
			pk   panelPacker
		}
		packers := []packer{{"A", ks.gemm.mr, ks.packA}, {"B", ks.gemm.nr, ks.packB}}
		if ks.edgeRows != nil {
			packers = append(packers, packer{"A-edge", ks.edgeRows.mr, ks.edgeRows.packA})
		}
		for _, p := range packers {
			for k := 0; k <= 35; k++ {
				for _, alpha := range []float32{1, -0.75} {
					ld := p.w + k + 3
					src := make([]float32, 2+ld*max(k, p.w)+ld)[2:]
					for i := range src {
						src[i] = rng.Float32() - 0.5
					}
					for _, trans := range []bool{false, true} {
						fn := p.pk.copy
						if trans {
							fn = p.pk.trans
						}
						if fn == nil || k == 0 {
							continue
						}
						want := make([]float32, k*p.w)
						got := make([]float32, 1+k*p.w+packSlack)[1:]
						for i := range got {
							got[i] = guard
						}
						if trans {
							packTrans(want, src, ld, k, p.w, p.w, alpha)
						} else {
							packCopy(want, src, ld, k, p.w, p.w, alpha)
						}
						fn(k, &src[0], ld, &got[0], alpha)
						if i, ok := sameBits(got[:k*p.w], want); !ok {
							t.Fatalf("%s pack%s trans=%v k=%d: [%d] = %v, want %v", ks.name, p.name, trans, k, i, got[i], want[i])
						}
						for i := k*p.w + packSlack; i < len(got); i++ {
							if got[i] != guard {
								t.Fatalf("%s pack%s k=%d: wrote past the slack", ks.name, p.name, k)
							}
						}
					}
				}
			}
		}
	}
}

// TestTranspose checks the fast transpose against the Go loop, including
// the edges around its 8×8 and 16×16 blocks, bit for bit on special values.
func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	sizes := []int{}
	for n := 1; n <= 20; n++ {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, 31, 32, 33, 47, 48, 50)
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))}
	for _, ks := range kernelSets {
		if ks.fast == nil || ks.fast.transpose == nil {
			continue
		}
		for _, rows := range sizes {
			for _, cols := range sizes {
				lds, ldd := cols+rows%3, rows+cols%2
				src := make([]float32, rows*lds)
				for i := range src {
					src[i] = rng.Float32()
					if i%7 == 3 {
						src[i] = specials[i%len(specials)]
					}
				}
				want := make([]float32, cols*ldd)
				got := make([]float32, cols*ldd)
				for i := range got {
					got[i], want[i] = guard, guard
				}
				transpose(want, ldd, src, lds, rows, cols)
				ks.fast.transpose(rows, cols, &src[0], lds, &got[0], ldd)
				if i, ok := sameBits(got, want); !ok {
					t.Fatalf("%s transpose %dx%d: [%d] = %v, want %v", ks.name, rows, cols, i, got[i], want[i])
				}
			}
		}
	}
}

// TestFastPathShapes sweeps the shapes the fast paths take (one row of C,
// a narrow C) across their tile edges: m around 4, 8 and 32, n up to 16
// (for one row also around 64- and 256-column strips), k around the 8-step
// blocks.
func TestFastPathShapes(t *testing.T) {
	ms := []int{1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 40, 65}
	ns := []int{1, 2, 3, 5, 7, 8, 9, 10, 15, 16, 17, 63, 64, 65, 130, 255, 256, 257, 549}
	ks := []int{1, 2, 7, 8, 9, 16, 17, 33}
	if emulated() && testing.Short() {
		ms, ns, ks = ms[:6], ns[:6], ks[:4]
	}
	forEachImpl(t, func(t *testing.T, impl string) {
		rng := rand.New(rand.NewPCG(39, 40))
		for _, m := range ms {
			for _, n := range ns {
				if m > 1 && n > 17 {
					continue
				}
				for _, k := range ks {
					tr := transCombos[rng.IntN(4)]
					beta := []float32{0, 1, -0.5}[rng.IntN(3)]
					gemmCase(t, rng, tr[0], tr[1], m, n, k, rng.IntN(3), 0.75, beta)
				}
			}
		}
	})
}

// TestFastPathParallel runs fast-path shapes large enough to be split
// between threads (by rows for a narrow C, by columns for one row).
func TestFastPathParallel(t *testing.T) {
	// Each is just over the 8 MFLOP that two threads need.
	shapes := [][3]int{{1001, 10, 420}, {1, 4099, 1030}, {1100, 3, 1300}}
	restoreGlobals(t)
	SetThreads(2)
	forEachImpl(t, func(t *testing.T, impl string) {
		if raceEnabled && impl == "generic" {
			t.Skip("the race detector makes the Go kernels too slow for these sizes")
		}
		rng := rand.New(rand.NewPCG(41, 42))
		for i, s := range shapes {
			for j, tr := range transCombos {
				if i == 2 && j > 0 {
					break
				}
				gemmCase(t, rng, tr[0], tr[1], s[0], s[1], s[2], 1, -0.5, 2)
			}
		}
	})
}

// TestRowKernelsInPlaceA checks the kernels that read A in place against
// their Go twin, over several tiles, with A and B read through row strides,
// odd depths, and beta 0 (C not read) and not.
func TestRowKernelsInPlaceA(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, ks := range kernelSets {
		if ks.rowA == nil {
			continue
		}
		nr := ks.gemm.nr
		kernels := []struct {
			mr  int
			row rowKernelA
		}{{ks.gemm.mr, ks.rowA}, {ks.edgeRows.mr, ks.edgeRowA}}
		for _, rk := range kernels {
			for _, k := range []int{1, 3, 4, 5, 17, 64, 131} {
				for _, beta := range []float32{0, 0.5} {
					const tiles = 3
					lda, ldb, ldc := k+3, tiles*nr+5, tiles*nr+2
					a := make([]float32, 1+rk.mr*lda)[1:] // unaligned
					b := make([]float32, k*ldb)
					for i := range a {
						a[i] = rng.Float32() - 0.5
					}
					for i := range b {
						b[i] = rng.Float32() - 0.5
					}
					got := make([]float32, rk.mr*ldc)
					for i := range got {
						got[i] = rng.Float32()
					}
					want := append([]float32(nil), got...)
					rk.row(k, tiles, &a[0], lda, 1, &b[0], ldb, nr, &got[0], ldc, beta)
					stridedRowGenericA(rk.mr, nr)(k, tiles, &a[0], lda, 1, &b[0], ldb, nr, &want[0], ldc, beta)
					for i := range got {
						if i%ldc >= tiles*nr {
							if got[i] != want[i] {
								t.Fatalf("%s rowA%d k=%d: wrote outside the tiles at %d", ks.name, rk.mr, k, i)
							}
							continue
						}
						if math.Abs(float64(got[i]-want[i])) > float64(k+2)*1.2e-7*(float64(k)/4+1) {
							t.Fatalf("%s rowA%d k=%d beta=%v: C[%d,%d] = %v, twin gives %v", ks.name, rk.mr, k, beta, i/ldc, i%ldc, got[i], want[i])
						}
					}
				}
			}
		}
	}
}
