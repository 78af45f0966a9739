#!/bin/sh
# install.sh: installs haappliance on this host; `make install` runs it.
#
# Environment (all optional):
#   BIN         the built binary                    (default: bin/haappliance)
#   DESTDIR     staging root for packaging          (default: empty = this host)
#   PREFIX      where the binary and docs go        (default: /usr/local)
#   SYSCONFDIR  configuration root                  (default: /etc)
#   UNITDIR     systemd unit folder                 (default: $SYSCONFDIR/systemd/system)
#   ROLE        master or backup: which example becomes
#               $SYSCONFDIR/haappliance/haappliance.toml (default: master)
#   HA_USER     the unprivileged user to create     (default: ha)
#
# The binary, the unit and the docs are always (re)installed. Files under
# $SYSCONFDIR (configuration, /etc/default, rsyslog, logrotate) are installed
# only when absent, so an upgrade never overwrites the operator's edits.
# With DESTDIR set, nothing outside DESTDIR is touched: no user is created
# and systemd is not reloaded.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-bin/haappliance}
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-$SYSCONFDIR/systemd/system}
ROLE=${ROLE:-master}
HA_USER=${HA_USER:-ha}

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

case $ROLE in master|backup) ;; *) die "ROLE must be master or backup, not '$ROLE'" ;; esac
[ -f "$BIN" ] && [ -x "$BIN" ] || die "no binary at $BIN (run 'make build' first, or set BIN=)"
if [ -z "$DESTDIR" ] && [ "$(id -u)" != 0 ]; then
	die "run as root to install on this host, or set DESTDIR= to stage the files"
fi

# DropPrivileges needs a binary without cgo (it changes the credentials of
# every thread through syscall.AllThreadsSyscall).
if command -v go >/dev/null 2>&1 && go version -m "$BIN" 2>/dev/null | grep -q 'CGO_ENABLED=1'; then
	say "warning: $BIN was built with cgo; it cannot drop to global.user."
	say "         rebuild with CGO_ENABLED=0, or run the unit with User=$HA_USER (see docs/install.md)"
fi

sbindir=$DESTDIR$PREFIX/sbin
docdir=$DESTDIR$PREFIX/share/doc/haappliance
confdir=$DESTDIR$SYSCONFDIR/haappliance

# install_new SRC DST MODE: copy SRC to DST unless DST exists.
install_new() {
	if [ -e "$2" ]; then
		say "kept $2 (exists; the new version is in $docdir)"
	else
		install -D -m "$3" "$1" "$2"
		say "installed $2"
	fi
}

# 1. The user the daemon drops to.
if [ -z "$DESTDIR" ]; then
	if id -u "$HA_USER" >/dev/null 2>&1; then
		say "user $HA_USER exists"
	elif command -v useradd >/dev/null 2>&1; then
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin --comment "haappliance daemon" "$HA_USER"
		say "created system user $HA_USER"
	else
		adduser --system --group --no-create-home --home /nonexistent \
			--shell /usr/sbin/nologin "$HA_USER"
		say "created system user $HA_USER"
	fi
else
	say "DESTDIR set: not creating user $HA_USER"
fi

# 2. Binary, unit, docs and examples (always).
install -D -m 0755 "$BIN" "$sbindir/haappliance"
say "installed $sbindir/haappliance"
mkdir -p "$DESTDIR$UNITDIR"
sed -e "s|/usr/local/sbin/haappliance|$PREFIX/sbin/haappliance|g" \
	-e "s|/usr/local/share/doc/haappliance|$PREFIX/share/doc/haappliance|g" \
	-e "s|/etc/haappliance/|$SYSCONFDIR/haappliance/|g" \
	-e "s|/etc/default/haappliance|$SYSCONFDIR/default/haappliance|g" \
	"$here/haappliance.service" >"$DESTDIR$UNITDIR/haappliance.service"
chmod 0644 "$DESTDIR$UNITDIR/haappliance.service"
say "installed $DESTDIR$UNITDIR/haappliance.service"
for f in master.toml backup.toml 60-haappliance.conf rsyslog-haappliance.conf logrotate-haappliance haappliance.default; do
	install -D -m 0644 "$here/$f" "$docdir/examples/$f"
done
for f in install.md alerts.md configuration.md; do
	if [ -f "$here/../docs/$f" ]; then
		install -D -m 0644 "$here/../docs/$f" "$docdir/$f"
	fi
done
say "installed examples and docs under $docdir"

# 3. Configuration (only when absent). Readable by the daemon's group, so a
#    reload after the privilege drop can read it.
install_new "$here/$ROLE.toml" "$confdir/haappliance.toml" 0640
install_new "$here/master.toml" "$confdir/master.toml.example" 0640
install_new "$here/backup.toml" "$confdir/backup.toml.example" 0640
if [ -z "$DESTDIR" ]; then
	chmod 0750 "$confdir"
	chgrp "$HA_USER" "$confdir" "$confdir/haappliance.toml" "$confdir/master.toml.example" "$confdir/backup.toml.example"
fi
install_new "$here/haappliance.default" "$DESTDIR$SYSCONFDIR/default/haappliance" 0644
install_new "$here/rsyslog-haappliance.conf" "$DESTDIR$SYSCONFDIR/rsyslog.d/49-haappliance.conf" 0644
install_new "$here/logrotate-haappliance" "$DESTDIR$SYSCONFDIR/logrotate.d/haappliance" 0644

# 4. Tell systemd, when installing on a running system.
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	systemctl daemon-reload
	say "systemd reloaded"
fi

cat <<EOT
install.sh: done. Next:
  edit  $SYSCONFDIR/haappliance/haappliance.toml   (interface, VIP, servers; ROLE=$ROLE)
  check $PREFIX/sbin/haappliance check -c $SYSCONFDIR/haappliance/haappliance.toml
  run   systemctl restart rsyslog && systemctl enable --now haappliance
EOT
