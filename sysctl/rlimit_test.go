package sysctl

import (
	"errors"
	"math"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type fakeRlimit struct {
	soft, hard uint64
	canRaise   bool // CAP_SYS_RESOURCE
	nr         uint64
	sets       int
}

func (f *fakeRlimit) get() (uint64, uint64, error) { return f.soft, f.hard, nil }
func (f *fakeRlimit) nrOpen() uint64               { return f.nr }
func (f *fakeRlimit) set(soft, hard uint64) error {
	f.sets++
	if soft > hard || hard > f.hard && (!f.canRaise || hard > f.nr) {
		return syscall.EPERM
	}
	f.soft, f.hard = soft, hard
	return nil
}

func TestNoFileFor(t *testing.T) {
	for maxconn, want := range map[int]uint64{30000: 60018, 0: 18, -5: 18, 256: 530} {
		if got := NoFileFor(maxconn); got != want {
			t.Errorf("NoFileFor(%d) = %d, want %d", maxconn, got, want)
		}
	}
}

func TestRaiseNoFile(t *testing.T) {
	tests := []struct {
		name    string
		r       fakeRlimit
		min     uint64
		want    Limits
		wantErr string
		sets    int
	}{
		{"already enough", fakeRlimit{soft: 1 << 20, hard: 1 << 20, nr: 1 << 20}, 60018,
			Limits{1 << 20, 1 << 20, 1 << 20, 1 << 20}, "", 0},
		{"unlimited", fakeRlimit{soft: math.MaxUint64, hard: math.MaxUint64}, 60018,
			Limits{math.MaxUint64, math.MaxUint64, math.MaxUint64, math.MaxUint64}, "", 0},
		{"soft only", fakeRlimit{soft: 1024, hard: 524288, nr: 1 << 20}, 60018,
			Limits{60018, 524288, 1024, 524288}, "", 1},
		{"hard too, as root", fakeRlimit{soft: 1024, hard: 4096, canRaise: true, nr: 1 << 20}, 60018,
			Limits{60018, 60018, 1024, 4096}, "", 1},
		{"hard too, not permitted", fakeRlimit{soft: 1024, hard: 4096, nr: 1 << 20}, 60018,
			Limits{1024, 4096, 1024, 4096},
			"cannot raise open-file limit to 60018 (hard limit 4096): run as root or set LimitNOFILE=60018 (or more) in the systemd unit (setrlimit: operation not permitted)", 1},
		{"above fs.nr_open", fakeRlimit{soft: 1024, hard: 4096, canRaise: true, nr: 50000}, 60018,
			Limits{1024, 4096, 1024, 4096},
			"cannot raise open-file limit to 60018 (hard limit 4096): run as root or set LimitNOFILE=60018 (or more) in the systemd unit; the kernel allows at most fs.nr_open = 50000, raise it first or lower global.maxconn (setrlimit: operation not permitted)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			got, err := raiseNoFile(&r, tt.min)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("limits (-want +got):\n%s", diff)
			}
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
				var ne *NoFileError
				if !errors.As(err, &ne) || !errors.Is(err, syscall.EPERM) {
					t.Errorf("error %v is not a *NoFileError wrapping EPERM", err)
				}
			}
			if gotErr != tt.wantErr {
				t.Errorf("error = %q\nwant    %q", gotErr, tt.wantErr)
			}
			if r.sets != tt.sets {
				t.Errorf("setrlimit called %d times, want %d", r.sets, tt.sets)
			}
		})
	}
}

func TestLimitsString(t *testing.T) {
	l := Limits{Soft: 60018, Hard: math.MaxUint64, PrevSoft: 1024, PrevHard: math.MaxUint64}
	if got, want := l.String(), "soft 60018, hard unlimited (was 1024, unlimited)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

// TestRaiseNoFileReal asks for no more than the process already has, so it
// changes nothing on the machine but goes through getrlimit.
func TestRaiseNoFileReal(t *testing.T) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		t.Fatal(err)
	}
	l, err := RaiseNoFile(uint64(r.Cur))
	if err != nil || l.Raised() || l.Soft != uint64(r.Cur) {
		t.Errorf("RaiseNoFile(current) = %v, %v", l, err)
	}
}
