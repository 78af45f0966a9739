package vrrp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"haappliance/config"
)

// Group runs every instance of a Config. Instances on the same interface
// and address family share one socket, whose reader goroutine checks each
// received advert and hands it to the instance of its VRID.
type Group struct {
	opts      Options
	instances []*Instance
	counters  // packets no instance could take (unknown VRID, TTL, length)
	runOnce   sync.Once
}

// NewGroup builds the instances of a configuration; it starts nothing and
// touches no kernel state. An invalid configuration is an error listing its
// problems.
func NewGroup(cfg Config, opts Options) (*Group, error) {
	if ps := cfg.Validate(); len(ps) > 0 {
		msgs := make([]string, len(ps))
		for i, p := range config.Prefix("vrrp", ps) {
			msgs[i] = p.String()
		}
		return nil, fmt.Errorf("vrrp: invalid configuration: %s", strings.Join(msgs, "; "))
	}
	g := &Group{opts: opts}
	for _, ic := range cfg.Instances {
		g.instances = append(g.instances, newInstance(ic, &g.opts))
	}
	return g, nil
}

// Instances returns the instances in configuration order.
func (g *Group) Instances() []*Instance { return g.instances }

// Instance returns the instance of that name, or nil.
func (g *Group) Instance(name string) *Instance {
	for _, in := range g.instances {
		if in.cfg.Name == name {
			return in
		}
	}
	return nil
}

// SetTrack reports the health of a track of the named instance.
func (g *Group) SetTrack(instance string, u TrackUpdate) error {
	in := g.Instance(instance)
	if in == nil {
		return fmt.Errorf("vrrp: no instance %q", instance)
	}
	return in.SetTrack(u)
}

// Snapshot returns the status of every instance.
func (g *Group) Snapshot() []Status {
	out := make([]Status, len(g.instances))
	for i, in := range g.instances {
		out[i] = in.Snapshot()
	}
	return out
}

// Stats sums the counters of every instance and the packets that reached
// none (unknown VRID, or too broken to tell).
func (g *Group) Stats() Stats {
	s := g.counters.snapshot()
	for _, in := range g.instances {
		s.add(in.Stats())
	}
	return s
}

type sockKey struct {
	ifname string
	v6     bool
}

// Run opens the sockets, starts the instances and follows the links until
// ctx is cancelled; then every instance stops gracefully (a master sends
// priority 0 and keeps its VIPs until a new master is heard or its
// Master_Down_Interval passes, then removes them), the sockets close, and
// Run returns once every goroutine it started has ended. A Group runs once.
func (g *Group) Run(ctx context.Context) error {
	err := errors.New("vrrp: Group.Run called twice")
	g.runOnce.Do(func() { err = g.run(ctx) })
	return err
}

func (g *Group) run(ctx context.Context) error {
	if len(g.instances) == 0 {
		<-ctx.Done()
		return nil
	}
	if err := g.opts.fillHost(); err != nil {
		return err
	}
	conns := map[sockKey]Conn{}
	byConn := map[sockKey]map[uint8]*Instance{}
	closeAll := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	for _, in := range g.instances {
		k := sockKey{in.cfg.Interface, in.v6}
		if _, ok := conns[k]; !ok {
			multicast := false
			for _, o := range g.instances {
				if (sockKey{o.cfg.Interface, o.v6}) == k && len(o.peers) == 0 {
					multicast = true
				}
			}
			c, err := g.opts.Sockets.Listen(k.ifname, k.v6, multicast)
			if err != nil {
				closeAll()
				return fmt.Errorf("vrrp: instance %s: %w", in.cfg.Name, err)
			}
			conns[k] = c
			byConn[k] = map[uint8]*Instance{}
		}
		in.conn = conns[k]
		byConn[k][uint8(in.cfg.VirtualRouterID)] = in
	}
	g.initialLinks()

	var aux sync.WaitGroup
	auxCtx, stopAux := context.WithCancel(context.WithoutCancel(ctx))
	aux.Add(1)
	go func() {
		defer aux.Done()
		g.watchLinks(auxCtx)
	}()
	for k, c := range conns {
		aux.Add(1)
		go func() {
			defer aux.Done()
			g.read(c, byConn[k])
		}()
	}

	var insts sync.WaitGroup
	for _, in := range g.instances {
		insts.Add(1)
		go func() {
			defer insts.Done()
			in.run(ctx)
		}()
	}
	insts.Wait()
	stopAux()
	closeAll()
	aux.Wait()
	return nil
}

func (g *Group) initialLinks() {
	names := map[string]bool{}
	for _, in := range g.instances {
		names[in.cfg.Interface] = true
		for _, t := range in.cfg.Track {
			if t.Interface != "" {
				names[t.Interface] = true
			}
		}
	}
	for name := range names {
		up, err := g.opts.Links.LinkUp(name)
		if err != nil {
			g.opts.logf("vrrp: link %s: %v", name, err)
			up = false
		}
		for _, in := range g.instances {
			in.linkChanged(name, up)
		}
	}
}

// watchLinks feeds link changes to the instances until ctx ends,
// resubscribing after an error.
func (g *Group) watchLinks(ctx context.Context) {
	for ctx.Err() == nil {
		err := g.opts.Links.WatchLinks(ctx, func(name string, up bool) {
			for _, in := range g.instances {
				in.linkChanged(name, up)
			}
		})
		if ctx.Err() != nil {
			return
		}
		g.opts.logf("vrrp: link watch: %v; resubscribing", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
		g.initialLinks() // changes missed while unsubscribed
	}
}

// read is the reader goroutine of one socket; it ends when the socket is
// closed.
func (g *Group) read(c Conn, byVRID map[uint8]*Instance) {
	buf := make([]byte, 2048)
	var a Advert
	a.Addresses = make([]netip.Addr, 0, 16)
	for {
		n, src, dst, ttl, err := c.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			g.opts.logf("vrrp: read: %v", err)
			time.Sleep(10 * time.Millisecond) // a persistent error must not spin
			continue
		}
		r := Received{Msg: buf[:n], Src: src, Dst: dst, TTL: ttl}
		var in *Instance
		if n >= 2 {
			in = byVRID[buf[1]]
		}
		switch {
		case in != nil:
			in.receive(&r, &a)
		case n < headerLen:
			g.drop(DropTooShort)
		case ttl != vrrpTTL:
			g.drop(DropTTL)
		default:
			g.drop(DropVRID)
		}
	}
}

func (g *Group) drop(d DropReason) { g.counters.drop(d) }
